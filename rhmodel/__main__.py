"""Allow ``python -m rhmodel``."""

from rhmodel.cli import main

raise SystemExit(main())
