"""Faces: what people use. The command line, text tables, the HTML memo, plots, the explorer."""
