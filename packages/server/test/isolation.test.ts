import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grayPng } from './support/images';
import { aiohttpMultipart } from './support/multipart';
import { KEY_A, KEY_B, send, startTestServer, type TestServer, uploadOk } from './support/server';

describe('two customers never see or change each other’s data', () => {
  let server: TestServer;
  let a: {
    resource: string;
    project: { id: string; dataset_id: string; worklist_id: string };
    annotation: string;
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
    await send(`${server.url}/experiments`, {
      method: 'POST',
      json: { name: 'e', dataset_id: project.dataset_id },
      key: KEY_A,
    });
    a = { resource, project, annotation };
  });
  afterAll(() => server.dispose());

  it('B lists nothing of A', async () => {
    const b = (path: string) => send(`${server.url}${path}`, { key: KEY_B });
    expect((await b('/resources?status=')).json).toEqual({
      data: [{ resources: [], totalCount: 0 }],
      totalCount: 0,
    });
    expect((await b('/resources/channels')).json).toEqual({ data: [], totalCount: '0' });
    expect((await b('/projects')).json).toEqual({ data: [] });
    expect((await b('/datasets')).json).toEqual({ data: [] });
    expect((await b('/annotations')).json).toEqual({ data: [], totalCount: 0 });
    expect((await b('/annotationsets')).json).toEqual({ data: [], totalCount: 0 });
    expect((await b('/experiments')).json).toEqual([]);
    expect((await b('/users')).json.map((u: { email: string }) => u.email)).toEqual(['bob@b.test']);
    expect((await b(`/resources?projectId=${a.project.id}`)).json.data[0].resources).toEqual([]);
    const byName = encodeURIComponent(JSON.stringify({ items: ['Shared name'], filterType: 'union' }));
    expect((await b(`/resources?project=${byName}`)).json.data[0].resources).toEqual([]);
    expect((await b(`/annotations?resource_id=${a.resource}`)).json.data).toEqual([]);
  });

  it('B cannot read, download, render, publish, delete or annotate A’s entities (404)', async () => {
    const mask = aiohttpMultipart([
      { name: 'file', value: grayPng(2, 2), contentType: 'image/png', filename: 'seg' },
    ]);
    const attempts: Array<[string, Parameters<typeof send>[1]]> = [
      [`/resources/${a.resource}`, {}],
      [`/resources/${a.resource}/file`, {}],
      [`/resources/${a.resource}/frames/0`, {}],
      [`/resources/${a.resource}/publish`, { method: 'POST' }],
      [`/resources/${a.resource}`, { method: 'DELETE' }],
      [`/projects/${a.project.id}`, {}],
      [`/projects/${a.project.id}/resources`, {}],
      [`/projects/${a.project.id}/annotated_dataset?all_annotations=True`, {}],
      [`/projects/${a.project.id}/experiments`, {}],
      [`/projects/${a.project.id}`, { method: 'DELETE' }],
      [`/datasets/${a.project.dataset_id}`, {}],
      [`/datasets/${a.project.dataset_id}/resources`, { method: 'POST', json: { resource_ids_to_add: [] } }],
      [`/annotationsets/${a.project.worklist_id}`, {}],
      [`/annotationsets/${a.project.worklist_id}`, { method: 'PATCH', json: { status: 'completed' } }],
      [`/annotations/${a.resource}/annotations`, { method: 'POST', json: [] }],
      [
        `/annotations/${a.resource}/annotations/${a.annotation}/file`,
        { method: 'POST', body: mask.body, headers: { 'content-type': mask.contentType } },
      ],
      [`/annotations/${a.resource}/annotations/${a.annotation}/file`, {}],
      [`/annotations/${a.annotation}`, { method: 'DELETE' }],
    ];
    for (const [path, options] of attempts) {
      const reply = await send(`${server.url}${path}`, { ...options, key: KEY_B });
      expect(reply.status, `${options?.method ?? 'GET'} ${path}`).toBe(404);
      expect(reply.json.message).toContain(' not found');
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
    const sameName = await send(`${server.url}/projects`, {
      method: 'POST',
      json: { name: 'Shared name' },
      key: KEY_B,
    });
    expect(sameName.status).toBe(201);
  });

  it('A’s data are intact after B’s attempts', async () => {
    const r = (await send(`${server.url}/resources/${a.resource}`, { key: KEY_A })).json;
    expect(r).toMatchObject({ status: 'inbox', deleted: false, filename: 'secret.png' });
    expect((await send(`${server.url}/projects/${a.project.id}`, { key: KEY_A })).json.name).toBe(
      'Shared name',
    );
    expect(
      (await send(`${server.url}/annotationsets/${a.project.worklist_id}`, { key: KEY_A })).json.status,
    ).toBe('new');
    expect((await send(`${server.url}/annotations`, { key: KEY_A })).json.totalCount).toBe(1);
  });
});
