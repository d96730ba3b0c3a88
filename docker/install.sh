#!/bin/sh
# Install workspace members and their locked dependencies into a virtual
# environment, without development tools. Every image calls it with the
# members it needs; the diagnostic plugins are always added.
#   docker/install.sh core store worker        (from the repository root)
set -eu

prefix=${PROBEOPS_PREFIX:-/opt/probeops}
members=""
for member in "$@" plugins/*; do
  members="$members ./${member%/}"
done
requirements=$(mktemp)

uv venv --quiet "$prefix"
for member in $members; do
  package="probeops-$(basename "$member")"
  uv export --quiet --frozen --no-dev --no-hashes --no-emit-workspace \
    --package "$package" >> "$requirements"
done
uv pip install --quiet --python "$prefix/bin/python" -r "$requirements"
# shellcheck disable=SC2086 # one argument per member directory
uv pip install --quiet --python "$prefix/bin/python" --no-deps $members
rm -f "$requirements"
