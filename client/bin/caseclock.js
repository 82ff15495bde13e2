#!/usr/bin/env node
// Runs the TypeScript console directly through tsx, so `npx caseclock` needs no build step.
require('tsx/cjs');
require('../cli.ts').main(process.argv).then(
  (code) => process.exit(code),
  () => process.exit(70),
);
