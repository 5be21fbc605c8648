import { readFileSync } from 'node:fs';
import { parseDicom } from '@datamint/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type APIHandler, ValidationError } from '../src';
import { dataDir, requireData } from './helpers/data';
import { grayPng } from './helpers/images';
import { type RecordingProxy, recordingProxy } from './helpers/recording-proxy';
import { startTestServer, type TestServer } from './helpers/server';

const hasData = requireData();
const CT = `${dataDir}/dicom/ts/CT_small.dcm`;
const ENHANCED = `${dataDir}/dicom/multiframe/CT0012.explicit_little_endian.dcm`;

let server: TestServer;
let proxy: RecordingProxy;
let api: APIHandler;
let resourceId: string;

beforeAll(async () => {
  server = await startTestServer();
  // A real loopback proxy in front of the server that records every request body.
  proxy = await recordingProxy(server.url);
  api = server.api({ rootUrl: proxy.url });
  const [r] = await api.uploadResources({ name: 'a.png', data: grayPng(4, 4) });
  if (!r?.ok) throw new Error('upload failed');
  resourceId = r.id;
});
afterAll(async () => {
  await proxy?.close();
  await server?.close();
});

/** The JSON body of the last annotation POST the server received. */
function lastAnnotationBody(): unknown {
  const posts = proxy.requests.filter(
    (r) => r.method === 'POST' && /^\/annotations\/[^/]+\/annotations$/.test(r.url),
  );
  return posts.at(-1)?.json;
}

/** The standard pixel → patient mapping, computed here from the file's own attributes. */
function patientOf(file: string, x: number, y: number): number[] {
  const ds = parseDicom(new Uint8Array(readFileSync(file)));
  const ipp = ds.numbers('ImagePositionPatient')!;
  const iop = ds.numbers('ImageOrientationPatient')!;
  const [rowSpacing, colSpacing] = ds.numbers('PixelSpacing')!;
  return [0, 1, 2].map((i) => ipp[i]! + x * colSpacing! * iop[i]! + y * rowSpacing! * iop[3 + i]!);
}

describe('addLineAnnotation / addBoxAnnotation put the 1.x wire on the server', () => {
  it('pixel points without a DICOM header: [x, y, frame], scope frame', async () => {
    const [id] = await api.addLineAnnotation([0, 0], [10, 30], resourceId, 'Line1', { frameIndex: 2 });
    expect(lastAnnotationBody()).toEqual([
      {
        type: 'line',
        identifier: 'Line1',
        scope: 'frame',
        frame_index: 2,
        geometry: {
          points: [
            [0, 0, 2],
            [10, 30, 2],
          ],
        },
        is_model: false,
      },
    ]);
    await api.addLineAnnotation([0, 0], [10, 30], resourceId, 'Line1');
    expect(lastAnnotationBody()).toEqual([
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
    const stored = (await api.getAnnotations({ resourceId, annotationType: 'line' }).toArray()).find(
      (a) => a.id === id,
    );
    expect(stored?.geometry).toEqual({
      points: [
        [0, 0, 2],
        [10, 30, 2],
      ],
    });
  });

  it('patient points are sent exactly as given', async () => {
    await api.addLineAnnotation([1.5, 2.5, 3.5], [4, 5, 6], resourceId, 'L', {
      coordsSystem: 'patient',
      modelId: 'm2',
    });
    expect(lastAnnotationBody()).toEqual([
      {
        type: 'line',
        identifier: 'L',
        scope: 'frame',
        geometry: {
          points: [
            [1.5, 2.5, 3.5],
            [4, 5, 6],
          ],
        },
        is_model: true,
        model_id: 'm2',
      },
    ]);
  });

  it('boxes: type square, the 2 opposite corners', async () => {
    const [id] = await api.addBoxAnnotation([0, 0], [100, 200], resourceId, 'B1', { frameIndex: 2 });
    expect(lastAnnotationBody()).toEqual([
      {
        type: 'square',
        identifier: 'B1',
        scope: 'frame',
        frame_index: 2,
        geometry: {
          points: [
            [0, 0, 2],
            [100, 200, 2],
          ],
        },
        is_model: false,
      },
    ]);
    const stored = (await api.getAnnotations({ resourceId, annotationType: 'square' }).toArray()).find(
      (a) => a.id === id,
    );
    expect(stored?.geometry).toEqual({
      points: [
        [0, 0, 2],
        [100, 200, 2],
      ],
    });
  });

  it.skipIf(!hasData)(
    'pixel points with dicomMetadata become patient millimetres (standard PixelSpacing order)',
    async () => {
      const bytes = new Uint8Array(readFileSync(CT));
      for (const dicomMetadata of [parseDicom(bytes), bytes, CT]) {
        await api.addLineAnnotation([10, 20], [50, 40], resourceId, 'CT line', {
          dicomMetadata,
          frameIndex: 0,
        });
        expect(lastAnnotationBody()).toEqual([
          {
            type: 'line',
            identifier: 'CT line',
            scope: 'frame',
            frame_index: 0,
            geometry: { points: [patientOf(CT, 10, 20), patientOf(CT, 50, 40)] },
            is_model: false,
          },
        ]);
      }
      await api.addBoxAnnotation([10, 20], [50, 40], resourceId, 'CT box', { dicomMetadata: CT });
      expect(lastAnnotationBody()).toEqual([
        {
          type: 'square',
          identifier: 'CT box',
          scope: 'frame',
          geometry: { points: [patientOf(CT, 10, 20), patientOf(CT, 50, 40)] },
          is_model: false,
        },
      ]);
    },
  );

  it.skipIf(!hasData)('bad input is a ValidationError naming the field, and nothing is sent', async () => {
    const sent = proxy.requests.length;
    const add = (p1: number[], p2: number[], options: Parameters<APIHandler['addLineAnnotation']>[4]) =>
      api.addLineAnnotation(p1, p2, resourceId, 'x', options);
    await expect(add([0, 0, 0], [1, 1], {})).rejects.toThrow(
      /Invalid point1: got \[0,0,0\], expected 2 finite numbers/,
    );
    await expect(add([0, 0], [1, 1], { coordsSystem: 'patient' })).rejects.toThrow(
      /Invalid point1: .*expected 3 finite numbers \(\[X, Y, Z\] in mm\)/,
    );
    await expect(add([0, 0], [1, Number.NaN], {})).rejects.toThrow(/Invalid point2/);
    await expect(add([0, 0], [1, 1], { coordsSystem: 'voxel' as 'pixel' })).rejects.toThrow(
      /Invalid coordsSystem/,
    );
    await expect(add([0, 0], [1, 1], { dicomMetadata: grayPng(4, 4) })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(add([0, 0], [1, 1], { dicomMetadata: `${CT}.missing` })).rejects.toThrow(
      /Invalid dicomMetadata: got ".*CT_small\.dcm\.missing", expected a readable DICOM file/,
    );
    await expect(add([0, 0], [1, 1], { dicomMetadata: ENHANCED })).rejects.toThrow(
      /Invalid frameIndex: got undefined, expected a frame index \(the image has 2 frames\)/,
    );
    await expect(add([0, 0], [1, 1], { dicomMetadata: ENHANCED, frameIndex: 2 })).rejects.toThrow(
      /Invalid frameIndex: got 2, expected a frame of the image \(0 to 1\)/,
    );
    await expect(api.addBoxAnnotation([0, 0], [1], resourceId, 'b')).rejects.toThrow(/Invalid point2/);
    expect(proxy.requests.length).toBe(sent);
  });
});
