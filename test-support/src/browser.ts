import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { decode } from 'fast-png';
import puppeteer, { type Browser, type ElementHandle } from 'puppeteer-core';

/** `<repo>/.tmp/screenshots`: test artefacts, never committed. */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../.tmp/screenshots/', import.meta.url));

/** Debian's Chromium (installed by scripts/install-chromium.sh), or `CHROMIUM_PATH`. */
export function chromiumPath(): string | undefined {
  for (const candidate of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  if (process.env.CI === 'true') {
    throw new Error('Chromium is missing (required when CI=true): run scripts/install-chromium.sh');
  }
  console.warn('[skip] Chromium not found: browser tests are skipped (run scripts/install-chromium.sh)');
  return undefined;
}

/**
 * Headless Chromium with the flags this machine needs: no sandbox (root), and no background
 * networking, whose connections the closed network refuses many at a time.
 */
export function launchChromium(executablePath: string): Promise<Browser> {
  return puppeteer.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
    defaultViewport: { width: 1400, height: 1000, deviceScaleFactor: 1 },
  });
}

/** The RGBA pixels of an element's screenshot, kept as an artefact under `name`. */
export async function screenshotPixels(
  element: ElementHandle,
  name: string,
): Promise<{ width: number; height: number; rgba(x: number, y: number): [number, number, number, number] }> {
  const png = await element.screenshot({ type: 'png' });
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await writeFile(`${SCREENSHOT_DIR}${name}.png`, png);
  const image = decode(png);
  const channels = image.channels;
  return {
    width: image.width,
    height: image.height,
    rgba: (x, y) => {
      const o = (Math.floor(y) * image.width + Math.floor(x)) * channels;
      const d = image.data;
      return [Number(d[o]), Number(d[o + 1]), Number(d[o + 2]), channels === 4 ? Number(d[o + 3]) : 255];
    },
  };
}
