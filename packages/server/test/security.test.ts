import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grayPng } from './support/images';
import { aiohttpMultipart } from './support/multipart';
import { bodyFor, fillPath, routeName, routeTable } from './support/routes';
import { captureLog, KEY_A, KEY_B, send, startTestServer, type TestServer, upload } from './support/server';

const UNKNOWN = '00000000-0000-4000-8000-00000000abcd';
const UNKNOWN_IDS = {
  resource_id: UNKNOWN,
  project_id: UNKNOWN,
  dataset_id: UNKNOWN,
  annotation_id: UNKNOWN,
  worklist_id: UNKNOWN,
  experiment_id: UNKNOWN,
  frame_index: '0',
  user_id: 'nobody@nowhere.test',
  email: 'nobody@nowhere.test',
  identifier: 'liver',
  token: '00000000-0000-4000-8000-0000000000ff',
  format: 'png',
};

/** The 25 endpoints of spec §7.2 (E1..E25) in the server's path syntax. */
const SPEC_ENDPOINTS = [
  'GET /projects',
  'GET /projects/:project_id',
  'POST /projects',
  'DELETE /projects/:project_id',
  'GET /projects/:project_id/resources',
  'GET /projects/:project_id/annotated_dataset',
  'GET /projects/:project_id/experiments',
  'POST /resources',
  'GET /resources',
  'GET /resources/channels',
  'GET /resources/:resource_id',
  'DELETE /resources/:resource_id',
  'GET /resources/:resource_id/file',
  'GET /resources/:resource_id/frames/:frame_index',
  'POST /resources/:resource_id/publish',
  'GET /datasets',
  'POST /datasets/:dataset_id/resources',
  'GET /users',
  'POST /users',
  'GET /annotations',
  'POST /annotations/:resource_id/annotations',
  'POST /annotations/:resource_id/annotations/:annotation_id/file',
  'GET /annotationsets',
  'GET /annotationsets/:worklist_id',
  'PATCH /annotationsets/:worklist_id',
];

describe('every route: authentication, error shape, logging', () => {
  let server: TestServer;
  const log = captureLog();
  const routes = routeTable();

  beforeAll(async () => {
    server = await startTestServer({ logger: { level: 'trace', stream: log.stream }, prefix: '/api' });
  });
  afterAll(() => server.dispose());

  it('the route table holds all 25 endpoints of the spec checklist', () => {
    const names = routes.map(routeName);
    for (const endpoint of SPEC_ENDPOINTS) expect(names).toContain(endpoint);
    expect(new Set(names).size).toBe(names.length);
  });

  it('answers 401 on every route, with and without the prefix, for a missing, empty or wrong key', async () => {
    for (const route of routes) {
      const path = fillPath(route, UNKNOWN_IDS);
      for (const base of ['', '/api']) {
        // apikey alone, Bearer alone (wrong), and both headers naming different keys.
        const attempts: Array<{ key: string | null; authorization?: string }> = [
          ...[null, '', 'wrong-key', `${KEY_A}x`, KEY_A.toUpperCase()].map((key) => ({ key })),
          { key: null, authorization: 'Bearer wrong-key' },
          { key: null, authorization: `Basic ${KEY_A}` },
          { key: KEY_A, authorization: `Bearer ${KEY_B}` },
        ];
        for (const { key, authorization } of attempts) {
          const request = bodyFor(routeName(route)) ?? {};
          const reply = await send(`${server.url}${base}${path}`, {
            ...request,
            headers: { ...(request.headers ?? {}), ...(authorization ? { authorization } : {}) },
            method: route.method,
            key,
          });
          const label = `${routeName(route)} ${base} key=${String(key)} authorization=${String(authorization)}`;
          expect(reply.status, label).toBe(401);
          expect(reply.headers['content-type'], label).toBe('application/json; charset=utf-8');
          expect(reply.json, label).toEqual({
            statusCode: 401,
            message: 'Unauthorized',
            error: 'Unauthorized',
          });
        }
      }
      // fastify answers HEAD for every GET route: the same hook guards it.
      if (route.method === 'GET') {
        const head = await send(`${server.url}${path}`, { method: 'HEAD', key: 'wrong-key' });
        expect(head.status, `HEAD ${route.path}`).toBe(401);
      }
    }
  });

  it('answers 404 "<Entity> not found" as JSON on every route addressing an unknown id', async () => {
    for (const route of routes.filter((r) => r.params.length > 0)) {
      const reply = await send(`${server.url}${fillPath(route, UNKNOWN_IDS)}`, {
        ...bodyFor(routeName(route)),
        method: route.method,
      });
      const label = routeName(route);
      expect(reply.status, label).toBe(404);
      expect(reply.headers['content-type'], label).toBe('application/json; charset=utf-8');
      expect(reply.json.statusCode, label).toBe(404);
      expect(reply.json.error, label).toBe('Not Found');
      expect(reply.json.message, label).toMatch(/^[A-Z][a-z]+( [a-z]+)? not found/);
    }
  });

  it('answers every listing with non-empty JSON, a JSON content type and no top-level error key', async () => {
    for (const route of routes.filter((r) => r.method === 'GET' && r.params.length === 0)) {
      const reply = await send(`${server.url}${route.path}?offset=0&limit=5000`);
      const label = routeName(route);
      expect(reply.status, label).toBe(200);
      expect(reply.headers['content-type'], label).toBe('application/json; charset=utf-8');
      expect(reply.text.length, label).toBeGreaterThan(0);
      if (!Array.isArray(reply.json)) expect(reply.json, label).not.toHaveProperty('error');
    }
  });

  it('hands out UUID v4 ids and ISO-8601 UTC timestamps with milliseconds everywhere (§7.1.8)', async () => {
    const rid = (await upload(server.url, { bytes: grayPng(2, 2), filename: 'i.png', mimetype: 'image/png' }))
      .json.id;
    const project = (
      await send(`${server.url}/projects`, { method: 'POST', json: { name: 'ids', resource_ids: [rid] } })
    ).json;
    await send(`${server.url}/annotations/${rid}/annotations`, {
      method: 'POST',
      json: [{ identifier: 'l', type: 'label', scope: 'image', annotation_worklist_id: project.worklist_id }],
    });
    await send(`${server.url}/experiments`, {
      method: 'POST',
      json: { name: 'e', dataset_id: project.dataset_id },
    });
    await send(`${server.url}/users`, { method: 'POST', json: { email: 'new@a.test', roles: null } });
    await send(`${server.url}/resources/${rid}/publish`, { method: 'POST' });
    const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
    const seen = { ids: 0, times: 0 };
    const check = (value: unknown, where: string): void => {
      if (Array.isArray(value)) {
        for (const [i, v] of value.entries()) check(v, `${where}[${i}]`);
      } else if (value !== null && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          const path = `${where}.${k}`;
          if ((k === 'id' || k.endsWith('_id')) && k !== 'customer_id' && typeof v === 'string') {
            expect(v, path).toMatch(uuidV4);
            seen.ids++;
          } else if ((k.endsWith('_at') || k === 'published_on') && v !== null && typeof v === 'string') {
            expect(v, path).toMatch(iso);
            seen.times++;
          } else check(v, path);
        }
      }
    };
    for (const path of [
      '/resources',
      '/projects',
      '/datasets',
      '/annotations',
      '/annotationsets',
      '/experiments',
      '/users',
      `/projects/${project.id}/resources`,
      `/projects/${project.id}/experiments`,
    ]) {
      const body = (await send(`${server.url}${path}`)).json;
      check(body, path);
      // The Python SDK raises on an `error` key in a 2xx body or in any element of a 2xx array.
      for (const item of Array.isArray(body) ? body : [body]) expect(item, path).not.toHaveProperty('error');
    }
    expect(seen.ids).toBeGreaterThan(12);
    expect(seen.times).toBeGreaterThan(10);
  });

  it('answers an oversized JSON body with 413 and a message, creating nothing', async () => {
    const huge = JSON.stringify({ name: 'big', description: 'x'.repeat(65 * 1024 * 1024) });
    const reply = await send(`${server.url}/projects`, {
      method: 'POST',
      body: huge,
      headers: { 'content-type': 'application/json' },
    });
    expect(reply.status).toBe(413);
    expect(reply.json).toEqual({
      statusCode: 413,
      message: 'Request body is too large',
      error: 'Payload Too Large',
    });
    const names = (await send(`${server.url}/projects`)).json.data.map((p: { name: string }) => p.name);
    expect(names).not.toContain('big');
  });

  it('never writes an API key, right or wrong, to the log (trace level, every route)', () => {
    const text = log.text();
    expect(text).toContain('incoming request');
    expect(text).toContain('/api/');
    // Plugins that log request headers (multipart at trace level) get the key redacted.
    expect(text).toContain('"apikey":"[redacted]"');
    for (const secret of [KEY_A, KEY_B, 'wrong-key', KEY_A.toUpperCase()]) {
      // Authorization: Bearer is redacted like apikey wherever headers are logged.
      const line = text.split('\n').find((l) => l.includes(secret));
      expect(line, secret).toBeUndefined();
    }
  });
});

/** Every file below the data directory, relative to it. */
async function walk(dir: string, root = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(`${relative(root, full)}/`, ...(await walk(full, root)));
    else out.push(relative(root, full));
  }
  return out;
}

describe('no path traversal from any input', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.dispose());

  it('stores only server-made names, whatever the file names, fields, project names and ids say', async () => {
    const evil = '../../../evil';
    const upload = aiohttpMultipart([
      { name: 'source', value: evil },
      { name: 'resource', value: grayPng(4, 4), contentType: 'image/png', filename: `${evil}.png` },
      { name: 'source_filepath', value: `/etc/../${evil}.png` },
      { name: 'mimetype', value: 'image/png' },
      { name: 'channel', value: evil },
      { name: 'modality', value: evil },
      { name: 'tags', value: `${evil},..\\..\\evil2` },
      { name: 'metadata', value: JSON.stringify({ path: evil }), contentType: 'application/json' },
    ]);
    const created = await send(`${server.url}/resources`, {
      method: 'POST',
      body: upload.body,
      headers: { 'content-type': upload.contentType },
    });
    expect(created.status).toBe(201);
    const rid = created.json.id as string;
    expect(created.json.filename).toBe('evil.png');

    const project = await send(`${server.url}/projects`, {
      method: 'POST',
      json: { name: evil, description: evil, resource_ids: [rid] },
    });
    expect(project.status).toBe(201);
    const [annotation] = (
      await send(`${server.url}/annotations/${rid}/annotations`, {
        method: 'POST',
        json: [
          { identifier: evil, type: 'segmentation', scope: 'frame', frame_index: 0, imported_from: evil },
        ],
      })
    ).json;
    const mask = aiohttpMultipart([
      { name: 'file', value: grayPng(4, 4), contentType: 'image/png', filename: evil },
    ]);
    const attached = await send(`${server.url}/annotations/${rid}/annotations/${annotation}/file`, {
      method: 'POST',
      body: mask.body,
      headers: { 'content-type': mask.contentType },
    });
    expect(attached.status).toBe(201);
    const zip = await send(
      `${server.url}/projects/${project.json.id}/annotated_dataset?all_annotations=True`,
    );
    expect(zip.status).toBe(200);
    expect(zip.headers['content-disposition']).toMatch(
      /^attachment; filename="[A-Za-z0-9_-][A-Za-z0-9._-]*\.zip"$/,
    );

    // Ids in paths: encoded and raw traversal never reach the file system.
    for (const path of [
      `/resources/..%2F..%2F${rid}/file`,
      `/resources/${rid}%2F..%2F..%2Fdatamint.sqlite/file`,
      `/annotations/${rid}/annotations/..%2Fresources/file`,
    ]) {
      const reply = await send(`${server.url}${path}`);
      expect(reply.status, path).toBe(404);
      expect(reply.json.message, path).toContain(' not found');
    }

    const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
    const layout = new RegExp(
      `^(datamint\\.sqlite(-wal|-shm)?|files/|files/(resources|masks)/|files/(resources|masks)/[0-9a-f]{2}/|files/(resources|masks)/[0-9a-f]{2}/${uuid}|tmp/)$`,
    );
    const entries = await walk(server.dataDir);
    for (const entry of entries) expect(entry).toMatch(layout);
    expect(entries).toContain(`files/resources/${rid.slice(0, 2)}/${rid}`);
    expect(entries).toContain(`files/masks/${annotation.slice(0, 2)}/${annotation}`);
    for (const outside of ['evil', 'evil.png', 'evil.zip']) {
      expect(existsSync(join(server.dataDir, '..', outside))).toBe(false);
      expect(existsSync(join(server.dataDir, '..', '..', outside))).toBe(false);
    }
  });
});
