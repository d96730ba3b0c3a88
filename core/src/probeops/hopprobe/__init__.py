"""Sending TTL-limited probes and matching the replies they provoke.

:mod:`~probeops.hopprobe.wire` builds probes and reads replies as pure
functions on bytes, :mod:`~probeops.hopprobe.transport` is the one place that
touches sockets, and :mod:`~probeops.hopprobe.session` paces probes within a
packets-per-second budget and matches replies to probes on what the reply
quotes, never on arrival order.
"""
