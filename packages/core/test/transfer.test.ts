import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  blobFromBytes,
  blobFromPath,
  DownloadWriteError,
  FormData,
  HttpClient,
  multipartFileName,
} from '../src/index';
import { type Loopback, loopback, sendJson } from './loopback';

let server: Loopback | undefined;
let client: HttpClient | undefined;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dm-transfer-'));
});
afterEach(async () => {
  await client?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
  client = undefined;
  server = undefined;
});

describe('multipart uploads', () => {
  it('streams a file part from disk with the Python-style file name, plus text fields', async () => {
    const bytes = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff);
    const path = join(dir, 'img é 1.png');
    await writeFile(path, bytes);
    server = await loopback((_req, res) => sendJson(res, 201, { id: 'r1' }));
    client = new HttpClient({ rootUrl: server.url, apiKey: 'key-1234' });
    const form = new FormData();
    form.append('source_filepath', path);
    form.append('resource', await blobFromPath(path, 'image/png'), multipartFileName('img é 1.png'));
    await expect(client.request({ method: 'POST', path: 'resources', body: form })).resolves.toEqual({
      id: 'r1',
    });
    const req = server.requests[0]!;
    expect(req.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(Number(req.headers['content-length'])).toBe(req.body.length);
    const text = req.body.toString('latin1');
    expect(text).toContain('filename="img%20%C3%A9%201.png"');
    expect(text).toContain('Content-Type: image/png');
    const start = req.body.indexOf('\r\n\r\n', req.body.indexOf('name="resource"')) + 4;
    expect(
      createHash('sha256')
        .update(req.body.subarray(start, start + bytes.length))
        .digest('hex'),
    ).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('a multipart body from memory is re-sent intact when a retry happens', async () => {
    server = await loopback((_req, res, n) =>
      n === 0 ? sendJson(res, 503, { message: 'busy' }) : sendJson(res, 201, { ok: 1 }),
    );
    client = new HttpClient({ rootUrl: server.url, apiKey: 'key-1234', backoff: { baseDelayMs: 1 } });
    const form = new FormData();
    form.append('f', blobFromBytes(new Uint8Array([1, 2, 3, 4])), 'x.bin');
    await client.request({ method: 'POST', path: 'r', body: form });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.body.length).toBe(server.requests[0]!.body.length);
    expect(server.requests[1]!.body.includes(Buffer.from([1, 2, 3, 4]))).toBe(true);
  });
});

describe('downloads', () => {
  it('streams to disk, reports progress and returns the content type', async () => {
    const payload = Buffer.alloc(2_000_000, 7);
    server = await loopback((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/dicom', 'content-length': String(payload.length) });
      res.end(payload);
    });
    client = new HttpClient({ rootUrl: server.url, apiKey: 'key-1234' });
    const seen: number[] = [];
    const destination = join(dir, 'out.dcm');
    const result = await client.download({
      method: 'GET',
      path: 'resources/x/file',
      destination,
      onProgress: (p) => seen.push(p.bytes),
    });
    expect(result).toMatchObject({ bytes: payload.length, contentType: 'application/dicom' });
    expect((await readFile(destination)).equals(payload)).toBe(true);
    expect(seen.at(-1)).toBe(payload.length);
  });

  it('a destination that cannot be written is a DownloadWriteError naming it, leaving no file', async () => {
    server = await loopback((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/zip' });
      res.end(Buffer.alloc(1000, 1));
    });
    client = new HttpClient({ rootUrl: server.url, apiKey: 'key-1234', maxRetries: 0 });
    const missingFolder = join(dir, 'no-such-folder', 'out.zip');
    const error = await client
      .download({ method: 'GET', path: 'p', destination: missingFolder })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadWriteError);
    expect(error).toMatchObject({ destination: missingFolder });
    expect((error as Error).message).toContain(missingFolder);
    // The destination exists as a folder: the rename fails, the temporary file is removed.
    const folder = join(dir, 'taken');
    await mkdir(join(folder, 'child'), { recursive: true });
    await expect(client.download({ method: 'GET', path: 'p', destination: folder })).rejects.toBeInstanceOf(
      DownloadWriteError,
    );
    expect((await readdir(dir)).sort()).toEqual(['taken']);
  });

  it('requestBytes returns the body with its content type', async () => {
    server = await loopback((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(Buffer.from([137, 80, 78, 71]));
    });
    client = new HttpClient({ rootUrl: server.url, apiKey: 'key-1234' });
    const r = await client.requestBytes({ method: 'GET', path: 'resources/x/frames/0' });
    expect(r.contentType).toBe('image/png');
    expect([...r.bytes]).toEqual([137, 80, 78, 71]);
  });

  it('sends our User-Agent naming the package and version', async () => {
    server = await loopback((_req, res) => sendJson(res, 200, {}));
    client = new HttpClient({ rootUrl: `${server.url}/api/`, apiKey: 'key-1234', userAgent: 'my-tool/1.0' });
    await client.request({ method: 'GET', path: '/projects' });
    expect(server.requests[0]!.url).toBe('/api/projects');
    expect(server.requests[0]!.headers['user-agent']).toMatch(
      /^datamint-ts\/\d+\.\d+\.\d+.*@datamint\/core.* my-tool\/1\.0$/,
    );
  });
});
