"""Settings of the web app behind a reverse proxy."""

from __future__ import annotations

from probeops.settings import setting

from probeops_webapp import probe_settings  # noqa: F401  (registers them)


def _hops(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError(f"{raw} is negative")
    return value


PROXY_HOPS = setting(
    "PROBEOPS_PROXY_HOPS",
    "0",
    _hops,
    "Reverse proxies (such as the NGINX of compose.yml) in front of the web "
    "app whose X-Forwarded-For, -Proto and -Host headers are trusted; 0 "
    "trusts none.",
    "a whole number from 0",
)
