"""Allow ``python -m rhmodel``."""

from rhmodel.faces.cli import run

run()
