/**
 * Bundles one host page (host.tsx) with webpack inside the host's install directory, so React,
 * @grafana/* and the rest come from that Grafana release's packages; once per source state.
 * The app itself is not part of it: the page loads the built grafana-app/dist/module.js.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import webpack from 'webpack';
import { hostVersion, type HostSpec } from './hosts';

const ROOT = path.resolve(__dirname, '..', '..', '..');

export async function buildHost(h: HostSpec): Promise<string> {
  const out = path.join(h.dir, 'bundle');
  const srcDir = path.join(h.dir, 'src');
  const h1 = crypto.createHash('sha1');
  for (const f of ['host.tsx', 'build.ts', 'hosts.ts']) h1.update(fs.readFileSync(path.join(__dirname, f)));
  h1.update(fs.readFileSync(path.join(h.dir, '.installed')));
  const hash = h1.digest('hex');
  const stamp = path.join(out, 'source.sha1');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === hash && fs.existsSync(path.join(out, 'host.js'))) return out;
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(srcDir, { recursive: true });
  fs.copyFileSync(path.join(__dirname, 'host.tsx'), path.join(srcDir, 'host.tsx'));
  const swc = { loader: 'swc-loader', options: { jsc: { target: 'es2020', parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } } } } };
  const compiler = webpack({
    mode: 'development',
    devtool: false,
    context: h.dir,
    entry: { host: path.join(srcDir, 'host.tsx') },
    output: { path: out, filename: '[name].js', publicPath: 'host/', chunkFilename: '[name].[contenthash].js' },
    resolve: { extensions: ['.tsx', '.ts', '.mjs', '.js'], fallback: { fs: false, path: false, os: false, crypto: false } },
    resolveLoader: { modules: [path.join(ROOT, 'node_modules')] },
    module: {
      rules: [
        { test: /\.tsx?$/, exclude: /node_modules/, use: swc },
        { test: /\.m?js$/, resolve: { fullySpecified: false } },
        { test: /\.css$/, use: ['style-loader', 'css-loader'] },
        { test: /\.(woff2?|ttf|eot|svg|png)$/, type: 'asset/resource' },
      ],
    },
    plugins: [new webpack.DefinePlugin({
      'process.env.NODE_ENV': JSON.stringify('development'),
      'process.env.GRAFANA_VERSION': JSON.stringify(hostVersion(h, '@grafana/data')),
      'process.env.GRAFANA_RUNTIME_VERSION': JSON.stringify(hostVersion(h, '@grafana/runtime')),
    })],
    performance: { hints: false },
    optimization: { splitChunks: false },
  });
  await new Promise<void>((resolve, reject) => {
    compiler.run((err, stats) => {
      compiler.close(() => undefined);
      if (err) { reject(err); return; }
      if (stats?.hasErrors()) { reject(new Error(stats.toString({ all: false, errors: true }).slice(0, 5000))); return; }
      // nothing may come from the workspace's own packages: the host is one Grafana release
      const leaked = [...(stats?.compilation.fileDependencies ?? [])].filter((f) => f.startsWith(`${ROOT}${path.sep}node_modules${path.sep}`) && !/[\\/]node_modules[\\/](swc-loader|style-loader|css-loader)(?:[\\/]|$)/.test(f));
      if (leaked.length) { reject(new Error(`the ${h.name} host bundled packages from the workspace instead of ${h.dir}: ${leaked.slice(0, 5).join(', ')}`)); return; }
      resolve();
    });
  });
  fs.writeFileSync(stamp, hash);
  return out;
}
