#!/usr/bin/env node
// `npx caseclock` in a checkout runs the TypeScript command line directly through tsx, so it needs
// no build step; `npm run build` copies this file to dist/client/cli/, where it runs the compiled
// JavaScript instead (production images have no tsx step).
const { existsSync } = require('node:fs');
const path = require('node:path');

const fromSources = existsSync(path.join(__dirname, 'main.ts'));
if (fromSources) require('tsx/cjs');
const ext = fromSources ? '.ts' : '.js';
// The settings `npm start` uses: .env at the top of the checkout (the environment wins).
require(`../../common/env-file${ext}`).loadEnvFile();
require(`./main${ext}`)
  .main(process.argv)
  .then(
    (code) => process.exit(code),
    () => process.exit(70),
  );
