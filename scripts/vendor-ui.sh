#!/usr/bin/env bash
# Put the web UI's chart library (uPlot, from the npm registry) into the
# webapp's static files, so that browsers load it from the platform itself.
# Runs once per version; needs npm only when the file is missing.
set -euo pipefail

version=1.6.32
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
vendor="$top/webapp/src/probeops_webapp/ui/static/vendor"
stamp="$vendor/uplot-$version"

[ -e "$stamp" ] && exit 0
if ! command -v npm >/dev/null 2>&1; then
  echo "probeops: npm is missing; the web UI will show tables without charts" >&2
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! (cd "$work" && npm pack --silent "uplot@$version" >/dev/null); then
  echo "probeops: could not fetch uplot@$version from the npm registry;" \
    "the web UI will show tables without charts" >&2
  exit 0
fi
tar -xzf "$work/uplot-$version.tgz" -C "$work"
mkdir -p "$vendor"
cp "$work/package/dist/uPlot.iife.min.js" "$work/package/dist/uPlot.min.css" \
  "$work/package/LICENSE" "$vendor/"
rm -f "$vendor"/uplot-*
touch "$stamp"
