"""The one parameters file that drives every command, notebook and workbook.

A parameters file is YAML. Every key is declared once in :data:`SCHEMA` (type, default, unit,
bounds, whether it may be a range, what it means); validation, ``--set`` overrides, the
README's key table, the workbook's Inputs sheet and the explorer all read that table.

A numeric value may be written four ways::

    logmein.price_per_agent_month: 45                        # a number
    logmein.price_per_agent_month: {low: 29, high: 94}      # uniform range, base = midpoint
    logmein.price_per_agent_month: {low: 29, mode: 45, high: 94}   # triangular, base = mode
    beyondtrust.price_per_seat_year: {value: 2400, illustrative: true, source: "placeholder"}

Any of the mapping forms may carry ``illustrative: true`` (the figure is not a quoted fact; every
output that uses it says so), ``source`` and ``note``.

This package is pure: it resolves a document already read, with the price book and today's date
passed in. :func:`rhmodel.edges.paramfile.load_parameters` reads a file and supplies both.

Examples
--------
>>> import datetime as dt
>>> from rhmodel.core.document import parse_yaml
>>> p = resolve_parameters(parse_yaml("logmein: {agents: 100, price_per_agent_month: 50, "
...                                   "months_to_renewal: 0}\\n", "p.yaml"),
...                        today=dt.date(2026, 11, 26))
>>> p["logmein.agents"], p["horizon_months"], p["discount_rate"]
(100, 36, 0.1)
>>> p.with_overrides(["logmein.agents=80"])["logmein.agents"]
80
"""

from rhmodel.core.params.resolve import Parameters, resolve_parameters
from rhmodel.core.params.schema import SCHEMA, Spec, spec
from rhmodel.core.params.values import Uncertain, Value

__all__ = ["SCHEMA", "Parameters", "Spec", "Uncertain", "Value", "resolve_parameters", "spec"]
