import { gzipSync } from 'node:zlib';
import { decode, encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDicom } from './support/dicom';
import { grayPng } from './support/images';
import { aiohttpMultipart } from './support/multipart';
import { frameCategories, imageCategory } from './support/sdk-payloads';
import { KEY_A, type Reply, send, startTestServer, type TestServer } from './support/server';
import { readZip } from './support/zip';

/**
 * The acceptance scenarios of spec §7.3, replayed as the raw HTTP sequences the unmodified Python SDK
 * v1.4.1 sends (request lines, query spellings, multipart layout and JSON bodies as captured in the
 * spec), checking what the SDK reads from each reply.
 */
describe('spec §7.3 acceptance scenarios over raw HTTP', () => {
  let server: TestServer;
  let root: string;
  const ids: Record<string, string> = {};
  let project: { id: string; name: string; dataset_id: string; worklist_id: string };

  beforeAll(async () => {
    server = await startTestServer();
    root = server.url;
  });
  afterAll(() => server.dispose());

  /** requests-style GET: the SDK parses JSON whatever the content type, so also check it. */
  async function sdkGet(path: string): Promise<Reply> {
    const reply = await send(`${root}${path}`, {
      headers: { accept: '*/*', 'user-agent': 'python-requests/2.28.1' },
    });
    expect(reply.status, path).toBeLessThan(400);
    return reply;
  }

  /** The async path requires application/json and a non-null body (aiohttp). */
  function expectAiohttpJson(reply: Reply): void {
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    expect(reply.json).not.toBeNull();
    expect(reply.json).not.toHaveProperty('error');
  }

  async function sdkUpload(file: {
    bytes: Uint8Array;
    path: string;
    mimetype?: string;
    channel?: string;
    modality?: string;
    tags?: string[];
  }): Promise<string> {
    const parts = [
      { name: 'source', value: 'api' },
      {
        name: 'resource',
        value: file.bytes,
        contentType: file.mimetype ?? 'application/octet-stream',
        filename: file.path.split('/').pop()!,
      },
      { name: 'source_filepath', value: file.path },
      ...(file.mimetype ? [{ name: 'mimetype', value: file.mimetype }] : []),
      ...(file.channel ? [{ name: 'channel', value: file.channel }] : []),
      ...(file.modality ? [{ name: 'modality', value: file.modality }] : []),
      ...(file.tags?.length ? [{ name: 'tags', value: file.tags.join(',') }] : []),
    ];
    const { body, contentType } = aiohttpMultipart(parts);
    const reply = await send(`${root}/resources`, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType, 'user-agent': 'Python/3.11 aiohttp/3.8.4' },
    });
    expect(reply.status).toBe(201);
    expectAiohttpJson(reply);
    return reply.json.id;
  }

  /** get_resources: pages of 5000 until a short page; reads data[0].resources only. */
  async function getResources(params: Record<string, string>): Promise<Array<{ id: string }>> {
    const out: Array<{ id: string }> = [];
    for (let offset = 0; ; offset += 5000) {
      const q = new URLSearchParams({
        status: '',
        ...params,
        ids: 'False',
        offset: String(offset),
        limit: '5000',
      });
      const page = (await sdkGet(`/resources?${q.toString().replace(/%20/g, '+')}`)).json.data[0].resources;
      out.push(...page);
      if (page.length < 5000) return out;
    }
  }

  const union = (items: string[]) =>
    JSON.stringify({ items, filterType: 'union' }).replace(/,"/g, ', "').replace(/":/g, '": ');

  /** get_project_by_name: E1 then first project whose name or id matches. */
  async function projectByName(name: string) {
    return (await sdkGet('/projects')).json.data.find(
      (p: { name: string; id: string }) => p.name === name || p.id === name,
    );
  }

  it('1. constructs the handler with and without a trailing slash (E1, //projects)', async () => {
    expect(Array.isArray((await sdkGet('/projects')).json.data)).toBe(true);
    root = `${server.url}/`;
    expect(Array.isArray((await sdkGet('/projects')).json.data)).toBe(true);
    root = server.url;
  });

  it('2. uploads png, mp4, dcm, nii.gz with channel/tags/modality, then filters', async () => {
    const common = { channel: 'c', tags: ['a', 'b'], modality: 'CT' };
    ids.png = await sdkUpload({
      bytes: grayPng(8, 8),
      path: 'data/scan part-of-name.png',
      mimetype: 'image/png',
      ...common,
    });
    ids.mp4 = await sdkUpload({
      bytes: new Uint8Array([0, 0, 0, 32, 102, 116, 121, 112]),
      path: 'data/clip.mp4',
      mimetype: 'video/mp4',
      ...common,
    });
    const dcm = makeDicom({ rows: 8, columns: 8, frames: 3, pixel: (f, i) => f * 64 + i, modality: 'MR' });
    ids.dcm = await sdkUpload({
      bytes: dcm,
      path: 'data/multi.dcm',
      mimetype: 'application/dicom',
      ...common,
    });
    ids.nii = await sdkUpload({
      bytes: gzipSync(Buffer.alloc(352)),
      path: 'data/vol.nii.gz',
      mimetype: 'application/x-nifti',
      ...common,
    });
    const all = [ids.png, ids.mp4, ids.dcm, ids.nii];

    const sorted = (list: Array<{ id: string }>) => list.map((r) => r.id).sort();
    expect(sorted(await getResources({ channel_name: 'c' }))).toEqual([...all].sort());
    expect(sorted(await getResources({ tags: union(['a']) }))).toEqual([...all].sort());
    expect(sorted(await getResources({ status: 'inbox' }))).toEqual([...all].sort());
    expect(sorted(await getResources({ mimetype: 'video/mp4' }))).toEqual([ids.mp4]);
    expect(sorted(await getResources({ filename: 'part-of-name' }))).toEqual([ids.png]);
    expect(await getResources({ status: 'archived' })).toEqual([]);
    const nii = (await sdkGet(`/resources/${ids.nii}`)).json;
    expect(nii).toMatchObject({ mimetype: 'application/x-nifti', storage: 'NiftiResource', modality: 'CT' });
  });

  it('3. gets by ids, downloads files and a DICOM frame', async () => {
    for (const id of Object.values(ids)) expect((await sdkGet(`/resources/${id}`)).json.id).toBe(id);
    const file = await send(`${root}/resources/${ids.dcm}/file`, {
      headers: { accept: 'application/octet-stream' },
    });
    expect(file.status).toBe(200);
    expect(file.bytes.subarray(128, 132).toString('latin1')).toBe('DICM');
    // download_resource_file(png_id): E13 then E11 for the mimetype.
    const png = await sdkGet(`/resources/${ids.png}/file`);
    expect((await sdkGet(`/resources/${ids.png}`)).json.mimetype).toBe('image/png');
    expect(decode(png.bytes).width).toBe(8);
    // download_resource_frame(dcm, 1): E11 (not image/*, not ImageResource) then E14 needing exactly 200.
    const meta = (await sdkGet(`/resources/${ids.dcm}`)).json;
    expect(meta.mimetype.startsWith('image/') || meta.storage === 'ImageResource').toBe(false);
    const frame = await send(`${root}/resources/${ids.dcm}/frames/1`, { headers: { accept: 'image/png' } });
    expect(frame.status).toBe(200);
    const image = decode(frame.bytes);
    expect([image.width, image.height]).toEqual([8, 8]);
  });

  it('4. creates a project, resolves it, uploads with publish_to, filters by project, re-publish only warns', async () => {
    const created = await send(`${root}/projects`, {
      method: 'POST',
      json: {
        name: 'P',
        is_active_learning: false,
        resource_ids: [ids.dcm],
        annotation_set: {
          annotators: [],
          resource_ids: [ids.dcm],
          annotations: [],
          frame_labels: [],
          image_labels: [],
        },
        two_up_display: false,
        require_review: false,
        description: 'd',
      },
    });
    expect(created.status).toBe(201);
    expect(created.json).not.toHaveProperty('error');
    project = await projectByName('P');
    expect(project.id).toBe(created.json.id);
    expect((await sdkGet(`/projects/${project.id}`)).json.name).toBe('P');

    // upload_resources(file, publish_to='P'): E8, E15, E1, E17.
    ids.published = await sdkUpload({ bytes: grayPng(4, 4), path: 'late.png', mimetype: 'image/png' });
    expect((await send(`${root}/resources/${ids.published}/publish`, { method: 'POST' })).status).toBe(200);
    const target = await projectByName('P');
    const add = await send(`${root}/datasets/${target.dataset_id}/resources`, {
      method: 'POST',
      json: { resource_ids_to_add: [ids.published], all_files_selected: false },
    });
    expect(add.status).toBe(200);
    expect((await getResources({ project: union(['P']) })).map((r) => r.id)).toContain(ids.published);
    expect((await getResources({ projectId: project.id })).map((r) => r.id)).toContain(ids.published);

    // publish_resources(already_published_id): 400 containing the exact text -> SDK warns and continues.
    const again = await send(`${root}/resources/${ids.published}/publish`, { method: 'POST' });
    expect(again.status).toBe(400);
    expect(again.text).toContain('Resource must be in inbox status to be approved');
  });

  it('5. adds category, frame category, label, line and segmentation annotations and lists them', async () => {
    const rid = ids.dcm;
    const worklistId = (await projectByName('P')).worklist_id;
    const post = async (body: unknown[]) => {
      const reply = await send(`${root}/annotations/${rid}/annotations`, { method: 'POST', json: body });
      expect(reply.status).toBe(201);
      expectAiohttpJson(reply);
      expect(reply.json).toHaveLength(body.length);
      return reply.json as string[];
    };
    await post([imageCategory('fracture', 'yes', worklistId)]);
    await post(frameCategories([0, 1, 2], 'phase', 'arterial'));
    await post([
      {
        identifier: 'lbl',
        value: null,
        scope: 'image',
        annotation_worklist_id: null,
        imported_from: null,
        import_author: null,
        type: 'label',
      },
    ]);
    await post([
      {
        type: 'line',
        identifier: 'Line1',
        scope: 'frame',
        frame_index: 0,
        annotation_worklist_id: worklistId,
        geometry: {
          points: [
            [0, 0, 0],
            [10, 30, 0],
          ],
        },
        is_model: false,
      },
    ]);
    // upload_segmentations(rid, mask HxWxF, name={1: 'Femur', 2: 'Tibia'}): per frame E21 (async) + E22 per label.
    const frames = 3;
    let segmentations = 0;
    for (let f = 0; f < frames; f++) {
      const names = ['Femur', 'Tibia'];
      const segIds = await post(
        names.map((name) => ({ type: 'segmentation', identifier: name, scope: 'frame', frame_index: f })),
      );
      for (const [k, id] of segIds.entries()) {
        // The DICOM is 8x8: an RGB 0/255 mask of the same size, as the Python SDK encodes it.
        const rgb = new Uint8Array(8 * 8 * 3);
        rgb.fill(255, 0, (k + 1) * 24);
        const png = encode({ width: 8, height: 8, data: rgb, channels: 3, depth: 8 });
        const { body, contentType } = aiohttpMultipart([
          { name: 'file', value: png, contentType: 'image/png', filename: names[k] },
        ]);
        const reply = await send(`${root}/annotations/${rid}/annotations/${id}/file`, {
          method: 'POST',
          body,
          headers: { 'content-type': contentType },
        });
        expect(reply.status).toBe(201);
        expectAiohttpJson(reply);
        segmentations++;
      }
    }
    const list = async (query: string) => {
      const out: Array<{
        type: string;
        name: string;
        annotation_worklist_id: string | null;
        file: string | null;
      }> = [];
      for (let offset = 0; ; offset += 5000) {
        const page = (await sdkGet(`/annotations?${query}&offset=${offset}&limit=5000`)).json.data;
        out.push(...page);
        if (page.length < 5000) return out;
      }
    };
    const all = await list(`resource_id=${rid}`);
    expect(all).toHaveLength(1 + 3 + 1 + 1 + segmentations);
    const segs = await list(`resource_id=${rid}&annotation_type=segmentation`);
    expect(segs.map((a) => a.name)).toEqual(['Femur', 'Tibia', 'Femur', 'Tibia', 'Femur', 'Tibia']);
    expect(segs.every((a) => a.file !== null)).toBe(true);
    expect((await list(`annotation_worklist_id=${worklistId}`)).map((a) => a.name)).toEqual([
      'fracture',
      'Line1',
    ]);
  });

  it('6. channels, datasets, users, worklists and experiments', async () => {
    const channels = (await sdkGet('/resources/channels?offset=0&limit=5000')).json.data;
    expect(channels.map((c: { channel_name: string | null }) => c.channel_name).sort()).toEqual(
      ['c', 'Unknown'].sort(),
    );
    expect((await sdkGet('/datasets')).json.data.map((d: { id: string }) => d.id)).toContain(
      project.dataset_id,
    );
    expect(Array.isArray((await sdkGet('/users')).json)).toBe(true);
    const user = await send(`${root}/users`, {
      method: 'POST',
      json: { email: 'x@y.z', password: null, firstname: null, lastname: null, roles: null },
    });
    expect(user.status).toBe(201);
    const worklists = (await sdkGet('/annotationsets?offset=0&limit=5000')).json.data;
    expect(worklists.map((w: { id: string }) => w.id)).toContain(project.worklist_id);
    expect((await sdkGet(`/annotationsets/${project.worklist_id}`)).json.id).toBe(project.worklist_id);
    const patch = await send(`${root}/annotationsets/${project.worklist_id}`, {
      method: 'PATCH',
      json: { status: 'active' },
    });
    expect(patch.status).toBe(200);
    expect((await sdkGet('/annotationsets?status=active&offset=0&limit=5000')).json.data).toHaveLength(1);
    const experiments = (await sdkGet(`/projects/${project.id}/experiments`)).json;
    expect(experiments.find((e: { name: string }) => e.name === 'none')).toBeUndefined();
  });

  it('7. downloads the project as a readable ZIP', async () => {
    const reply = await sdkGet(`/projects/${project.id}/annotated_dataset?all_annotations=False`);
    expect(reply.headers['content-type']).toBe('application/zip');
    expect(Number(reply.headers['content-length'])).toBe(reply.bytes.length);
    const entries = readZip(reply.bytes);
    const manifest = JSON.parse(entries.get('dataset.json')!.toString('utf8'));
    expect(manifest.resources.map((r: { id: string }) => r.id)).toEqual([ids.dcm]);
    expect(manifest.resources[0].annotations.map((a: { name: string }) => a.name)).toEqual([
      'fracture',
      'Line1',
    ]);
    const withAll = await sdkGet(
      `/projects/${project.id}/annotated_dataset?all_annotations=True&include_unannotated=True`,
    );
    const allEntries = readZip(withAll.bytes);
    const full = JSON.parse(allEntries.get('dataset.json')!.toString('utf8'));
    expect(full.resources.map((r: { id: string }) => r.id)).toEqual([ids.dcm, ids.published]);
    expect(full.resources[0].annotations).toHaveLength(12);
    const masks = [...allEntries.keys()].filter((name) => name.startsWith('masks/'));
    expect(masks).toHaveLength(6);
  });

  it('8. deletes a resource (then not found) and the project', async () => {
    expect((await send(`${root}/resources/${ids.mp4}`, { method: 'DELETE' })).status).toBe(200);
    const gone = await send(`${root}/resources/${ids.mp4}`);
    expect(gone.status).toBe(404);
    expect(gone.json.message.toLowerCase()).toContain(' not found');
    expect((await send(`${root}/projects/${project.id}`, { method: 'DELETE' })).status).toBe(200);
    expect(await projectByName('P')).toBeUndefined();
  });

  it('9. a CLI-style directory upload with tag, channel and publish succeeds for every file', async () => {
    const files = ['dir/a.png', 'dir/b.png', 'dir/sub/c.png'];
    const uploaded: string[] = [];
    for (const path of files) {
      uploaded.push(
        await sdkUpload({ bytes: grayPng(2, 2), path, mimetype: 'image/png', channel: 'c', tags: ['t'] }),
      );
    }
    for (const id of uploaded)
      expect((await send(`${root}/resources/${id}/publish`, { method: 'POST', key: KEY_A })).status).toBe(
        200,
      );
    const published = await getResources({ status: 'published', tags: union(['t']) });
    expect(published.map((r) => r.id).sort()).toEqual([...uploaded].sort());
  });
});
