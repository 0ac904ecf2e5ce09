/** @type {import('jest').Config} */
const swc = ['@swc/jest', { jsc: { target: 'es2022', transform: { react: { runtime: 'automatic' } } } }];
// ESM-only packages that @grafana/data and @grafana/ui require (the Grafana app's component tests)
const esm = [
  '@grafana/react-data-grid', '@leeoniya/ufuzzy', '@wojtekmaj/date-utils', 'react-calendar', 'get-user-locale', 'memoize', 'mimic-function',
  'quick-lru', 'uwrap', 'web-worker', 'marked', 'marked-mangle', 'ol', 'd3', 'd3-[a-z-]+', 'delaunator', 'internmap', 'robust-predicates',
  'uuid', 'rbush', 'quickselect', 'earcut', 'pbf', 'color-[a-z-]+', 'geotiff', 'zod',
];
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  transform: { '^.+\\.tsx?$': swc, '/node_modules/.+\\.m?js$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esm.join('|')})/)`],
  moduleNameMapper: { '\\.css$': '<rootDir>/tests/grafana-app/css-module.js' },
  testTimeout: 120000,
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
};
