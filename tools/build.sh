#!/usr/bin/env bash
# `npm run build`: what production runs, compiled, in dist/ (git-ignored):
#   1. tsc -p tsconfig.build.json: the programs as CommonJS beside their sources' layout
#      (dist/worker/main.js, dist/client/console/main.js, dist/client/codec-server/main.js, ...);
#   2. the files the code reads from beside itself (policies, migrations, the console's static
#      files, the common-passwords list, the failure converter), copied into the same layout;
#   3. the workflow bundle (dist/workflow-bundle.js) made from the compiled workflows, which
#      workers load under NODE_ENV=production.
# Starts afresh each time, so nothing deleted from the sources lingers in dist/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOL=build
# shellcheck source=tools/lib.sh
source "$ROOT/tools/lib.sh"
cd "$ROOT"
# In a checkout, the Node ensure-tools chose (.tools/node/bin when the machine's is older), as
# npm start and npm test use; in the image, the image's.
use_tools_node
echo "build: Node $(node -p 'process.versions.node')"
SOURCES=(domain workflows activities common worker client store) # as tsconfig.build.json's include

rm -rf dist
echo "build: tsc -p tsconfig.build.json"
npx tsc -p tsconfig.build.json
echo "build: copying the files the code reads beside itself"
# (tools/ is the development set-up, left out here as in tsconfig.build.json.)
find "${SOURCES[@]}" -path tools -prune -o -type f ! -name '*.ts' ! -name '*.tsx' ! -name '*.md' -exec cp --parents -p {} dist/ \;
echo "build: workflow bundle"
node dist/worker/build-bundle.js
echo "build: done: node dist/worker/main.js, node dist/client/console/main.js, node dist/client/codec-server/main.js, node dist/client/cli/caseclock.js"
