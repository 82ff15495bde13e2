#!/usr/bin/env bash
# `npm test`: puts the tools in place, then runs every test (or the vitest arguments given,
# e.g. `npm test -- tests/foundation`). vitest's globalSetup starts a throwaway Temporal dev server,
# and for the `postgres` project a throwaway Temporal cluster on PostgreSQL.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOL=test
# shellcheck source=tools/lib.sh
source "$ROOT/tools/lib.sh"
cd "$ROOT"
bash "$ROOT/tools/ensure-tools.sh" --test-server
# npm (and so .ci/run) may have started this on an older Node: from here on npm ci's tools, tsc and
# vitest run on the Node ensure-tools chose (.tools/node/bin when the machine's is older).
use_tools_node
echo "test: Node $(node -p 'process.versions.node') ($(command -v node))"

# apt_install PACKAGE WHY HINT: installs a Debian package as root, else says what to install.
apt_install() {
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "test: installing $1 for $2 (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$1" >/dev/null
  else
    echo "test: $2 need $1: sudo apt-get install $1$3" >&2
    exit 1
  fi
}
# The web console's browser tests drive Debian's Chromium (nothing downloads a browser).
if [[ -z "${CASECLOCK_CHROMIUM:-}" && ! -x /usr/bin/chromium ]]; then
  apt_install chromium "the console's browser tests" " (or set CASECLOCK_CHROMIUM to a Chromium binary)"
fi
# The `postgres` test project runs the real-server tests again on Temporal server v1.32.0 on
# PostgreSQL: Debian's PostgreSQL server, and the Temporal server built from Go modules (once).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
  apt_install postgresql "the postgres test project's tests" ""
fi
bash "$ROOT/tools/ensure-temporal-server.sh"
# What the tests write (servers' data, caught mail, logs) is this user's only, as under npm start.
umask 077
if [[ -d "$ROOT/.data" ]]; then private_dir "$ROOT/.data"; fi
echo "test: lint (eslint, docs/decisions/0007-lint.md)"; npm run --silent lint
# vitest strips types without checking them: the strict type check runs first, so a type error fails the tests.
echo "test: type check (tsc --noEmit)"
npx tsc --noEmit -p "$ROOT/tsconfig.json"
# The Prometheus alert rules: promtool check rules and their unit tests (about 15 s; promtool cached in .tools).
bash "$ROOT/tools/check-alerts.sh"
exec npx vitest run "$@"
