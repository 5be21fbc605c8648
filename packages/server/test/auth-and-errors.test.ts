import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grayPng } from './support/images';
import { captureLog, KEY_A, send, startTestServer, type TestServer, uploadOk } from './support/server';

describe('authentication, routing and the error shape', () => {
  let server: TestServer;
  const log = captureLog();

  beforeAll(async () => {
    server = await startTestServer({ logger: { level: 'debug', stream: log.stream }, prefix: '/api' });
  });
  afterAll(() => server.dispose());

  it('answers 401 with the NestJS-like body when the key is missing or unknown', async () => {
    for (const key of [null, 'not-a-key']) {
      const reply = await send(`${server.url}/projects`, { key });
      expect(reply.status).toBe(401);
      expect(reply.headers['content-type']).toMatch(/^application\/json/);
      expect(reply.json).toEqual({ statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' });
    }
  });

  it('accepts the key and returns JSON with a JSON content type', async () => {
    const reply = await send(`${server.url}/projects`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.json).toEqual({ data: [], totalCount: 0 });
  });

  it('collapses duplicate slashes and ignores a trailing slash (root_url ending in /)', async () => {
    expect((await send(`${server.url}//projects`)).status).toBe(200);
    expect((await send(`${server.url}//resources/channels?offset=0&limit=5000`)).json).toEqual({
      data: [],
      totalCount: '0',
    });
    expect((await send(`${server.url}/projects/`)).status).toBe(200);
  });

  it('serves every route under the configured prefix too', async () => {
    const reply = await send(`${server.url}/api/projects`);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ data: [], totalCount: 0 });
  });

  it('answers unknown routes with 404 whose message avoids the phrase " not found"', async () => {
    const reply = await send(`${server.url}/nothing/here`);
    expect(reply.status).toBe(404);
    expect(reply.json.message).toBe('No route matches GET /nothing/here');
    expect(reply.json.message.toLowerCase()).not.toContain(' not found');
  });

  it('answers missing entities with 404 and a message containing " not found"', async () => {
    const reply = await send(`${server.url}/resources/00000000-0000-4000-8000-000000000000`);
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual({ statusCode: 404, message: 'Resource not found', error: 'Not Found' });
    const malformed = await send(`${server.url}/projects/..%2F..%2Fetc`);
    expect(malformed.status).toBe(404);
    expect(malformed.json.message).toContain('Project not found');
  });

  it('rejects malformed JSON and wrong body types with 400 and a message', async () => {
    const bad = await send(`${server.url}/projects`, {
      method: 'POST',
      body: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/not valid JSON/);
    const notObject = await send(`${server.url}/projects`, { method: 'POST', json: [1, 2] });
    expect(notObject.status).toBe(400);
    expect(notObject.json.message).toBe('body must be a JSON object');
    const noName = await send(`${server.url}/projects`, { method: 'POST', json: { description: 'x' } });
    expect(noName.status).toBe(400);
    expect(noName.json.message).toBe('body.name is required and must be a non-empty string');
  });

  it('rejects bad query values with 400 naming the parameter', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/resources?limit=-1', /'limit' must be a non-negative integer/],
      ['/resources?from=2024-13-40', /'from' is not a valid date/],
      ['/resources?tags=%7Bnope', /'tags' must be JSON/],
      ['/resources?tags=%7B%22items%22%3A5%7D', /'items' must be an array of strings/],
      ['/resources?order_field=size', /order_field must be one of/],
      ['/resources?status=gone', /status must be one of new, inbox, published, archived/],
      ['/resources?ids=maybe', /'ids' must be a boolean/],
      ['/annotationsets?status=done', /status must be one of new, updating, active, completed/],
      ['/annotations?annotation_type=blob', /annotation_type must be one of/],
    ];
    for (const [path, message] of cases) {
      const reply = await send(`${server.url}${path}`);
      expect(reply.status, path).toBe(400);
      expect(reply.json.message, path).toMatch(message);
      expect(reply.json.error).toBe('Bad Request');
    }
  });

  it('never writes the API key to the log, even for failed requests', async () => {
    await uploadOk(server.url, { bytes: grayPng(4, 4), filename: 'a.png', mimetype: 'image/png' });
    await send(`${server.url}/resources`, { key: `${KEY_A}-wrong` });
    await send(`${server.url}/resources/bad-id`);
    const text = log.text();
    expect(text).toContain('incoming request');
    expect(text).not.toContain(KEY_A);
  });
});

describe('configured users and keys', () => {
  it('lists seeded users of the key’s customer and authenticates users that carry their own key', async () => {
    const server = await startTestServer({
      apiKeys: [
        { key: 'admin-key', email: 'admin@c.test', customerId: 'cust-c', firstname: 'Ada', lastname: 'Min' },
      ],
      users: [
        { email: 'annotator@c.test', customerId: 'cust-c', roles: ['annotator'] },
        { email: 'keyed@c.test', customerId: 'cust-c', apiKey: 'keyed-key' },
        { email: 'elsewhere@d.test', customerId: 'cust-d' },
      ],
    });
    try {
      const users = (await send(`${server.url}/users`, { key: 'admin-key' })).json;
      expect(users.map((u: { email: string }) => u.email)).toEqual([
        'admin@c.test',
        'annotator@c.test',
        'keyed@c.test',
      ]);
      expect(users[0]).toMatchObject({
        firstname: 'Ada',
        lastname: 'Min',
        roles: ['admin'],
        customer_id: 'cust-c',
      });
      expect(users[1].roles).toEqual(['annotator']);
      const id = await uploadOk(server.url, {
        bytes: grayPng(2, 2),
        filename: 'k.png',
        mimetype: 'image/png',
        key: 'keyed-key',
      });
      const seen = await send(`${server.url}/resources/${id}`, { key: 'admin-key' });
      expect(seen.json.created_by).toBe('keyed@c.test');
      expect(seen.json.user_info).toEqual({ firstname: null, lastname: null });
    } finally {
      await server.dispose();
    }
  });

  it('generates a stable identity for a plain key', async () => {
    const server = await startTestServer({ apiKeys: ['just-a-key'] });
    try {
      const [user] = (await send(`${server.url}/users`, { key: 'just-a-key' })).json;
      expect(user.email).toMatch(/^user-[0-9a-f]{8}@datamint\.local$/);
      expect(user.customer_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(user.email).not.toContain('just-a-key');
    } finally {
      await server.dispose();
    }
  });
});

describe('lenient body parsing', () => {
  it('treats empty bodies of any content type as no body, and rejects non-JSON bodies with 400', async () => {
    const server = await startTestServer();
    try {
      const id = await uploadOk(server.url, {
        bytes: grayPng(2, 2),
        filename: 'p.png',
        mimetype: 'image/png',
      });
      for (const type of ['text/xml', 'application/x-www-form-urlencoded', 'application/json']) {
        const reply = await send(`${server.url}/resources/${id}/publish`, {
          method: 'POST',
          body: '',
          headers: { 'content-type': type },
        });
        expect(reply.status, type).toBeLessThan(500);
        expect(reply.headers['content-type']).toMatch(/^application\/json/);
      }
      const text = await send(`${server.url}/projects`, {
        method: 'POST',
        body: '{"name": "from text/plain"}',
        headers: { 'content-type': 'text/plain' },
      });
      expect(text.status).toBe(201);
      const junk = await send(`${server.url}/projects`, {
        method: 'POST',
        body: 'name=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(junk.status).toBe(400);
      expect(junk.json.message).toBe('body must be a JSON object');
    } finally {
      await server.dispose();
    }
  });
});
