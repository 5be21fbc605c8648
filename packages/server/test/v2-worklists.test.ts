import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotationSchema, worklistSchema } from '../src/schemas/entities';
import { expectEntity } from './support/entities';
import { grayPng } from './support/images';
import { aiohttpMultipart } from './support/multipart';
import { KEY_B, send, startTestServer, type TestServer, uploadOk } from './support/server';

describe('current platform API: worklist (annotation set) routes', () => {
  let server: TestServer;
  const rids: string[] = [];
  let wl: string;
  const w = (path = '') => `${server.url}/annotationsets/${wl}${path}`;

  beforeAll(async () => {
    server = await startTestServer();
    for (let i = 0; i < 3; i++) {
      rids.push(
        await uploadOk(server.url, { bytes: grayPng(4, 4), filename: `w${i}.png`, mimetype: 'image/png' }),
      );
    }
  });
  afterAll(() => server.dispose());

  it('creates a worklist with the SDK body and answers the worklist entity', async () => {
    const reply = await send(`${server.url}/annotationsets`, {
      method: 'POST',
      json: {
        name: 'WL',
        resource_ids: [rids[0], rids[1]],
        description: 'd',
        annotations: [
          { type: 'category', identifier: 'quality', required: true, scope: 'image', values: ['a', 'b'] },
        ],
        annotators: [{ email: 'alice@a.test', expertise_level: 'expert' }],
        segmentation_data: {
          segmentationValueType: 'single_label',
          definitions: [{ identifier: 'liver', color: '#ff0000', index: 1 }],
        },
        viewable_ai_annotations: ['x'],
      },
    });
    expect(reply.status).toBe(201);
    expectEntity(reply.json, worklistSchema);
    expect(reply.json).toMatchObject({
      name: 'WL',
      resource_ids: [rids[0], rids[1]],
      annotators: [{ email: 'alice@a.test', status: 'active', expertise_level: 'expert' }],
      viewable_ai_annotations: ['x'],
    });
    wl = reply.json.id;
    expectEntity((await send(w())).json, worklistSchema);
    const bad = await send(`${server.url}/annotationsets`, { method: 'POST', json: { name: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('resource_ids');
    const badLevel = await send(`${server.url}/annotationsets`, {
      method: 'POST',
      json: { name: 'x', resource_ids: [], annotators: [{ email: 'a@x', expertise_level: 'guru' }] },
    });
    expect(badLevel.status).toBe(400);
    expect(badLevel.json.message).toContain('expertise_level');
    const foreign = await send(`${server.url}/annotationsets`, {
      method: 'POST',
      json: { name: 'x', resource_ids: [rids[0]] },
      key: KEY_B,
    });
    expect(foreign.status).toBe(404);
  });

  it('patches arbitrary fields (unknown ones kept)', async () => {
    const reply = await send(w(), { method: 'PATCH', json: { name: 'WL2', color: 'teal' } });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ name: 'WL2', color: 'teal' });
  });

  it('reads, replaces, deletes and uploads the segmentation group', async () => {
    expect((await send(w('/segmentation-group'))).json).toEqual({
      groups: { liver: { identifier: 'liver', color: '#ff0000', index: 1 } },
      segmentationValueType: 'single_label',
    });
    const [annotation] = (
      await send(`${server.url}/annotations/${rids[0]}/annotations`, {
        method: 'POST',
        json: [
          {
            type: 'segmentation',
            identifier: 'liver',
            scope: 'frame',
            frame_index: 0,
            annotation_worklist_id: wl,
          },
        ],
      })
    ).json;
    const put = await send(w('/segmentation-group'), {
      method: 'PUT',
      json: {
        segmentationData: {
          segmentationValueType: 'multi_label',
          definitions: [
            { identifier: 'hepar', color: '#ff0000', index: 1 },
            { identifier: 'tumor', color: '#00ff00', index: 2 },
          ],
        },
        renames: [{ from: 'liver', to: 'hepar' }],
      },
    });
    expect(put.status).toBe(200);
    expect(Object.keys(put.json.groups)).toEqual(['hepar', 'tumor']);
    expect((await send(`${server.url}/annotations/${annotation}`)).json.identifier).toBe('hepar');
    expect((await send(w('/segmentation-group/tumor'), { method: 'DELETE' })).json.groups).toEqual({
      hepar: { identifier: 'hepar', color: '#ff0000', index: 1 },
    });
    expect((await send(w('/segmentation-group/tumor'), { method: 'DELETE' })).status).toBe(404);
    const csv = aiohttpMultipart([
      { name: 'replace_existing', value: 'false' },
      {
        name: 'file',
        value: new TextEncoder().encode('identifier,color,index\nkidney,#0000ff,3\n'),
        filename: 'g.csv',
        contentType: 'text/csv',
      },
    ]);
    const uploaded = await send(w('/segmentation-group/upload'), {
      method: 'POST',
      body: csv.body,
      headers: { 'content-type': csv.contentType },
    });
    expect(uploaded.status).toBe(200);
    expect(uploaded.json.groups).toMatchObject({
      hepar: { index: 1 },
      kidney: { index: 3, color: '#0000ff' },
    });
    const yaml = aiohttpMultipart([
      {
        name: 'file',
        value: new TextEncoder().encode('- identifier: x\n'),
        filename: 'g.yaml',
        contentType: 'application/x-yaml',
      },
    ]);
    const rejected = await send(w('/segmentation-group/upload'), {
      method: 'POST',
      body: yaml.body,
      headers: { 'content-type': yaml.contentType },
    });
    expect(rejected.status).toBe(400);
    expect(rejected.json.message).toContain('YAML');
  });

  it('manages annotators, resources, statuses and their reset', async () => {
    const set = await send(w('/annotators/ann@a.test'), {
      method: 'POST',
      json: { status: 'frozen', expertise_level: 'learner' },
    });
    expect(set.json).toEqual({ email: 'ann@a.test', status: 'frozen', expertise_level: 'learner' });
    expect(
      (await send(w('/annotators/ann@a.test'), { method: 'POST', json: { status: 'sleepy' } })).status,
    ).toBe(400);
    const added = await send(w('/resources'), {
      method: 'POST',
      json: { resource_ids_to_add: [rids[2]], resource_ids_to_delete: [rids[1]] },
    });
    expect(added.json.resource_ids).toEqual([rids[0], rids[2]]);
    const status = await send(w(`/resources/${rids[0]}/status`), {
      method: 'POST',
      json: { status: 'revision_request', annotator: 'ann@a.test', message: 'redo the border' },
    });
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({ status: 'revision_request', annotator: 'ann@a.test' });
    expect(
      (await send(w(`/resources/${rids[1]}/status`), { method: 'POST', json: { status: 'closed' } })).status,
    ).toBe(404);
    const statuses = await send(w('/annotation-statuses?user_id=ann@a.test'));
    expect(statuses.json.map((s: { resource_id: string }) => s.resource_id)).toEqual([rids[0]]);
    const user = await send(w('/users/ann@a.test'));
    expect(user.json).toMatchObject({
      email: 'ann@a.test',
      status: 'frozen',
      resources: [{ status: 'revision_request' }],
    });
    expect((await send(w('/users/nobody@a.test'))).status).toBe(404);
    const reset = await send(w(`/resources/${rids[0]}/annotator/ann@a.test/status-reset`), {
      method: 'DELETE',
    });
    expect(reset.json).toEqual({ reset: 1 });
    expect((await send(w('/annotators/ann@a.test'), { method: 'DELETE' })).status).toBe(200);
    expect((await send(w('/annotators/ann@a.test'), { method: 'DELETE' })).status).toBe(404);
  });

  it('lists a resource’s annotations, segmentations and AI segmentations, uploads annotations, computes statistics', async () => {
    await send(`${server.url}/annotations/${rids[0]}/annotations`, {
      method: 'POST',
      json: [
        { type: 'category', identifier: 'quality', scope: 'image', value: 'a', annotation_worklist_id: wl },
        { type: 'segmentation', identifier: 'ai', scope: 'frame', frame_index: 0, model_id: 'm' },
      ],
    });
    const all = await send(w(`/resources/${rids[0]}/annotations?all=true`));
    expectEntity(all.json, { type: 'array', items: annotationSchema });
    expect(all.json.map((a: { identifier: string }) => a.identifier)).toEqual(['hepar', 'quality', 'ai']);
    const own = await send(w(`/resources/${rids[0]}/annotations?all=false`));
    expect(own.json.map((a: { identifier: string }) => a.identifier)).toEqual(['hepar', 'quality']);
    const segs = await send(w(`/resources/${rids[0]}/segmentations?all=true&annotator=alice@a.test`));
    expect(segs.json.map((a: { identifier: string }) => a.identifier)).toEqual(['hepar', 'ai']);
    const ai = await send(w(`/resources/${rids[0]}/ai_segmentations`));
    expect(ai.json.map((a: { identifier: string }) => a.identifier)).toEqual(['ai']);
    const form = aiohttpMultipart([
      {
        name: 'payload',
        value: JSON.stringify([{ identifier: 'drawn', frame_index: 0, width: 4, height: 4 }]),
      },
      { name: 'images', value: grayPng(4, 4), filename: 'drawn.png', contentType: 'image/png' },
    ]);
    const uploaded = await send(w(`/resources/${rids[0]}/segmentations`), {
      method: 'POST',
      body: form.body,
      headers: { 'content-type': form.contentType },
    });
    expect(uploaded.status).toBe(200);
    expect(uploaded.json).toHaveLength(1);
    const mask = await send(`${server.url}/annotations/${rids[0]}/annotations/${uploaded.json[0]}/file`);
    expect(mask.status).toBe(200);
    expect(Buffer.compare(mask.bytes, Buffer.from(grayPng(4, 4)))).toBe(0);
    const stats = await send(w('/annotations-statistic'));
    expect(stats.json).toEqual(
      expect.arrayContaining([{ identifier: 'quality', type: 'category', count: 1, resources_count: 1 }]),
    );
    const annotators = await send(w('/annotators-statistic?email=alice@a.test'));
    expect(annotators.json[0]).toMatchObject({ email: 'alice@a.test', annotations_count: 4 });
    const csv = await send(w('/download-annotations?format=csv&annotations%5B%5D=quality'));
    expect(csv.text.trimEnd().split('\r\n')).toHaveLength(2);
    const excel = await send(w('/download-annotations?format=excel'));
    expect(excel.bytes.subarray(0, 2).toString('latin1')).toBe('PK');
  });
});
