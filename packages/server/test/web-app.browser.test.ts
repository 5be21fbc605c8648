import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { geometryOf, parseDicom, pixelToPatient } from '@datamint/dicom';
import {
  chromiumPath,
  launchChromium,
  SCREENSHOT_DIR,
  screenshotPixels,
} from '@datamint/test-support/browser';
import { encode } from 'fast-png';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_A, send, startTestServer, type TestServer } from './support/server';
import { dataPath, hasSharedData } from './support/shared-data';

const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build-app.mjs', import.meta.url));
/** The screenshot the server README shows, refreshed by this test. */
const README_SCREENSHOT = fileURLToPath(new URL('../docs/viewer.png', import.meta.url));
const CT_SERIES = 'dicom/series/pydicom_ct5n';

const chromium = hasSharedData() ? chromiumPath() : undefined;

/** A 32x32 grey ramp and its mask: label 1 on columns 8..19 and rows 10..21. */
function kneeImages(): { image: Uint8Array; mask: Uint8Array } {
  const image = new Uint8Array(32 * 32);
  const mask = new Uint8Array(32 * 32);
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      image[y * 32 + x] = 60 + 4 * x;
      mask[y * 32 + x] = x >= 8 && x <= 19 && y >= 10 && y <= 21 ? 1 : 0;
    }
  }
  const png = (data: Uint8Array) => encode({ width: 32, height: 32, data, channels: 1, depth: 8 });
  return { image: png(image), mask: png(mask) };
}

async function signIn(page: Page, url: string, key: string): Promise<void> {
  await page.goto(`${url}/app/`);
  await page.waitForSelector('#api-key');
  await page.type('#api-key', key);
  await page.click('form.login button[type=submit]');
}

/** The canvas once the viewer has drawn `frame`. */
async function viewerCanvas(page: Page, url: string, id: string, frame: number) {
  await page.goto(`${url}/app/#/resources/${id}${frame ? `?frame=${frame}` : ''}`);
  await page.waitForSelector(`#frame-canvas[data-ready="true"][data-frame="${frame}"]`);
  const canvas = await page.$('#frame-canvas');
  if (!canvas) throw new Error('no canvas');
  const zoom = Number(await canvas.evaluate((c) => (c as HTMLCanvasElement).dataset.zoom));
  return { canvas, zoom };
}

/** Red where an overlay in the first label colour (red) lies over grey. */
function isRed([r, g, b]: [number, number, number, number]): boolean {
  return r - g > 80 && r - b > 80;
}

function isGrey([r, g, b]: [number, number, number, number]): boolean {
  return Math.abs(r - g) <= 2 && Math.abs(g - b) <= 2;
}

describe.skipIf(!chromium)('web app in Chromium', () => {
  let appDir: string;
  let work: string;
  let server: TestServer;
  let browser: Browser;
  let ctId = '';
  let pngId = '';

  beforeAll(async () => {
    appDir = await mkdtemp(join(tmpdir(), 'datamint-web-app-'));
    work = await mkdtemp(join(tmpdir(), 'datamint-web-app-files-'));
    await promisify(execFile)(process.execPath, [BUILD_SCRIPT, appDir]);
    server = await startTestServer({ webApp: appDir });
    browser = await launchChromium(chromium as string);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    await rm(appDir, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  it('shows an error, not a blank page, for a wrong key and for a server that stopped', async () => {
    const page = await browser.newPage();
    await signIn(page, server.url, 'not-the-key');
    await page.waitForSelector('#login-status .error');
    expect(await page.$eval('#login-status .error', (e) => e.textContent)).toMatch(/refused the API key/);

    const other = await startTestServer({ webApp: appDir });
    await page.goto(`${other.url}/app/`);
    await page.waitForSelector('#api-key');
    await other.dispose();
    await page.type('#api-key', KEY_A);
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('#login-status .error');
    expect(await page.$eval('#login-status .error', (e) => e.textContent)).toMatch(/cannot be reached/);
    await page.close();
  });

  it('uploads a real CT series and a PNG with its mask through the file input, anonymized in the page', async () => {
    const sliceNames = (await readdir(dataPath(CT_SERIES))).sort();
    const slices = sliceNames.map((n) => dataPath(`${CT_SERIES}/${n}`));
    const { image, mask } = kneeImages();
    await writeFile(join(work, 'knee.png'), image);
    await writeFile(join(work, 'knee_mask.png'), mask);

    const page = await browser.newPage();
    await signIn(page, server.url, KEY_A);
    await page.waitForSelector('#resource-list');
    await page.goto(`${server.url}/app/#/upload`);
    const input = await page.waitForSelector('input#upload-files');
    await input?.uploadFile(...slices, join(work, 'knee.png'), join(work, 'knee_mask.png'));

    // The plan comes first: one series to assemble, the PNG with its mask.
    await page.waitForSelector('#upload-plan');
    const plan = await page.$eval('#upload-plan', (e) => e.textContent ?? '');
    expect(plan).toContain(`${slices.length} DICOM slices → one multi-frame resource`);
    expect(plan).toMatch(/knee\.png \([^)]*\) \+ 1 mask/);
    expect(plan).toContain('Plan: 2 resources');
    expect(plan).toContain('anonymized in this page');

    await page.click('#upload-start');
    await page.waitForSelector('#upload-summary');
    const results = await page.$eval('#upload-results', (e) => e.textContent);
    expect(await page.$eval('#upload-summary', (e) => e.textContent), results ?? '').toBe(
      '2 uploaded, 0 failed',
    );
    expect(await page.$eval('#upload-progress', (e) => (e as HTMLProgressElement).value)).toBe(1);
    expect(await page.$eval('#upload-progress-text', (e) => e.textContent)).toMatch(/^2 \/ 2 files · /);
    expect(await page.$$eval('#upload-results a', (links) => links.length)).toBe(2);

    // On the server: one assembled, anonymized DICOM resource and the PNG with its mask.
    const listing = (await send(`${server.url}/resources`)).json.data[0].resources as Array<{
      id: string;
      mimetype: string;
      filename: string;
      number_of_frames: number | null;
    }>;
    expect(listing).toHaveLength(2);
    const ct = listing.find((r) => r.mimetype === 'application/dicom');
    const png = listing.find((r) => r.mimetype === 'image/png');
    expect(ct?.number_of_frames).toBe(slices.length);
    expect(png?.filename).toBe('knee.png');
    expect(ct?.filename).toMatch(/^CT_series.*_5frames\.dcm$/);
    ctId = ct?.id ?? '';
    pngId = png?.id ?? '';

    const stored = (await send(`${server.url}/resources/${ctId}/file`)).bytes;
    const identifiers = new Set<string>();
    for (const path of slices) {
      const source = parseDicom(new Uint8Array(await readFile(path)));
      for (const keyword of ['PatientName', 'PatientID', 'PatientBirthDate', 'InstitutionName']) {
        const value = source.string(keyword);
        if (value && value.length >= 3) identifiers.add(value);
      }
    }
    expect(identifiers.size).toBeGreaterThan(0);
    for (const value of identifiers) expect(stored.includes(Buffer.from(value)), value).toBe(false);

    const annotations = (await send(`${server.url}/annotations?resource_id=${pngId}`)).json.data;
    expect(annotations).toHaveLength(1);
    expect(annotations[0]).toMatchObject({ type: 'segmentation', identifier: 'seg', frame_index: 0 });
    expect(annotations[0].file).toBeTruthy();
    await page.close();
  });

  it('draws the mask overlay where the mask is and nowhere else', async () => {
    expect(pngId).not.toBe('');
    const page = await browser.newPage();
    await signIn(page, server.url, KEY_A);
    await page.waitForSelector('#resource-list');
    const { canvas, zoom } = await viewerCanvas(page, server.url, pngId, 0);
    expect(zoom).toBe(20);
    const shot = await screenshotPixels(canvas, 'viewer-png-mask');
    const at = (x: number, y: number) => shot.rgba((x + 0.5) * zoom, (y + 0.5) * zoom);
    for (const [x, y] of [
      [8, 10],
      [19, 21],
      [12, 15],
    ] as const) {
      expect(isRed(at(x, y)), `(${x}, ${y}) inside the mask`).toBe(true);
    }
    for (const [x, y] of [
      [7, 10],
      [20, 15],
      [12, 9],
      [12, 22],
      [2, 2],
      [30, 30],
    ] as const) {
      expect(isGrey(at(x, y)), `(${x}, ${y}) outside the mask`).toBe(true);
    }
    expect(await page.$eval('#legend', (e) => e.textContent)).toContain('seg');
    expect(await page.$eval('#legend .swatch', (e) => getComputedStyle(e).backgroundColor)).toBe(
      'rgb(255, 0, 0)',
    );
    await page.close();
  });

  it('draws a line stored in patient coordinates between the expected pixels of its frame', async () => {
    expect(ctId).not.toBe('');
    // The line the platform's clients store: patient millimetres with the view vectors.
    const file = new Uint8Array((await send(`${server.url}/resources/${ctId}/file`)).bytes);
    const geometry = geometryOf(parseDicom(file));
    const frame0 = geometry.frames[0];
    if (!frame0) throw new Error('no geometry');
    const a = pixelToPatient(geometry, { x: 2, y: 5, frame: 2 });
    const b = pixelToPatient(geometry, { x: 13, y: 5, frame: 2 });
    const created = await send(`${server.url}/annotations/${ctId}/annotations`, {
      method: 'POST',
      json: [
        {
          type: 'line',
          identifier: 'Ruler',
          scope: 'image',
          geometry: { viewPlaneNormal: frame0.normal, viewUp: frame0.columnDirection, points: [a, b] },
        },
      ],
    });
    expect(created.status).toBe(201);

    const page = await browser.newPage();
    await signIn(page, server.url, KEY_A);
    await page.waitForSelector('#resource-list');
    const { canvas, zoom } = await viewerCanvas(page, server.url, ctId, 2);
    const shot = await screenshotPixels(canvas, 'viewer-ct-line-frame2');
    const at = (x: number, y: number) => shot.rgba((x + 0.5) * zoom, (y + 0.5) * zoom);
    for (let x = 3; x <= 12; x++) expect(isRed(at(x, 5)), `(${x}, 5) on the line`).toBe(true);
    for (const [x, y] of [
      [1, 5],
      [14, 5],
      [7, 4],
      [7, 6],
      [7, 10],
    ] as const) {
      expect(isRed(at(x, y)), `(${x}, ${y}) off the line`).toBe(false);
    }
    expect(await page.$eval('#legend', (e) => e.textContent)).toContain('Ruler');
    const header = await page.$eval('#metadata', (e) => e.textContent ?? '');
    expect(header).toContain('Modality');
    expect(header).not.toMatch(/PatientName|PatientID/);
    await mkdirAndCopy(await page.screenshot({ type: 'png', fullPage: true }));

    // Another frame of the same series: the line is not drawn there.
    const other = await viewerCanvas(page, server.url, ctId, 0);
    const elsewhere = await screenshotPixels(other.canvas, 'viewer-ct-line-frame0');
    for (let x = 3; x <= 12; x++) {
      expect(isRed(elsewhere.rgba((x + 0.5) * zoom, 5.5 * zoom)), `(${x}, 5) on frame 0`).toBe(false);
    }
    await page.close();
  });
});

async function mkdirAndCopy(png: Uint8Array): Promise<void> {
  const artefact = `${SCREENSHOT_DIR}viewer-page.png`;
  await writeFile(artefact, png);
  // The README's screenshot is refreshed only on request, so a test run never dirties the checkout.
  if (process.env.DATAMINT_UPDATE_SCREENSHOTS === '1') await copyFile(artefact, README_SCREENSHOT);
}
