#!/usr/bin/env bash
# `npm test`: puts the tools in place, then runs every test (or the vitest arguments given,
# e.g. `npm test -- tests/foundation`). vitest's globalSetup starts a throwaway Temporal dev server.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
bash "$ROOT/worker/tools/ensure-tools.sh"
exec npx vitest run "$@"
