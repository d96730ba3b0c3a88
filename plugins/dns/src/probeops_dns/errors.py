"""The exceptions of probeops-dns, rooted at :class:`DnsError`.

Outcomes such as NXDOMAIN or a silent server are results, not exceptions;
these are raised only when nothing could be measured.
"""

from __future__ import annotations

from probeops.errors import BadInput, ProbeOpsError


class DnsError(ProbeOpsError):
    """The DNS diagnostic could not carry out the request."""


class UnsupportedOption(DnsError, BadInput):
    """This combination of DNS options is not supported."""


class BadTrustAnchor(DnsError, BadInput):
    """The DNSSEC trust anchor is not a DS or DNSKEY record of the root."""


class NoNameServer(DnsError):
    """No DNS server is configured to send the query to."""


class LabError(DnsError):
    """The DNS lab could not be started on this host."""
