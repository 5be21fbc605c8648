import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { APITimeoutError, APIUserAbortError, HttpClient } from '../src/index';
import { type Loopback, loopback } from './loopback';

let server: Loopback | undefined;
let client: HttpClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

/** Sends headers and half a body, then stalls forever (until the test closes the server). */
async function stallingServer(): Promise<Loopback> {
  return loopback((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
    res.write('{"partial": "');
  });
}

describe('time-outs and aborts', () => {
  it('a time-out mid-response raises APITimeoutError (per call)', async () => {
    server = await stallingServer();
    client = new HttpClient({ rootUrl: server.url, apiKey: 'key-1234', maxRetries: 0 });
    const error = await client.request({ method: 'GET', path: 'x', timeout: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APITimeoutError);
    expect((error as APITimeoutError).timeoutMs).toBe(200);
  });

  it('a client-wide time-out applies to every call, and timed-out GETs are retried', async () => {
    server = await stallingServer();
    client = new HttpClient({
      rootUrl: server.url,
      apiKey: 'key-1234',
      timeout: 150,
      maxRetries: 1,
      backoff: { baseDelayMs: 1 },
    });
    await expect(client.request({ method: 'GET', path: 'x' })).rejects.toBeInstanceOf(APITimeoutError);
    expect(server.requests).toHaveLength(2);
  });

  it('aborting mid-response raises APIUserAbortError and does not retry', async () => {
    server = await stallingServer();
    client = new HttpClient({ rootUrl: server.url, apiKey: 'key-1234' });
    const controller = new AbortController();
    const pending = client
      .request({ method: 'GET', path: 'x', signal: controller.signal })
      .catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 100);
    expect(await pending).toBeInstanceOf(APIUserAbortError);
    expect(server.requests).toHaveLength(1);
  });

  it('an already-aborted signal sends nothing', async () => {
    server = await stallingServer();
    client = new HttpClient({ rootUrl: server.url, apiKey: 'key-1234' });
    await expect(
      client.request({ method: 'GET', path: 'x', signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(APIUserAbortError);
    expect(server.requests).toHaveLength(0);
  });

  it('an aborted download leaves no file behind', async () => {
    server = await stallingServer();
    client = new HttpClient({ rootUrl: server.url, apiKey: 'key-1234' });
    const dir = await mkdtemp(join(tmpdir(), 'dm-core-'));
    try {
      const controller = new AbortController();
      const pending = client
        .download({ method: 'GET', path: 'f', destination: join(dir, 'out.bin'), signal: controller.signal })
        .catch((e: unknown) => e);
      setTimeout(() => controller.abort(), 100);
      expect(await pending).toBeInstanceOf(APIUserAbortError);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a download that stalls hits the idle time-out and leaves no file', async () => {
    server = await stallingServer();
    client = new HttpClient({ rootUrl: server.url, apiKey: 'key-1234', maxRetries: 0 });
    const dir = await mkdtemp(join(tmpdir(), 'dm-core-'));
    try {
      const error = await client
        .download({ method: 'GET', path: 'f', destination: join(dir, 'out.bin'), timeout: 200 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(APITimeoutError);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
