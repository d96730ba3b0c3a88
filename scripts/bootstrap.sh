#!/usr/bin/env bash
# Make sure uv is available and the workspace's locked environment is in .venv.
# Sourced by run.sh and test.sh; installs only into this checkout (and, as root,
# Debian's python3-venv when the interpreter cannot make virtual environments).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

find_uv() {
  if command -v uv >/dev/null 2>&1; then
    UV=$(command -v uv)
  elif [ -x "$top/.bootstrap/bin/uv" ]; then
    UV="$top/.bootstrap/bin/uv"
  else
    return 1
  fi
}

install_uv() {
  echo "probeops: installing uv into .bootstrap/ (one time)" >&2
  if ! python3 -m venv "$top/.bootstrap" >/dev/null 2>&1; then
    rm -rf "$top/.bootstrap"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
      python3 -m venv "$top/.bootstrap"
    else
      echo "probeops: python3 cannot create a venv; install python3-venv" >&2
      exit 3
    fi
  fi
  "$top/.bootstrap/bin/pip" install -q uv
}

find_uv || { install_uv && find_uv; }
"$UV" sync --frozen --all-packages --quiet --project "$top"
bash "$top/scripts/vendor-ui.sh"
export UV
# Callers run commands from .venv here, staying in the user's directory so
# relative paths such as --targets-file hosts.txt mean what they say.
PROBEOPS="$top/.venv/bin/probeops"
