import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, ChannelEntity, ResourceCache, ResourceEntity, ValidationError, webAppUrl } from '../src';
import { grayPng } from './helpers/images';
import type { RecordingProxy } from './helpers/recording-proxy';
import { type ApiHarness, startApiHarness } from './helpers/server';

let h: ApiHarness;
let proxy: RecordingProxy;
let api: Api;
let cacheDir: string;
const png = grayPng(7, 4, 5);
let id: string;

beforeAll(async () => {
  h = await startApiHarness();
  ({ proxy, api, tmp: cacheDir } = h);
  id = await api.resources.uploadResource({ name: 'cached.png', data: png }, { channel: 'cache-ch' });
});
afterAll(async () => {
  await h?.close();
});

const fileGets = () => proxy.take().filter((r) => r.url === `/resources/${id}/file`);

describe('the local download cache (layout of the Python SDK ~/.datamint)', () => {
  it('fetchFileData({ useCache }) downloads once, then reads the version-checked copy', async () => {
    const resource = await api.resources.getById(id);
    proxy.take();
    const first = await resource.fetchFileData({ useCache: true, cacheDir });
    expect(Buffer.from(first).equals(Buffer.from(png))).toBe(true);
    expect(fileGets()).toHaveLength(1);
    const again = await resource.fetchFileData({ useCache: true, cacheDir });
    expect(Buffer.from(again).equals(Buffer.from(png))).toBe(true);
    expect(fileGets()).toHaveLength(0);
    // Without useCache the server is always asked.
    await resource.fetchFileData();
    expect(fileGets()).toHaveLength(1);

    // The entry as the Python SDK writes and reads it.
    const entry = path.join(cacheDir, 'resources', id);
    const meta = JSON.parse(await readFile(path.join(entry, 'metadata.json'), 'utf8'));
    const pythonJson = `{"created_at": "${resource.createdAt}", "deleted_at": null, "size": ${resource.size}}`;
    expect(meta).toMatchObject({
      data_path: path.join(entry, 'image_data'),
      data_type: 'bytes',
      mimetype: 'application/octet-stream',
      entity_id: id,
      version_info: { created_at: resource.createdAt, deleted_at: null, size: resource.size },
      version_hash: createHash('sha256').update(pythonJson).digest('hex'),
    });
    expect(meta.cached_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(Buffer.from(await readFile(path.join(entry, 'image_data'))).equals(Buffer.from(png))).toBe(true);

    // Invalidated: the next cached read downloads again.
    await resource.invalidateCache({ cacheDir });
    await expect(readFile(path.join(entry, 'metadata.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    await resource.fetchFileData({ useCache: true, cacheDir });
    expect(fileGets()).toHaveLength(1);
  });

  it('downloads again when the cached version differs, and reads an entry the Python SDK registered elsewhere', async () => {
    const resource = await api.resources.getById(id);
    const metaPath = path.join(cacheDir, 'resources', id, 'metadata.json');
    const meta = JSON.parse(await readFile(metaPath, 'utf8'));
    await writeFile(metaPath, JSON.stringify({ ...meta, version_hash: 'stale' }));
    proxy.take();
    await resource.fetchFileData({ useCache: true, cacheDir });
    expect(fileGets()).toHaveLength(1);

    // register_file_location: metadata pointing at a file outside the cache folder.
    const external = path.join(cacheDir, 'elsewhere.bin');
    await writeFile(external, 'bytes saved by python');
    await writeFile(metaPath, JSON.stringify({ ...meta, data_path: external }, null, 2));
    const bytes = await resource.fetchFileData({ useCache: true, cacheDir });
    expect(Buffer.from(bytes).toString()).toBe('bytes saved by python');
    expect(fileGets()).toHaveLength(0);

    // A pickled object (Python's non-bytes entries) is not ours to read: downloaded instead.
    await writeFile(metaPath, JSON.stringify({ ...meta, mimetype: 'application/x-python-serialize' }));
    await resource.fetchFileData({ useCache: true, cacheDir });
    expect(fileGets()).toHaveLength(1);
  });

  it('cacheResources fetches only what is missing, one resource after another', async () => {
    const other = await api.resources.uploadResource({ name: 'second.png', data: grayPng(3, 3, 1) });
    const dir = path.join(cacheDir, 'second-root');
    proxy.take();
    const first = await api.resources.cacheResources([id, other], { cacheDir: dir });
    expect(first.map((c) => [c.resourceId, c.downloaded])).toEqual([
      [id, true],
      [other, true],
    ]);
    expect(proxy.take().map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET /resources/${id}`,
      `GET /resources/${id}/file`,
      `GET /resources/${other}`,
      `GET /resources/${other}/file`,
    ]);
    const entity = await api.resources.getById(other);
    proxy.take();
    const second = await api.resources.cacheResources(entity, { cacheDir: dir });
    expect(second).toEqual([
      { resourceId: other, path: path.join(dir, 'resources', other, 'image_data'), downloaded: false },
    ]);
    expect(proxy.take()).toEqual([]);
    await expect(api.resources.cacheResources(['../../etc'], { cacheDir: dir })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(() => new ResourceCache({ cacheDir: '' })).toThrow(ValidationError);
  });

  it('a failed download leaves no entry behind', async () => {
    const dir = path.join(cacheDir, 'failing');
    const cache = new ResourceCache({ cacheDir: dir });
    const version = { id, createdAt: 'c', deletedAt: null, size: 1 };
    await expect(
      cache.store(version, async (tmp) => {
        await mkdir(path.dirname(tmp), { recursive: true });
        await writeFile(tmp, 'partial');
        throw new Error('connection reset');
      }),
    ).rejects.toThrow('connection reset');
    expect(await cache.lookup(version)).toBeUndefined();
    await expect(readFile(cache.dataPath(id))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('Resource and Channel entities', () => {
  it('fetch a field a listing left out (user_info) with one GET, keep the rest', async () => {
    const links = await api.resources.links();
    const listed = (await api.resources.getList({ channel: 'cache-ch' }).toArray())[0]!.toJSON();
    const { user_info: _omitted, ...partial } = listed;
    const resource = new ResourceEntity({ ...partial, future_field: 42 }, links);
    expect(resource.has('user_info')).toBe(false);
    proxy.take();
    const info = await resource.fetchUserInfo();
    expect(info).toEqual({ firstname: null, lastname: null });
    expect(proxy.take().map((r) => r.url)).toEqual([`/resources/${id}`]);
    await resource.fetchUserInfo();
    expect(proxy.take()).toEqual([]);
    expect(resource.get('future_field')).toBe(42);
    expect(resource.uploadChannel).toBe('cache-ch');
    expect(resource.deletedAt).toBeNull();
  });

  it('classify by storage, then mimetype, then name, as the platform client does', () => {
    const links = { rootUrl: 'http://localhost:3001', fileBytes: async () => new Uint8Array() } as never;
    const base = {
      id,
      resource_uri: 'u',
      storage: 'ImageResource',
      location: 'l',
      upload_channel: 'Unknown',
      filename: 'scan.png',
      mimetype: 'image/png',
      size: 1,
      customer_id: 'c',
      status: 'inbox',
      created_at: 'now',
      created_by: 'me',
      published: false,
      deleted: false,
    };
    const make = (over: Record<string, unknown>) => new ResourceEntity({ ...base, ...over }, links);
    expect(make({}).isImage()).toBe(true);
    expect(make({ storage: 'DicomResource', mimetype: 'image/png' }).isDicom()).toBe(true);
    expect(make({ storage: 'x', mimetype: 'application/octet-stream', filename: 'a.DCM' }).isDicom()).toBe(
      true,
    );
    expect(make({ storage: 'x', mimetype: 'application/nifti', filename: 'v' }).isNifti()).toBe(true);
    expect(make({ storage: 'x', mimetype: null, filename: 'v.nii.gz' }).isNifti()).toBe(true);
    expect(make({ storage: 'VideoResource', mimetype: null }).kind).toBe('video');
    expect(make({ storage: 'x', mimetype: 'application/zip', filename: 'a.zip' }).kind).toBe('other');
    expect(make({}).url).toBe(`http://localhost:3000/resource/${id}`);
  });

  it('web app links follow the API host', () => {
    expect(webAppUrl('http://localhost:3001/api')).toBe('http://localhost:3000');
    expect(webAppUrl('https://stagingapi.datamint.io')).toBe('https://staging.datamint.io');
    expect(webAppUrl('https://api.datamint.io')).toBe('https://app.datamint.io');
  });

  it('channels keep unknown fields and type the known ones', async () => {
    const channels = await api.resources.listChannels().toArray();
    const channel = channels.find((c) => c.channelName === 'cache-ch')!;
    expect(channel).toBeInstanceOf(ChannelEntity);
    expect(channel.resourceIds).toEqual([id]);
    expect(channel.resourceData[0]).toMatchObject({ resource_id: id, resource_file_name: 'cached.png' });
    expect(channel.deleted).toBe(false);
    const custom = new ChannelEntity({ resource_data: [], channel_name: null, extra: 'kept' });
    expect(custom.channelName).toBeNull();
    expect(custom.get('extra')).toBe('kept');
    expect(() => new ChannelEntity({ channel_name: 'x' })).toThrow(/resource_data/);
  });
});
