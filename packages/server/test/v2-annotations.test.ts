import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotationSchema, listOf } from '../src/schemas/entities';
import { expectEntity } from './support/entities';
import { grayPng } from './support/images';
import { aiohttpMultipart } from './support/multipart';
import { makeNifti } from './support/nifti';
import { KEY_B, send, startTestServer, type TestServer, uploadOk } from './support/server';

/** A 4x3x2 label volume: label 1 in frame 0 column 0, label 2 in frame 1 row 2. */
const LABELS = makeNifti([4, 3, 2], (i) => {
  const frame = Math.floor(i / 12);
  const column = i % 4;
  const row = Math.floor((i % 12) / 4);
  if (frame === 0 && column === 0) return 1;
  if (frame === 1 && row === 2) return 2;
  return 0;
});

function volumeUpload(file: Uint8Array, map: string, extra: Array<{ name: string; value: string }> = []) {
  return aiohttpMultipart([
    { name: 'file', value: file, contentType: 'application/nifti', filename: 'segvol.nii.gz' },
    ...extra,
    { name: 'source', value: 'imported' },
    { name: 'segmentation_map', value: map, contentType: 'application/json' },
  ]);
}

describe('current platform API: annotation routes', () => {
  let server: TestServer;
  let r1: string;
  let r2: string;
  let r3: string;
  const search = (json: Record<string, unknown>, key?: string) =>
    send(`${server.url}/annotations/search`, { method: 'POST', json, key });
  const create = async (rid: string, items: Array<Record<string, unknown>>) =>
    (await send(`${server.url}/annotations/${rid}/annotations`, { method: 'POST', json: items }))
      .json as string[];

  beforeAll(async () => {
    server = await startTestServer();
    r1 = await uploadOk(server.url, { bytes: grayPng(4, 3), filename: 'a.png', mimetype: 'image/png' });
    r2 = await uploadOk(server.url, { bytes: grayPng(4, 3), filename: 'b.png', mimetype: 'image/png' });
    r3 = await uploadOk(server.url, { bytes: grayPng(4, 3), filename: 'c.png', mimetype: 'image/png' });
    await create(r1, [
      { value: 'good', type: 'category', identifier: 'quality', scope: 'image', source: 'imported' },
    ]);
    await create(r2, [
      { value: 42, type: 'integer', identifier: 'age', scope: 'image', units: 'years' },
      {
        type: 'segmentation',
        identifier: 'ai',
        scope: 'frame',
        frame_index: 0,
        is_model: true,
        model_id: 'm1',
      },
    ]);
    await create(r3, [{ value: 'bad', type: 'category', identifier: 'quality', scope: 'image' }]);
  });
  afterAll(() => server.dispose());

  it('searches across many resources with the v1.4.1 filters, paging with string offset/limit', async () => {
    const both = await search({ resource_ids: [r1, r2], offset: '0', limit: '5000' });
    expect(both.status).toBe(200);
    expectEntity(both.json, listOf(annotationSchema));
    expect(both.json.data.map((a: { identifier: string }) => a.identifier)).toEqual(['quality', 'age']);
    expect(both.json.totalCount).toBe(2);
    expect(both.json.data[1]).toMatchObject({ resource_id: r2, type: 'integer', annotation_type: 'integer' });
    const withAi = await search({
      resource_ids: [r2],
      load_ai_segmentations: true,
      offset: '0',
      limit: '5000',
    });
    expect(withAi.json.data.map((a: { identifier: string }) => a.identifier)).toEqual(['age', 'ai']);
    const byType = await search({ annotation_type: 'category', offset: '0', limit: '5000' });
    expect(byType.json.data.map((a: { resource_id: string }) => a.resource_id)).toEqual([r1, r3]);
    const one = await search({ resource_id: r3 });
    expect(one.json.data.map((a: { resource_id: string }) => a.resource_id)).toEqual([r3]);
    const page = await search({ annotation_type: 'category', offset: '1', limit: '1' });
    expect(page.json.data.map((a: { resource_id: string }) => a.resource_id)).toEqual([r3]);
    expect(page.json.totalCount).toBe(2);
    const byAuthor = await search({ annotatorEmail: 'alice@a.test', from: '2000-01-01', to: '2999-12-31' });
    expect(byAuthor.json.totalCount).toBe(3);
    expect((await search({ annotatorEmail: 'nobody@x.io' })).json.data).toEqual([]);
    expect((await search({ resource_ids: [r1, r2] }, KEY_B)).json).toEqual({ data: [], totalCount: 0 });
    const badOffset = await search({ offset: 'abc' });
    expect(badOffset.status).toBe(400);
    expect(badOffset.json.message).toContain('offset');
    const badType = await search({ annotation_type: 'polygon' });
    expect(badType.status).toBe(400);
    expect(badType.json.message).toContain('annotation_type');
  });

  it('reads, renames, moves to a project and approves one annotation', async () => {
    const [id] = await create(r1, [{ type: 'label', identifier: 'old', scope: 'image' }]);
    const read = await send(`${server.url}/annotations/${id}`);
    expectEntity(read.json, annotationSchema);
    expect(read.json).toMatchObject({ id, identifier: 'old', name: 'old', status: 'new' });
    const project = (await send(`${server.url}/projects`, { method: 'POST', json: { name: 'AP' } })).json;
    const patched = await send(`${server.url}/annotations/${id}`, {
      method: 'PATCH',
      json: { identifier: 'new', project_id: project.id },
    });
    expect(patched.status).toBe(200);
    expect(patched.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(patched.json).toMatchObject({ identifier: 'new', project_id: project.id });
    const foreignProject = (
      await send(`${server.url}/projects`, { method: 'POST', json: { name: 'BP' }, key: KEY_B })
    ).json;
    const cross = await send(`${server.url}/annotations/${id}`, {
      method: 'PATCH',
      json: { project_id: foreignProject.id },
    });
    expect(cross.status).toBe(404);
    expect(cross.json.message).toContain('Project not found');
    const badName = await send(`${server.url}/annotations/${id}`, {
      method: 'PATCH',
      json: { identifier: 7 },
    });
    expect(badName.status).toBe(400);
    expect(badName.json.message).toContain('identifier');
    const approved = await send(`${server.url}/annotations/${id}/approve`, { method: 'PATCH' });
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({ status: 'published', approved_by: 'alice@a.test' });
    const published = await search({ status: 'published' });
    expect(published.json.data.map((a: { id: string }) => a.id)).toEqual([id]);
  });

  it('deletes a batch of annotations, all or nothing', async () => {
    const ids = await create(r3, [
      { type: 'label', identifier: 'd1', scope: 'image' },
      { type: 'label', identifier: 'd2', scope: 'image' },
    ]);
    const unknown = '00000000-0000-4000-8000-000000000009';
    const partial = await send(`${server.url}/annotations/delete-batch`, {
      method: 'POST',
      json: { ids: [...ids, unknown] },
    });
    expect(partial.status).toBe(404);
    expect(partial.json.message).toBe(`Annotation not found: ${unknown}`);
    expect((await send(`${server.url}/annotations/${ids[0]}`)).status).toBe(200);
    const foreign = await send(`${server.url}/annotations/delete-batch`, {
      method: 'POST',
      json: { ids },
      key: KEY_B,
    });
    expect(foreign.status).toBe(404);
    const done = await send(`${server.url}/annotations/delete-batch`, { method: 'POST', json: { ids } });
    expect(done.json).toEqual({ deleted: 2 });
    for (const id of ids) expect((await send(`${server.url}/annotations/${id}`)).status).toBe(404);
    const noIds = await send(`${server.url}/annotations/delete-batch`, { method: 'POST', json: {} });
    expect(noIds.status).toBe(400);
    expect(noIds.json.message).toContain('ids');
  });

  it('stores a volume segmentation once, one annotation per label, served whole and rendered per frame', async () => {
    const volumeResource = await uploadOk(server.url, {
      bytes: makeNifti([4, 3, 2], (i) => i),
      filename: 'ct.nii',
      mimetype: 'application/x-nifti',
    });
    const { body, contentType } = volumeUpload(
      gzipSync(LABELS),
      '{"1": "liver", "2": "tumor", "3": "absent"}',
    );
    const reply = await send(`${server.url}/annotations/${volumeResource}/segmentations/file`, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType },
    });
    expect(reply.status).toBe(201);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.json).toHaveLength(2);
    const [liver, tumor] = reply.json as string[];
    const found = await search({ resource_id: volumeResource, annotation_type: 'segmentation' });
    expect(found.json.data.map((a: { identifier: string }) => a.identifier)).toEqual(['liver', 'tumor']);
    expect(found.json.data[0]).toMatchObject({
      id: liver,
      class_map: { '1': 'liver', '2': 'tumor', '3': 'absent' },
      label_value: 1,
      source: 'imported',
      scope: 'image',
    });
    // Stored once: both annotations serve the same uploaded bytes from a single file.
    const masks: string[] = [];
    for (const dir of await readdir(join(server.dataDir, 'files', 'masks'))) {
      masks.push(...(await readdir(join(server.dataDir, 'files', 'masks', dir))));
    }
    expect(masks).toHaveLength(1);
    for (const id of [liver, tumor]) {
      const file = await send(`${server.url}/annotations/${volumeResource}/annotations/${id}/file`);
      expect(file.status).toBe(200);
      expect(Buffer.compare(file.bytes, gzipSync(LABELS))).toBe(0);
    }
    const frame0 = await send(`${server.url}/annotations/${volumeResource}/annotations/${liver}/frames/0`);
    expect(frame0.status).toBe(200);
    expect(frame0.headers['content-type']).toBe('image/png');
    const png = decode(frame0.bytes);
    expect([png.width, png.height, png.channels]).toEqual([4, 3, 1]);
    expect(Array.from(png.data)).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0]);
    const tumor1 = decode(
      (await send(`${server.url}/annotations/${volumeResource}/annotations/${tumor}/frames/1`)).bytes,
    );
    expect(Array.from(tumor1.data)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255]);
    const empty = decode(
      (await send(`${server.url}/annotations/${volumeResource}/annotations/${tumor}/frames/0`)).bytes,
    );
    expect(Array.from(empty.data).every((v) => v === 0)).toBe(true);
    const outOfRange = await send(
      `${server.url}/annotations/${volumeResource}/annotations/${tumor}/frames/2`,
    );
    expect(outOfRange.status).toBe(400);
    expect(outOfRange.json.message).toContain('Frame index out of range');
  });

  it('rejects volume segmentations that do not fit the resource or are not NIfTI label volumes (400)', async () => {
    const volumeResource = await uploadOk(server.url, {
      bytes: makeNifti([4, 3, 2], (i) => i),
      filename: 'ct2.nii',
      mimetype: 'application/x-nifti',
    });
    const post = (file: Uint8Array, map: string, rid = volumeResource, key?: string) => {
      const { body, contentType } = volumeUpload(file, map);
      return send(`${server.url}/annotations/${rid}/segmentations/file`, {
        method: 'POST',
        body,
        headers: { 'content-type': contentType },
        key,
      });
    };
    const wrongShape = await post(
      makeNifti([4, 3, 3], () => 1),
      '{"1": "liver"}',
    );
    expect(wrongShape.status).toBe(400);
    expect(wrongShape.json.message).toBe(
      `segmentation volume is 4x3x3 (columns x rows x frames) but resource ${volumeResource} is 4x3x2`,
    );
    const onImage = await post(LABELS, '{"1": "liver"}', r1);
    expect(onImage.status).toBe(400);
    expect(onImage.json.message).toContain('but resource');
    const notNifti = await post(grayPng(4, 3), '{"1": "liver"}');
    expect(notNifti.status).toBe(400);
    expect(notNifti.json.message).toContain('not a single-file NIfTI');
    const badMap = await post(LABELS, '{"one": "liver"}');
    expect(badMap.status).toBe(400);
    expect(badMap.json.message).toContain("segmentation_map key 'one'");
    const noLabel = await post(LABELS, '{"7": "other"}');
    expect(noLabel.status).toBe(400);
    expect(noLabel.json.message).toContain('none of the segmentation_map labels (7)');
    const foreign = await post(LABELS, '{"1": "liver"}', volumeResource, KEY_B);
    expect(foreign.status).toBe(404);
    expect(foreign.json.message).toBe('Resource not found');
    const found = await search({ resource_id: volumeResource });
    expect(found.json.data).toEqual([]);
  });

  it('renders a per-frame PNG mask at its own frame index only', async () => {
    const [id] = await create(r1, [
      { type: 'segmentation', identifier: 'seg', scope: 'frame', frame_index: 0 },
    ]);
    const mask = aiohttpMultipart([
      { name: 'file', value: grayPng(4, 3), contentType: 'image/png', filename: 'seg' },
    ]);
    const attached = await send(`${server.url}/annotations/${r1}/annotations/${id}/file`, {
      method: 'POST',
      body: mask.body,
      headers: { 'content-type': mask.contentType },
    });
    expect(attached.status).toBe(201);
    const frame = await send(`${server.url}/annotations/${r1}/annotations/${id}/frames/0`);
    expect(frame.status).toBe(200);
    expect(decode(frame.bytes).width).toBe(4);
    expect((await send(`${server.url}/annotations/${r1}/annotations/${id}/frames/1`)).status).toBe(400);
  });
});
