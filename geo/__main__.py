"""``python -m geo``: see :mod:`geo.cli.commands`."""

import sys

from geo.cli.commands import main

sys.exit(main())
