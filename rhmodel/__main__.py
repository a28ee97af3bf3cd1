"""Allow ``python -m rhmodel``."""

from rhmodel.faces.cli import main

raise SystemExit(main())
