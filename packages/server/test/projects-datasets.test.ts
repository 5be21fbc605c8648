import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grayPng } from './support/images';
import { send, startTestServer, type TestServer, uploadOk } from './support/server';

/** The body the Python SDK's create_project sends (spec §4.3). */
function createBody(name: string, ids: string[], description = 'desc') {
  return {
    name,
    is_active_learning: false,
    resource_ids: ids,
    annotation_set: {
      annotators: [],
      resource_ids: ids,
      annotations: [],
      frame_labels: ['f'],
      image_labels: ['i'],
    },
    two_up_display: false,
    require_review: false,
    description,
  };
}

describe('projects and datasets', () => {
  let server: TestServer;
  let r1: string;
  let r2: string;
  beforeAll(async () => {
    server = await startTestServer();
    r1 = await uploadOk(server.url, { bytes: grayPng(2, 2), filename: 'r1.png', mimetype: 'image/png' });
    r2 = await uploadOk(server.url, { bytes: grayPng(2, 2), filename: 'r2.png', mimetype: 'image/png' });
  });
  afterAll(() => server.dispose());

  it('creates a project with its dataset and worklist, then finds it by id, in the list and by resource filters', async () => {
    const created = await send(`${server.url}/projects`, { method: 'POST', json: createBody('P', [r1]) });
    expect(created.status).toBe(201);
    const p = created.json;
    expect(p).toMatchObject({
      name: 'P',
      description: 'desc',
      created_by: 'alice@a.test',
      resource_count: '1',
      annotated_resource_count: '0',
      resources_to_annotate_count: 1,
      most_recent_experiment: null,
    });
    expect(p.dataset_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(p.worklist_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await send(`${server.url}/projects/${p.id}`)).json).toEqual(p);
    expect((await send(`${server.url}/projects`)).json.data.map((x: { id: string }) => x.id)).toEqual([p.id]);

    const worklist = (await send(`${server.url}/annotationsets/${p.worklist_id}`)).json;
    expect(worklist).toMatchObject({
      id: p.worklist_id,
      name: 'P',
      status: 'new',
      frame_labels: ['f'],
      image_labels: ['i'],
    });
    expect(worklist.resource_ids).toEqual([r1]);

    const datasets = (await send(`${server.url}/datasets`)).json.data;
    expect(datasets).toHaveLength(1);
    expect(datasets[0]).toMatchObject({ id: p.dataset_id, name: 'P', total_resource: 1, resource_ids: [r1] });
    expect(datasets[0].updated_at).toMatch(/Z$/);

    const byId = await send(`${server.url}/resources?projectId=${p.id}`);
    expect(byId.json.data[0].resources.map((r: { id: string }) => r.id)).toEqual([r1]);
    const byName = await send(
      `${server.url}/resources?project=${encodeURIComponent(JSON.stringify({ items: ['P'], filterType: 'union' }))}`,
    );
    expect(byName.json.data[0].resources.map((r: { id: string }) => r.id)).toEqual([r1]);
    expect(byName.json.data[0].resources[0].projects).toEqual([{ id: p.id, name: 'P' }]);

    const asArray = await send(`${server.url}/projects/${p.id}/resources`);
    expect(Array.isArray(asArray.json)).toBe(true);
    expect(asArray.json.map((r: { id: string }) => r.id)).toEqual([r1]);
    expect((await send(`${server.url}/projects/${p.id}/experiments`)).json).toEqual([]);
  });

  it('adds resources to a dataset idempotently, and the project and its worklist follow', async () => {
    const p = (await send(`${server.url}/projects`, { method: 'POST', json: createBody('Q', []) })).json;
    for (let i = 0; i < 2; i++) {
      const reply = await send(`${server.url}/datasets/${p.dataset_id}/resources`, {
        method: 'POST',
        json: { resource_ids_to_add: [r1, r2], all_files_selected: false },
      });
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual({});
    }
    expect((await send(`${server.url}/projects/${p.id}`)).json.resource_count).toBe('2');
    expect((await send(`${server.url}/annotationsets/${p.worklist_id}`)).json.resource_ids).toEqual([r1, r2]);
    expect((await send(`${server.url}/datasets/${p.dataset_id}`)).json.resource_ids).toEqual([r1, r2]);
    const missing = await send(`${server.url}/datasets/${p.dataset_id}/resources`, {
      method: 'POST',
      json: { resource_ids_to_add: ['00000000-0000-4000-8000-00000000dead'] },
    });
    expect(missing.status).toBe(404);
    expect(missing.json.message).toBe('Resource not found: 00000000-0000-4000-8000-00000000dead');
    const noDataset = await send(`${server.url}/datasets/00000000-0000-4000-8000-000000000000/resources`, {
      method: 'POST',
      json: { resource_ids_to_add: [r1] },
    });
    expect(noDataset.status).toBe(404);
    expect(noDataset.json.message).toBe('Dataset not found');
    const badBody = await send(`${server.url}/datasets/${p.dataset_id}/resources`, {
      method: 'POST',
      json: { resource_ids_to_add: 'r1' },
    });
    expect(badBody.status).toBe(400);
    expect(badBody.json.message).toBe('body.resource_ids_to_add must be an array of strings');
  });

  it('rejects duplicate names with 409, unknown resources with 404 and bad bodies with 400', async () => {
    await send(`${server.url}/projects`, { method: 'POST', json: createBody('Dup', []) });
    const dup = await send(`${server.url}/projects`, { method: 'POST', json: createBody('Dup', []) });
    expect(dup.status).toBe(409);
    expect(dup.json.message).toBe('Project name already exists');
    const unknown = await send(`${server.url}/projects`, {
      method: 'POST',
      json: createBody('U', ['00000000-0000-4000-8000-000000000009']),
    });
    expect(unknown.status).toBe(404);
    const bad = await send(`${server.url}/projects`, {
      method: 'POST',
      json: { ...createBody('B', []), annotation_set: { frame_labels: 'x' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe('body.annotation_set.frame_labels must be an array of strings');
  });

  it('deletes a project (keeping its resources) and then answers 404 "Project not found"', async () => {
    const p = (await send(`${server.url}/projects`, { method: 'POST', json: createBody('Gone', [r2]) })).json;
    const del = await send(`${server.url}/projects/${p.id}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(del.json).toEqual({});
    for (const path of [
      `/projects/${p.id}`,
      `/projects/${p.id}/resources`,
      `/projects/${p.id}/annotated_dataset`,
    ]) {
      const reply = await send(`${server.url}${path}`);
      expect(reply.status, path).toBe(404);
      expect(reply.json.message).toBe('Project not found');
    }
    expect((await send(`${server.url}/projects/${p.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await send(`${server.url}/resources/${r2}`)).status).toBe(200);
    // The name is free again.
    expect(
      (await send(`${server.url}/projects`, { method: 'POST', json: createBody('Gone', []) })).status,
    ).toBe(201);
  });

  it('lists experiments of the project dataset (created through POST /experiments)', async () => {
    const p = (await send(`${server.url}/projects`, { method: 'POST', json: createBody('Exp', []) })).json;
    const created = await send(`${server.url}/experiments`, {
      method: 'POST',
      json: { dataset_id: p.dataset_id, name: 'run-1', description: 'd', environment: { python: '3.11' } },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'run-1', dataset_id: p.dataset_id, completed_at: null });
    const list = (await send(`${server.url}/projects/${p.id}/experiments`)).json;
    expect(list.map((e: { name: string }) => e.name)).toEqual(['run-1']);
    expect(list[0].created_at).toMatch(/Z$/);
    expect((await send(`${server.url}/experiments/${created.json.id}`)).json.environment).toEqual({
      python: '3.11',
    });
    const noDataset = await send(`${server.url}/experiments`, {
      method: 'POST',
      json: { dataset_id: '00000000-0000-4000-8000-000000000000', name: 'x' },
    });
    expect(noDataset.status).toBe(404);
  });

  it('sets resource tags, per-project resource status and experiment logs (endpoints outside the seed)', async () => {
    const tagged = await send(`${server.url}/resources/${r1}/tags`, {
      method: 'PUT',
      json: { tags: ['x', ' y ', 'x', ''] },
    });
    expect(tagged.status).toBe(200);
    expect(tagged.json.tags).toEqual(['x', 'y']);
    const byTag = await send(
      `${server.url}/resources?tags=${encodeURIComponent(JSON.stringify({ items: ['y'] }))}`,
    );
    expect(byTag.json.data[0].resources.map((r: { id: string }) => r.id)).toEqual([r1]);

    const p = (
      await send(`${server.url}/projects`, { method: 'POST', json: { name: 'Status', resource_ids: [r1] } })
    ).json;
    expect(p.closed_resources_count).toBe('0');
    const closed = await send(`${server.url}/projects/${p.id}/resources/${r1}/status`, {
      method: 'POST',
      json: { status: 'closed' },
    });
    expect(closed.status).toBe(200);
    expect((await send(`${server.url}/projects/${p.id}`)).json.closed_resources_count).toBe('1');
    const bad = await send(`${server.url}/projects/${p.id}/resources/${r1}/status`, {
      method: 'POST',
      json: { status: 'done' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe("body.status must be one of opened, annotated, closed, got 'done'");
    const outside = await send(`${server.url}/projects/${p.id}/resources/${r2}/status`, {
      method: 'POST',
      json: { status: 'opened' },
    });
    expect(outside.status).toBe(404);
    expect(outside.json.message).toBe('Resource not found: not in this project');

    const exp = (
      await send(`${server.url}/experiments`, {
        method: 'POST',
        json: { name: 'e', dataset_id: p.dataset_id },
      })
    ).json;
    expect(
      (
        await send(`${server.url}/experiments/${exp.id}/log`, {
          method: 'POST',
          json: { epoch: 1, loss: 0.5 },
        })
      ).status,
    ).toBe(201);
    await send(`${server.url}/experiments/${exp.id}/log`, { method: 'POST', json: { epoch: 2, loss: 0.25 } });
    expect((await send(`${server.url}/experiments/${exp.id}/log`)).json).toEqual([
      { epoch: 1, loss: 0.5 },
      { epoch: 2, loss: 0.25 },
    ]);
    await send(`${server.url}/experiments/${exp.id}/summary`, {
      method: 'POST',
      json: { result_summary: { acc: 0.9 } },
    });
    const patched = await send(`${server.url}/experiments/${exp.id}`, {
      method: 'PATCH',
      json: { name: 'renamed', completed_at: '2025-01-01T00:00:00.000Z' },
    });
    expect(patched.json).toMatchObject({
      name: 'renamed',
      result_summary: { acc: 0.9 },
      completed_at: '2025-01-01T00:00:00.000Z',
    });
  });
});

describe('GET /resources project filters', () => {
  it('project (JSON names, union or intersection, case-sensitive) and projectId (any case)', async () => {
    const server = await startTestServer();
    try {
      const up = (name: string) =>
        uploadOk(server.url, { bytes: grayPng(2, 2), filename: name, mimetype: 'image/png' });
      const [both, onlyX, none] = [await up('both.png'), await up('x.png'), await up('none.png')];
      const x = (
        await send(`${server.url}/projects`, { method: 'POST', json: createBody('X', [both, onlyX]) })
      ).json;
      await send(`${server.url}/projects`, { method: 'POST', json: createBody('Y y', [both]) });
      const list = async (query: string) =>
        (await send(`${server.url}/resources?status=&ids=False&${query}`)).json.data[0].resources.map(
          (r: { id: string }) => r.id,
        );
      // Python's json.dumps spelling, urlencoded with '+' for spaces.
      const py = (items: string[], type: string) =>
        `project=${encodeURIComponent(`{"items": [${items.map((i) => `"${i}"`).join(', ')}], "filterType": "${type}"}`).replace(/%20/g, '+')}`;
      expect(await list(py(['X'], 'union'))).toEqual([onlyX, both]);
      expect(await list(py(['Y y'], 'union'))).toEqual([both]);
      expect(await list(py(['X', 'Y y'], 'union'))).toEqual([onlyX, both]);
      expect(await list(py(['X', 'Y y'], 'intersection'))).toEqual([both]);
      expect(await list(py(['x'], 'union'))).toEqual([]);
      expect(await list(py([], 'union'))).toEqual([none, onlyX, both]);
      expect(await list(`projectId=${x.id.toUpperCase()}`)).toEqual([onlyX, both]);
      expect(await list(`projectId=${x.id}&${py(['Y y'], 'union')}`)).toEqual([both]);
      expect(await list('projectId=00000000-0000-4000-8000-000000000000')).toEqual([]);
    } finally {
      await server.dispose();
    }
  });
});

describe('Idempotency-Key on the other creating POSTs', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.dispose());

  const post = (path: string, json: unknown, key: string) =>
    send(`${server.url}${path}`, { method: 'POST', json, headers: { 'idempotency-key': key } });

  it('replays POST /projects, POST /users and POST /annotations/:rid/annotations', async () => {
    const first = await post('/projects', { name: 'Once' }, 'k-project');
    const again = await post('/projects', { name: 'Once' }, 'k-project');
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.json.id).toBe(first.json.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((await post('/projects', { name: 'Once' }, 'k-other')).status).toBe(409);

    const u1 = await post('/users', { email: 'once@x.test' }, 'k-user');
    const u2 = await post('/users', { email: 'once@x.test' }, 'k-user');
    expect(u2.status).toBe(201);
    expect(u2.json.id).toBe(u1.json.id);

    const rid = await uploadOk(server.url, {
      bytes: grayPng(2, 2),
      filename: 'a.png',
      mimetype: 'image/png',
    });
    const body = [
      { identifier: 'l', type: 'label', scope: 'image' },
      { identifier: 'm', type: 'label', scope: 'image' },
    ];
    const a1 = await post(`/annotations/${rid}/annotations`, body, 'k-ann');
    const a2 = await post(`/annotations/${rid}/annotations`, body, 'k-ann');
    expect(a2.json).toEqual(a1.json);
    expect((await send(`${server.url}/annotations?resource_id=${rid}`)).json.totalCount).toBe(2);
  });
});
