"""``python -m probeops``: the same as the ``probeops`` command."""

import sys

from probeops.cli import main

sys.exit(main())
