import { gzipSync } from 'node:zlib';
import { decode as decodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  annotationSchema,
  listOf,
  projectSchema,
  resourcePageSchema,
  splitSchema,
} from '../src/schemas/entities';
import { makeDicom } from './support/dicom';
import { expectEntity } from './support/entities';
import { aiohttpMultipart } from './support/multipart';
import { makeNifti } from './support/nifti';
import { KEY_A, send, startTestServer, type TestServer } from './support/server';
import { readZip } from './support/zip';

/** Headers of the current SDK's sync stack: both auth headers. Its async stack sends apikey only. */
const SYNC = { authorization: `Bearer ${KEY_A}` };

describe('a day with the current SDK (raw HTTP in its shapes)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.dispose());

  const sync = (path: string, init: Parameters<typeof send>[1] = {}) =>
    send(`${server.url}${path}`, { ...init, headers: { ...SYNC, ...(init?.headers ?? {}) } });

  async function uploadSlice(index: number, frames: number): Promise<string> {
    const bytes = makeDicom({
      rows: 4,
      columns: 4,
      frames,
      bits: 8,
      modality: 'CT',
      sopUid: `1.2.3.4.5.6.${index}`,
      pixel: (f, i) => (index * 40 + f * 20 + i) % 256,
    });
    const { body, contentType } = aiohttpMultipart([
      { name: 'source', value: 'api' },
      { name: 'resource', value: bytes, contentType: 'application/dicom', filename: `slice ${index}.dcm` },
      { name: 'source_filepath', value: `/data/series/slice ${index}.dcm` },
      { name: 'mimetype', value: 'application/dicom' },
      { name: 'bypass_inbox', value: 'true' },
      { name: 'tags', value: 'study,left' },
    ]);
    const reply = await send(`${server.url}/resources`, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType },
    });
    expect(reply.status).toBe(201);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    return reply.json.id;
  }

  it('uploads a series, builds a project with splits, annotates, segments a volume and downloads the dataset', async () => {
    // 1. The connection check, then three slices and one multi-frame volume, published at upload.
    expect((await sync('/projects?offset=0&limit=1')).status).toBe(200);
    const slices = [await uploadSlice(0, 1), await uploadSlice(1, 1), await uploadSlice(2, 1)];
    const volume = await uploadSlice(3, 3);
    const listed = await sync('/resources?status=published&offset=0&limit=5000');
    expectEntity(listed.json, resourcePageSchema);
    expect(listed.json.totalCount).toBe(4);
    expect(
      listed.json.data[0].resources.every((r: { upload_channel: string }) => r.upload_channel === 'Unknown'),
    ).toBe(true);

    // 2. The project: a name check (includeArchived=true), then the create body of the SDK.
    expect((await sync('/projects?includeArchived=true&offset=0&limit=5000')).json.data).toEqual([]);
    const created = await sync('/projects', {
      method: 'POST',
      json: {
        name: 'Liver study',
        is_active_learning: false,
        resource_ids: [],
        segmentationData: { segmentationValueType: 'single_label', definitions: [] },
        annotation_set: { resource_ids: [], annotations: [] },
        two_up_display: false,
        require_review: false,
        description: 'day one',
      },
    });
    expect(created.status).toBe(201);
    expectEntity(created.json, projectSchema);
    const project = created.json;

    // 3. Resources into the project (its dataset and worklist).
    await sync(`/projects/${project.id}/resources`, {
      method: 'POST',
      json: { resource_ids_to_add: [...slices, volume], all_files_selected: false },
    });
    expect((await sync(`/projects/${project.id}`)).json.resource_count).toBe('4');

    // 4. Splits.
    await sync(`/projects/${project.id}/splits`, {
      method: 'POST',
      json: { resource_ids: slices.slice(0, 2), split_name: 'train' },
    });
    await sync(`/projects/${project.id}/splits`, {
      method: 'POST',
      json: { resource_ids: [slices[2], volume], split_name: 'test' },
    });
    const splits = await sync(`/projects/${project.id}/splits?split_name=test`);
    expectEntity(splits.json, { type: 'array', items: splitSchema });
    expect(splits.json.map((s: { resource_id: string }) => s.resource_id)).toEqual([slices[2], volume]);

    // 5. Annotations on two slices, found with one search across resources.
    for (const [rid, value] of [
      [slices[0], 'good'],
      [slices[1], 'bad'],
    ] as const) {
      const ids = await send(`${server.url}/annotations/${rid}/annotations`, {
        method: 'POST',
        json: [
          {
            value,
            type: 'category',
            identifier: 'quality',
            scope: 'image',
            annotation_worklist_id: project.worklist_id,
            source: 'imported',
          },
        ],
      });
      expect(ids.json).toHaveLength(1);
    }
    const found = await sync('/annotations/search', {
      method: 'POST',
      json: {
        annotation_type: 'category',
        annotation_worklist_id: project.worklist_id,
        resource_ids: slices,
        offset: '0',
        limit: '5000',
      },
    });
    expectEntity(found.json, listOf(annotationSchema));
    expect(
      found.json.data.map((a: { resource_id: string; value: string }) => [a.resource_id, a.value]),
    ).toEqual([
      [slices[0], 'good'],
      [slices[1], 'bad'],
    ]);

    // 6. A volume segmentation of the 3-frame resource: liver in frame 2 only.
    const labels = makeNifti([4, 4, 3], (i) => (i >= 32 && i % 4 === 1 ? 1 : 0));
    const { body, contentType } = aiohttpMultipart([
      { name: 'file', value: gzipSync(labels), contentType: 'application/nifti', filename: 'segvol.nii.gz' },
      { name: 'annotation_worklist_id', value: project.worklist_id },
      { name: 'source', value: 'imported' },
      { name: 'segmentation_map', value: '{"1": "liver"}', contentType: 'application/json' },
    ]);
    const segmented = await send(`${server.url}/annotations/${volume}/segmentations/file`, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType },
    });
    expect(segmented.status).toBe(201);
    const [liver] = segmented.json;
    const frame2 = decodePng((await sync(`/annotations/${volume}/annotations/${liver}/frames/2`)).bytes);
    expect(Array.from(frame2.data)).toEqual([0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0]);
    const stats = await sync(`/projects/${project.id}/annotations-statistic`);
    expect(stats.json).toEqual([
      { identifier: 'quality', type: 'category', count: 2, resources_count: 2 },
      { identifier: 'liver', type: 'segmentation', count: 1, resources_count: 1 },
    ]);

    // 7. The dataset as PNG frames through the token flow.
    const token = (await sync(`/datasets/${project.dataset_id}/download/png`)).json;
    const archive = await sync(`/datasets/download/${token}`);
    const zip = readZip(archive.bytes);
    const names = [...zip.keys()].sort();
    expect(names).toContain('manifest.json');
    expect(names.filter((n) => n.endsWith('.png'))).toHaveLength(6);
    expect(names).toContain(`${volume}/slice_3_2.png`);
    const rendered = decodePng((await sync(`/resources/${volume}/frames/2`)).bytes);
    expect(Array.from(decodePng(zip.get(`${volume}/slice_3_2.png`)!).data)).toEqual(
      Array.from(rendered.data),
    );
  });
});
