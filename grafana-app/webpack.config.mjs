/**
 * Builds the app plugin the way Grafana loads one: `dist/module.js` as an AMD module whose
 * Grafana-provided dependencies (React, @grafana/*, emotion, rxjs) are externals, beside
 * `plugin.json` (version and date filled in), the logo and the README.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import CopyWebpackPlugin from 'copy-webpack-plugin';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = JSON.parse(fs.readFileSync(path.join(here, 'package.json'), 'utf8'));

// What Grafana's frontend shares with plugins (its SystemJS import map): React and its JSX runtime,
// react-router (v6; Grafana's own router), @grafana/*, emotion, rxjs, lodash, moment.
const EXTERNALS = ['react', 'react-dom', 'react/jsx-runtime', 'react-router', '@grafana/data', '@grafana/ui', '@grafana/runtime', '@emotion/css', '@emotion/react', 'rxjs', 'rxjs/operators', 'lodash', 'moment'];
const pluginId = JSON.parse(fs.readFileSync(path.join(here, 'src', 'plugin.json'), 'utf8')).id;

export default (_env, argv) => ({
  mode: argv.mode ?? 'production',
  context: here,
  entry: { module: './src/module.tsx' },
  devtool: 'source-map',
  output: {
    path: path.resolve(here, 'dist'),
    filename: '[name].js',
    library: { type: 'amd' },
    publicPath: `public/plugins/${pluginId}/`,
    uniqueName: pluginId,
    clean: true,
  },
  externals: EXTERNALS,
  resolve: { extensions: ['.tsx', '.ts', '.js'] },
  module: {
    rules: [
      {
        test: /\.tsx?$/,
        exclude: /node_modules/,
        use: { loader: 'swc-loader', options: { jsc: { target: 'es2020', parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } } } } },
      },
    ],
  },
  plugins: [
    new CopyWebpackPlugin({
      patterns: [
        {
          from: 'src/plugin.json',
          to: 'plugin.json',
          transform: (content) => content.toString().replace('%VERSION%', pkg.version).replace('%TODAY%', new Date().toISOString().slice(0, 10)),
        },
        { from: 'src/img', to: 'img' },
        { from: 'README.md', to: 'README.md' },
      ],
    }),
  ],
  performance: { hints: false },
});
