#!/usr/bin/env bash
# `npm test`: puts the tools in place, then runs every test (or the vitest arguments given,
# e.g. `npm test -- tests/foundation`). vitest's globalSetup starts a throwaway Temporal dev server.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
bash "$ROOT/worker/tools/ensure-tools.sh"

# The web console's browser tests drive Debian's Chromium (nothing downloads a browser).
if [[ -z "${CASECLOCK_CHROMIUM:-}" && ! -x /usr/bin/chromium ]]; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "test: installing chromium for the console's browser tests (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "test: the console's browser tests need Chromium: sudo apt-get install chromium (or set CASECLOCK_CHROMIUM to a Chromium binary)" >&2
    exit 1
  fi
fi
# The `postgres` test project runs the real-server tests again on Temporal server v1.32.0 on
# PostgreSQL: Debian's PostgreSQL server, and the Temporal server built from Go modules (once).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "test: installing PostgreSQL for the postgres test project (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  else
    echo "test: the postgres test project needs PostgreSQL's server: sudo apt-get install postgresql" >&2
    exit 1
  fi
fi
bash "$ROOT/worker/tools/ensure-temporal-server.sh"
# vitest strips types without checking them: the strict type check runs first, so a type error fails the tests.
echo "test: type check (tsc --noEmit)"
npx tsc --noEmit -p "$ROOT/tsconfig.json"
exec npx vitest run "$@"
