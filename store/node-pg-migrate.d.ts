/**
 * node-pg-migrate 9 ships its types only under package.json "exports", which this project's
 * `moduleResolution: node10` (CommonJS) does not read; this points the bare specifier at them.
 * At run time Node resolves `node-pg-migrate` through "exports" as usual (an ES module, loaded
 * with require() on Node 20.19+).
 */
declare module 'node-pg-migrate' {
  export * from 'node-pg-migrate/dist/bundle/index';
}
