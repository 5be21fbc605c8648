import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grayPng } from './support/images';
import { aiohttpMultipart } from './support/multipart';
import { fillPath, routeName, routeTable } from './support/routes';
import { type Reply, send, startTestServer, type TestServer, uploadOk } from './support/server';

/** Deterministic pseudo-random generator so failures replay. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const JUNK_VALUES: unknown[] = [
  null,
  0,
  -1,
  1.5,
  '',
  'x',
  '../../etc/passwd',
  '%00',
  true,
  [],
  [null],
  [1, 'a', {}],
  {},
  { items: 5 },
  'a'.repeat(5000),
  { points: 'no' },
  '00000000-0000-4000-8000-000000000000',
];
const QUERY_JUNK = [
  '',
  'True',
  'maybe',
  '-5',
  '1e9',
  '2024-02-30',
  '{"items":',
  '{"items":[1]}',
  '%ZZ',
  '9'.repeat(30),
  'null',
];

function expectClientError(reply: Reply, what: string): void {
  expect(reply.status, `${what} -> ${reply.status} ${reply.text.slice(0, 200)}`).toBeLessThan(500);
  if (reply.status >= 400) {
    expect(reply.headers['content-type'], what).toMatch(/^application\/json/);
    expect(typeof reply.json.message, what).toBe('string');
  }
}

describe('bad input never causes a 500', () => {
  let server: TestServer;
  let rid: string;
  let project: { id: string; dataset_id: string; worklist_id: string };
  let annotation: string;
  let experiment: string;
  /** Real ids for every path parameter, so route handlers get past their lookups. */
  const realIds = () => ({
    resource_id: rid,
    project_id: project.id,
    dataset_id: project.dataset_id,
    worklist_id: project.worklist_id,
    annotation_id: annotation,
    experiment_id: experiment,
    frame_index: '0',
    user_id: 'alice@a.test',
    email: 'alice@a.test',
    identifier: 'liver',
    token: '00000000-0000-4000-8000-0000000000ff',
    format: 'png',
  });

  beforeAll(async () => {
    server = await startTestServer();
    rid = await uploadOk(server.url, { bytes: grayPng(4, 4), filename: 'a.png', mimetype: 'image/png' });
    project = (
      await send(`${server.url}/projects`, { method: 'POST', json: { name: 'P', resource_ids: [rid] } })
    ).json;
    [annotation] = (
      await send(`${server.url}/annotations/${rid}/annotations`, {
        method: 'POST',
        json: [{ identifier: 's', type: 'segmentation', scope: 'frame', frame_index: 0 }],
      })
    ).json;
    experiment = (
      await send(`${server.url}/experiments`, {
        method: 'POST',
        json: { name: 'e', dataset_id: project.dataset_id },
      })
    ).json.id;
  });
  afterAll(() => server.dispose());

  /** Every route that reads a JSON body, from the server's route table (multipart routes excluded). */
  const MULTIPART = new Set([
    'POST /resources',
    'POST /annotations/:resource_id/annotations/:annotation_id/file',
    'POST /annotations/:resource_id/segmentations/file',
  ]);
  const jsonRoutes = () =>
    routeTable()
      .filter((r) => r.method !== 'GET' && r.method !== 'DELETE' && !MULTIPART.has(routeName(r)))
      .map((r) => [r.method, fillPath(r, realIds())] as const);

  it('JSON bodies of the wrong shape at every level', async () => {
    const random = rng(42);
    const fields = [
      'name',
      'description',
      'resource_ids',
      'annotation_set',
      'resource_ids_to_add',
      'all_files_selected',
      'email',
      'password',
      'roles',
      'identifier',
      'type',
      'scope',
      'frame_index',
      'value',
      'geometry',
      'annotation_worklist_id',
      'is_model',
      'model_id',
      'status',
      'frame_labels',
      'annotations',
      'dataset_id',
      'environment',
      'tags',
      'result_summary',
      'completed_at',
    ];
    expect(jsonRoutes().length).toBeGreaterThanOrEqual(12);
    for (const [method, path] of jsonRoutes()) {
      for (const value of JUNK_VALUES) {
        expectClientError(
          await send(`${server.url}${path}`, { method, json: value }),
          `${method} ${path} ${JSON.stringify(value)}`,
        );
      }
      for (let n = 0; n < 40; n++) {
        const body: Record<string, unknown> = {};
        for (const f of fields)
          if (random() < 0.4) body[f] = JUNK_VALUES[Math.floor(random() * JUNK_VALUES.length)];
        const payload = path.includes('/annotations/') ? [body] : body;
        expectClientError(
          await send(`${server.url}${path}`, { method, json: payload }),
          `${method} ${path} ${JSON.stringify(payload).slice(0, 300)}`,
        );
      }
      const malformed = await send(`${server.url}${path}`, {
        method,
        body: '{"a": [1, 2',
        headers: { 'content-type': 'application/json' },
      });
      expect(malformed.status).toBe(400);
    }
  });

  it('junk in every query parameter of every listing', async () => {
    const random = rng(7);
    const listings: Array<[string, string[]]> = [
      [
        '/resources',
        [
          'from',
          'to',
          'status',
          'modality',
          'mimetype',
          'ids',
          'order_field',
          'order_by_asc',
          'channel_name',
          'projectId',
          'filename',
          'project',
          'tags',
          'offset',
          'limit',
        ],
      ],
      ['/resources/channels', ['offset', 'limit']],
      [
        '/annotations',
        [
          'resource_id',
          'annotation_type',
          'annotatorEmail',
          'from',
          'to',
          'dataset_id',
          'annotation_worklist_id',
          'status',
          'load_ai_segmentations',
          'offset',
          'limit',
        ],
      ],
      ['/annotationsets', ['status', 'offset', 'limit']],
      [`/projects/${project.id}/resources`, ['offset', 'limit']],
      [`/projects/${project.id}/annotated_dataset`, ['all_annotations', 'include_unannotated']],
    ];
    for (const [path, params] of listings) {
      for (let n = 0; n < 30; n++) {
        const q = params
          .filter(() => random() < 0.5)
          .map((p) => `${p}=${encodeURIComponent(QUERY_JUNK[Math.floor(random() * QUERY_JUNK.length)])}`)
          .join('&');
        expectClientError(await send(`${server.url}${path}?${q}`), `GET ${path}?${q}`);
      }
      expectClientError(await send(`${server.url}${path}?offset=1&offset=2`), `${path} repeated`);
    }
  });

  it('junk path segments on every entity route', async () => {
    const ids = [
      'x',
      '..',
      '%2e%2e',
      '00000000-0000-4000-8000-00000000000Z',
      'a'.repeat(300),
      rid.toUpperCase(),
    ];
    for (const id of ids) {
      const e = encodeURIComponent(id);
      // Every addressed route of the server, with the junk in each path parameter in turn.
      const routes: Array<[string, string]> = [];
      for (const route of routeTable()) {
        for (const param of route.params) {
          routes.push([route.method, fillPath(route, { ...realIds(), [param]: e })]);
        }
      }
      for (const [method, path] of routes) {
        const reply = await send(`${server.url}${path}`, {
          method: method as 'GET',
          json: method === 'GET' || method === 'DELETE' ? undefined : {},
        });
        expectClientError(reply, `${method} ${path}`);
      }
    }
  });

  it('malformed multipart bodies on both upload routes', async () => {
    const good = aiohttpMultipart([{ name: 'resource', value: new Uint8Array(100), filename: 'f' }]);
    const bodies: Array<[string, Buffer]> = [
      ['no boundary', Buffer.from('--x\r\n')],
      ['truncated', good.body.subarray(0, 60)],
      ['no closing', good.body.subarray(0, good.body.length - 10)],
      ['garbage', Buffer.from('\u0000\u0001\u0002 not multipart at all')],
      ['empty', Buffer.alloc(0)],
    ];
    for (const path of ['/resources', `/annotations/${rid}/annotations/${annotation}/file`]) {
      for (const [what, body] of bodies) {
        for (const contentType of [
          good.contentType,
          'multipart/form-data',
          'multipart/form-data; boundary=',
        ]) {
          const reply = await send(`${server.url}${path}`, {
            method: 'POST',
            body,
            headers: { 'content-type': contentType },
          });
          expectClientError(reply, `${path} ${what} ${contentType}`);
        }
      }
    }
  });
});
