"""Command line: ``python -m geo …``, thin over the rooms below.

One module per group of subcommands; :func:`geo.cli.main` is the entry point.
"""

from geo._exports import lazy_exports

#: Public name -> module of this room that defines it (imported on first use).
_EXPORTS = {
    "main": "commands",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
