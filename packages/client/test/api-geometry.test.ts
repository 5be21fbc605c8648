import { readFileSync } from 'node:fs';
import { type DicomEdit, parseDicom, writeDicom } from '@datamint/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, BoxAnnotation, LineAnnotation, ValidationError } from '../src';
import { dataDir, requireData } from './helpers/data';
import { grayPng } from './helpers/images';
import type { RecordingProxy } from './helpers/recording-proxy';
import { type ApiHarness, startApiHarness } from './helpers/server';

const hasData = requireData();
const CT = `${dataDir}/dicom/ts/CT_small.dcm`;
const NII = `${dataDir}/nifti/little.nii.gz`;

let h: ApiHarness;
let proxy: RecordingProxy;
let api: Api;
const ids = { ct: '', png: '', nii: '' };

beforeAll(async () => {
  h = await startApiHarness({
    uploads: hasData
      ? [
          CT,
          { name: 'flat.png', data: grayPng(8, 8) },
          { name: 'little.nii.gz', data: new Uint8Array(readFileSync(NII)) },
        ]
      : [],
  });
  ({ proxy, api } = h);
  [ids.ct, ids.png, ids.nii] = h.ids;
});
afterAll(async () => {
  await h?.close();
});

/** The one annotation POSTed since the last call, and every request made. */
function sent(): { body: Record<string, unknown>; requests: string[] } {
  const requests = proxy.take();
  const post = requests.filter((r) => r.method === 'POST' && /\/annotations$/.test(r.url));
  expect(post).toHaveLength(1);
  return {
    body: (post[0]!.json as Record<string, unknown>[])[0]!,
    requests: requests.map((r) => `${r.method} ${r.url.replace(/\?.*$/, '')}`),
  };
}

/** A box from (0, 0) to (100, 200) on a PNG without a frame: pixel corners, image scope. */
const PNG_BOX = {
  type: 'square',
  identifier: 'B1',
  scope: 'image',
  geometry: {
    points: [
      [0, 0, 0],
      [100, 0, 0],
      [0, 200, 0],
      [100, 200, 0],
    ],
  },
  source: 'imported',
};

function expectClose(actual: unknown, expected: number[][]): void {
  const points = actual as number[][];
  expect(points).toHaveLength(expected.length);
  points.forEach((p, i) => {
    p.forEach((v, j) => {
      expect(v).toBeCloseTo(expected[i]![j]!, 9);
    });
  });
}

describe.skipIf(!hasData)('api.annotations.addLineAnnotation / addBoxAnnotation', () => {
  it('DICOM: pixel points become patient millimetres with view vectors; the header is fetched once', async () => {
    const ds = parseDicom(new Uint8Array(readFileSync(CT)));
    const ipp = ds.numbers('ImagePositionPatient')!;
    const [rowSpacing, colSpacing] = ds.numbers('PixelSpacing')!;
    // CT_small is axial: rows run along +x, columns along +y.
    const at = (x: number, y: number) => [ipp[0]! + x * colSpacing!, ipp[1]! + y * rowSpacing!, ipp[2]!];
    proxy.take();
    const id = await api.annotations.addLineAnnotation([10, 20], [50, 40], ids.ct, 'Ruler', {
      frameIndex: 0,
    });
    expect(typeof id).toBe('string');
    const first = sent();
    expect(first.requests).toEqual([
      `GET /resources/${ids.ct}`,
      `GET /resources/${ids.ct}/file`,
      `POST /annotations/${ids.ct}/annotations`,
    ]);
    expect(Object.keys(first.body)).toEqual(['type', 'identifier', 'scope', 'geometry', 'source']);
    expect(first.body).toMatchObject({
      type: 'line',
      identifier: 'Ruler',
      scope: 'image',
      source: 'imported',
    });
    const geometry = first.body.geometry as Record<string, unknown>;
    expect(geometry.viewPlaneNormal).toEqual([0, 0, 1]);
    expect(geometry.viewUp).toEqual([0, 1, 0]);
    expectClose(geometry.points, [at(10, 20), at(50, 40)]);

    await api.annotations.addBoxAnnotation([10, 20], [50, 40], ids.ct, 'Box', { frameIndex: 0 });
    const box = sent();
    expect(box.requests).toEqual([`POST /annotations/${ids.ct}/annotations`]);
    expect(box.body).toMatchObject({ type: 'square', scope: 'frame', frame_index: 0 });
    expectClose((box.body.geometry as { points: unknown }).points, [
      at(10, 20),
      at(50, 20),
      at(10, 40),
      at(50, 40),
    ]);
  });

  it('NIfTI: converted with the affine in the resource metadata, x and y negated (LPS)', async () => {
    const resource = await api.resources.getById(ids.nii);
    const affine = resource.metadata.affine as number[][];
    const world = (x: number, y: number, s: number) =>
      [0, 1, 2].map((i) => affine[i]![0]! * x + affine[i]![1]! * y + affine[i]![2]! * s + affine[i]![3]!);
    proxy.take();
    await api.annotations.addLineAnnotation([1, 2], [3, 4], resource, 'N', { frameIndex: 5 });
    const { body, requests } = sent();
    expect(requests).toEqual([`POST /annotations/${ids.nii}/annotations`]);
    const flip = ([x, y, z]: number[]) => [-x!, -y!, z!];
    expectClose((body.geometry as { points: unknown }).points, [flip(world(1, 2, 5)), flip(world(3, 4, 5))]);
    expect(body.scope).toBe('image');
  });

  it('PNG: pixel geometry without vectors; patient points with given metadata are sent as given', async () => {
    await api.annotations.addBoxAnnotation([0, 0], [100, 200], ids.png, 'B1');
    expect(sent().body).toEqual(PNG_BOX);
    const header = parseDicom(new Uint8Array(readFileSync(CT)), { headerOnly: true });
    await api.annotations.addLineAnnotation([1.5, 2.5, 3.5], [4, 5, 6], ids.png, 'P', {
      coordsSystem: 'patient',
      metadata: header,
      modelId: 'm2',
    });
    const patient = sent();
    expect(patient.requests).toEqual([`POST /annotations/${ids.png}/annotations`]);
    expect(patient.body).toEqual({
      type: 'line',
      identifier: 'P',
      scope: 'image',
      geometry: {
        viewPlaneNormal: [0, 0, 1],
        viewUp: [0, 1, 0],
        points: [
          [1.5, 2.5, 3.5],
          [4, 5, 6],
        ],
      },
      is_model: true,
      model_id: 'm2',
      source: 'imported',
    });
  });

  it('bad input is a ValidationError naming the field, and no annotation is sent', async () => {
    proxy.take();
    await expect(api.annotations.addLineAnnotation([1, 2], [3, 4], ids.nii, 'x')).rejects.toThrow(
      /Invalid point1: .*needs the frame index/,
    );
    await expect(
      api.annotations.addLineAnnotation([1, 2], [3, 4], ids.png, 'x', { coordsSystem: 'patient' }),
    ).rejects.toThrow(/Invalid point1: got \[1,2\], expected needs 3 finite numbers/);
    await expect(
      api.annotations.addLineAnnotation([1, 2], [3, 4], ids.png, 'x', { metadata: [] as never }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(proxy.take().filter((r) => r.method === 'POST')).toEqual([]);
  });
});

/** The coronal, anisotropic DICOM slice of the platform's worked example, on a real file's header. */
function coronalHeader() {
  const edits: DicomEdit[] = [
    { tag: 'ImagePositionPatient', action: 'set', value: '-120.0\\35.0\\80.0' },
    { tag: 'ImageOrientationPatient', action: 'set', value: '1\\0\\0\\0\\0\\-1' },
    { tag: 'PixelSpacing', action: 'set', value: '0.5\\0.8' },
    { tag: 'SliceThickness', action: 'set', value: '3.0' },
    { tag: 'SpacingBetweenSlices', action: 'delete' },
    { tag: 'InstanceNumber', action: 'set', value: '1' },
  ];
  const mr = parseDicom(new Uint8Array(readFileSync(`${dataDir}/dicom/ts/MR_small.dcm`)));
  return parseDicom(writeDicom(mr, edits), { headerOnly: true });
}

/** The NIfTI resource metadata of the platform's worked example (shape 4 × 5 × 6, L-A-S affine). */
const NIFTI_METADATA = {
  dims: [3, 4, 5, 6],
  affine: [
    [-0.5, 0, 0, 10],
    [0, 0.8, 0, -20],
    [0, 0, 2.0, 30],
    [0, 0, 0, 1],
  ],
};

describe.skipIf(!hasData)('LineAnnotation.fromPoints / BoxAnnotation.fromPoints posted with create', () => {
  /** Posts the entity and returns the element the server received, after checking it read back the same. */
  async function post(entity: LineAnnotation | BoxAnnotation, resource: string) {
    proxy.take();
    const id = await api.annotations.create(resource, entity);
    const { body, requests } = sent();
    expect(requests).toEqual([`POST /annotations/${resource}/annotations`]);
    const back = await api.annotations.getById(id);
    expect(back).toBeInstanceOf(entity.constructor);
    return { body, back };
  }

  it('DICOM worked example: patient points with view vectors, line image-scoped, box with 4 corners', async () => {
    const ds = coronalHeader();
    const line = LineAnnotation.fromPoints([10, 20], [30, 5], {
      identifier: 'L',
      frameIndex: 0,
      metadata: ds,
    });
    expect(line.id).toBe('');
    const { body, back } = await post(line, ids.ct);
    expect(body).toEqual({
      type: 'line',
      identifier: 'L',
      scope: 'image',
      geometry: {
        viewPlaneNormal: [0, 1, 0],
        viewUp: [0, 0, -1],
        points: [
          [-112, 35, 70],
          [-96, 35, 77.5],
        ],
      },
      source: 'imported',
    });
    expect((back as LineAnnotation).lineGeometry).toEqual({
      kind: 'line',
      points: body.geometry && (body.geometry as { points: unknown }).points,
      viewPlaneNormal: [0, 1, 0],
      viewUp: [0, 0, -1],
    });

    const box = BoxAnnotation.fromPoints([10, 20], [30, 5], {
      identifier: 'B',
      frameIndex: 0,
      metadata: ds,
      importedFrom: 'viewer',
    });
    const posted = await post(box, ids.ct);
    expect(posted.body).toMatchObject({ type: 'square', identifier: 'B', scope: 'frame', frame_index: 0 });
    expect(posted.body.imported_from).toBe('viewer');
    expectClose((posted.body.geometry as { points: unknown }).points, [
      [-112, 35, 70],
      [-96, 35, 70],
      [-112, 35, 77.5],
      [-96, 35, 77.5],
    ]);
    expect((posted.back as BoxAnnotation).boxGeometry?.points).toHaveLength(4);
  });

  it('NIfTI worked example: world points with x and y negated, normal from the affine', async () => {
    const line = LineAnnotation.fromPoints([1, 2], [3, 4], {
      identifier: 'N',
      frameIndex: 1,
      metadata: NIFTI_METADATA,
    });
    const { body } = await post(line, ids.nii);
    expect(Object.keys(body)).toEqual(['type', 'identifier', 'scope', 'geometry', 'source']);
    const geometry = body.geometry as Record<string, number[] | number[][]>;
    expect((geometry.viewPlaneNormal as number[]).map((v) => v + 0)).toEqual([0, 0, 1]);
    expect(geometry.viewUp).toEqual([0, 1, 0]);
    expectClose(geometry.points, [
      [-9.5, 18.4, 32],
      [-8.5, 16.8, 32],
    ]);
    const box = BoxAnnotation.fromPoints([1, 2], [3, 4], {
      identifier: 'NB',
      frameIndex: 1,
      metadata: NIFTI_METADATA,
    });
    const posted = await post(box, ids.nii);
    expect(posted.body).toMatchObject({ scope: 'frame', frame_index: 1 });
    expectClose((posted.body.geometry as { points: unknown }).points, [
      [-9.5, 18.4, 32],
      [-8.5, 18.4, 32],
      [-9.5, 16.8, 32],
      [-8.5, 16.8, 32],
    ]);
  });

  it('image without metadata: pixel points, line frame-scoped, box image-scoped without a frame', async () => {
    const line = LineAnnotation.fromPoints([10, 20], [30, 40], { identifier: 'L1', frameIndex: 2 });
    expect((await post(line, ids.png)).body).toEqual({
      type: 'line',
      identifier: 'L1',
      scope: 'frame',
      frame_index: 2,
      geometry: {
        points: [
          [10, 20, 2],
          [30, 40, 2],
        ],
      },
      source: 'imported',
    });
    const box = BoxAnnotation.fromPoints([0, 0], [100, 200], { identifier: 'B1', authorEmail: 'a@b.c' });
    // The same element addBoxAnnotation sends for these corners, with the author.
    expect((await post(box, ids.png)).body).toEqual({ ...PNG_BOX, import_author: 'a@b.c' });
  });

  it('bad points, frame or metadata are a ValidationError naming the field, before any request', () => {
    expect(() => LineAnnotation.fromPoints([1], [2, 3], { identifier: 'x' })).toThrow(/Invalid point1/);
    expect(() => BoxAnnotation.fromPoints([1, 2], [3, 4], { identifier: 'x', frameIndex: -1 })).toThrow(
      /Invalid frameIndex/,
    );
    expect(() =>
      LineAnnotation.fromPoints([1, 2], [3, 4], { identifier: 'x', metadata: NIFTI_METADATA }),
    ).toThrow(/Invalid point1: .*frame index/);
    expect(() => LineAnnotation.fromPoints([1, 2], [3, 4], { identifier: '' })).toThrow(ValidationError);
    expect(() =>
      LineAnnotation.fromPoints([1, 2], [3, 4], { identifier: 'x', metadata: 'CT.dcm' as never }),
    ).toThrow(/Invalid metadata/);
  });
});
