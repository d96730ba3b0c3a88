#!/usr/bin/env bash
# The main job: measure this machine's loopback addresses with real packets.
# Arguments, if any, are passed to `probeops` instead of the demo.
set -euo pipefail
source "$(dirname "$0")/scripts/bootstrap.sh"
if [ "$#" -gt 0 ]; then
  exec .venv/bin/probeops "$@"
fi
.venv/bin/probeops diagnostics
echo
exec .venv/bin/probeops run ping 127.0.0.1 ::1 -c 5 -i 0.2
