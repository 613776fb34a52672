"""Command line: ``python -m geo …``, thin over the rooms below.

One module per group of subcommands; :func:`geo.cli.main` is the entry point.
"""

from geo._exports import lazy_exports

#: The modules of this room: each one's ``__all__`` is exported here, imported on first use.
MODULES = ["commands", "data", "export", "fetch"]
__getattr__, __dir__ = lazy_exports(__name__, MODULES)
