import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type APIHandler,
  Api,
  AuthenticationError,
  BadRequestError,
  BULK_DELETE_BATCH,
  ConnectionCheckError,
  ResourceEntity,
  ResourceNotFoundError,
  UnexpectedResponseError,
  ValidationError,
} from '../src';
import { pageItems } from '../src/api/pages';
import { dataDir, requireData } from './helpers/data';
import { grayPng } from './helpers/images';
import type { RecordingProxy } from './helpers/recording-proxy';
import { API_KEY, type ApiHarness, startApiHarness, type TestServer } from './helpers/server';

let h: ApiHarness;
let server: TestServer;
let proxy: RecordingProxy;
let handler: APIHandler;
let api: Api;
const ids: string[] = [];
let dicomId: string | undefined;
const pngs = [0, 1, 2].map((seed) => grayPng(6 + seed, 5, seed));
const hasData = requireData();
const MISSING = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  h = await startApiHarness();
  ({ server, proxy } = h);
  handler = server.api();
  const results = await handler.uploadResources(
    pngs.map((data, i) => ({ name: `scans/img ${i}.png`, data })),
    { channel: 'ch-a', tags: ['t1'], modality: 'CR' },
  );
  for (const r of results) if (r.ok) ids.push(r.id);
  if (hasData) {
    const [dicom] = await handler.uploadResources(`${dataDir}/dicom/series/pydicom_ct5n/2062.dcm`, {
      channel: 'ch-b',
    });
    if (dicom?.ok) dicomId = dicom.id;
  }
  // The trailing slash is deliberate: the first test checks the Api strips it.
  api = h.another({ rootUrl: `${proxy.url}/` });
});
afterAll(async () => {
  await h?.close();
});

describe('Api configuration and errors', () => {
  it('strips the trailing slash and sends both auth headers', async () => {
    proxy.take();
    await api.checkConnection();
    const [req] = proxy.take();
    expect(req?.method).toBe('GET');
    expect(req?.url).toBe('/projects?offset=0&limit=1');
    expect(req?.headers.apikey).toBe(API_KEY);
    expect(api.rootUrl).toBe(proxy.url);
  });

  it('treats an empty key as missing, before any request', async () => {
    const empty = new Api({ rootUrl: proxy.url, apiKey: '', configFile: null, env: {} });
    proxy.take();
    await expect(empty.resources.getById(ids[0]!)).rejects.toThrow(/API key not provided/);
    expect(proxy.take()).toEqual([]);
  });

  it('reads the key from the environment, and an unknown key is an AuthenticationError', async () => {
    const wrong = new Api({ rootUrl: proxy.url, configFile: null, env: { DATAMINT_API_KEY: 'nope-key' } });
    const error = await wrong.resources.getById(ids[0]!).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(String((error as Error).message)).not.toContain('nope-key');
    await expect(
      Api.connect({ rootUrl: proxy.url, apiKey: 'nope-key', configFile: null, env: {} }),
    ).rejects.toBeInstanceOf(ConnectionCheckError);
  });

  it('rejects an id that is not a UUID without a request, and maps a 404 to ResourceNotFoundError', async () => {
    proxy.take();
    await expect(api.resources.getById('not-an-id')).rejects.toBeInstanceOf(ValidationError);
    expect(proxy.take()).toEqual([]);
    const error = await api.resources.getById(MISSING).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundError);
    expect(error).toMatchObject({ resourceType: 'resource', params: { id: MISSING } });
    expect((error as ResourceNotFoundError).response?.status).toBe(404);
  });

  it('unwraps every page shape the platform answers', () => {
    expect(pageItems([1, 2], 'resources', 'x')).toEqual([1, 2]);
    expect(pageItems({ data: [1] }, 'resources', 'x')).toEqual([1]);
    expect(pageItems({ items: [3] }, 'resources', 'x')).toEqual([3]);
    expect(
      pageItems({ data: [{ resources: [4, 5], totalCount: 2 }], totalCount: 2 }, 'resources', 'x'),
    ).toEqual([4, 5]);
    // Without the top-level totalCount the single element is an item, as the platform SDK reads it.
    expect(pageItems({ data: [{ resources: [4] }] }, 'resources', 'x')).toEqual([{ resources: [4] }]);
    expect(() => pageItems({ nope: 1 }, 'resources', 'x')).toThrow(UnexpectedResponseError);
  });
});

describe('api.resources', () => {
  it('lists with every filter encoded as the platform expects', async () => {
    proxy.take();
    const list = await api.resources
      .getList({
        fromDate: new Date('2024-01-02T00:00:00Z'),
        toDate: '2099-02-03',
        status: 'inbox',
        modality: 'CR',
        mimetype: 'image/png',
        orderField: 'created_at',
        orderAscending: false,
        channel: 'ch-a',
        filename: 'img',
        tags: ['t1', 't 2'],
        limit: 10,
      })
      .toArray();
    const [req] = proxy.take();
    expect(req?.url).toBe(
      '/resources?from=2024-01-02&to=2099-02-03&status=inbox&modality=CR&mimetype=image%2Fpng&order_field=created_at&order_by_asc=false&channel_name=ch-a&filename=img&tags=%7B%22items%22%3A+%5B%22t1%22%2C+%22t+2%22%5D%2C+%22filterType%22%3A+%22union%22%7D&offset=0&limit=5000',
    );
    expect(list.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(list[0]).toBeInstanceOf(ResourceEntity);
    expect(list.every((r) => r.isImage() && !r.isDicom() && r.modality === 'CR')).toBe(true);
  });

  it('sends status= when unset and the project filter as an intersection', async () => {
    proxy.take();
    const none = await api.resources.getList({ projectName: ['P1', { name: 'P 2' }] }).toArray();
    expect(none).toEqual([]);
    expect(proxy.take()[0]?.url).toBe(
      '/resources?status=&project=%7B%22items%22%3A+%5B%22P1%22%2C+%22P+2%22%5D%2C+%22filterType%22%3A+%22intersection%22%7D&offset=0&limit=5000',
    );
    expect(() => api.resources.getList({ status: 'gone' as 'inbox' })).toThrow(ValidationError);
  });

  it('pages with offset/limit and honours limit', async () => {
    const paged = new Api({ rootUrl: proxy.url, apiKey: API_KEY, configFile: null, env: {}, pageSize: 2 });
    proxy.take();
    const all = await paged.resources.getAll().toArray();
    expect(all).toHaveLength(ids.length + (dicomId ? 1 : 0));
    // A full last page asks once more and gets an empty one.
    const expected = ['/resources?status=&offset=0&limit=2', '/resources?status=&offset=2&limit=2'];
    if (all.length === 4) expected.push('/resources?status=&offset=4&limit=2');
    expect(proxy.take().map((r) => r.url)).toEqual(expected);
    expect(await paged.resources.getAll({ limit: 1 }).toArray()).toHaveLength(1);
    await paged.close();
  });

  it('filters by source path on this side, made absolute', async () => {
    const relative = await api.resources.getList({ sourceFilepath: 'scans/img 1.png' }).toArray();
    expect(relative.map((r) => r.id)).toEqual([ids[1]]);
    const elsewhere = await api.resources.getList({ sourceFilepath: '/elsewhere/scans/img 1.png' }).toArray();
    expect(elsewhere).toEqual([]);
    const stored = (await api.resources.getById(ids[1]!)).sourceFilepath;
    expect(stored).not.toBeNull();
    const same = await api.resources.getList({ sourceFilepath: stored! }).toArray();
    expect(same.map((r) => r.id)).toEqual([ids[1]]);
  });

  it('keeps unknown fields and exposes entity behaviour', async () => {
    const resource = await api.resources.getById(ids[0]!);
    expect(resource.toJSON()).toMatchObject({
      id: ids[0],
      resource_uri: expect.any(String),
      upload_channel: 'ch-a',
    });
    expect(resource.get('customer_id')).toEqual(expect.any(String));
    // The platform's client links to the hosted web app for any API that is not localhost/staging.
    expect(resource.url).toBe(`https://app.datamint.io/resource/${ids[0]}`);
    proxy.take();
    expect(Buffer.from(await resource.fetchFileData()).equals(Buffer.from(pngs[0]!))).toBe(true);
    const [req] = proxy.take();
    expect(req).toMatchObject({ method: 'GET', url: `/resources/${ids[0]}/file` });
    expect(req?.headers.accept).toBe('application/octet-stream');
    expect(() => new ResourceEntity({ id: 'x' })).toThrow(UnexpectedResponseError);
  });

  it('lists a resource annotations through the search route', async () => {
    proxy.take();
    const resource = await api.resources.getById(ids[0]!);
    expect(await resource.fetchAnnotations()).toEqual([]);
    await api.resources.getAnnotations(ids[0]!, { annotationType: 'segmentation' });
    const [, plain, typed] = proxy.take();
    expect(plain).toMatchObject({ method: 'POST', url: '/annotations/search' });
    expect(plain?.json).toEqual({
      load_ai_segmentations: true,
      resource_id: ids[0],
      offset: '0',
      limit: '5000',
    });
    expect(typed?.body.toString()).toBe(
      `{"annotation_type": "segmentation", "load_ai_segmentations": true, "resource_id": "${ids[0]}", "offset": "0", "limit": "5000"}`,
    );
  });

  it('downloads many files, streamed, reporting a missing one while the others land', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'api-dl-'));
    const results = await api.resources.downloadMultipleResources([ids[0]!, MISSING, ids[2]!], dir, {
      concurrency: 2,
    });
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(await readFile(path.join(dir, ids[2]!))).toEqual(Buffer.from(pngs[2]!));
    expect(results[1]).toMatchObject({ ok: false, error: expect.any(ResourceNotFoundError) });
    await writeFile(path.join(dir, 'keep'), 'mine');
    const kept = await api.resources.downloadMultipleResources([ids[1]!], [path.join(dir, 'keep')], {
      overwrite: false,
    });
    expect(kept[0]).toMatchObject({ ok: true, skipped: true });
    expect(await readFile(path.join(dir, 'keep'), 'utf8')).toBe('mine');
    await expect(api.resources.downloadMultipleResources([ids[0]!], ['a', 'b'])).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('fails at once, naming the folder, where a folder cannot be made (a recursive mkdir loops on /proc)', async () => {
    await expect(
      api.resources.downloadMultipleResources([ids[0]!], '/proc/datamint-nowhere/sub'),
    ).rejects.toMatchObject({
      name: 'DirectoryCreateError',
      path: '/proc/datamint-nowhere',
    });
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'api-dl-file-')), 'afile');
    await writeFile(file, 'not a folder');
    await expect(
      api.resources.downloadMultipleResources([ids[0]!], path.join(file, 'sub')),
    ).rejects.toMatchObject({
      name: 'DirectoryCreateError',
      path: file,
      code: 'ENOTDIR',
    });
  });

  it('downloads frames: frame 0 of an image is its file; other frames of an image are refused', async () => {
    proxy.take();
    expect(
      Buffer.from(await api.resources.downloadResourceFrame(ids[0]!, 0)).equals(Buffer.from(pngs[0]!)),
    ).toBe(true);
    await expect(api.resources.downloadResourceFrame(ids[0]!, 1)).rejects.toBeInstanceOf(ValidationError);
    expect(proxy.take().map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET /resources/${ids[0]}`,
      `GET /resources/${ids[0]}/file`,
      `GET /resources/${ids[0]}`,
    ]);
  });

  it.runIf(hasData)('downloads a DICOM frame as an image', async () => {
    proxy.take();
    const dicom = await api.resources.getById(dicomId!);
    expect(dicom.isDicom()).toBe(true);
    const png = await api.resources.downloadResourceFrame(dicom, 0);
    expect(Buffer.from(png.subarray(1, 4)).toString()).toBe('PNG');
    const [, frame] = proxy.take();
    expect(frame).toMatchObject({ method: 'GET', url: `/resources/${dicomId}/frames/0` });
    expect(frame?.headers.accept).toBe('image/*');
    await expect(api.resources.downloadResourceFrame(dicom, 99)).rejects.toBeInstanceOf(BadRequestError);
  });

  it('sets tags on one id through its own route and on a list in one request', async () => {
    proxy.take();
    await api.resources.setTags(ids[0]!, ['a', 'b', 'a']);
    await api.resources.setTags([ids[1]!, ids[2]!], ['c']);
    const [one, many] = proxy.take();
    expect(one).toMatchObject({
      method: 'PUT',
      url: `/resources/${ids[0]}/tags`,
      json: { tags: ['a', 'b'] },
    });
    expect(many).toMatchObject({
      method: 'PUT',
      url: '/resources/tags',
      json: { resource_ids: [ids[1], ids[2]], tags: ['c'] },
    });
    expect((await api.resources.getById(ids[0]!)).tags).toEqual(['a', 'b']);
    await api.resources.addTags([ids[0]!, ids[1]!, ids[2]!], ['z']);
    const calls = proxy.take().filter((r) => r.method === 'PUT');
    expect(calls.map((r) => r.json)).toEqual([
      { tags: ['a', 'b', 'z'] },
      { resource_ids: [ids[1], ids[2]], tags: ['c', 'z'] },
    ]);
    expect((await api.resources.getById(ids[2]!)).tags).toEqual(['c', 'z']);
  });

  it('publishes, tolerating a resource already out of the inbox, and bulk-publishes', async () => {
    proxy.take();
    await api.resources.publishResources(ids[0]!);
    await api.resources.publishResources([ids[0]!]);
    const reqs = proxy.take();
    expect(reqs.map((r) => `${r.method} ${r.url} ${r.body.byteLength}`)).toEqual([
      `POST /resources/${ids[0]}/publish 0`,
      `POST /resources/${ids[0]}/publish 0`,
    ]);
    expect((await api.resources.getById(ids[0]!)).status).toBe('published');
    proxy.take();
    await api.resources.bulkPublish([]);
    expect(proxy.take()).toEqual([]);
    await api.resources.bulkPublish([ids[1]!]);
    expect(proxy.take()[0]).toMatchObject({
      method: 'POST',
      url: '/resources/bulk-publish',
      json: { resource_ids: [ids[1]] },
    });
    await expect(api.resources.publishResources(MISSING)).rejects.toMatchObject({
      resourceType: 'resource',
      params: { resource_id: MISSING },
    });
  });

  it('lists channels and not-annotated resources', async () => {
    proxy.take();
    const channels = await api.resources.listChannels().toArray();
    expect(channels.find((c) => c.channelName === 'ch-a')?.resourceData).toHaveLength(3);
    const notAnnotated = await api.resources.getNotAnnotated({ filters: { status: 'inbox' } }).toArray();
    expect(notAnnotated.map((r) => r.id)).toContain(ids[2]);
    expect(proxy.take().map((r) => r.url)).toEqual([
      '/resources/channels?offset=0&limit=5000',
      '/resources/not-annotated?status=inbox&offset=0&limit=5000',
    ]);
  });

  it('deletes one, and many in batches of 200', async () => {
    proxy.take();
    await api.resources.bulkDelete([]);
    expect(proxy.take()).toEqual([]);
    const fake = Array.from(
      { length: BULK_DELETE_BATCH + 1 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    await expect(api.resources.bulkDelete(fake)).rejects.toBeInstanceOf(ResourceNotFoundError);
    const [first] = proxy.take();
    expect(first?.method).toBe('DELETE');
    expect(first?.url).toBe(`/resources?resource_ids=${fake.slice(0, 200).join('%2C')}`);
    await api.resources.bulkDelete([ids[1]!, ids[2]!]);
    expect(proxy.take()[0]?.url).toBe(`/resources?resource_ids=${ids[1]}%2C${ids[2]}`);
    await api.resources.delete(ids[0]!);
    expect(proxy.take()[0]).toMatchObject({ method: 'DELETE', url: `/resources/${ids[0]}` });
    await expect(api.resources.getById(ids[0]!)).rejects.toBeInstanceOf(ResourceNotFoundError);
    await expect(api.resources.delete(ids[0]!)).rejects.toMatchObject({ resourceType: 'resource' });
  });
});

describe("defects of the platform's Python client that api.resources does not copy", () => {
  let fresh: string[] = [];
  beforeAll(async () => {
    const results = await handler.uploadResources(
      [0, 1].map((seed) => ({ name: `defects/d${seed}.png`, data: grayPng(4, 4, seed + 20) })),
    );
    fresh = results.map((r) => (r.ok ? r.id : ''));
  });

  it('D8: publishing a resource already out of the inbox succeeds (the server still answers 400 for it)', async () => {
    await api.resources.publishResources(fresh[0]!);
    const raw = await fetch(`${server.url}/resources/${fresh[0]}/publish`, {
      method: 'POST',
      headers: { apikey: API_KEY },
    });
    expect(raw.status).toBe(400);
    expect(await raw.text()).toContain('Resource must be in inbox status to be approved');
    await expect(api.resources.publishResources([fresh[0]!, fresh[1]!])).resolves.toBeUndefined();
    expect((await api.resources.getById(fresh[1]!)).status).toBe('published');
  });

  it('D9: one id string is one resource, never a sequence of characters', async () => {
    proxy.take();
    await api.resources.setTags(fresh[0]!, ['solo']);
    const [req] = proxy.take();
    expect(req).toMatchObject({
      method: 'PUT',
      url: `/resources/${fresh[0]}/tags`,
      json: { tags: ['solo'] },
    });
    await api.resources.addTags(fresh[0]!, ['more']);
    expect(proxy.take().filter((r) => r.method === 'PUT')[0]).toMatchObject({
      url: `/resources/${fresh[0]}/tags`,
      json: { tags: ['solo', 'more'] },
    });
  });

  it('bulk deletes go in batches of at most 200 ids, one after another', async () => {
    const results = await handler.uploadResources(
      Array.from({ length: BULK_DELETE_BATCH + 1 }, (_, i) => ({ name: `bulk/${i}.png`, data: pngs[0]! })),
      { concurrency: 16 },
    );
    const many = results.map((r) => (r.ok ? r.id : ''));
    proxy.take();
    await api.resources.bulkDelete(many);
    const requests = proxy.take();
    expect(requests.map((r) => [r.method, r.url.split('%2C').length])).toEqual([
      ['DELETE', BULK_DELETE_BATCH],
      ['DELETE', 1],
    ]);
    expect(requests[1]!.url).toBe(`/resources?resource_ids=${many[BULK_DELETE_BATCH]}`);
    await expect(api.resources.getById(many[0]!)).rejects.toBeInstanceOf(ResourceNotFoundError);
    await expect(api.resources.getById(many[BULK_DELETE_BATCH]!)).rejects.toBeInstanceOf(
      ResourceNotFoundError,
    );
  });
});
