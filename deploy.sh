#!/usr/bin/env bash
# Deploy or upgrade ProbeOps on this host with Docker Compose.
#
# Safe to run again and again: it keeps an existing .env and certificates,
# builds the images, migrates the database, then starts or updates every
# service and waits until each is healthy. --dry-run prints each step and
# command and changes nothing. See DEPLOYMENT.md.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: ./deploy.sh [--dry-run] [--env-file FILE] [--no-build]

  --dry-run        print what would be done, change nothing
  --env-file FILE  settings file (default .env; made from .env.example)
  --no-build       pull the images named in the settings instead of building
EOF
}

dry_run=0
build=1
env_file=.env
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --no-build) build=0 ;;
    --env-file)
      [ $# -ge 2 ] || { echo "deploy.sh: --env-file needs a path" >&2; exit 2; }
      env_file=$2
      shift
      ;;
    -h | --help) usage; exit 0 ;;
    *)
      echo "deploy.sh: unknown option '$1'; allowed: --dry-run," \
        "--env-file FILE, --no-build, --help" >&2
      exit 2
      ;;
  esac
  shift
done

cd "$(dirname "$0")"
DOCKER=${DOCKER:-docker}

step() { echo "deploy: $*"; }

run() {
  if [ "$dry_run" = 1 ]; then
    printf '+ %s\n' "$*"
  else
    "$@"
  fi
}

compose() { run "$DOCKER" compose --env-file "$env_file" "$@"; }

value_of() {
  local source=$env_file
  [ -f "$source" ] || source=.env.example
  grep -E "^$1=" "$source" | tail -n 1 | cut -d= -f2-
}

random_secret() { od -An -tx1 -N24 /dev/urandom | tr -d ' \n'; }

make_env() {
  if [ -f "$env_file" ]; then
    step "keeping the settings in $env_file"
    return
  fi
  step "creating $env_file from .env.example with random secrets"
  [ "$dry_run" = 1 ] && return
  local database secret
  database=$(random_secret)
  secret=$(random_secret)
  (
    umask 077
    sed -e "s/change-me-database/$database/g" \
      -e "s/change-me-secret-key/$secret/g" .env.example >"$env_file"
  )
}

check_env() {
  [ -f "$env_file" ] || return 0
  local left
  left=$(grep -E '^[A-Z_]+=.*change-me' "$env_file" | cut -d= -f1 | tr '\n' ' ' || true)
  if [ -n "$left" ]; then
    echo "deploy.sh: $env_file still has placeholder values in: $left" >&2
    echo "deploy.sh: set them, or remove $env_file to have new ones made" >&2
    exit 2
  fi
}

make_tls() {
  local name
  name=$(value_of PROBEOPS_SERVER_NAME)
  run mkdir -p tls/self-signed "$(value_of PROBEOPS_ACME_DIR)" \
    "$(value_of PROBEOPS_LETSENCRYPT_DIR)"
  if [ "$(value_of PROBEOPS_TLS_DIR)" != /etc/probeops/self-signed ]; then
    step "using the certificate in $(value_of PROBEOPS_TLS_DIR)"
  elif [ -f tls/self-signed/fullchain.pem ]; then
    step "keeping the self-signed certificate in tls/self-signed"
  else
    step "making a self-signed certificate for $name (replace it with Certbot's)"
    run openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -days 90 -subj "/CN=$name" -addext "subjectAltName=DNS:$name" \
      -keyout tls/self-signed/privkey.pem -out tls/self-signed/fullchain.pem
  fi
}

images() {
  if [ "$build" = 0 ]; then
    step "pulling images $(value_of PROBEOPS_IMAGE_PREFIX)-*:$(value_of PROBEOPS_VERSION)"
    compose pull --ignore-buildable
    return
  fi
  if [ -f scripts/vendor-ui.sh ]; then
    step "fetching the web UI's chart library, if missing"
    run bash scripts/vendor-ui.sh
  fi
  step "building images"
  compose build --pull
}

main() {
  make_env
  check_env
  make_tls
  images
  step "starting PostgreSQL and Redis"
  compose up -d --wait postgres redis
  step "migrating the database"
  compose run --rm migrate
  step "starting or updating every service"
  compose up -d --wait --remove-orphans
  compose ps
  step "done: $(value_of PROBEOPS_PUBLIC_URL)"
}

main
