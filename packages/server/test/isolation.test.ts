import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grayPng } from './support/images';
import { bodyFor, fillPath, routeName, routeTable } from './support/routes';
import { KEY_A, KEY_B, send, startTestServer, type TestServer, uploadOk } from './support/server';

describe('two customers never see or change each other’s data', () => {
  let server: TestServer;
  let a: {
    resource: string;
    project: { id: string; dataset_id: string; worklist_id: string };
    annotation: string;
    experiment: string;
  };

  beforeAll(async () => {
    server = await startTestServer();
    const resource = await uploadOk(server.url, {
      bytes: grayPng(4, 4),
      filename: 'secret.png',
      mimetype: 'image/png',
      fields: { channel: 'a-channel', tags: 'a-tag' },
      key: KEY_A,
    });
    const project = (
      await send(`${server.url}/projects`, {
        method: 'POST',
        json: { name: 'Shared name', resource_ids: [resource] },
        key: KEY_A,
      })
    ).json;
    const [annotation] = (
      await send(`${server.url}/annotations/${resource}/annotations`, {
        method: 'POST',
        json: [{ identifier: 'seg', type: 'segmentation', scope: 'frame', frame_index: 0 }],
        key: KEY_A,
      })
    ).json;
    const experiment = (
      await send(`${server.url}/experiments`, {
        method: 'POST',
        json: { name: 'e', dataset_id: project.dataset_id },
        key: KEY_A,
      })
    ).json.id;
    a = { resource, project, annotation, experiment };
  });
  afterAll(() => server.dispose());

  it('B lists nothing of A', async () => {
    const b = (path: string) => send(`${server.url}${path}`, { key: KEY_B });
    expect((await b('/resources?status=')).json).toEqual({
      data: [{ resources: [], totalCount: 0 }],
      totalCount: 0,
    });
    expect((await b('/resources/channels')).json).toEqual({ data: [], totalCount: '0' });
    expect((await b('/projects')).json).toEqual({ data: [], totalCount: 0 });
    expect((await b('/datasets')).json).toEqual({ data: [], totalCount: 0 });
    expect((await b('/annotations')).json).toEqual({ data: [], totalCount: 0 });
    expect((await b('/annotationsets')).json).toEqual({ data: [], totalCount: 0 });
    expect((await b('/experiments')).json).toEqual([]);
    expect((await b('/users')).json.map((u: { email: string }) => u.email)).toEqual(['bob@b.test']);
    expect((await b(`/resources?projectId=${a.project.id}`)).json.data[0].resources).toEqual([]);
    const byName = encodeURIComponent(JSON.stringify({ items: ['Shared name'], filterType: 'union' }));
    expect((await b(`/resources?project=${byName}`)).json.data[0].resources).toEqual([]);
    expect((await b(`/annotations?resource_id=${a.resource}`)).json.data).toEqual([]);
    expect((await b(`/annotations?dataset_id=${a.project.dataset_id}`)).json.data).toEqual([]);
    expect((await b(`/annotations?annotation_worklist_id=${a.project.worklist_id}`)).json.data).toEqual([]);
    // Every listing route, whatever it returns for B, holds nothing that identifies A's data.
    const secrets = [
      a.resource,
      a.project.id,
      a.project.dataset_id,
      a.project.worklist_id,
      a.annotation,
      a.experiment,
      'secret.png',
      'alice@a.test',
      'customer-a',
      'a-channel',
    ];
    for (const route of routeTable().filter((r) => r.method === 'GET' && r.params.length === 0)) {
      const reply = await b(`${route.path}?offset=0&limit=5000`);
      expect(reply.status, route.path).toBe(200);
      for (const secret of secrets) expect(reply.text, `${route.path} leaks ${secret}`).not.toContain(secret);
    }
  });

  it('B cannot read, download, render, publish, delete or annotate A’s entities (404)', async () => {
    // Every route of the server that addresses an entity, with A's ids in every path parameter.
    const aIds = {
      resource_id: a.resource,
      project_id: a.project.id,
      dataset_id: a.project.dataset_id,
      annotation_id: a.annotation,
      worklist_id: a.project.worklist_id,
      experiment_id: a.experiment,
      frame_index: '0',
      user_id: 'alice@a.test',
      email: 'alice@a.test',
      identifier: 'liver',
      token: '00000000-0000-4000-8000-0000000000ff',
      format: 'png',
    };
    const addressed = routeTable().filter((r) => r.params.length > 0);
    expect(addressed.length).toBeGreaterThanOrEqual(24);
    for (const route of addressed) {
      const reply = await send(`${server.url}${fillPath(route, aIds)}`, {
        ...bodyFor(routeName(route)),
        method: route.method,
        key: KEY_B,
      });
      expect(reply.status, routeName(route)).toBe(404);
      expect(reply.json.message, routeName(route)).toContain(' not found');
    }
    // B's own resource cannot be annotated into A's worklist either.
    const own = await uploadOk(server.url, {
      bytes: grayPng(2, 2),
      filename: 'b.png',
      mimetype: 'image/png',
      key: KEY_B,
    });
    const cross = await send(`${server.url}/annotations/${own}/annotations`, {
      method: 'POST',
      json: [
        { identifier: 'x', type: 'label', scope: 'image', annotation_worklist_id: a.project.worklist_id },
      ],
      key: KEY_B,
    });
    expect(cross.status).toBe(404);
    // Nor added to A's dataset, nor A's resource to B's project.
    const bProject = await send(`${server.url}/projects`, {
      method: 'POST',
      json: { name: 'Shared name', resource_ids: [a.resource] },
      key: KEY_B,
    });
    expect(bProject.status).toBe(404);
    const experimentOnA = await send(`${server.url}/experiments`, {
      method: 'POST',
      json: { name: 'x', dataset_id: a.project.dataset_id },
      key: KEY_B,
    });
    expect(experimentOnA.status).toBe(404);
    const sameName = await send(`${server.url}/projects`, {
      method: 'POST',
      json: { name: 'Shared name' },
      key: KEY_B,
    });
    expect(sameName.status).toBe(201);
    const addToOwn = await send(`${server.url}/datasets/${sameName.json.dataset_id}/resources`, {
      method: 'POST',
      json: { resource_ids_to_add: [a.resource], all_files_selected: false },
      key: KEY_B,
    });
    expect(addToOwn.status).toBe(404);
    const addAll = await send(`${server.url}/datasets/${sameName.json.dataset_id}/resources`, {
      method: 'POST',
      json: { resource_ids_to_add: [], all_files_selected: true },
      key: KEY_B,
    });
    expect(addAll.status).toBe(200);
    const bMembers = await send(`${server.url}/resources?projectId=${sameName.json.id}`, { key: KEY_B });
    expect(bMembers.json.data[0].resources.map((r: { id: string }) => r.id)).toEqual([own]);
  });

  it('A’s data are intact after B’s attempts', async () => {
    const r = (await send(`${server.url}/resources/${a.resource}`, { key: KEY_A })).json;
    expect(r).toMatchObject({ status: 'inbox', deleted: false, filename: 'secret.png', tags: ['a-tag'] });
    expect(r.projects).toEqual([{ id: a.project.id, name: 'Shared name' }]);
    const experiment = (await send(`${server.url}/experiments/${a.experiment}`, { key: KEY_A })).json;
    expect(experiment).toMatchObject({ name: 'e', result_summary: null });
    expect((await send(`${server.url}/experiments/${a.experiment}/log`, { key: KEY_A })).json).toEqual([]);
    const maskFile = await send(`${server.url}/annotations/${a.resource}/annotations/${a.annotation}/file`, {
      key: KEY_A,
    });
    expect(maskFile.json.message).toBe('Annotation file not found: no mask was attached to this annotation');
    expect((await send(`${server.url}/projects/${a.project.id}`, { key: KEY_A })).json.name).toBe(
      'Shared name',
    );
    expect(
      (await send(`${server.url}/annotationsets/${a.project.worklist_id}`, { key: KEY_A })).json.status,
    ).toBe('new');
    expect((await send(`${server.url}/annotations`, { key: KEY_A })).json.totalCount).toBe(1);
  });
});
