import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpClient } from '@datamint/core';
import { parseDicom } from '@datamint/dicom';
import { startServer } from '@datamint/server';
import { chromiumPath, launchChromium } from '@datamint/test-support/browser';
import { build } from 'esbuild';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataDir, requireData } from './helpers/data';
import { API_KEY } from './helpers/server';

// A web page bundling @datamint/client (esbuild, browser conditions) uploads a dropped folder of
// real DICOM slices and a PNG with its mask to a real datamint-server with CORS on, in Chromium.

const clientDir = fileURLToPath(new URL('..', import.meta.url));
const executable = requireData() ? chromiumPath() : undefined;

interface Api {
  url: string;
  close(): Promise<void>;
}

async function startApi(): Promise<Api> {
  const dir = await mkdtemp(path.join(tmpdir(), 'datamint-browser-upload-'));
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    dataDir: dir,
    cors: true,
    apiKeys: [{ key: API_KEY, email: 'tester@datamint.local', roles: ['admin'] }],
  });
  return {
    url: server.url,
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The page on its own origin (another port than the API's, so every call is cross-origin). */
async function servePage(bundle: string): Promise<{ url: string; server: Server }> {
  const html =
    '<!doctype html><meta charset="utf-8"><div id="drop" style="width:400px;height:400px">drop</div><script type="module" src="/page.js"></script>';
  const server = createServer((req, res) => {
    if (req.url === '/page.js') {
      res.setHeader('content-type', 'text/javascript');
      res.end(bundle);
    } else {
      res.setHeader('content-type', 'text/html');
      res.end(html);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

async function bundlePage(): Promise<string> {
  // The package under test by its `browser` export condition, as a bundler resolves it for a page
  // (esbuild does not resolve a package's own name from inside it).
  const manifest = JSON.parse(await readFile(path.join(clientDir, 'package.json'), 'utf8'));
  const entry = path.join(clientDir, manifest.exports['.'].browser.default);
  if (!existsSync(entry)) {
    throw new Error(`${entry} is missing: run \`pnpm build\` first (the page bundles the built package)`);
  }
  const out = await build({
    entryPoints: [path.join(clientDir, 'test', 'browser', 'page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
    // The DICOM codecs (Emscripten) mention Node built-ins on a path browsers never take. No `node:*`
    // here: a Node import reaching the client's browser build must fail this build.
    external: ['fs', 'path', 'crypto', 'module', 'url', 'worker_threads'],
    alias: { '@datamint/client': entry },
  });
  return out.outputFiles[0]!.text;
}

/** Drops `paths` (files and folders) on the page's drop zone, as a user dragging from the desktop. */
async function drop(page: Page, paths: string[]): Promise<void> {
  const cdp = await page.createCDPSession();
  const data = { items: [], files: paths, dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop'] as const) {
    await cdp.send('Input.dispatchDragEvent', { type, x: 200, y: 200, data });
  }
  await cdp.detach();
}

describe.skipIf(!executable)('uploading from a web page (bundled client, real Chromium)', () => {
  let api: Api;
  let browser: Browser;
  let pageUrl: string;
  let pageServer: Server;
  let work: string;

  beforeAll(async () => {
    api = await startApi();
    const served = await servePage(await bundlePage());
    pageUrl = served.url;
    pageServer = served.server;
    browser = await launchChromium(executable!);
    work = await mkdtemp(path.join(tmpdir(), 'datamint-drop-'));
  });
  afterAll(async () => {
    await browser?.close();
    pageServer?.close();
    await api?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function openPage(): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(pageUrl);
    await page.waitForFunction(() => 'datamint' in window);
    return page;
  }

  it('a dropped folder of DICOM slices and a PNG with its mask: anonymized, assembled, masks attached, progress reported', async () => {
    // The folder as a user has it: five slices of one CT series, a broken DICOM, and desktop litter.
    const folder = path.join(work, 'ct-study');
    await mkdir(folder, { recursive: true });
    const seriesDir = path.join(dataDir, 'dicom', 'series', 'pydicom_ct5n');
    const slices = ['2062.dcm', '2392.dcm', '2693.dcm', '3023.dcm', '3353.dcm'];
    for (const name of slices) await copyFile(path.join(seriesDir, name), path.join(folder, name));
    await copyFile(
      path.join(dataDir, 'dicom', 'broken', 'rtplan_truncated.dcm'),
      path.join(folder, 'broken.dcm'),
    );
    await writeFile(path.join(folder, '.DS_Store'), 'litter');
    // Not DICOM at all, under a DICOM name; and a file that is gone by the time the page reads it.
    await writeFile(path.join(folder, 'notes.dcm'), 'scan notes, not an image');
    const vanished = path.join(work, 'vanished.dcm');
    await writeFile(vanished, 'deleted after the drop');
    const image = path.join(work, 'membrane.png');
    await copyFile(path.join(dataDir, 'png', 'masks', 'isbi2012_membrane_label_0.png'), image);
    const mask = await readFile(path.join(dataDir, 'png', 'masks', 'isbi2012_membrane_label_1.png'));

    const source = parseDicom(new Uint8Array(await readFile(path.join(seriesDir, slices[0]!))));
    const patientName = source.string(0x00100010)!;
    const patientId = source.string(0x00100020)!;
    expect(patientName).toContain('Doe');

    const page = await openPage();
    await drop(page, [folder, image, vanished]);
    await page.evaluate(() => window.dropped);
    await rm(vanished);
    const outcome = await page.evaluate(
      async (rootUrl, apiKey, maskBase64) => {
        const { BrowserAPIHandler } = window.datamint;
        const entries = await window.dropped;
        const maskBytes = Uint8Array.from(atob(maskBase64), (c) => c.charCodeAt(0));
        const client = new BrowserAPIHandler({ rootUrl, apiKey });
        const progress: { filesDone: number; filesTotal: number; source: string; ok: boolean }[] = [];
        const bytes: { bytesSent: number; bytesTotal: number }[] = [];
        const results = await client.uploadResources(entries, {
          anonymize: true,
          onError: 'skip',
          segmentations: new Map([['membrane.png', maskBytes]]),
          onProgress: (p) =>
            progress.push({ filesDone: p.filesDone, filesTotal: p.filesTotal, source: p.source, ok: p.ok }),
          onBytes: (b) => bytes.push({ bytesSent: b.bytesSent, bytesTotal: b.bytesTotal }),
        });
        return {
          entries: entries.map((e) => ({ name: e.name, isDirectory: e.isDirectory })),
          results: results.map((r) =>
            r.ok
              ? {
                  ok: true,
                  source: r.source,
                  id: r.id,
                  assembledFrom: r.assembledFrom ?? 1,
                  segmentations: r.segmentationIds.length,
                }
              : {
                  ok: false,
                  source: r.source,
                  error: r.error.name,
                  cause: (r.error.cause as Error | undefined)?.name,
                },
          ),
          progress,
          bytes,
        };
      },
      api.url,
      API_KEY,
      mask.toString('base64'),
    );

    expect(outcome.entries).toEqual([
      { name: 'ct-study', isDirectory: true },
      { name: 'membrane.png', isDirectory: false },
      { name: 'vanished.dcm', isDirectory: false },
    ]);
    const failed = outcome.results.filter((r) => !r.ok);
    // The broken slice fails alone, named, and the litter is not uploaded at all.
    expect(failed.filter((r) => r.source !== 'vanished.dcm')).toEqual([
      { ok: false, source: 'ct-study/broken.dcm', error: 'UploadFileError', cause: 'InvalidDicomError' },
      { ok: false, source: 'ct-study/notes.dcm', error: 'UploadFileError', cause: 'InvalidDicomError' },
    ]);
    // The browser names the failure of a file that can no longer be read (NotFoundError in Chromium).
    expect(failed.find((r) => r.source === 'vanished.dcm')).toMatchObject({
      ok: false,
      error: 'UploadFileError',
      cause: expect.stringMatching(/Error$/),
    });
    const uploaded = outcome.results.filter((r) => r.ok) as {
      source: string;
      id: string;
      assembledFrom: number;
      segmentations: number;
    }[];
    expect(uploaded.map((r) => r.source).sort()).toEqual([
      ...slices.map((s) => `ct-study/${s}`),
      'membrane.png',
    ]);
    const seriesIds = new Set(uploaded.filter((r) => r.source.startsWith('ct-study/')).map((r) => r.id));
    expect(seriesIds.size).toBe(1);
    expect(uploaded.find((r) => r.source === 'ct-study/2062.dcm')?.assembledFrom).toBe(5);
    const png = uploaded.find((r) => r.source === 'membrane.png')!;
    expect(png.segmentations).toBeGreaterThan(0);

    // Progress: one event per finished resource (and the broken file), bytes up to the total.
    const last = outcome.progress.at(-1)!;
    expect(last.filesDone).toBe(last.filesTotal);
    expect(outcome.progress.map((p) => p.source)).toContain('membrane.png');
    expect(outcome.bytes.length).toBeGreaterThan(1);
    expect(outcome.bytes.at(-1)!.bytesSent).toBe(outcome.bytes.at(-1)!.bytesTotal);

    // On the server: one assembled DICOM resource, no patient identifier in its stored bytes; the
    // PNG has its mask as annotations.
    const http = new HttpClient({ rootUrl: api.url, apiKey: API_KEY });
    try {
      const listed = await http.request<{
        data: [{ resources: { id: string; mimetype: string; filename: string }[] }];
      }>({
        method: 'GET',
        path: 'resources',
      });
      const resources = listed.data[0].resources;
      expect(resources).toHaveLength(2);
      const dicom = resources.filter((r) => r.mimetype === 'application/dicom');
      expect(dicom.map((r) => r.id)).toEqual([...seriesIds]);
      const stored = await http.requestBytes({ method: 'GET', path: `resources/${dicom[0]!.id}/file` });
      const assembled = parseDicom(stored.bytes);
      expect(assembled.string(0x00280008)).toBe('5');
      const text = new TextDecoder('latin1').decode(stored.bytes);
      expect(text).not.toContain(patientName);
      expect(text).not.toContain(patientName.split('^')[0]!);
      if (patientId.trim() !== '') expect(text).not.toContain(patientId.trim());
      const annotations = await http.request<{ data: { resource_id: string; type: string }[] }>({
        method: 'GET',
        path: 'annotations',
        query: { resource_id: png.id },
      });
      expect(annotations.data).toHaveLength(png.segmentations);
      expect(annotations.data.every((a) => a.resource_id === png.id && a.type === 'segmentation')).toBe(true);
    } finally {
      await http.close();
    }
    await page.close();
  });

  it('a wrong key and a stopped server give the typed errors in the page', async () => {
    const stopped = await startApi();
    const stoppedUrl = stopped.url;
    await stopped.close();
    const page = await openPage();
    const seen = await page.evaluate(
      async (rootUrl, deadUrl) => {
        const {
          BrowserAPIHandler,
          ConnectionCheckError,
          AuthenticationError,
          APIConnectionError,
          UploadFileError,
        } = window.datamint;
        const wrongKey = 'wrong-key-7c2e91';
        const describe = (e: unknown) => {
          const error = e as Error & {
            cause?: Error & { status?: number; code?: string; outcomeUnknown?: boolean };
          };
          return {
            name: error.name,
            cause: error.cause?.name,
            status: error.cause?.status,
            code: error.cause?.code,
            outcomeUnknown: error.cause?.outcomeUnknown,
            showsKey:
              String(error.message).includes(wrongKey) || String(error.cause?.message).includes(wrongKey),
          };
        };
        const out: Record<string, unknown> = {};
        const unauthorised = new BrowserAPIHandler({ rootUrl, apiKey: wrongKey });
        await unauthorised.checkConnection().catch((e) => {
          out.check = {
            ...describe(e),
            typed: e instanceof ConnectionCheckError && e.cause instanceof AuthenticationError,
          };
        });
        await unauthorised
          .uploadResources({ name: 'a.png', data: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10]) })
          .catch((e) => {
            out.upload = {
              ...describe(e),
              typed: e instanceof UploadFileError && e.cause instanceof AuthenticationError,
            };
          });
        const down = new BrowserAPIHandler({
          rootUrl: deadUrl,
          apiKey: 'k',
          maxRetries: 1,
          backoff: { baseDelayMs: 10, maxDelayMs: 20 },
        });
        await down.checkConnection().catch((e) => {
          out.downCheck = {
            ...describe(e),
            typed: e instanceof ConnectionCheckError && e.cause instanceof APIConnectionError,
          };
        });
        await down
          .uploadResources({ name: 'b.png', data: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10]) })
          .catch((e) => {
            out.downUpload = {
              ...describe(e),
              typed: e instanceof UploadFileError && e.cause instanceof APIConnectionError,
            };
          });
        try {
          new BrowserAPIHandler({ rootUrl: '', apiKey: 'k' });
        } catch (e) {
          out.noUrl = { name: (e as Error).name, message: (e as Error).message };
        }
        return out;
      },
      api.url,
      stoppedUrl,
    );
    expect(seen.check).toEqual({
      name: 'ConnectionCheckError',
      cause: 'AuthenticationError',
      status: 401,
      code: undefined,
      outcomeUnknown: undefined,
      showsKey: false,
      typed: true,
    });
    expect(seen.upload).toMatchObject({
      name: 'UploadFileError',
      cause: 'AuthenticationError',
      status: 401,
      showsKey: false,
      typed: true,
    });
    // A browser cannot tell refused from reset: the failure is ERR_NETWORK, and a create's outcome is
    // unknown (no server answered to say it honours idempotency keys).
    expect(seen.downCheck).toMatchObject({
      name: 'ConnectionCheckError',
      cause: 'APIConnectionError',
      code: 'ERR_NETWORK',
      typed: true,
    });
    expect(seen.downUpload).toMatchObject({
      name: 'UploadFileError',
      cause: 'APIConnectionError',
      code: 'ERR_NETWORK',
      outcomeUnknown: true,
      typed: true,
    });
    expect(seen.noUrl).toMatchObject({ name: 'ValidationError' });
    expect((seen.noUrl as { message: string }).message).toContain('rootUrl');
    await page.close();
  });
});
