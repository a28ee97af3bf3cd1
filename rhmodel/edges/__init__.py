"""Edges: everything that reads or writes.

YAML files with line numbers, bundled data, parameters files, vendor exports (one module per
format in :mod:`rhmodel.edges.exports`), the workbook, pack rendering, provenance and atomic
writes. Edges parse and validate what comes in, call the core, and write what comes out.
"""
