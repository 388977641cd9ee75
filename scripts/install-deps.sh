#!/usr/bin/env bash
# Installs everything AutoBlog needs to build, run, test and benchmark on Debian 12.
# Idempotent: packages already present are skipped, so a second run costs about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libpq-dev postgresql-15 postgresql-client-15
  libhiredis-dev libcurl4-openssl-dev libssl-dev uuid-dev libpugixml-dev
  prometheus-cpp-dev libspdlog-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  redis-server python3
  wrk nginx-light procps curl
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Node.js may come from a vendor package that bundles npm; only ask apt when npm is absent.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The tests' npm tools (S3 emulator, OpenAPI linter and validator, fuzzer), pinned by
# package-lock.json; npm ci again when one is missing or the lock file changed.
if [ -f package.json ] && { [ ! -x node_modules/.bin/s3rver ] || [ ! -x node_modules/.bin/redocly ] ||
     [ ! -d node_modules/@stoplight/prism-http ] || [ ! -d node_modules/fast-check ] ||
     [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  echo "install-deps: npm ci"
  npm ci --silent --no-audit --no-fund
fi
