/** Bundles the harness page (entry.tsx with the app's source, React and @grafana/*) with webpack, once per source state. */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import webpack from 'webpack';

const ROOT = path.resolve(__dirname, '..', '..', '..');
export const BUNDLE_DIR = path.join(ROOT, '.cache', 'grafana-harness');

function sourceHash(): string {
  const h = crypto.createHash('sha1');
  const walk = (d: string) => {
    for (const n of fs.readdirSync(d).sort()) {
      const p = path.join(d, n);
      if (fs.statSync(p).isDirectory()) walk(p);
      else { h.update(p); h.update(fs.readFileSync(p)); }
    }
  };
  walk(path.join(ROOT, 'grafana-app', 'src'));
  h.update(fs.readFileSync(path.join(__dirname, 'entry.tsx')));
  h.update(fs.readFileSync(path.join(__dirname, 'build.ts')));
  h.update(fs.readFileSync(path.join(ROOT, 'package-lock.json')));
  return h.digest('hex');
}

export async function buildHarness(): Promise<string> {
  const hash = sourceHash();
  const stamp = path.join(BUNDLE_DIR, 'source.sha1');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === hash && fs.existsSync(path.join(BUNDLE_DIR, 'harness.js'))) return BUNDLE_DIR;
  fs.rmSync(BUNDLE_DIR, { recursive: true, force: true });
  const swc = { loader: 'swc-loader', options: { jsc: { target: 'es2020', parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } } } } };
  const compiler = webpack({
    mode: 'development',
    devtool: false,
    context: ROOT,
    entry: { harness: path.join(__dirname, 'entry.tsx') },
    output: { path: BUNDLE_DIR, filename: '[name].js', publicPath: '/static/', chunkFilename: '[name].[contenthash].js' },
    resolve: { extensions: ['.tsx', '.ts', '.mjs', '.js'], fallback: { fs: false, path: false, os: false, crypto: false } },
    module: {
      rules: [
        { test: /\.tsx?$/, exclude: /node_modules/, use: swc },
        { test: /\.m?js$/, resolve: { fullySpecified: false } },
        { test: /\.css$/, use: ['style-loader', 'css-loader'] },
        { test: /\.(woff2?|ttf|eot|svg|png)$/, type: 'asset/resource' },
      ],
    },
    plugins: [new webpack.DefinePlugin({ 'process.env.NODE_ENV': JSON.stringify('development') })],
    performance: { hints: false },
    optimization: { splitChunks: false },
  });
  await new Promise<void>((resolve, reject) => {
    compiler.run((err, stats) => {
      compiler.close(() => undefined);
      if (err) { reject(err); return; }
      if (stats?.hasErrors()) { reject(new Error(stats.toString({ all: false, errors: true }).slice(0, 5000))); return; }
      resolve();
    });
  });
  fs.writeFileSync(stamp, hash);
  return BUNDLE_DIR;
}
