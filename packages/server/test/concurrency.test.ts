import { readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { Agent, request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../src/index';
import { aiohttpMultipart } from './support/multipart';
import { KEY_A, KEY_B, startTestServer, type TestServer, upload } from './support/server';

/** Paths of the stored resource files. */
async function storedFiles(dataDir: string): Promise<string[]> {
  const root = join(dataDir, 'files', 'resources');
  const out: string[] = [];
  let shards: string[] = [];
  try {
    shards = await readdir(root);
  } catch {
    return out;
  }
  for (const shard of shards) {
    for (const name of await readdir(join(root, shard))) out.push(join(root, shard, name));
  }
  return out;
}

/** Names of the stored resource files (their resource ids). */
async function filesOnDisk(dataDir: string): Promise<string[]> {
  return (await storedFiles(dataDir)).map((file) => basename(file));
}

function rowCount(dataDir: string): number {
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM resources').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('concurrent and aborted uploads', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.dispose().catch(() => undefined);
  });

  it('100 concurrent uploads create exactly 100 rows and 100 files with the right bytes', async () => {
    const server = await startTestServer();
    servers.push(server);
    const agent = new Agent({ connections: 100 });
    try {
      const payloads = Array.from({ length: 100 }, (_, i) => {
        const bytes = new Uint8Array(20_000 + i);
        bytes.fill(i);
        return bytes;
      });
      const replies = await Promise.all(
        payloads.map(async (bytes, i) => {
          const { body, contentType } = aiohttpMultipart([
            { name: 'source', value: 'api' },
            { name: 'resource', value: bytes, filename: `file-${i}.bin` },
            { name: 'source_filepath', value: `batch/file-${i}.bin` },
          ]);
          const res = await request(`${server.url}/resources`, {
            method: 'POST',
            body,
            headers: { apikey: KEY_A, 'content-type': contentType },
            dispatcher: agent,
          });
          return {
            status: res.statusCode,
            json: (await res.body.json()) as { id: string; size: number; filename: string },
          };
        }),
      );
      expect(replies.map((r) => r.status)).toEqual(Array(100).fill(201));
      const ids = replies.map((r) => r.json.id);
      expect(new Set(ids).size).toBe(100);
      replies.forEach((r, i) => {
        expect(r.json.size).toBe(20_000 + i);
        expect(r.json.filename).toBe(`file-${i}.bin`);
      });
      expect((await filesOnDisk(server.dataDir)).sort()).toEqual([...ids].sort());
      expect(rowCount(server.dataDir)).toBe(100);
      // Spot-check a stored file's content.
      const file = await request(`${server.url}/resources/${ids[42]}/file`, { headers: { apikey: KEY_A } });
      const bytes = new Uint8Array(await file.body.arrayBuffer());
      expect(bytes.length).toBe(20_042);
      expect(bytes.every((b) => b === 42)).toBe(true);
    } finally {
      await agent.close();
    }
  });

  it('an upload aborted mid-body leaves no row, no file and no temp file', async () => {
    const server = await startTestServer();
    servers.push(server);
    const payload = new Uint8Array(4 * 1024 * 1024);
    const { body, contentType } = aiohttpMultipart([
      { name: 'source', value: 'api' },
      { name: 'resource', value: payload, filename: 'aborted.bin' },
      { name: 'source_filepath', value: 'aborted.bin' },
    ]);
    const controller = new AbortController();
    const head = body.subarray(0, 1024 * 1024);
    async function* partialBody() {
      yield head;
      // Hold the request open until the server has started writing the temp file, then abort.
      for (;;) {
        if ((await readdir(join(server.dataDir, 'tmp'))).length > 0) break;
        await delay(10);
      }
      controller.abort();
      await delay(1000);
      yield body.subarray(head.length);
    }
    const outcome = await request(`${server.url}/resources`, {
      method: 'POST',
      body: Readable.from(partialBody()),
      headers: { apikey: KEY_A, 'content-type': contentType, 'content-length': String(body.length) },
      signal: controller.signal,
    }).then(
      () => 'completed',
      (err: Error) => err.name,
    );
    expect(outcome).toBe('AbortError');
    // close() waits for in-flight uploads to finish cleaning up.
    await server.close();
    expect(await readdir(join(server.dataDir, 'tmp'))).toEqual([]);
    expect(await filesOnDisk(server.dataDir)).toEqual([]);
    expect(rowCount(server.dataDir)).toBe(0);
  });

  it('an upload whose body ends early (truncated multipart) is rejected and leaves nothing', async () => {
    const server = await startTestServer();
    servers.push(server);
    const { body, contentType } = aiohttpMultipart([
      { name: 'resource', value: new Uint8Array(10_000), filename: 'cut.bin' },
    ]);
    const truncated = body.subarray(0, 5_000);
    const reply = await request(`${server.url}/resources`, {
      method: 'POST',
      body: truncated,
      headers: { apikey: KEY_A, 'content-type': contentType },
    });
    const json = (await reply.body.json()) as { message: string };
    expect(reply.statusCode).toBe(400);
    expect(json.message).toBeTypeOf('string');
    expect(await readdir(join(server.dataDir, 'tmp'))).toEqual([]);
    expect(await filesOnDisk(server.dataDir)).toEqual([]);
    const list = await upload(server.url, { bytes: new Uint8Array([1]), filename: 'ok.bin' });
    expect(list.status).toBe(201);
    expect(rowCount(server.dataDir)).toBe(1);
  });
});

describe('Idempotency-Key on POST /resources', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.dispose();
  });

  function body() {
    return aiohttpMultipart([
      { name: 'resource', value: new Uint8Array([1, 2, 3, 4]), filename: 'same.bin' },
      { name: 'source_filepath', value: 'same.bin' },
    ]);
  }

  async function post(url: string, key: string, idem: string) {
    const { body: b, contentType } = body();
    const res = await request(`${url}/resources`, {
      method: 'POST',
      body: b,
      headers: { apikey: key, 'content-type': contentType, 'idempotency-key': idem },
    });
    return {
      status: res.statusCode,
      headers: res.headers,
      json: (await res.body.json()) as { id: string; message?: string },
    };
  }

  it('creates the resource once per key, replays it for repeats, per customer', async () => {
    const server = await startTestServer();
    servers.push(server);
    const first = await post(server.url, KEY_A, 'idem-1');
    const again = await post(server.url, KEY_A, 'idem-1');
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.json.id).toBe(first.json.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const concurrent = await Promise.all(Array.from({ length: 8 }, () => post(server.url, KEY_A, 'idem-2')));
    expect(new Set(concurrent.map((r) => r.json.id)).size).toBe(1);
    const other = await post(server.url, KEY_B, 'idem-1');
    expect(other.json.id).not.toBe(first.json.id);
    expect(rowCount(server.dataDir)).toBe(3);
    expect(await filesOnDisk(server.dataDir)).toHaveLength(3);
    const bad = await post(server.url, KEY_A, 'x'.repeat(300));
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe(
      'header Idempotency-Key must be 1 to 255 printable ASCII characters without spaces',
    );
  });
  it('replays a repeat whose stored file has gone missing instead of failing (no 500)', async () => {
    const server = await startTestServer();
    servers.push(server);
    const first = await post(server.url, KEY_A, 'idem-lost-file');
    expect(first.status).toBe(201);
    const [stored] = await storedFiles(server.dataDir);
    await rm(stored!);
    const again = await post(server.url, KEY_A, 'idem-lost-file');
    expect(again.status).toBe(201);
    expect(again.json.id).toBe(first.json.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(rowCount(server.dataDir)).toBe(1);
  });
  it('keeps one upload when concurrent requests share a key but not their bytes: the others are refused', async () => {
    const server = await startTestServer();
    servers.push(server);
    // Same name, size and fields: only the bytes tell the two contents apart.
    const contents = [new Uint8Array([1, 1, 1, 1]), new Uint8Array([2, 2, 2, 2])];
    const post = async (content: Uint8Array) => {
      const { body: b, contentType } = aiohttpMultipart([
        { name: 'resource', value: content, filename: 'twin.bin' },
      ]);
      const res = await request(`${server.url}/resources`, {
        method: 'POST',
        body: b,
        headers: { apikey: KEY_A, 'content-type': contentType, 'idempotency-key': 'idem-twins' },
      });
      return { content, status: res.statusCode, json: (await res.body.json()) as { id: string } };
    };
    const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => post(contents[i % 2]!)));
    const created = replies.filter((r) => r.status === 201);
    const refused = replies.filter((r) => r.status === 422);
    expect(created.length + refused.length).toBe(replies.length);
    expect(new Set(created.map((r) => r.json.id)).size).toBe(1);
    const file = await request(`${server.url}/resources/${created[0]!.json.id}/file`, {
      headers: { apikey: KEY_A },
    });
    const stored = new Uint8Array(await file.body.arrayBuffer());
    // Every request that got the resource sent what it holds; every other one was refused.
    for (const reply of created) expect(reply.content).toEqual(stored);
    expect(refused).toHaveLength(6);
    expect(rowCount(server.dataDir)).toBe(1);
    expect(await filesOnDisk(server.dataDir)).toHaveLength(1);
  });
});

describe('segmentation bursts (one E21 + E22 chain per frame, all at once)', () => {
  it('handles 100 concurrent frame chains: 200 annotations, 200 masks, nothing lost', async () => {
    const server = await startTestServer();
    const agent = new Agent({ connections: 128 });
    try {
      const { encode } = await import('fast-png');
      const { makeDicom } = await import('./support/dicom');
      const dicom = makeDicom({ rows: 8, columns: 8, frames: 100, bits: 8, pixel: (f) => f });
      const { body, contentType } = aiohttpMultipart([
        { name: 'resource', value: dicom, contentType: 'application/dicom', filename: 'vol.dcm' },
      ]);
      const created = await request(`${server.url}/resources`, {
        method: 'POST',
        body,
        headers: { apikey: KEY_A, 'content-type': contentType },
      });
      const rid = ((await created.body.json()) as { id: string }).id;
      const mask = encode({
        width: 8,
        height: 8,
        data: new Uint8Array(8 * 8 * 3).fill(255),
        channels: 3,
        depth: 8,
      });
      const chains = Array.from({ length: 100 }, async (_, frame) => {
        const res = await request(`${server.url}/annotations/${rid}/annotations`, {
          method: 'POST',
          body: JSON.stringify(
            ['Femur', 'Tibia'].map((identifier) => ({
              type: 'segmentation',
              identifier,
              scope: 'frame',
              frame_index: frame,
            })),
          ),
          headers: { apikey: KEY_A, 'content-type': 'application/json' },
          dispatcher: agent,
        });
        const ids = (await res.body.json()) as string[];
        for (const [k, id] of ids.entries()) {
          const part = aiohttpMultipart([
            { name: 'file', value: mask, contentType: 'image/png', filename: k ? 'Tibia' : 'Femur' },
          ]);
          const up = await request(`${server.url}/annotations/${rid}/annotations/${id}/file`, {
            method: 'POST',
            body: part.body,
            headers: { apikey: KEY_A, 'content-type': part.contentType },
            dispatcher: agent,
          });
          await up.body.text();
          expect(up.statusCode).toBe(201);
        }
        return ids;
      });
      const ids = (await Promise.all(chains)).flat();
      expect(new Set(ids).size).toBe(200);
      const list = await request(
        `${server.url}/annotations?resource_id=${rid}&annotation_type=segmentation`,
        {
          headers: { apikey: KEY_A },
        },
      );
      const annotations = (
        (await list.body.json()) as { data: Array<{ file: string | null; index: number }> }
      ).data;
      expect(annotations).toHaveLength(200);
      expect(annotations.every((a) => a.file !== null)).toBe(true);
      expect(new Set(annotations.map((a) => a.index)).size).toBe(100);
      expect(await readdir(join(server.dataDir, 'tmp'))).toEqual([]);
    } finally {
      await agent.close();
      await server.dispose();
    }
  });
});
