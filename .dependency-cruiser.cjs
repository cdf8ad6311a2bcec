/**
 * Module boundaries (ARCHITECTURE.md §2), enforced by `npm run lint`:
 * - a module is reached only through its index.ts (tests: also its test-kit.ts, .dependency-cruiser-tests.cjs);
 * - core/ (the kernel) imports nothing above it, engine/ imports no module;
 * - no import cycles between folders.
 * On the web the same: app/ and shared/ and engine/ import no domain module; a module only another's module index.
 */
const SERVER = '^apps/server/src/';
const WEB = '^apps/web/src/';
const TEST = '\\.(test|int\\.test|e2e)\\.tsx?$|/testing/|test-kit\\.ts$|\\.fixture\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'module-public-surface',
      comment: "A module imports another module only through its index.ts (the manifest and its public API).",
      severity: 'error',
      from: { path: `${SERVER}modules/([^/]+)/`, pathNot: TEST },
      to: {
        path: `${SERVER}modules/([^/]+)/`,
        pathNot: [`${SERVER}modules/$1/`, `${SERVER}modules/[^/]+/index\\.ts$`],
      },
    },
    {
      name: 'kernel-knows-no-business',
      comment: 'core/ is the kernel: it imports neither the record engine nor any module nor the composition root.',
      severity: 'error',
      from: { path: `${SERVER}core/`, pathNot: TEST },
      to: { path: `${SERVER}(engine|modules|seed|testing)/|${SERVER}(app|main)\\.ts$` },
    },
    {
      name: 'engine-knows-no-module',
      comment: 'engine/ (the record engine and the module contract) imports no module.',
      severity: 'error',
      from: { path: `${SERVER}engine/`, pathNot: TEST },
      to: { path: `${SERVER}(modules|seed|testing)/|${SERVER}(app|main)\\.ts$` },
    },
    {
      name: 'web-shell-knows-no-module',
      comment: 'The web shell, shared UI and generic record pages import no domain module (modules plug in through the registry).',
      severity: 'error',
      from: { path: `${WEB}(app|shared|engine|records|admin)/`, pathNot: TEST },
      to: { path: `${WEB}modules/[^/]+/` },
    },
    {
      name: 'web-module-public-surface',
      comment: "A web module imports another web module only through its index.ts.",
      severity: 'error',
      from: { path: `${WEB}modules/([^/]+)/` },
      to: {
        path: `${WEB}modules/([^/]+)/`,
        pathNot: [`${WEB}modules/$1/`, `${WEB}modules/[^/]+/index\\.tsx?$`],
      },
    },
    {
      name: 'no-folder-cycles',
      comment: 'No import cycles between folders (module ↔ module, kernel ↔ engine …).',
      severity: 'error',
      scope: 'folder',
      from: { path: '^apps/' },
      // Tests reach the whole app through the harness: a test edge is not a design cycle.
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Production code only: tests reach the whole app through the harness (their own rule is in
    // .dependency-cruiser-tests.cjs).
    exclude: { path: `node_modules|\\.d\\.ts$|${TEST}` },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'] },
  },
};
