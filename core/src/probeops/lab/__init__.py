"""A network lab of namespaces joined by veth links, for tests and by hand.

``Lab.chain(routers=4)`` gives client - r1 - r2 - r3 - r4 - t1 over IPv4
(198.18.0.0/15) and IPv6 (fd00::/8) with no route out of the lab;
``Lab.diamond()`` gives two equal-cost paths. See docs/lab.md.
"""

from probeops.lab.errors import InvalidLab, LabError, LabUnavailable
from probeops.lab.lab import Lab

__all__ = ["InvalidLab", "Lab", "LabError", "LabUnavailable"]
