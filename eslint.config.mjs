import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The service's layers, in data-flow order (README "Layout"): a folder of otel-processor/src may
 * import only from the folders listed for it, so imports never run against the flow
 * (receiver -> processor -> spool -> exporters, the service wiring them, the CLI on top).
 */
const LAYERS = {
  // config/: the shape of a setting row, shared by every component that owns settings
  config: [],
  engine: [],
  enrich: [],
  loader: ['engine'],
  alert: ['engine'],
  receiver: ['config', 'engine'],
  processor: ['config', 'engine', 'loader', 'alert', 'enrich', 'receiver'],
  spool: ['config', 'engine', 'alert', 'processor'],
  exporters: ['config', 'engine', 'alert', 'processor', 'spool'],
  service: ['config', 'engine', 'loader', 'alert', 'enrich', 'receiver', 'processor', 'spool', 'exporters'],
  fim: ['receiver'],
};
LAYERS.cli = Object.keys(LAYERS);

const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => {
  const forbidden = Object.keys(LAYERS).filter((l) => l !== layer && !allowed.includes(l));
  return {
    files: [`otel-processor/src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          // a relative import that climbs out of this folder into a forbidden one
          regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
          message: `${layer}/ may import only from ${allowed.length ? allowed.join(', ') : 'itself'} (layers point one way; see LAYERS in eslint.config.mjs)`,
        }],
      }],
    },
  };
});

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'var/**', '.cache/**', 'otel-processor/bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  ...layerRules,
);
