#!/usr/bin/env bash
# Put the web UI's front-end files, from the npm registry, into the webapp's
# static files, so that browsers load them from the platform itself: the
# chart library (uPlot) and the API's interactive docs (swagger-ui-dist).
# Runs once per version; needs npm only when a file is missing.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
vendor="$top/webapp/src/probeops_webapp/ui/static/vendor"

# vendor NAME VERSION DEST WITHOUT FILE...: copy the package's FILEs into
# DEST; WITHOUT says what users miss when the registry cannot be reached.
vendor() {
  local name=$1 version=$2 dest=$3 without=$4 work
  shift 4
  [ -e "$dest/$name-$version" ] && return 0
  if ! command -v npm >/dev/null 2>&1; then
    echo "probeops: npm is missing; $without" >&2
    return 0
  fi
  work=$(mktemp -d)
  if ! (cd "$work" && npm pack --silent "$name@$version" >/dev/null); then
    echo "probeops: could not fetch $name@$version from the npm registry;" \
      "$without" >&2
    rm -rf "$work"
    return 0
  fi
  tar -xzf "$work/$name-$version.tgz" -C "$work"
  mkdir -p "$dest"
  for file in "$@"; do
    cp "$work/package/$file" "$dest/"
  done
  rm -rf "$work" "$dest/$name"-*
  touch "$dest/$name-$version"
}

vendor uplot 1.6.32 "$vendor" "the web UI will show tables without charts" \
  dist/uPlot.iife.min.js dist/uPlot.min.css LICENSE
vendor swagger-ui-dist 5.35.0 "$vendor/swagger-ui" \
  "/api/docs will say so and point to /api/openapi.json instead" \
  swagger-ui.css swagger-ui-bundle.js swagger-ui-standalone-preset.js LICENSE
