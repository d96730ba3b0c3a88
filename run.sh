#!/usr/bin/env bash
# The main job: real measurements of this machine's loopback, then the
# platform in its embedded profile (SQLite, in-process jobs) on
# http://127.0.0.1:8000 until Ctrl-C. With arguments, runs `probeops ARGS...`.
set -euo pipefail
source "$(dirname "$0")/scripts/bootstrap.sh"
if [ "$#" -gt 0 ]; then
  exec "$PROBEOPS" "$@"
fi
"$PROBEOPS" diagnostics
echo
status=0
"$PROBEOPS" run ping 127.0.0.1 ::1 -c 5 -i 0.2 || status=$?
if [ "$status" -ge 2 ]; then
  exit "$status"
fi
echo
exec "$PROBEOPS" serve
