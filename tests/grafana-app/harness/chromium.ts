/**
 * Headless Chromium from Debian's package, driven by playwright-core. CI machines come without
 * it: when /usr/bin/chromium is missing it is installed with apt-get (CI runs as root).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function ensureChromium(): void {
  if (fs.existsSync(CHROMIUM)) return;
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!asRoot) throw new Error(`${CHROMIUM} is missing and only root can install it: apt-get install -y chromium`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'ignore', env, timeout: 600_000 });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium', 'fonts-dejavu-core'], { stdio: 'ignore', env, timeout: 900_000 });
  if (!fs.existsSync(CHROMIUM)) throw new Error('apt-get install chromium did not provide /usr/bin/chromium');
}

/** A fresh profile (user data dir) each time, removed on close. */
export async function launch(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  ensureChromium();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1440, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
