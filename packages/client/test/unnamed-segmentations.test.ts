import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeNifti } from '@datamint/segmentation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIHandler } from '../src';
import { grayPng } from './helpers/images';
import { startTestServer, type TestServer } from './helpers/server';

// A 4 × 3 × 4 label volume (NIfTI order, x fastest): liver (1) on slices 0 and 1, tumour (2) on
// slices 2 and 3, never on the same slice. The Python SDK names every one of these slices `seg`.
const [NX, NY, NZ] = [4, 3, 4];
const labels = new Uint8Array(NX * NY * NZ);
for (let k = 0; k < NZ; k++) labels.fill(k < 2 ? 1 : 2, k * NX * NY + 1, k * NX * NY + 5);

/** What the server should hold for that mask: one name per label value, the same on every slice. */
const LIVER_THEN_TUMOUR = [
  [0, 'seg_1'],
  [1, 'seg_1'],
  [2, 'seg_2'],
  [3, 'seg_2'],
];

let server: TestServer;
let api: APIHandler;
let dir: string;
let maskPath: string;

beforeAll(async () => {
  server = await startTestServer();
  api = server.api();
  dir = await mkdtemp(path.join(tmpdir(), 'unnamed-masks-'));
  maskPath = path.join(dir, 'labels.nii');
  await writeFile(maskPath, writeNifti({ data: labels, shape: [NX, NY, NZ] }));
});
afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** [frame, identifier] of the segmentations the server holds for a resource, by frame. */
async function stored(resourceId: string): Promise<Array<[number | undefined, string | undefined]>> {
  const annotations = await api.getAnnotations({ resourceId, annotationType: 'segmentation' }).toArray();
  return annotations
    .map((a): [number | undefined, string | undefined] => [a.index ?? undefined, a.name])
    .sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
}

describe('an unnamed 3-D mask keeps its labels apart on the server', () => {
  it('uploadSegmentations names each label over the whole volume', async () => {
    const [resource] = await api.uploadResources({ name: 'slice.png', data: grayPng(NX, NY) });
    if (!resource?.ok) throw new Error('upload failed');
    const ids = await api.uploadSegmentations(resource.id, maskPath);
    expect(ids).toHaveLength(NZ);
    expect(await stored(resource.id)).toEqual(LIVER_THEN_TUMOUR);
  });

  it('uploadResources with an unnamed segmentation file does the same', async () => {
    // The image is a NIfTI volume of the mask's size, as a CT would be.
    const image = writeNifti({ data: labels.map((_, i) => i & 255), shape: [NX, NY, NZ] });
    const [result] = await api.uploadResources([{ name: 'volume.nii', data: image }], {
      segmentationFiles: [{ files: [maskPath] }],
    });
    if (!result?.ok) throw new Error('upload failed');
    expect(result.segmentationIds).toHaveLength(NZ);
    expect(await stored(result.id)).toEqual(LIVER_THEN_TUMOUR);
  });

  it('a volume holding one label value is `seg` on every slice', async () => {
    const one = path.join(dir, 'one.nii');
    await writeFile(one, writeNifti({ data: labels.map((v) => (v ? 3 : 0)), shape: [NX, NY, NZ] }));
    const [resource] = await api.uploadResources({ name: 'one.png', data: grayPng(NX, NY, 9) });
    if (!resource?.ok) throw new Error('upload failed');
    await api.uploadSegmentations(resource.id, one);
    expect(await stored(resource.id)).toEqual([
      [0, 'seg'],
      [1, 'seg'],
      [2, 'seg'],
      [3, 'seg'],
    ]);
  });
});
