import { readFileSync } from 'node:fs';
import { parseDicom, writeDicom } from '@datamint/dicom';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src';
import {
  type AnnotationImage,
  type GeometryAnnotationRequest,
  geometryAnnotationPayload,
  niftiHeaderFromMetadata,
} from '../src/geometry-payload';
import { dataDir, requireData } from './helpers/data';

const hasData = requireData();

/** The platform's worked-example DICOM: coronal, PixelSpacing [0.5, 0.8], on a real file's header. */
function coronal(frames: number): AnnotationImage {
  const mr = parseDicom(new Uint8Array(readFileSync(`${dataDir}/dicom/ts/MR_small.dcm`)));
  const bytes = writeDicom(mr, [
    { tag: 'ImagePositionPatient', action: 'set', value: '-120.0\\35.0\\80.0' },
    { tag: 'ImageOrientationPatient', action: 'set', value: '1\\0\\0\\0\\0\\-1' },
    { tag: 'PixelSpacing', action: 'set', value: '0.5\\0.8' },
    { tag: 'SliceThickness', action: 'set', value: '3.0' },
    { tag: 'SpacingBetweenSlices', action: 'delete' },
    ...(frames > 1 ? [{ tag: 'NumberOfFrames', action: 'set', value: String(frames) } as const] : []),
  ]);
  return { kind: 'dicom', header: parseDicom(bytes, { headerOnly: true }) };
}

const NIFTI: AnnotationImage = {
  kind: 'nifti',
  metadata: {
    dims: [3, 4, 5, 6, 1, 1, 1, 1],
    affine: [
      [-0.5, 0, 0, 10],
      [0, 0.8, 0, -20],
      [0, 0, 2.0, 30],
      [0, 0, 0, 1],
    ],
  },
};

/** What goes on the wire: JSON text (so -0 prints as 0, as in any JSON body). */
const wire = (request: GeometryAnnotationRequest) =>
  JSON.parse(JSON.stringify(geometryAnnotationPayload(request)));

describe.skipIf(!hasData)('the v2 body of a line or box, per the platform worked examples', () => {
  const cases: [string, () => GeometryAnnotationRequest, unknown][] = [
    [
      'DICOM line, pixel points converted (scope image, no frame_index)',
      () => ({
        shape: 'line',
        identifier: 'L',
        points: [
          [10, 20],
          [30, 5],
        ],
        frameIndex: 0,
        image: coronal(1),
      }),
      {
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
      },
    ],
    [
      'DICOM box, 4 corners (scope frame, frame_index 0)',
      () => ({
        shape: 'box',
        identifier: 'B',
        points: [
          [10, 20],
          [30, 5],
        ],
        frameIndex: 0,
        image: coronal(1),
      }),
      {
        type: 'square',
        identifier: 'B',
        scope: 'frame',
        frame_index: 0,
        geometry: {
          viewPlaneNormal: [0, 1, 0],
          viewUp: [0, 0, -1],
          points: [
            [-112, 35, 70],
            [-96, 35, 70],
            [-112, 35, 77.5],
            [-96, 35, 77.5],
          ],
        },
        source: 'imported',
      },
    ],
    [
      'DICOM classic multi-frame, frame 2',
      () => ({
        shape: 'line',
        identifier: 'L',
        points: [
          [10, 20],
          [30, 5],
        ],
        frameIndex: 2,
        image: coronal(5),
      }),
      {
        type: 'line',
        identifier: 'L',
        scope: 'image',
        geometry: {
          viewPlaneNormal: [0, 1, 0],
          viewUp: [0, 0, -1],
          points: [
            [-112, 41, 70],
            [-96, 41, 77.5],
          ],
        },
        source: 'imported',
      },
    ],
    [
      'NIfTI line from the resource metadata (RAS → LPS)',
      () => ({
        shape: 'line',
        identifier: 'N',
        points: [
          [1, 2],
          [3, 4],
        ],
        frameIndex: 1,
        image: NIFTI,
      }),
      {
        type: 'line',
        identifier: 'N',
        scope: 'image',
        geometry: {
          viewPlaneNormal: [0, 0, 1],
          viewUp: [0, 1, 0],
          points: [
            [-9.5, 18.4, 32],
            [-8.5, 16.8, 32],
          ],
        },
        source: 'imported',
      },
    ],
    [
      'NIfTI box',
      () => ({
        shape: 'box',
        identifier: 'NB',
        points: [
          [1, 2],
          [3, 4],
        ],
        frameIndex: 1,
        image: NIFTI,
      }),
      {
        type: 'square',
        identifier: 'NB',
        scope: 'frame',
        frame_index: 1,
        geometry: {
          viewPlaneNormal: [0, 0, 1],
          viewUp: [0, 1, 0],
          points: [
            [-9.5, 18.4, 32],
            [-8.5, 18.4, 32],
            [-9.5, 16.8, 32],
            [-8.5, 16.8, 32],
          ],
        },
        source: 'imported',
      },
    ],
    [
      'PNG line without frame: scope frame, z 0',
      () => ({
        shape: 'line',
        identifier: 'L1',
        points: [
          [10, 20],
          [30, 40],
        ],
        image: { kind: 'image' },
      }),
      {
        type: 'line',
        identifier: 'L1',
        scope: 'frame',
        geometry: {
          points: [
            [10, 20, 0],
            [30, 40, 0],
          ],
        },
        source: 'imported',
      },
    ],
    [
      'PNG line on frame 2',
      () => ({
        shape: 'line',
        identifier: 'L1',
        points: [
          [10, 20],
          [30, 40],
        ],
        frameIndex: 2,
      }),
      {
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
      },
    ],
    [
      'PNG box on frame 2',
      () => ({
        shape: 'box',
        identifier: 'B1',
        points: [
          [0, 0],
          [100, 200],
        ],
        frameIndex: 2,
      }),
      {
        type: 'square',
        identifier: 'B1',
        scope: 'frame',
        frame_index: 2,
        geometry: {
          points: [
            [0, 0, 2],
            [100, 0, 2],
            [0, 200, 2],
            [100, 200, 2],
          ],
        },
        source: 'imported',
      },
    ],
    [
      'PNG box without frame: scope image, z 0',
      () => ({
        shape: 'box',
        identifier: 'B1',
        points: [
          [0, 0],
          [100, 200],
        ],
      }),
      {
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
      },
    ],
    [
      'patient points on an image: as given, no vectors, scope image; provenance fields',
      () => ({
        shape: 'line',
        identifier: 'P',
        points: [
          [1.5, 2.5, 3.5],
          [4, 5, 6],
        ],
        coordsSystem: 'patient',
        image: { kind: 'image' },
        worklistId: 'wl-1',
        importedFrom: 'viewer',
        importAuthor: 'reader@example.org',
        modelId: 'm2',
      }),
      {
        type: 'line',
        identifier: 'P',
        scope: 'image',
        geometry: {
          points: [
            [1.5, 2.5, 3.5],
            [4, 5, 6],
          ],
        },
        annotation_worklist_id: 'wl-1',
        imported_from: 'viewer',
        import_author: 'reader@example.org',
        is_model: true,
        model_id: 'm2',
        source: 'imported',
      },
    ],
  ];

  it.each(cases)('%s', (_name, request, expected) => {
    expect(wire(request())).toEqual(expected);
  });

  it('bad input is a ValidationError naming the field', () => {
    const line = { shape: 'line', identifier: 'L' } as const;
    expect(() =>
      wire({
        ...line,
        points: [
          [1, 2],
          [3, 4],
        ],
        coordsSystem: 'patient',
      }),
    ).toThrow(/Invalid point1: got \[1,2\], expected needs 3 finite numbers/);
    expect(() =>
      wire({
        ...line,
        points: [
          [1, 2],
          [3, 4],
        ],
        image: NIFTI,
      }),
    ).toThrow(ValidationError);
    expect(() =>
      wire({
        ...line,
        points: [
          [1, 2],
          [3, 4],
        ],
        frameIndex: 9,
        image: NIFTI,
      }),
    ).toThrow(/Invalid frameIndex: got 9/);
    expect(() =>
      wire({
        ...line,
        points: [
          [1, 2],
          [3, 4],
        ],
        image: coronal(5),
      }),
    ).toThrow(/Invalid point1.*5 frames/);
    expect(() =>
      wire({
        ...line,
        identifier: '',
        points: [
          [1, 2],
          [3, 4],
        ],
      }),
    ).toThrow(/identifier/);
    expect(() => niftiHeaderFromMetadata({})).toThrow(/Invalid metadata\.dims/);
    expect(() => niftiHeaderFromMetadata({ dims: [3, 2, 2, 2], affine: [[1, 0]] })).toThrow(
      /Invalid metadata\.affine/,
    );
    const us = parseDicom(
      new Uint8Array(
        readFileSync(`${dataDir}/dicom/multiframe/IM00001.fragmented_no_bot_jpeg_baseline.50.dcm`),
      ),
      { headerOnly: true },
    );
    expect(() =>
      wire({
        ...line,
        points: [
          [1, 2],
          [3, 4],
        ],
        image: { kind: 'dicom', header: us },
      }),
    ).toThrow(/Invalid metadata.*ImageOrientationPatient/);
  });
});
