"""rhmodel: can Intune Remote Help replace LogMeIn Resolve and/or BeyondTrust Remote Support?

The package is split into a pure core (capability matrix, decision, prices, parameters, cash
flows, scenarios, uncertainty), edges that read and write files, and faces (the command line).
Importing :mod:`rhmodel` is cheap: heavy libraries are imported by the modules that need them.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
