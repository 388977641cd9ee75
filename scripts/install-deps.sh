#!/usr/bin/env bash
# Installs what AutoBlog needs on Debian 12, by purpose:
#   install-deps.sh              the same as `runtime`
#   install-deps.sh runtime      build and run the server (`make run`)
#   install-deps.sh test         runtime + the test suite's tools and services (`make test`)
#   install-deps.sh bench        runtime + test + the benchmark tools (`make bench`)
# Several modes may be given (`install-deps.sh test bench`). Idempotent and fast when everything
# is present: one dpkg query, no apt-get unless a package is missing, no npm unless
# package-lock.json changed since the last `npm ci`.
# To add a package, add one line to the list of the mode that needs it.
set -euo pipefail
cd "$(dirname "$0")/.."

# Building and running the server: the compiler and the libraries it links, and PostgreSQL for
# the embedded default database (initdb, pg_ctl and the server run from its bin directory).
RUNTIME_PKGS=(
  build-essential
  cmake
  ninja-build
  ccache
  pkg-config
  libboost1.81-dev
  libboost-json1.81-dev
  libboost-url1.81-dev
  libpq-dev
  postgresql-15
  libhiredis-dev
  libmimalloc-dev  # the server's allocator (CMakeLists.txt, AUTOBLOG_MIMALLOC)
  libcurl4-openssl-dev
  libssl-dev
  libpugixml-dev
  libmd4c-dev
  libmd4c-html0-dev
  prometheus-cpp-dev
  libspdlog-dev
  libfmt-dev
  libcli11-dev
)

# The test suite: GoogleTest, Python for the end-to-end tests, psql, a Redis server and curl;
# Node.js for the npm tools pinned in package-lock.json (the s3rver S3 emulator, ...).
TEST_PKGS=(
  libgtest-dev
  libgmock-dev
  postgresql-client-15
  redis-server
  python3
  curl
  jq       # examples/quickstart.sh (curl + jq)
  systemd  # systemd-analyze verify of deploy/autoblog.service
  # The hosted blog's browser test (tests/e2e/test_hosted_browser.py) drives Debian's Chromium
  # headless through puppeteer-core (package-lock.json), which downloads no browser of its own.
  # Without recommends it skips the desktop extras (upower, notification daemon, printing); the
  # one font family keeps the page's text rendered in the screenshot on a minimal machine.
  chromium
  fonts-dejavu-core
)

# The benchmarks: Google Benchmark, wrk, nginx (the baseline) and pgrep.
BENCH_PKGS=(
  libbenchmark-dev
  wrk
  nginx-light
  procps
)

want=("${RUNTIME_PKGS[@]}")
npm_tools=false
for mode in "${@:-runtime}"; do
  case "$mode" in
    runtime) ;;
    test) want+=("${TEST_PKGS[@]}"); npm_tools=true ;;
    bench) want+=("${TEST_PKGS[@]}" "${BENCH_PKGS[@]}"); npm_tools=true ;;
    *) echo "install-deps: unknown mode '$mode' (runtime, test or bench)" >&2; exit 2 ;;
  esac
done

# One dpkg-query for every package: the installed ones print "NAME install ok installed".
installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${want[@]}" 2>/dev/null |
            awk '$2 == "install" && $3 == "ok" && $4 == "installed" {print $1}' || true)
missing=()
for p in "${want[@]}"; do
  grep -qxF "$p" <<<"$installed" || missing+=("$p")
done
# Node.js may come from a vendor package that bundles npm; only ask apt when npm is absent.
if $npm_tools && ! command -v npm >/dev/null 2>&1; then missing+=(nodejs npm); fi
if [ ${#missing[@]} -gt 0 ]; then
  # De-duplicated (bench repeats the test list).
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The npm tools, pinned by package-lock.json; `npm ci` again whenever the lock file changed.
if $npm_tools && [ -f package-lock.json ] &&
   { [ ! -f node_modules/.package-lock.json ] ||
     [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  echo "install-deps: npm ci"
  npm ci --silent --no-audit --no-fund
fi
