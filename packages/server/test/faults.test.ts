import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE, type FaultKind } from '../src/index';
import { grayPng } from './support/images';
import { KEY_A, send, startTestServer, type TestServer, upload } from './support/server';

describe('fault injection', () => {
  const servers: TestServer[] = [];
  const start = async (kinds: FaultKind[], rate = 1, seed = 7) => {
    const server = await startTestServer({ faults: { rate, kinds, seed, slowMs: 50, retryAfterSeconds: 2 } });
    servers.push(server);
    return server;
  };
  afterAll(async () => {
    for (const s of servers) await s.dispose();
  });

  it('is off by default', async () => {
    const server = await startTestServer();
    servers.push(server);
    for (let i = 0; i < 20; i++) expect((await send(`${server.url}/projects`)).status).toBe(200);
  });

  for (const [kind, status, message] of [
    ['503', 503, 'Service unavailable (injected fault)'],
    ['429', 429, 'Too many requests (injected fault)'],
  ] as const) {
    it(`${kind}: answers ${status} with Retry-After and a JSON message, before storing anything`, async () => {
      const server = await start([kind]);
      const reply = await send(`${server.url}/projects`);
      expect(reply.status).toBe(status);
      expect(reply.headers['retry-after']).toBe('2');
      expect(reply.headers['x-datamint-fault']).toBe(kind);
      expect(reply.json).toMatchObject({ statusCode: status, message });
      const up = await upload(server.url, {
        bytes: grayPng(64, 64),
        filename: 'f.png',
        mimetype: 'image/png',
      });
      expect(up.status).toBe(status);
      expect(await readdir(join(server.dataDir, 'files'))).toEqual([]);
      expect(await readdir(join(server.dataDir, 'tmp'))).toEqual([]);
    });
  }

  it('reset at rate 1: an upload is dropped before any effect: no row, no file, no temp file', async () => {
    const server = await start(['reset']);
    const error = await request(`${server.url}/projects`, { headers: { apikey: KEY_A } }).then(
      () => undefined,
      (err: Error & { code?: string }) => err,
    );
    expect(error).toBeInstanceOf(Error);
    expect(['UND_ERR_SOCKET', 'ECONNRESET']).toContain(error?.code);
    const up = await upload(server.url, {
      bytes: grayPng(64, 64),
      filename: 'f.png',
      mimetype: 'image/png',
    }).then(
      () => 'answered',
      () => 'dropped',
    );
    expect(up).toBe('dropped');
    // A large body too, so the reset lands while the client is still sending.
    const big = await upload(server.url, {
      bytes: new Uint8Array(8 * 1024 * 1024).fill(7),
      filename: 'big.bin',
    }).then(
      () => 'answered',
      () => 'dropped',
    );
    expect(big).toBe('dropped');
    await server.close();
    const db = new Database(join(server.dataDir, DATABASE_FILE), { readonly: true });
    try {
      expect(db.prepare('SELECT COUNT(*) AS n FROM resources').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
    expect(await readdir(join(server.dataDir, 'files'))).toEqual([]);
    expect(await readdir(join(server.dataDir, 'tmp'))).toEqual([]);
  });

  it('slow: delays, then serves the request normally (marked with x-datamint-fault: slow)', async () => {
    const server = await start(['slow']);
    const up = await upload(server.url, { bytes: grayPng(4, 4), filename: 's.png', mimetype: 'image/png' });
    expect(up.status).toBe(201);
    expect(up.headers['x-datamint-fault']).toBe('slow');
    const list = await send(`${server.url}/resources`);
    expect(list.json.totalCount).toBe(1);
  });

  it('is deterministic for a seed and mixes faults with normal replies at a partial rate', async () => {
    const statuses = async (seed: number) => {
      const server = await start(['503', '429'], 0.5, seed);
      const out: number[] = [];
      for (let i = 0; i < 40; i++) out.push((await send(`${server.url}/projects`)).status);
      return out;
    };
    const first = await statuses(123);
    const second = await statuses(123);
    const other = await statuses(456);
    expect(second).toEqual(first);
    expect(other).not.toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 503, 429]));
  });

  it('rejects invalid fault options', async () => {
    await expect(startTestServer({ faults: { rate: 2 } })).rejects.toThrow(
      'fault rate must be between 0 and 1, got 2',
    );
    await expect(startTestServer({ faults: { rate: 0.5, kinds: ['boom' as FaultKind] } })).rejects.toThrow(
      "unknown fault kind 'boom'; expected one of 503, 429, reset, slow",
    );
  });
});
