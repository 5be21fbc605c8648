import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webAppFile } from '../src/web-app';
import { spawnServer } from './support/bin';
import { makeDataDir, send, startTestServer, type TestServer } from './support/server';

const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build-app.mjs', import.meta.url));

describe('web app static files', () => {
  let appDir: string;
  let server: TestServer;
  let bare: TestServer;

  beforeAll(async () => {
    // The real build of the app, into a folder of this test.
    appDir = await mkdtemp(join(tmpdir(), 'datamint-web-app-'));
    await promisify(execFile)(process.execPath, [BUILD_SCRIPT, appDir]);
    server = await startTestServer({ webApp: appDir });
    bare = await startTestServer({ webApp: false });
  });
  afterAll(async () => {
    await server?.dispose();
    await bare?.dispose();
    await rm(appDir, { recursive: true, force: true });
  });

  it('serves the page, its script and its stylesheet without a key, with a strict content policy', async () => {
    const page = await send(`${server.url}/app/`, { key: null });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<script type="module" src="./app.js"></script>');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers['x-frame-options']).toBe('DENY');

    const script = await send(`${server.url}/app/app.js`, { key: null });
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    // The bundle carries our DICOM code (its dictionary): the page anonymizes and assembles itself.
    expect(script.text).toContain('PatientName');
    expect(script.bytes.length).toBeGreaterThan(10_000);

    const css = await send(`${server.url}/app/app.css`, { key: null });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('redirects /app to /app/ and keeps the API keyed', async () => {
    const redirect = await send(`${server.url}/app`, { key: null });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/app/');
    expect((await send(`${server.url}/resources`, { key: null })).status).toBe(401);
    expect((await send(`${server.url}/projects`, { key: 'wrong-key' })).status).toBe(401);
  });

  it('never serves a file outside the app folder', async () => {
    // A secret next to the app folder, reachable only by escaping it.
    await writeFile(join(appDir, '..', 'datamint-web-app-secret.txt'), 'TOP-SECRET-CONTENT');
    try {
      for (const path of [
        '/app/../datamint-web-app-secret.txt',
        '/app/%2e%2e/datamint-web-app-secret.txt',
        '/app/%2e%2e%2fdatamint-web-app-secret.txt',
        '/app/..%5cdatamint-web-app-secret.txt',
        '/app/%00index.html',
        '/app/%E0%A4%A',
      ]) {
        const reply = await send(`${server.url}${path}`, { key: null });
        expect(reply.text, path).not.toContain('TOP-SECRET-CONTENT');
        expect([400, 401, 404], path).toContain(reply.status);
      }
    } finally {
      await rm(join(appDir, '..', 'datamint-web-app-secret.txt'), { force: true });
    }
    expect((await send(`${server.url}/app/nothing-here.js`, { key: null })).status).toBe(404);
  });

  it('webAppFile resolves only paths below the folder', () => {
    expect(webAppFile('/srv/app', '')).toBe('/srv/app/index.html');
    expect(webAppFile('/srv/app/', 'app.js')).toBe('/srv/app/app.js');
    expect(webAppFile('/srv/app', 'sub/')).toBe('/srv/app/sub/index.html');
    expect(webAppFile('/srv/app', '../etc/passwd')).toBeUndefined();
    expect(webAppFile('/srv/app', '%2e%2e/x')).toBeUndefined();
    expect(webAppFile('/srv/app', 'a%00b')).toBeUndefined();
    expect(webAppFile('/srv/app', '%E0%A4%A')).toBeUndefined();
  });

  it('answers 404 with a message when the app is turned off', async () => {
    const reply = await send(`${bare.url}/app/`, { key: null });
    expect(reply.status).toBe(404);
    expect(reply.json.message).toMatch(/web app is not built/);
  });

  it('datamint-server --open prints the web app address after the listening line', async () => {
    const dataDir = await makeDataDir();
    try {
      const bin = await spawnServer(['--port', '0', '--data-dir', dataDir, '--api-key', 'k', '--open']);
      // The printed address is public (the built app, or a 404 saying how to build it), never a 401.
      const page = await send(`${bin.url}/app/`, { key: null });
      expect([200, 404]).toContain(page.status);
      bin.child.kill('SIGTERM');
      expect(await bin.exited).toBe(0);
      expect(bin.stdout()).toBe(`listening on ${bin.url}\nweb app: ${bin.url}/app/\n`);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
