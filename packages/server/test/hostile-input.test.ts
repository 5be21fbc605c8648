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
