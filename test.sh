#!/usr/bin/env bash
# The whole test suite. As root it first installs the Debian packages the
# tests drive (reference tools, nftables, DNS servers); pytest arguments pass on.
set -euo pipefail
source "$(dirname "$0")/scripts/bootstrap.sh"
cd "$top"
bash scripts/system-packages.sh
exec .venv/bin/python -m pytest "$@"
