// CaseClock's lint: a few type-aware rules that catch real bugs, and the import boundaries between
// the top-level folders. Why these rules and this plugin: docs/decisions/0007-lint.md.
import { builtinModules } from 'node:module';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import boundaries from 'eslint-plugin-boundaries';

// The workflow contract, all that activities may import from workflows/ (the worker and clients
// use it too): task queue, workflow ids, signal/query/update definitions and their input and
// state types, search attributes, failure types. Everything else in workflows/ is workflow code.
const WORKFLOW_CONTRACT = ['workflows/messages.ts', 'workflows/inputs.ts', 'workflows/search-attributes.ts', 'workflows/failure-types.ts'];

// The top-level folders as boundaries elements, and the workflow contract as a category of file.
// client/ holds three programs (the console, the command line, the codec server), each in its own
// folder, and identity (users, sessions, roles, access decisions), which all three import; the
// rest of client/ is what the programs share. Those folders come first and stop the matching, so
// a file in client/console/ is a `console` element only, never `client` as well.
const PROGRAMS = ['console', 'cli', 'codec-server'];
const CLIENT_ROOMS = [...PROGRAMS, 'identity'].map((type) => ({ type, pattern: `client/${type}`, partialMatch: false, stopMatching: true }));
const ELEMENTS = [
  ...CLIENT_ROOMS,
  ...['domain', 'workflows', 'activities', 'common', 'store', 'worker', 'client', 'tools', 'tests'].map((type) => ({
    type,
    pattern: type,
    partialMatch: false,
  })),
];
const FILES = [{ category: 'workflow-contract', pattern: WORKFLOW_CONTRACT, partialMatch: false }];
const OURS = ELEMENTS.map((element) => element.type);
const except = (...types) => OURS.filter((type) => !types.includes(type));
// Everything in client/: the programs, identity and what they share.
const CLIENT = [...CLIENT_ROOMS.map((room) => room.type), 'client'];

// Each boundary once, with the message a breach prints: the boundary in words and the imported file.
const BOUNDARY = (rule) => `{{ from.file.path }} imports {{ dependency.source }}, but ${rule} (docs/decisions/0007-lint.md)`;
const BOUNDARY_POLICIES = [
  {
    from: { element: { type: 'domain' } },
    disallow: { to: { element: { type: except('domain') } } },
    message: BOUNDARY('domain/ imports nothing of ours outside domain/'),
  },
  {
    from: { element: { type: 'workflows' } },
    disallow: { to: { element: { type: except('domain', 'workflows') } } },
    message: BOUNDARY('workflow code imports only domain/ and workflows/ (activities as types only)'),
  },
  // Workflows proxy activities by their types (import type): erased, so no activity code is bundled.
  {
    from: { element: { type: 'workflows' } },
    allow: { to: { element: { type: 'activities' } }, dependency: { kind: 'type' } },
  },
  {
    from: { element: { type: 'activities' } },
    disallow: { to: { element: { type: 'workflows' } } },
    message: BOUNDARY(`activities/ import of workflows/ only the contract (${WORKFLOW_CONTRACT.join(', ')})`),
  },
  {
    from: { element: { type: 'activities' } },
    allow: { to: { element: { type: 'workflows' }, file: { categories: 'workflow-contract' } } },
  },
  {
    from: { element: { type: except(...CLIENT, 'tests') } },
    disallow: { to: { element: { type: CLIENT } } },
    message: BOUNDARY('nothing in worker/, workflows/, activities/, store/, common/ or domain/ imports client/'),
  },
  // Identity and the shared client modules serve every program, so they import none of them.
  {
    from: { element: { type: ['identity', 'client'] } },
    disallow: { to: { element: { type: PROGRAMS } } },
    message: BOUNDARY('client/identity/ and the shared client modules import no program (client/console/, client/cli/, client/codec-server/)'),
  },
  // A program imports no other program: what two of them need sits in client/identity/ or client/.
  ...PROGRAMS.map((program) => ({
    from: { element: { type: program } },
    disallow: { to: { element: { type: PROGRAMS.filter((other) => other !== program) } } },
    message: BOUNDARY(
      `one program imports no other: client/${program}/ imports none of ${PROGRAMS.filter((other) => other !== program)
        .map((other) => `client/${other}/`)
        .join(', ')}`,
    ),
  })),
  {
    from: { element: { type: except('tests') } },
    disallow: { to: { element: { type: 'tests' } } },
    message: BOUNDARY('production code never imports tests/'),
  },
  {
    from: { element: { type: except('tools', 'tests') } },
    disallow: { to: { element: { type: 'tools' } } },
    message: BOUNDARY('production code never imports tools/ (the development and test set-up)'),
  },
];

// Workflow code runs in Temporal's sandbox: no Node built-ins (they break determinism or the bundle).
const SANDBOX = 'workflow code runs in the Temporal sandbox: no Node built-ins';

export default defineConfig(
  {
    ignores: ['node_modules/', 'dist/', '.tools/', '.data/', '.artifacts/', 'tests/replay/histories/'],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  // Every file, TypeScript or JavaScript.
  {
    files: ['**/*.{ts,tsx,mts,cts,js,mjs,cjs}'],
    rules: {
      // A control character in a regular expression is nearly always a typo; the few that strip
      // them from free text say so with a disable comment.
      'no-control-regex': 'error',
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
  // TypeScript, with type information from tsconfig.json.
  {
    files: ['**/*.{ts,tsx,mts,cts}'],
    plugins: { '@typescript-eslint': tseslint.plugin },
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits loses its rejection (an unhandled rejection stops the worker) and
      // its ordering: await it, or `void` it with a comment saying why.
      '@typescript-eslint/no-floating-promises': 'error',
      // An async function where a void callback is expected (an event handler, forEach): its
      // rejection is dropped; an `if (promise)` is always true.
      '@typescript-eslint/no-misused-promises': 'error',
      // Awaiting something that is not a promise: usually a missing call or a wrong type.
      '@typescript-eslint/await-thenable': 'error',
      // `return promise` inside try/catch skips the catch and the finally's ordering.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      // isolatedModules (tsx, vitest, the workflow bundler) drops type imports only when marked:
      // an unmarked one loads the module at run time, in a workflow bundle too.
      // (`typeof import('./m')` stays allowed: it types a deliberate lazy require.)
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
    },
  },
  // No Node built-ins in workflow code (SANDBOX above).
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: builtinModules.map((name) => ({ name, message: SANDBOX })),
          patterns: [{ regex: '^node:', message: SANDBOX }],
        },
      ],
    },
  },
  // Import boundaries between the top-level folders.
  {
    files: ['**/*.{ts,tsx,mts,cts,js,mjs,cjs}'],
    plugins: { boundaries },
    settings: {
      'boundaries/root-path': import.meta.dirname,
      'boundaries/elements': ELEMENTS,
      'boundaries/files': FILES,
      'boundaries/dependency-nodes': ['import', 'export', 'require', 'dynamic-import'],
      'import/resolver': { node: { extensions: ['.ts', '.tsx', '.mts', '.js', '.mjs', '.json'] } },
    },
    rules: {
      'boundaries/dependencies': ['error', { default: 'allow', policies: BOUNDARY_POLICIES }],
    },
  },
);
