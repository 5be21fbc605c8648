import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../src/index';
import { grayPng } from './support/images';
import { aiohttpMultipart } from './support/multipart';
import { send, startTestServer, type TestServer, uploadOk } from './support/server';

/** `{"a":{"a":...}}` nested `levels` deep, as text (JSON.stringify itself would overflow). */
function nestedJson(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.dispose();
});

describe('deeply nested JSON', () => {
  it('answers 400 naming the field for JSON bodies nested thousands of levels deep', async () => {
    const experiment = await send(`${server.url}/experiments`, { method: 'POST', json: { name: 'e' } });
    expect(experiment.status).toBe(201);
    for (const levels of [300, 5000]) {
      const body = `{"step":1,"payload":${nestedJson(levels)}}`;
      const reply = await send(`${server.url}/experiments/${experiment.json.id}/log`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect(reply.status).toBe(400);
      expect(reply.json.message).toContain("field 'payload'");
      expect(reply.json.message).toContain('256 levels');
    }
    const log = await send(`${server.url}/experiments/${experiment.json.id}/log`);
    expect(log.status).toBe(200);
    expect(log.json).toEqual([]);
  });

  it('refuses a nested metadata part of an upload and stores nothing', async () => {
    const { body, contentType } = aiohttpMultipart([
      { name: 'resource', value: grayPng(4, 4), filename: 'a.png', contentType: 'image/png' },
      { name: 'metadata', value: nestedJson(4200) },
    ]);
    const reply = await send(`${server.url}/resources`, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType },
    });
    expect(reply.status).toBe(400);
    expect(reply.json.message).toContain("multipart field 'metadata'");
    const list = await send(`${server.url}/resources`);
    expect(list.status).toBe(200);
    expect(list.json.data ?? list.json).not.toContainEqual(expect.objectContaining({ filename: 'a.png' }));
  });

  it('keeps listings readable when a row stored earlier holds a value nested too deep', async () => {
    const id = await uploadOk(server.url, {
      bytes: grayPng(4, 4),
      filename: 'deep.png',
      mimetype: 'image/png',
    });
    const db = new Database(join(server.dataDir, DATABASE_FILE));
    try {
      db.prepare('UPDATE resources SET metadata = ? WHERE id = ?').run(nestedJson(4200), id);
    } finally {
      db.close();
    }
    const one = await send(`${server.url}/resources/${id}`);
    expect(one.status).toBe(200);
    expect(one.json.metadata).toEqual({});
    const list = await send(`${server.url}/resources`);
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.json)).toContain(id);
  });
});

describe('names and types that break clients', () => {
  it('strips control characters and caps names at 255 bytes keeping the extension', async () => {
    const { body, contentType } = aiohttpMultipart([
      { name: 'resource', value: grayPng(4, 4), filename: 'a\u0000b\r\nc.png', contentType: 'image/png' },
    ]);
    const reply = await send(`${server.url}/resources`, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType },
    });
    expect(reply.status).toBe(201);
    expect(reply.json.filename).toBe('abc.png');

    const long = `${'é'.repeat(35_000)}.nii.gz`;
    const longId = await uploadOk(server.url, {
      bytes: grayPng(4, 4),
      filename: long,
      mimetype: 'image/png',
    });
    const stored = await send(`${server.url}/resources/${longId}`);
    const name = stored.json.filename as string;
    expect(Buffer.byteLength(name, 'utf8')).toBeLessThanOrEqual(255);
    expect(name.endsWith('.nii.gz')).toBe(true);
    expect(name.startsWith('éé')).toBe(true);
    const file = await send(`${server.url}/resources/${longId}/file`);
    expect(file.status).toBe(200);
    expect(String(file.headers['content-disposition'])).toContain('.nii.gz');
  });

  it('serves stored content with safe types and nosniff on every response', async () => {
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    const id = await uploadOk(server.url, { bytes: html, filename: 'page.html', mimetype: 'text/html' });
    const file = await send(`${server.url}/resources/${id}/file`);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('application/octet-stream');
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.bytes.equals(html)).toBe(true);

    const pngId = await uploadOk(server.url, {
      bytes: grayPng(4, 4),
      filename: 'm.png',
      mimetype: 'image/png',
    });
    const annotation = await send(`${server.url}/annotations/${pngId}/annotations`, {
      method: 'POST',
      json: [{ type: 'segmentation', identifier: 'lesion', scope: 'frame', frame_index: 0 }],
    });
    expect(annotation.status).toBe(201);
    const [annotationId] = annotation.json as string[];
    const { body, contentType } = aiohttpMultipart([
      { name: 'file', value: grayPng(4, 4), filename: 'mask.png', contentType: 'text/html' },
    ]);
    const attached = await send(`${server.url}/annotations/${pngId}/annotations/${annotationId}/file`, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType },
    });
    expect(attached.status).toBe(201);
    const mask = await send(`${server.url}/annotations/${pngId}/annotations/${annotationId}/file`);
    expect(mask.status).toBe(200);
    expect(mask.headers['content-type']).toBe('image/png');
    expect(mask.headers['x-content-type-options']).toBe('nosniff');

    for (const reply of [
      await send(`${server.url}/nowhere`),
      await send(`${server.url}/resources`, { key: 'wrong' }),
    ]) {
      expect(reply.status).toBeGreaterThanOrEqual(400);
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});

describe('Idempotency-Key fingerprints', () => {
  const idem = (key: string) => ({ 'idempotency-key': key });

  it('answers 422 when a key is reused for a different file, and stores nothing new', async () => {
    const uploadWithKey = (bytes: Uint8Array) => {
      const { body, contentType } = aiohttpMultipart([{ name: 'resource', value: bytes, filename: 'k.bin' }]);
      return send(`${server.url}/resources`, {
        method: 'POST',
        body,
        headers: { 'content-type': contentType, ...idem('upload-fp-1') },
      });
    };
    const first = await uploadWithKey(new Uint8Array([1, 2, 3]));
    expect(first.status).toBe(201);
    const same = await uploadWithKey(new Uint8Array([1, 2, 3]));
    expect(same.status).toBe(201);
    expect(same.json.id).toBe(first.json.id);
    expect(same.headers['idempotent-replayed']).toBe('true');
    const other = await uploadWithKey(new Uint8Array([9, 9, 9]));
    expect(other.status).toBe(422);
    expect(other.json.message).toContain("Idempotency-Key 'upload-fp-1'");
    const db = new Database(join(server.dataDir, DATABASE_FILE), { readonly: true });
    try {
      const rows = db.prepare("SELECT id FROM resources WHERE filename = 'k.bin'").all();
      expect(rows).toEqual([{ id: first.json.id }]);
    } finally {
      db.close();
    }
  });

  it('compares a repeat of a file of many chunks with the stored file: it replays, one changed last byte is refused', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const post = (file: Uint8Array) => {
      const { body, contentType } = aiohttpMultipart([
        { name: 'resource', value: file, filename: 'big-fp.bin' },
        { name: 'channel', value: 'fp' },
      ]);
      return send(`${server.url}/resources`, {
        method: 'POST',
        body,
        headers: { 'content-type': contentType, ...idem('upload-fp-big') },
      });
    };
    const first = await post(bytes);
    expect(first.status).toBe(201);
    const again = await post(bytes);
    expect(again.status).toBe(201);
    expect(again.json.id).toBe(first.json.id);
    const changed = Uint8Array.from(bytes);
    changed[changed.length - 1]! ^= 1;
    expect((await post(changed)).status).toBe(422);
  });

  it('honours keys recorded by earlier servers with a SHA-256 of the bytes: a repeat replays, other bytes or fields are refused', async () => {
    const bytes = new Uint8Array([7, 7, 7, 7]);
    const post = (file: Uint8Array, channel: string) => {
      const { body, contentType } = aiohttpMultipart([
        { name: 'resource', value: file, filename: 'legacy.bin' },
        { name: 'channel', value: channel },
      ]);
      return send(`${server.url}/resources`, {
        method: 'POST',
        body,
        headers: { 'content-type': contentType, ...idem('legacy-fp-1') },
      });
    };
    const first = await post(bytes, 'c');
    expect(first.status).toBe(201);
    // What an earlier server recorded: SHA-256 of the bytes, then the name, then the fields by name.
    const legacy = createHash('sha256').update(bytes).update('\0legacy.bin\0channel="c"').digest('hex');
    const db = new Database(join(server.dataDir, DATABASE_FILE));
    try {
      const changed = db
        .prepare("UPDATE idempotency_keys SET fingerprint = ? WHERE key = 'legacy-fp-1'")
        .run(legacy);
      expect(changed.changes).toBe(1);
    } finally {
      db.close();
    }
    const again = await post(bytes, 'c');
    expect(again.status).toBe(201);
    expect(again.json.id).toBe(first.json.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((await post(new Uint8Array([7, 7, 7, 8]), 'c')).status).toBe(422);
    expect((await post(bytes, 'other')).status).toBe(422);
  });

  it('refuses a key reused for the same bytes under another name or channel', async () => {
    const post = (filename: string, channel: string) => {
      const { body, contentType } = aiohttpMultipart([
        { name: 'resource', value: new Uint8Array([5, 5]), filename },
        { name: 'channel', value: channel },
      ]);
      return send(`${server.url}/resources`, {
        method: 'POST',
        body,
        headers: { 'content-type': contentType, ...idem('meta-fp-1') },
      });
    };
    expect((await post('m.bin', 'a')).status).toBe(201);
    expect((await post('m.bin', 'a')).headers['idempotent-replayed']).toBe('true');
    const renamed = await post('n.bin', 'a');
    expect(renamed.status).toBe(422);
    expect(renamed.json.message).toContain("Idempotency-Key 'meta-fp-1'");
    expect((await post('m.bin', 'b')).status).toBe(422);
  });

  it('answers 422 for a JSON body reused with other content', async () => {
    const a = await send(`${server.url}/projects`, {
      method: 'POST',
      json: { name: 'fp-a' },
      headers: idem('p-1'),
    });
    expect(a.status).toBe(201);
    const b = await send(`${server.url}/projects`, {
      method: 'POST',
      json: { name: 'fp-b' },
      headers: idem('p-1'),
    });
    expect(b.status).toBe(422);
    const list = await send(`${server.url}/projects`);
    expect(JSON.stringify(list.json)).not.toContain('fp-b');
  });

  it('refuses a key reused for another name even after the resource it created was deleted', async () => {
    const post = (filename: string) => {
      const { body, contentType } = aiohttpMultipart([
        { name: 'resource', value: new Uint8Array([8, 8]), filename },
      ]);
      return send(`${server.url}/resources`, {
        method: 'POST',
        body,
        headers: { 'content-type': contentType, ...idem('deleted-other-1') },
      });
    };
    const first = await post('one.bin');
    expect(first.status).toBe(201);
    expect((await send(`${server.url}/resources/${first.json.id}`, { method: 'DELETE' })).status).toBe(200);
    const other = await post('two.bin');
    expect(other.status).toBe(422);
    expect(other.json.message).toContain("Idempotency-Key 'deleted-other-1'");
  });

  it('does not replay a deleted resource: the key then creates afresh', async () => {
    const post = () => {
      const { body, contentType } = aiohttpMultipart([
        { name: 'resource', value: new Uint8Array([4, 5, 6]), filename: 'gone.bin' },
      ]);
      return send(`${server.url}/resources`, {
        method: 'POST',
        body,
        headers: { 'content-type': contentType, ...idem('deleted-1') },
      });
    };
    const first = await post();
    expect(first.status).toBe(201);
    expect((await send(`${server.url}/resources/${first.json.id}`, { method: 'DELETE' })).status).toBe(200);
    const again = await post();
    expect(again.status).toBe(201);
    expect(again.json.id).not.toBe(first.json.id);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect((await send(`${server.url}/resources/${again.json.id}`)).status).toBe(200);
  });
});
