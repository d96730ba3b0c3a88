#!/usr/bin/env bash
# Install the Debian packages the tests use, when missing and when we are root.
set -euo pipefail

packages=(
  iproute2 nftables iputils-ping fping traceroute mtr-tiny scamper
  faketime libfaketime knot knot-dnsutils bind9-dnsutils unbound dnsperf
  redis-server nginx chromium
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" \
    || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "probeops: tests that need ${missing[*]} will be skipped (not root)" >&2
  exit 0
fi
echo "probeops: installing ${missing[*]}" >&2
# Servers from these packages are started by the tests, never by the package.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy"
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null
