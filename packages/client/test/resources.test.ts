import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type APIHandler, ResourceNotFoundError, ValidationError } from '../src';
import { grayPng } from './helpers/images';
import { startTestServer, type TestServer } from './helpers/server';

let server: TestServer;
let api: APIHandler;
const ids: string[] = [];
const pngs = [0, 1, 2, 3, 4].map((seed) => grayPng(6 + seed, 5, seed));

beforeAll(async () => {
  server = await startTestServer();
  api = server.api();
  const results = await api.uploadResources(
    pngs.map((data, i) => ({ name: `scans/img ${i} é.png`, data })),
    { channel: 'ch-a', tags: [' t1 ', 't2'], modality: 'CR' },
  );
  for (const r of results) {
    expect(r.ok).toBe(true);
    if (r.ok) ids.push(r.id);
  }
  const [other] = await api.uploadResources({ name: 'other.png', data: grayPng(3, 3, 9) }, { tags: 'x' });
  if (other?.ok) ids.push(other.id);
});
afterAll(async () => server?.close());

describe('listing resources', () => {
  it('stores the upload fields and filters by them', async () => {
    const inChannel = await api.getResources({ channel: 'ch-a' }).toArray();
    expect(inChannel.map((r) => r.id).sort()).toEqual(ids.slice(0, 5).sort());
    const first = inChannel.find((r) => r.id === ids[0])!;
    expect(first).toMatchObject({
      filename: 'img 0 é.png',
      source_filepath: 'scans/img 0 é.png',
      mimetype: 'image/png',
      modality: 'CR',
      status: 'inbox',
      upload_channel: 'ch-a',
      size: pngs[0]!.byteLength,
    });
    expect(first.tags).toEqual(['t1', 't2']);
    expect((await api.getResources({ tags: ['x'] }).toArray()).map((r) => r.id)).toEqual([ids[5]]);
    expect(await api.getResources({ filename: 'IMG 3' }).toArray()).toHaveLength(1);
    expect(await api.getResources({ modality: 'CR', mimetype: 'image/png' }).toArray()).toHaveLength(5);
    expect(await api.getResources({ status: 'published' }).toArray()).toHaveLength(0);
    expect(await api.getResources({ status: 'inbox' }).toArray()).toHaveLength(6);
    const byName = await api.getResources({ orderField: 'filename', orderAscending: true }).toArray();
    expect(byName.map((r) => r.filename)).toEqual([...byName.map((r) => r.filename)].sort());
  });

  it('pages lazily over more than one page', async () => {
    const listing = api.getResources({ pageSize: 2 });
    const pages: number[] = [];
    for await (const page of listing.pages()) pages.push(page.length);
    expect(pages).toEqual([2, 2, 2]);
    const idsOnly = await api.getResources({ returnIdsOnly: true, pageSize: 4 }).toArray();
    expect(idsOnly.sort()).toEqual([...ids].sort());
    expect(await api.getResources({ pageSize: 2, limit: 3 }).toArray()).toHaveLength(3);
  });

  it('filters by creation day, project name and the deprecated labels (with a warning)', async () => {
    const today = new Date();
    expect(await api.getResources({ fromDate: today, toDate: today }).toArray()).toHaveLength(ids.length);
    expect(await api.getResources({ toDate: '2000-01-01' }).toArray()).toEqual([]);
    expect(await api.getResources({ fromDate: '2999-01-01' }).toArray()).toEqual([]);
    await api.createProject('By Name', 'd', [ids[1]!, ids[2]!]);
    const byName = await api.getResources({ projectName: 'By Name', returnIdsOnly: true }).toArray();
    expect(byName.sort()).toEqual([ids[1], ids[2]].sort());
    const warnings: string[] = [];
    const warned = server.api({ onWarning: (m) => warnings.push(m) });
    const labelled = await warned.getResources({ labels: ['x'] }).toArray();
    expect(labelled.map((r) => r.id)).toEqual([ids[5]]);
    expect(warnings).toEqual([expect.stringMatching(/"labels" option is deprecated/)]);
    const descending = await api.getResources({ orderField: 'filename', orderAscending: false }).toArray();
    const names = descending.map((r) => r.filename);
    expect(names).toEqual([...names].sort().reverse());
  });

  it('rejects bad filters before any request', () => {
    expect(() => api.getResources({ orderField: 'size' as never })).toThrow(/Invalid orderField/);
    expect(() => api.getResources({ fromDate: 'last week' })).toThrow(/Invalid fromDate/);
    expect(() => api.getResources({ status: 'bogus' as never })).toThrow(ValidationError);
  });

  it('lists channels', async () => {
    const channels = await api.getChannels().toArray();
    const a = channels.find((c) => c.channel_name === 'ch-a');
    expect(a?.resource_data.map((r) => r.resource_id).sort()).toEqual(ids.slice(0, 5).sort());
    expect(Number(a?.resource_count)).toBe(5);
  });
});

describe('by id, download, publish, delete', () => {
  it('gets one or several resources by id, and relabels not-found', async () => {
    expect((await api.getResourcesByIds(ids[1]!)).id).toBe(ids[1]);
    expect((await api.getResourcesByIds([ids[2]!, ids[0]!])).map((r) => r.id)).toEqual([ids[2], ids[0]]);
    const error = await api
      .getResourcesByIds('00000000-0000-0000-0000-000000000000')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundError);
    expect(error).toMatchObject({
      resourceType: 'resource',
      params: { resource_id: '00000000-0000-0000-0000-000000000000' },
    });
  });

  it('downloads bytes, decodes PNG pixels, streams to disk with the extension', async () => {
    const raw = await api.downloadResourceFile(ids[0]!, { autoConvert: false });
    expect(Buffer.from(raw.bytes!).equals(Buffer.from(pngs[0]!))).toBe(true);
    expect(raw.converted.kind).toBe('raw');

    const decoded = await api.downloadResourceFile(ids[0]!);
    expect(decoded.mimetype).toBe('image/png');
    if (decoded.converted.kind !== 'image') throw new Error('expected an image');
    expect(decoded.converted.image).toMatchObject({ width: 6, height: 5, channels: 1 });
    expect(decoded.converted.image.data[2 * 6 + 3]).toBe((3 * 7 + 2 * 13) & 255);

    const dir = await mkdtemp(path.join(tmpdir(), 'dm-dl-'));
    const saved = await api.downloadResourceFile(ids[1]!, {
      savePath: path.join(dir, 'file'),
      addExtension: true,
      autoConvert: false,
    });
    expect(saved.savePath).toBe(path.join(dir, 'file.png'));
    expect(saved.bytes).toBeUndefined();
    expect(Buffer.from(await readFile(saved.savePath!)).equals(Buffer.from(pngs[1]!))).toBe(true);

    const frame = await api.downloadResourceFrame(ids[0]!, 0);
    expect(frame.image?.width).toBe(6);
    await expect(api.downloadResourceFrame(ids[0]!, 1)).rejects.toThrow(/frameIndex/);
    await expect(api.downloadResourceFile('00000000-0000-0000-0000-000000000001')).rejects.toBeInstanceOf(
      ResourceNotFoundError,
    );
  });

  it('returns raw bytes plus the mimetype where no decoder applies; converts a saved file too', async () => {
    const payload = new Uint8Array([0x00, 0x01, 0xfe, 0xff, 0x10]);
    const [custom] = await api.uploadResources(
      { name: 'blob.raw', data: payload },
      { mimetype: 'application/x-custom', channel: 'raw' },
    );
    if (!custom?.ok) throw new Error('upload failed');
    const raw = await api.downloadResourceFile(custom.id);
    expect(raw).toMatchObject({ mimetype: 'application/x-custom', converted: { kind: 'raw' } });
    expect([...raw.bytes!]).toEqual([...payload]);

    const dir = await mkdtemp(path.join(tmpdir(), 'dm-dl-convert-'));
    // Saved and decoded; an extension already present is not added twice.
    const saved = await api.downloadResourceFile(ids[2]!, {
      savePath: path.join(dir, 'img.PNG'),
      addExtension: true,
    });
    expect(saved.savePath).toBe(path.join(dir, 'img.PNG'));
    expect(Buffer.from(await readFile(saved.savePath!)).equals(Buffer.from(pngs[2]!))).toBe(true);
    if (saved.converted.kind !== 'image') throw new Error('expected an image');
    expect(saved.converted.image).toMatchObject({ width: 8, height: 5 });
    // Without a decoder the extension comes from no table: the path is kept as given.
    const unknown = await api.downloadResourceFile(custom.id, {
      savePath: path.join(dir, 'custom'),
      addExtension: true,
    });
    expect(unknown.savePath).toBe(path.join(dir, 'custom'));
    expect([...(await readFile(unknown.savePath!))]).toEqual([...payload]);
    await expect(api.downloadResourceFile(ids[0]!, { savePath: 42 as never })).rejects.toThrow(
      /Invalid savePath/,
    );
  });

  it('publishes (twice is fine) and adds to a project resolved by name', async () => {
    const project = await api.createProject('Pub', 'p', []);
    await api.publishResources(ids[3]!);
    await api.publishResources([ids[3]!, ids[4]!], { projectName: 'Pub' });
    const published = await api.getResources({ status: 'published' }).toArray();
    expect(published.map((r) => r.id).sort()).toEqual([ids[3], ids[4]].sort());
    const inProject = await api.getResources({ projectId: project.id }).toArray();
    expect(inProject.map((r) => r.id).sort()).toEqual([ids[3], ids[4]].sort());
    const error = await api.publishResources(ids[2]!, { projectName: 'Nope' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ resourceType: 'project', params: { project_name: 'Nope' } });
    // The project is resolved first: nothing was published.
    expect((await api.getResourcesByIds(ids[2]!)).status).toBe('inbox');
    await expect(api.publishResources('00000000-0000-0000-0000-000000000002')).rejects.toMatchObject({
      resourceType: 'resource',
    });
  });

  it('an id is one path segment: it cannot reach another endpoint', async () => {
    const project = await api.createProject('Guarded', 'd', []);
    const crafted = await api.deleteResources(`../projects/${project.id}`).catch((e: unknown) => e);
    expect(crafted).toBeInstanceOf(ResourceNotFoundError);
    expect(crafted).toMatchObject({ params: { resource_id: `../projects/${project.id}` } });
    expect((await api.getProjectById(project.id)).name).toBe('Guarded');
    await expect(api.getResourcesByIds(`${ids[0]}?x=1`)).rejects.toBeInstanceOf(ResourceNotFoundError);
    await expect(api.getResourcesByIds('..')).rejects.toThrow(/Invalid resourceId: got "\.\."/);
    await expect(api.deleteProject('.')).rejects.toBeInstanceOf(ValidationError);
  });

  it('deleting several ids attempts every one, then reports the first missing id', async () => {
    const [extra] = await api.uploadResources({ name: 'to-delete.png', data: grayPng(2, 2, 99) });
    if (!extra?.ok) throw new Error('upload failed');
    const missing = '00000000-0000-0000-0000-0000000000dd';
    await expect(api.deleteResources([missing, extra.id])).rejects.toMatchObject({
      resourceType: 'resource',
      params: { resource_id: missing },
    });
    await expect(api.getResourcesByIds(extra.id)).rejects.toBeInstanceOf(ResourceNotFoundError);
  });

  it('deletes resources and then cannot find them', async () => {
    await api.deleteResources([ids[5]!]);
    await expect(api.getResourcesByIds(ids[5]!)).rejects.toBeInstanceOf(ResourceNotFoundError);
    await expect(api.deleteResources(ids[5]!)).rejects.toMatchObject({
      resourceType: 'resource',
      params: { resource_id: ids[5] },
    });
    expect((await api.getResources().toArray()).map((r) => r.id)).not.toContain(ids[5]);
  });
});

describe('decoding downloads and deprecated listings', () => {
  it('decodes NIfTI volumes and JSON by mimetype', async () => {
    const { dataDir, requireData } = await import('./helpers/data');
    const json = new TextEncoder().encode('{"answer": 42}');
    const inputs = [
      { name: 'meta.json', data: json },
      ...(requireData() ? [`${dataDir}/nifti/standard.nii.gz`] : []),
    ];
    const uploaded = await api.uploadResources(inputs, { channel: 'decode' });
    const [jsonId, niftiId] = uploaded.map((r) => (r.ok ? r.id : ''));
    const decodedJson = await api.downloadResourceFile(jsonId!);
    expect(decodedJson.converted).toEqual({ kind: 'json', value: { answer: 42 } });
    if (niftiId) {
      const nifti = await api.downloadResourceFile(niftiId);
      expect(nifti.mimetype).toBe('application/x-nifti');
      if (nifti.converted.kind !== 'nifti') throw new Error('expected a NIfTI volume');
      expect(nifti.converted.volume.shape).toEqual([4, 5, 7]);
      expect(nifti.converted.volume.data).toHaveLength(4 * 5 * 7);
      expect(new Set(nifti.converted.volume.data)).toEqual(new Set([0, 255]));
    }
  });

  it('getResourcesByProject still works, with a deprecation warning', async () => {
    const warnings: string[] = [];
    const warned = server.api({ onWarning: (m) => warnings.push(m) });
    const project = await warned.createProject('Deprecated', 'd', [ids[0]!]);
    expect((await warned.getResourcesByProject(project.id).toArray()).map((r) => r.id)).toEqual([ids[0]]);
    expect(warnings).toEqual([expect.stringMatching(/getResourcesByProject is deprecated/)]);
  });
});
