/** Tests reach another module through its index.ts or its test-kit.ts (the module's test surface). */
const { options } = require('./.dependency-cruiser.cjs');
const SERVER = '^apps/server/src/';

module.exports = {
  forbidden: [
    {
      name: 'module-test-surface',
      comment: "A test reaches another module through its index.ts or its test-kit.ts.",
      severity: 'error',
      from: { path: `${SERVER}modules/([^/]+)/.*(\\.test\\.ts|test-kit\\.ts)$` },
      to: {
        path: `${SERVER}modules/([^/]+)/`,
        pathNot: [`${SERVER}modules/$1/`, `${SERVER}modules/[^/]+/(index|test-kit)\\.ts$`],
      },
    },
  ],
  options: { ...options, exclude: { path: 'node_modules|\\.d\\.ts$' } },
};
