#!/usr/bin/env node
// Runs the TypeScript console directly through tsx, so `npx caseclock` needs no build step.
require('tsx/cjs');
// The settings `npm start` uses: .env at the top of the checkout (the environment wins).
require('../../common/env-file.ts').loadEnvFile();
require('../cli.ts').main(process.argv).then(
  (code) => process.exit(code),
  () => process.exit(70),
);
