import { readFileSync } from 'node:fs';
import { parseDicom } from '@datamint/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, ValidationError } from '../src';
import { dataDir, requireData } from './helpers/data';
import { grayPng } from './helpers/images';
import { type RecordingProxy, recordingProxy } from './helpers/recording-proxy';
import { API_KEY, startTestServer, type TestServer } from './helpers/server';

const hasData = requireData();
const CT = `${dataDir}/dicom/ts/CT_small.dcm`;
const NII = `${dataDir}/nifti/little.nii.gz`;

let server: TestServer;
let proxy: RecordingProxy;
let api: Api;
const ids = { ct: '', png: '', nii: '' };

beforeAll(async () => {
  server = await startTestServer();
  proxy = await recordingProxy(server.url);
  if (!hasData) return;
  const results = await server
    .api()
    .uploadResources([
      CT,
      { name: 'flat.png', data: grayPng(8, 8) },
      { name: 'little.nii.gz', data: new Uint8Array(readFileSync(NII)) },
    ]);
  const [ct, png, nii] = results.map((r) => (r.ok ? r.id : ''));
  Object.assign(ids, { ct, png, nii });
  api = new Api({ rootUrl: proxy.url, apiKey: API_KEY, configFile: null, env: {} });
});
afterAll(async () => {
  await api?.close();
  await proxy?.close();
  await server?.close();
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
    expect(sent().body).toEqual({
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
    });
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
