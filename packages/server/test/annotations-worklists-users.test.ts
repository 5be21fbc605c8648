import { decode } from 'fast-png';
import { FormData } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grayPng } from './support/images';
import { aiohttpMultipart } from './support/multipart';
import { frameCategories, imageCategory } from './support/sdk-payloads';
import { send, startTestServer, type TestServer, uploadOk } from './support/server';

describe('annotations, worklists, users', () => {
  let server: TestServer;
  let rid: string;
  let project: { id: string; worklist_id: string; dataset_id: string };
  beforeAll(async () => {
    server = await startTestServer();
    rid = await uploadOk(server.url, { bytes: grayPng(4, 4), filename: 'a.png', mimetype: 'image/png' });
    project = (
      await send(`${server.url}/projects`, {
        method: 'POST',
        json: { name: 'P', resource_ids: [rid], annotation_set: { resource_ids: [rid] }, description: null },
      })
    ).json;
  });
  afterAll(() => server.dispose());

  const post = (body: unknown, resource = rid) =>
    send(`${server.url}/annotations/${resource}/annotations`, { method: 'POST', json: body });

  it('creates annotations from the SDK payloads and returns their ids in request order', async () => {
    const category = await post([imageCategory('fracture', 'yes', project.worklist_id)]);
    expect(category.status).toBe(201);
    expect(category.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(category.json).toHaveLength(1);
    const frames = await post(frameCategories([0, 1, 2], 'phase', 'arterial', 'importer@x.test'));
    expect(frames.json).toHaveLength(3);
    const line = await post([
      {
        type: 'line',
        identifier: 'Line1',
        scope: 'frame',
        geometry: {
          points: [
            [0, 0, null],
            [10, 30, null],
          ],
        },
        is_model: false,
      },
    ]);
    expect(line.status).toBe(201);
    expect((await post([])).json).toEqual([]);

    const listed = (await send(`${server.url}/annotations?resource_id=${rid}&offset=0&limit=5000`)).json;
    expect(listed.totalCount).toBe(5);
    expect(listed.data.map((a: { id: string }) => a.id)).toEqual([
      ...category.json,
      ...frames.json,
      ...line.json,
    ]);
    expect(listed.data[0]).toMatchObject({
      resource_id: rid,
      name: 'fracture',
      type: 'category',
      scope: 'image',
      index: null,
      value: 'yes',
      annotation_worklist_id: project.worklist_id,
      added_by: 'alice@a.test',
      status: 'new',
      is_model: false,
      file: null,
    });
    expect(listed.data[1]).toMatchObject({
      index: 0,
      added_by: 'importer@x.test',
      import_author: 'importer@x.test',
    });
    expect(listed.data[4].geometry).toEqual({
      points: [
        [0, 0, null],
        [10, 30, null],
      ],
    });
  });

  it('filters annotations by type, author, worklist, dataset, status, dates and AI segmentations', async () => {
    const ids = async (query: string) =>
      (await send(`${server.url}/annotations?${query}`)).json.data.map((a: { name: string }) => a.name);
    expect(await ids(`resource_id=${rid}&annotation_type=line`)).toEqual(['Line1']);
    expect(await ids('annotatorEmail=importer%40x.test')).toEqual(['phase', 'phase', 'phase']);
    expect(await ids(`annotation_worklist_id=${project.worklist_id}`)).toEqual(['fracture']);
    expect(await ids(`dataset_id=${project.dataset_id}&annotation_type=category&status=new`)).toHaveLength(4);
    expect(await ids('status=published')).toEqual([]);
    expect(await ids('from=2000-01-01&to=2000-01-02')).toEqual([]);
    expect(await ids('offset=1&limit=2')).toEqual(['phase', 'phase']);
    // Dates: whole UTC days, inclusive; ISO date-times as Python's isoformat() sends them.
    const created = (await send(`${server.url}/annotations?limit=1`)).json.data[0].created_at as string;
    const day = created.slice(0, 10);
    const nextDay = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    expect(await ids(`from=${day}&to=${day}`)).toHaveLength(5);
    expect(await ids(`from=${nextDay}`)).toEqual([]);
    expect(await ids(`to=${encodeURIComponent(`${day}T00:00:00`)}`)).toEqual([]);
    expect(await ids(`from=${encodeURIComponent(`${day}T00:00:00.000000+00:00`)}`)).toHaveLength(5);
    // dataset_id: annotations on resources outside the dataset are left out.
    const outside = await uploadOk(server.url, {
      bytes: grayPng(4, 4),
      filename: 'o.png',
      mimetype: 'image/png',
    });
    await post([{ identifier: 'elsewhere', type: 'label', scope: 'image' }], outside);
    expect(await ids(`dataset_id=${project.dataset_id}`)).not.toContain('elsewhere');
    expect(await ids(`resource_id=${outside}`)).toEqual(['elsewhere']);
    expect(await ids('annotation_type=label')).toEqual(['elsewhere']);

    const ai = await post([
      {
        type: 'segmentation',
        identifier: 'Liver',
        scope: 'frame',
        frame_index: 7,
        is_model: true,
        model_id: 'm1',
      },
    ]);
    expect(ai.status).toBe(201);
    expect(await ids('annotation_type=segmentation')).toEqual([]);
    expect(await ids('annotation_type=segmentation&load_ai_segmentations=False')).toEqual([]);
    expect(await ids('annotation_type=segmentation&load_ai_segmentations=True')).toEqual(['Liver']);
  });

  it('validates annotation payloads with messages naming the element and field', async () => {
    const cases: Array<[unknown, number, string]> = [
      [{ identifier: 'x' }, 400, 'body must be a JSON array'],
      [
        [{ type: 'category', scope: 'image' }],
        400,
        'body[0].identifier is required and must be a non-empty string',
      ],
      [
        [{ identifier: 'x', type: 'blob', scope: 'image' }],
        400,
        "body[0].type must be one of segmentation, area, distance, angle, point, line, region, square, circle, category, label, integer, float, got 'blob'",
      ],
      [
        [{ identifier: 'x', type: 'label', scope: 'series' }],
        400,
        "body[0].scope must be one of image, frame, got 'series'",
      ],
      [
        [{ identifier: 'x', type: 'label', scope: 'frame', frame_index: -1 }],
        400,
        'body[0].frame_index must be a non-negative integer, got -1',
      ],
      [
        [{ identifier: 'x', type: 'line', scope: 'frame', geometry: [1] }],
        400,
        'body[0].geometry must be an object such as {"points": [[x, y, z], ...]}',
      ],
      [
        [
          {
            identifier: 'x',
            type: 'label',
            scope: 'image',
            annotation_worklist_id: '00000000-0000-4000-8000-000000000000',
          },
        ],
        404,
        'Annotation worklist not found: 00000000-0000-4000-8000-000000000000',
      ],
    ];
    for (const [body, status, message] of cases) {
      const reply = await post(body);
      expect(reply.status, message).toBe(status);
      expect(reply.json.message).toBe(message);
    }
    const noResource = await post([], '00000000-0000-4000-8000-000000000000');
    expect(noResource.status).toBe(404);
    expect(noResource.json.message).toBe('Resource not found');
  });

  it('attaches a mask PNG (aiohttp layout, name without extension) and serves it back', async () => {
    const [id] = (await post([{ type: 'segmentation', identifier: 'Femur', scope: 'frame', frame_index: 0 }]))
      .json;
    const mask = grayPng(4, 4);
    const { body, contentType } = aiohttpMultipart([
      { name: 'file', value: mask, contentType: 'image/png', filename: 'Femur' },
    ]);
    const reply = await send(`${server.url}/annotations/${rid}/annotations/${id}/file`, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType },
    });
    expect(reply.status).toBe(201);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.json).toMatchObject({ id, file: `/annotations/${rid}/annotations/${id}/file` });
    const back = await send(`${server.url}/annotations/${rid}/annotations/${id}/file`);
    expect(back.headers['content-type']).toBe('image/png');
    expect(decode(back.bytes).width).toBe(4);
    expect(Buffer.compare(back.bytes, Buffer.from(mask))).toBe(0);

    // Mismatched resource, unknown annotation, missing file part.
    const other = await uploadOk(server.url, {
      bytes: grayPng(1, 1),
      filename: 'o.png',
      mimetype: 'image/png',
    });
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(mask)], { type: 'image/png' }), 'Femur');
    const mismatch = await send(`${server.url}/annotations/${other}/annotations/${id}/file`, {
      method: 'POST',
      body: form,
    });
    expect(mismatch.status).toBe(404);
    expect(mismatch.json.message).toBe('Annotation not found');
    const empty = aiohttpMultipart([{ name: 'note', value: 'x' }]);
    const noFile = await send(`${server.url}/annotations/${rid}/annotations/${id}/file`, {
      method: 'POST',
      body: empty.body,
      headers: { 'content-type': empty.contentType },
    });
    expect(noFile.status).toBe(400);
    expect(noFile.json.message).toBe("missing file part 'file' in the multipart body");
  });

  it('validates masks with @datamint/segmentation: readable PNG of the resource frame size', async () => {
    const [id] = (await post([{ type: 'segmentation', identifier: 'Tibia', scope: 'frame', frame_index: 0 }]))
      .json;
    const attach = async (value: Uint8Array) => {
      const { body, contentType } = aiohttpMultipart([
        { name: 'file', value, contentType: 'image/png', filename: 'Tibia' },
      ]);
      return send(`${server.url}/annotations/${rid}/annotations/${id}/file`, {
        method: 'POST',
        body,
        headers: { 'content-type': contentType },
      });
    };
    const wrongSize = await attach(grayPng(5, 4));
    expect(wrongSize.status).toBe(400);
    expect(wrongSize.json.message).toMatch(
      /^mask rejected: "Tibia" \(5 columns x 4 rows x 1 frames\) does not match the target resource: width 5 != Columns 4/,
    );
    const notPng = await attach(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(notPng.status).toBe(400);
    expect(notPng.json.message).toMatch(/neither a PNG nor a NIfTI file/);
    expect(
      (
        await send(`${server.url}/annotations?resource_id=${rid}&annotation_type=segmentation`)
      ).json.data.find((a: { id: string }) => a.id === id).file,
    ).toBeNull();
  });

  it('deletes an annotation (then hidden from listings)', async () => {
    const [id] = (await post([{ type: 'label', identifier: 'tmp', scope: 'image' }])).json;
    expect((await send(`${server.url}/annotations/${id}`, { method: 'DELETE' })).json).toEqual({});
    const names = (await send(`${server.url}/annotations?resource_id=${rid}`)).json.data.map(
      (a: { id: string }) => a.id,
    );
    expect(names).not.toContain(id);
  });

  it('lists, gets and patches worklists', async () => {
    const list = await send(`${server.url}/annotationsets?offset=0&limit=5000`);
    expect(list.json.data.map((w: { id: string }) => w.id)).toEqual([project.worklist_id]);
    expect((await send(`${server.url}/annotationsets?status=active`)).json.data).toEqual([]);
    const patched = await send(`${server.url}/annotationsets/${project.worklist_id}`, {
      method: 'PATCH',
      json: {
        status: 'active',
        frame_labels: ['f2'],
        image_labels: ['i2'],
        annotations: [{ x: 1 }],
        name: 'renamed',
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({
      status: 'active',
      frame_labels: ['f2'],
      image_labels: ['i2'],
      annotations: [{ x: 1 }],
      name: 'renamed',
    });
    expect((await send(`${server.url}/annotationsets?status=active`)).json.data).toHaveLength(1);
    const get = async () => (await send(`${server.url}/annotationsets/${project.worklist_id}`)).json;
    const afterFull = await get();
    expect(afterFull).toEqual(patched.json);
    // {} (the SDK's call with nothing set) changes nothing.
    const empty = await send(`${server.url}/annotationsets/${project.worklist_id}`, {
      method: 'PATCH',
      json: {},
    });
    expect(empty.status).toBe(200);
    const { updated_at: _u1, ...before } = afterFull;
    const { updated_at: _u2, ...unchanged } = await get();
    expect(unchanged).toEqual(before);
    // One key: only that key changes; a given array replaces the old one wholesale.
    await send(`${server.url}/annotationsets/${project.worklist_id}`, {
      method: 'PATCH',
      json: { status: 'completed', frame_labels: [] },
    });
    expect(await get()).toMatchObject({
      status: 'completed',
      frame_labels: [],
      image_labels: ['i2'],
      annotations: [{ x: 1 }],
      name: 'renamed',
    });
    expect((await send(`${server.url}/annotationsets?status=completed`)).json.data).toHaveLength(1);
    expect((await send(`${server.url}/annotationsets?status=active`)).json.data).toHaveLength(0);
    const bad = await send(`${server.url}/annotationsets/${project.worklist_id}`, {
      method: 'PATCH',
      json: { status: 'done' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe("body.status must be one of new, updating, active, completed, got 'done'");
    const missing = await send(`${server.url}/annotationsets/00000000-0000-4000-8000-000000000000`);
    expect(missing.status).toBe(404);
    expect(missing.json.message).toBe('Annotation worklist not found');
  });

  it('lists the customer users and creates new ones (null fields accepted, duplicates 409)', async () => {
    const before = (await send(`${server.url}/users`)).json;
    expect(Array.isArray(before)).toBe(true);
    expect(before.map((u: { email: string }) => u.email)).toEqual(['alice@a.test']);
    const created = await send(`${server.url}/users`, {
      method: 'POST',
      json: { email: 'u@x.com', password: null, firstname: null, lastname: null, roles: ['admin'] },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      email: 'u@x.com',
      roles: ['admin'],
      firstname: null,
      customer_id: 'customer-a',
    });
    expect(created.json).not.toHaveProperty('password');
    expect(created.json).not.toHaveProperty('password_hash');
    const withPassword = await send(`${server.url}/users`, {
      method: 'POST',
      json: { email: 'p@x.com', password: 'secret', firstname: 'P', lastname: 'Q', roles: null },
    });
    expect(withPassword.json.roles).toEqual([]);
    expect(withPassword.text).not.toContain('secret');
    const dup = await send(`${server.url}/users`, {
      method: 'POST',
      json: { email: 'u@x.com', roles: null },
    });
    expect(dup.status).toBe(409);
    expect(dup.json.message).toBe('User already exists');
    const noEmail = await send(`${server.url}/users`, { method: 'POST', json: { email: null } });
    expect(noEmail.status).toBe(400);
    expect(noEmail.json.message).toBe('body.email is required and must be an email address, got null');
    expect((await send(`${server.url}/users`)).json).toHaveLength(3);
  });
});
