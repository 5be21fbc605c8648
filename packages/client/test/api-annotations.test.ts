import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AnnotationEntity,
  type Api,
  ResourceNotFoundError,
  UnexpectedResponseError,
  ValidationError,
} from '../src';
import { grayPng, maskPng } from './helpers/images';
import type { RecordingProxy } from './helpers/recording-proxy';
import { API_KEY, type ApiHarness, startApiHarness, type TestServer } from './helpers/server';

let h: ApiHarness;
let server: TestServer;
let proxy: RecordingProxy;
let api: Api;
let ids: string[];
const MISSING = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  h = await startApiHarness({
    uploads: [
      { name: 'a.png', data: grayPng(8, 6, 1) },
      { name: 'b.png', data: grayPng(8, 6, 2) },
    ],
  });
  ({ server, proxy, api, ids } = h);
});
afterAll(async () => {
  await h?.close();
});

describe('api.annotations', () => {
  it('creates a classification with the exact body and reads it back', async () => {
    proxy.take();
    const id = await api.annotations.createImageClassification(ids[0]!, 'quality', 'good', {
      worklistId: undefined,
      importedFrom: 'src',
      authorEmail: 'a@x.io',
      modelId: 'm1',
    });
    // The first creating call may be preceded by a GET asking whether the server honours idempotency keys.
    const [req] = proxy.take().filter((r) => r.method === 'POST');
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe(`/annotations/${ids[0]}/annotations`);
    expect(req?.headers['idempotency-key']).toEqual(expect.any(String));
    expect(req?.body.toString()).toBe(
      '[{"value": "good", "type": "category", "identifier": "quality", "scope": "image", "imported_from": "src", "import_author": "a@x.io", "is_model": true, "model_id": "m1", "source": "imported"}]',
    );
    const annotation = await api.annotations.getById(id);
    expect(annotation).toBeInstanceOf(AnnotationEntity);
    expect(annotation).toMatchObject({
      id,
      identifier: 'quality',
      type: 'category',
      scope: 'image',
      resourceId: ids[0],
    });
    expect(annotation.textValue).toBe('good');
  });

  it('creates numbers as integer or float, and many at once in order', async () => {
    proxy.take();
    const age = await api.annotations.createNumericAnnotation(ids[0]!, 'age', 42, { units: 'years' });
    const ratio = await api.annotations.createNumericAnnotation(ids[0]!, 'ratio', 0.5);
    const [first, second] = proxy.take().filter((r) => r.method === 'POST');
    expect(first?.json).toEqual([
      { value: 42, type: 'integer', identifier: 'age', scope: 'image', units: 'years', source: 'imported' },
    ]);
    expect(second?.json).toEqual([
      { value: 0.5, type: 'float', identifier: 'ratio', scope: 'image', source: 'imported' },
    ]);
    expect((await api.annotations.getById(age)).numericValue).toBe(42);
    expect((await api.annotations.getById(ratio)).type).toBe('float');
    proxy.take();
    const many = await api.annotations.create(ids[1]!, [
      { type: 'label', identifier: 'nodule', frameIndex: 0 },
      { type: 'category', identifier: 'side', value: 'left' },
    ]);
    expect(many).toHaveLength(2);
    expect(proxy.take()[0]?.json).toEqual([
      { type: 'label', identifier: 'nodule', scope: 'frame', frame_index: 0, source: 'imported' },
      { value: 'left', type: 'category', identifier: 'side', scope: 'image', source: 'imported' },
    ]);
    const frameLabel = await api.annotations.getById(many[0]!);
    expect(frameLabel.frameIndex).toBe(0);
    expect(frameLabel.scope).toBe('frame');
  });

  it('refuses bad input before any request', async () => {
    proxy.take();
    await expect(api.annotations.create(ids[0]!, { type: 'label', identifier: ' ' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      api.annotations.create(ids[0]!, { type: 'label', identifier: 'x', frameIndex: -1 }),
    ).rejects.toMatchObject({
      field: 'annotation.frameIndex',
    });
    await expect(api.annotations.createNumericAnnotation(ids[0]!, 'n', Number.NaN)).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(api.annotations.getById('nope')).rejects.toBeInstanceOf(ValidationError);
    expect(proxy.take()).toEqual([]);
    await expect(api.annotations.create(MISSING, { type: 'label', identifier: 'x' })).rejects.toMatchObject({
      resourceType: 'resource',
      params: { resource_id: MISSING },
    });
    await expect(api.annotations.getById(MISSING)).rejects.toBeInstanceOf(ResourceNotFoundError);
  });

  it('searches with the filters in the body, paging in the body as strings', async () => {
    proxy.take();
    const found = await api.annotations
      .getList({
        resource: [ids[0]!, ids[1]!],
        annotationType: 'category',
        status: 'new',
        loadAiSegmentations: false,
        fromDate: '2020-01-01',
      })
      .toArray();
    const [req] = proxy.take();
    expect(req).toMatchObject({ method: 'POST', url: '/annotations/search' });
    expect(req?.body.toString()).toBe(
      `{"annotation_type": "category", "from": "2020-01-01", "status": "new", "load_ai_segmentations": false, "resource_ids": ["${ids[0]}", "${ids[1]}"], "offset": "0", "limit": "5000"}`,
    );
    expect(found.map((a) => a.identifier).sort()).toEqual(['quality', 'side']);
    expect(await api.annotations.getList({ resource: [] }).toArray()).toEqual([]);
    expect(proxy.take()).toEqual([]);
    const one = await api.annotations.getList({ resource: ids[1]!, limit: 1 }).toArray();
    expect(one).toHaveLength(1);
    expect(proxy.take()[0]?.json).toEqual({ resource_id: ids[1], offset: '0', limit: '5000' });
    expect(await api.annotations.getAll().toArray()).toHaveLength(5);
  });

  it('renames, approves, and refuses an empty patch', async () => {
    const [id] = await api.annotations.getList({ resource: ids[0]!, annotationType: 'category' }).toArray();
    proxy.take();
    const renamed = await api.annotations.patch(id!, { identifier: 'image quality' });
    expect(renamed.identifier).toBe('image quality');
    const approved = await api.annotations.approve(id!);
    expect(approved.status).toBe('published');
    const [patch, approve] = proxy.take();
    expect(patch).toMatchObject({
      method: 'PATCH',
      url: `/annotations/${id!.id}`,
      json: { identifier: 'image quality' },
    });
    expect(approve).toMatchObject({ method: 'PATCH', url: `/annotations/${id!.id}/approve` });
    expect(approve?.body.byteLength).toBe(0);
    await expect(api.annotations.patch(id!, {})).rejects.toBeInstanceOf(ValidationError);
    await expect(api.annotations.patch(id!, { project: MISSING })).rejects.toBeInstanceOf(
      ResourceNotFoundError,
    );
  });

  it('downloads an attached file and reports a missing one', async () => {
    const [maskId] = await api.annotations.create(ids[0]!, [
      { type: 'segmentation', identifier: 'lesion', frameIndex: 0 },
    ]);
    const mask = maskPng(8, 6, (x) => (x < 4 ? 255 : 0));
    const form = new FormData();
    form.append('file', new Blob([Buffer.from(mask)], { type: 'image/png' }), 'lesion.png');
    const response = await fetch(`${server.url}/annotations/${ids[0]}/annotations/${maskId}/file`, {
      method: 'POST',
      headers: { apikey: API_KEY },
      body: form,
    });
    expect(response.status).toBeLessThan(300);
    const bytes = await api.annotations.downloadFile(maskId!);
    expect(Buffer.from(bytes.subarray(1, 4)).toString()).toBe('PNG');
    // Streamed to disk: the same bytes, written under the final name only when complete.
    const dir = mkdtempSync(join(tmpdir(), 'api-annotation-file-'));
    const saved = await api.annotations.downloadFile(maskId!, { savePath: join(dir, 'lesion.png') });
    expect(saved).toEqual({ path: join(dir, 'lesion.png'), bytes: bytes.length });
    expect(new Uint8Array(readFileSync(saved.path))).toEqual(bytes);
    const [label] = await api.annotations.getList({ resource: ids[1]!, annotationType: 'label' }).toArray();
    await expect(api.annotations.downloadFile(label!)).rejects.toBeInstanceOf(ResourceNotFoundError);
    await expect(
      api.annotations.downloadFile(label!, { savePath: join(dir, 'none.png') }),
    ).rejects.toBeInstanceOf(ResourceNotFoundError);
    expect(readdirSync(dir)).toEqual(['lesion.png']);
  });

  it('refuses a model reference that is not a non-empty string before any request', async () => {
    proxy.take();
    for (const modelId of ['', '  ', 7, {}] as unknown as string[]) {
      await expect(
        api.annotations.create(ids[0]!, { type: 'label', identifier: 'x', modelId }),
      ).rejects.toMatchObject({ name: 'ValidationError', field: 'annotation.modelId' });
      await expect(
        api.annotations.createImageClassification(ids[0]!, 'q', 'good', { modelId }),
      ).rejects.toBeInstanceOf(ValidationError);
      await expect(
        api.annotations.addLineAnnotation([0, 0], [1, 1], ids[0]!, 'l', { modelId, metadata: {} as never }),
      ).rejects.toMatchObject({ field: 'modelId' });
      await expect(
        api.annotations.uploadVolumeSegmentation(ids[0]!, new Uint8Array(400), { modelId }),
      ).rejects.toMatchObject({ field: 'modelId' });
      await expect(
        api.annotations.uploadSegmentations(ids[0]!, new Uint8Array(4), { modelId }),
      ).rejects.toMatchObject({ field: 'modelId' });
    }
    expect(proxy.take()).toEqual([]);
  });

  it('deletes one and many in one batch request', async () => {
    const all = await api.annotations.getList({ resource: ids[1]! }).toArray();
    proxy.take();
    await api.annotations.bulkDelete([]);
    expect(proxy.take()).toEqual([]);
    await api.annotations.bulkDelete(all);
    expect(proxy.take()[0]).toMatchObject({
      method: 'POST',
      url: '/annotations/delete-batch',
      json: { ids: all.map((a) => a.id) },
    });
    expect(await api.annotations.getList({ resource: ids[1]! }).toArray()).toEqual([]);
    const [one] = await api.annotations.getList({ resource: ids[0]! }).toArray();
    await api.annotations.delete(one!);
    await expect(api.annotations.getById(one!.id)).rejects.toBeInstanceOf(ResourceNotFoundError);
    await expect(api.annotations.bulkDelete([one!])).rejects.toBeInstanceOf(ResourceNotFoundError);
  });

  it('reads both spellings of an annotation and refuses a malformed one', () => {
    const legacy = new AnnotationEntity({
      id: 'x',
      name: 'n',
      annotation_type: 'category',
      index: 3,
      added_by: 'a@x.io',
      value: 'v',
      extra: 1,
    });
    expect(legacy).toMatchObject({
      identifier: 'n',
      type: 'category',
      frameIndex: 3,
      scope: 'frame',
      createdBy: 'a@x.io',
      textValue: 'v',
    });
    expect(legacy.get('extra')).toBe(1);
    expect(() => new AnnotationEntity({ id: 'x', identifier: 'n', type: 'blob' })).toThrow(
      UnexpectedResponseError,
    );
    expect(() => new AnnotationEntity({ id: 'x', type: 'label' })).toThrow(UnexpectedResponseError);
  });
});
