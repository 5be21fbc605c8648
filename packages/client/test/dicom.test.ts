import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { geometryOf, parseDicom, parseLineGeometry, toPixel } from '@datamint/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type APIHandler, BadRequestError, type UploadProgress, ValidationError } from '../src';
import { dataDir, requireData } from './helpers/data';
import { grayPng, maskPng } from './helpers/images';
import { startTestServer, type TestServer } from './helpers/server';

const hasData = requireData();
const seriesDir = `${dataDir}/dicom/series/pydicom_ct5n`;
const seriesFiles = hasData
  ? readdirSync(seriesDir)
      .sort()
      .map((f) => path.join(seriesDir, f))
  : [];

let server: TestServer;
let api: APIHandler;
beforeAll(async () => {
  server = await startTestServer();
  api = server.api();
});
afterAll(async () => server?.close());

/** Standard pixel -> patient: P = IPP + x·colSpacing·r + y·rowSpacing·c (the test's own oracle). */
function patientOf(file: string, x: number, y: number): [number, number, number] {
  const ds = parseDicom(new Uint8Array(readFileSync(file)));
  const ipp = ds.numbers('ImagePositionPatient')!;
  const iop = ds.numbers('ImageOrientationPatient')!;
  const [rowSpacing, colSpacing] = ds.numbers('PixelSpacing')!;
  return [0, 1, 2].map((i) => ipp[i]! + x * colSpacing! * iop[i]! + y * rowSpacing! * iop[3 + i]!) as [
    number,
    number,
    number,
  ];
}

describe.skipIf(!hasData)('DICOM series: assembled, anonymized, annotated', () => {
  let seriesId: string;
  let results: Awaited<ReturnType<APIHandler['uploadResources']>>;
  const progress: UploadProgress[] = [];

  beforeAll(async () => {
    results = await api.uploadResources([seriesDir, { name: 'side.png', data: grayPng(4, 4) }], {
      anonymize: true,
      channel: 'series',
      segmentationFiles: [null, null],
      onProgress: (p) => progress.push(p),
    });
  });

  it('uploads one multi-frame resource per series, reported for every input file', async () => {
    expect(results).toHaveLength(seriesFiles.length + 1);
    const ids = new Set(results.slice(0, seriesFiles.length).map((r) => (r.ok ? r.id : 'failed')));
    expect(ids.size).toBe(1);
    seriesId = [...ids][0]!;
    expect(results[0]).toMatchObject({ ok: true, assembledFrom: seriesFiles.length });
    expect(results.at(-1)).toMatchObject({ ok: true, filename: 'side.png' });
    // Two resources; progress counts input bytes, so it ends exactly at the total.
    const inputBytes = seriesFiles.reduce((sum, f) => sum + readFileSync(f).length, 0) + grayPng(4, 4).length;
    expect(progress.map((p) => [p.filesDone, p.filesTotal])).toEqual([
      [1, 2],
      [2, 2],
    ]);
    expect(progress.at(-1)).toMatchObject({ bytesDone: inputBytes, bytesTotal: inputBytes });
    const stored = await api.getResources({ channel: 'series' }).toArray();
    expect(stored).toHaveLength(2);
    expect(stored.find((r) => r.id === seriesId)).toMatchObject({
      mimetype: 'application/dicom',
      modality: 'CT',
    });
  });

  it('the downloaded file has every frame and no PHI of the originals', async () => {
    const downloaded = await api.downloadResourceFile(seriesId);
    if (downloaded.converted.kind !== 'dicom') throw new Error('expected DICOM');
    const merged = downloaded.converted.dicom;
    expect(merged.numberOfFrames).toBe(seriesFiles.length);
    const original = parseDicom(new Uint8Array(readFileSync(seriesFiles[0]!)));
    for (const tag of [
      'PatientName',
      'PatientID',
      'PatientBirthDate',
      'InstitutionName',
      'ReferringPhysicianName',
      'AccessionNumber',
      'StudyInstanceUID',
      'SeriesInstanceUID',
      'FrameOfReferenceUID',
    ]) {
      const before = original.string(tag);
      if (before) expect(merged.string(tag), tag).not.toBe(before);
    }
    // No identifying value of any original slice survives anywhere in the file's bytes.
    const raw = Buffer.from(downloaded.bytes!);
    const identifying = new Set<string>();
    for (const file of seriesFiles) {
      const slice = parseDicom(new Uint8Array(readFileSync(file)));
      for (const tag of [
        'PatientName',
        'PatientID',
        'SOPInstanceUID',
        'StudyInstanceUID',
        'SeriesInstanceUID',
      ]) {
        const value = slice.string(tag);
        if (value && value.length >= 4) identifying.add(value);
      }
    }
    expect(identifying.size).toBeGreaterThan(seriesFiles.length);
    for (const value of identifying) expect(raw.includes(value), value).toBe(false);
    // Every frame's pixels are one of the original slices, untouched by anonymization.
    const frames = Array.from({ length: seriesFiles.length }, (_, k) =>
      Buffer.from(merged.frame(k)).toString('hex'),
    );
    const slices = seriesFiles.map((f) =>
      Buffer.from(parseDicom(new Uint8Array(readFileSync(f))).frame(0)).toString('hex'),
    );
    expect([...frames].sort()).toEqual([...slices].sort());
  });

  it('a line in patient coordinates is stored as given and maps back to its pixels and frame', async () => {
    const downloaded = await api.downloadResourceFile(seriesId);
    if (downloaded.converted.kind !== 'dicom') throw new Error('expected DICOM');
    const geometry = geometryOf(downloaded.converted.dicom);
    // The slice whose position is frame 3 of the merged file.
    const source = seriesFiles.find((f) => {
      const ipp = parseDicom(new Uint8Array(readFileSync(f))).numbers('ImagePositionPatient')!;
      return geometry.frames[3]!.position.every((v, i) => Math.abs(v - ipp[i]!) < 1e-6);
    })!;
    expect(source).toBeDefined();
    const p1 = patientOf(source, 2, 3);
    const p2 = patientOf(source, 12, 9);
    const [id] = await api.addLineAnnotation(p1, p2, seriesId, 'Ruler', {
      coordsSystem: 'patient',
      frameIndex: 3,
    });
    const annotation = (
      await api.getAnnotations({ resourceId: seriesId, annotationType: 'line' }).toArray()
    ).find((a) => a.id === id);
    expect(annotation).toMatchObject({ name: 'Ruler', index: 3, geometry: { points: [p1, p2] } });
    const pixels = toPixel(
      parseLineGeometry(annotation!.geometry),
      { kind: 'dicom', geometry },
      {
        coordinateSystem: 'patient',
      },
    );
    expect(pixels.map((p) => [p.x, p.y, p.frame].map((v) => Math.round(v! * 1e6) / 1e6))).toEqual([
      [2, 3, 3],
      [12, 9, 3],
    ]);
  });

  it('pixel points with dicomMetadata (parsed, bytes or path) are sent in patient millimetres', async () => {
    const downloaded = await api.downloadResourceFile(seriesId);
    if (downloaded.converted.kind !== 'dicom') throw new Error('expected DICOM');
    const merged = downloaded.converted.dicom;
    const saved = path.join(await mkdtemp(path.join(tmpdir(), 'dm-geometry-')), 'merged.dcm');
    await writeFile(saved, downloaded.bytes!);
    const frame1 = geometryOf(merged).frames[1]!;
    // The pixel (x, y) of frame 1, from the frame's own position and direction cosines.
    const at = (x: number, y: number) =>
      [0, 1, 2].map(
        (i) =>
          frame1.position[i]! +
          x * frame1.columnSpacing * frame1.rowDirection[i]! +
          y * frame1.rowSpacing * frame1.columnDirection[i]!,
      );
    // The PNG resource has no DICOM file: only the metadata given places the points.
    const png = results.at(-1)!;
    if (!png.ok) throw png.error;
    for (const dicomMetadata of [merged, downloaded.bytes!, saved]) {
      const [id] = await api.addLineAnnotation([1, 2], [7, 5], png.id, 'Given', {
        dicomMetadata,
        frameIndex: 1,
      });
      const line = (await api.getAnnotations({ resourceId: png.id }).toArray()).find((a) => a.id === id);
      expect(line).toMatchObject({ index: 1, geometry: { points: [at(1, 2), at(7, 5)] } });
    }
    await expect(
      api.addLineAnnotation([1, 2], [7, 5], png.id, 'Missing', {
        dicomMetadata: `${saved}.missing`,
        frameIndex: 1,
      }),
    ).rejects.toThrow(/Invalid dicomMetadata: got ".*merged\.dcm\.missing", expected a readable DICOM file/);
    await expect(
      api.addLineAnnotation([1, 2], [7, 5], png.id, 'Bad', { dicomMetadata: grayPng(4, 4) }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('anonymizeRetainCodes keeps the listed attributes', async () => {
    const original = parseDicom(new Uint8Array(readFileSync(seriesFiles[0]!)));
    const [kept] = await api.uploadResources(seriesFiles[0]!, {
      anonymize: true,
      anonymizeRetainCodes: [[0x0010, 0x0020], '(0008,0020)'],
      assembleDicoms: false,
    });
    if (!kept?.ok) throw new Error('upload failed');
    const file = await api.downloadResourceFile(kept.id);
    if (file.converted.kind !== 'dicom') throw new Error('expected DICOM');
    expect(file.converted.dicom.string('PatientID')).toBe(original.string('PatientID'));
    expect(file.converted.dicom.string('StudyDate')).toBe(original.string('StudyDate'));
    expect(file.converted.dicom.string('PatientName')).not.toBe(original.string('PatientName'));
  });

  it('pixel lines are sent as [x, y, frame]', async () => {
    const [id] = await api.addLineAnnotation([0, 0], [10, 30], seriesId, 'Line1', { frameIndex: 2 });
    const annotation = (await api.getAnnotations({ resourceId: seriesId }).toArray()).find(
      (a) => a.id === id,
    );
    expect(annotation).toMatchObject({
      index: 2,
      geometry: {
        points: [
          [0, 0, 2],
          [10, 30, 2],
        ],
      },
    });
    await expect(api.addLineAnnotation([0, 0, 0], [1, 1], seriesId, 'x')).rejects.toThrow(/point1/);
  });

  it('renders a frame of the multi-frame resource', async () => {
    const frame = await api.downloadResourceFrame(seriesId, 4);
    expect(frame.image).toMatchObject({ width: 16, height: 16 });
    const beyond = await api.downloadResourceFrame(seriesId, seriesFiles.length).catch((e: unknown) => e);
    expect(beyond).toBeInstanceOf(BadRequestError);
    expect((beyond as Error).message).toMatch(/frames\/5 .*Frame index out of range/);
  });

  it('a per-slice mask goes on that slice frame of the assembled resource', async () => {
    const masks = seriesFiles.map((_, i) =>
      i === 1 ? maskPng(16, 16, (x, y) => (x + y < 8 ? 1 : 0)) : null,
    );
    const uploaded = await api.uploadResources(seriesFiles, {
      channel: 'seg-series',
      segmentationFiles: masks.map((m) => (m ? { files: m, names: 'Corner' } : null)),
    });
    const merged = uploaded[1]!;
    if (!merged.ok) throw merged.error;
    expect(merged.segmentationIds).toHaveLength(1);
    const downloaded = await api.downloadResourceFile(merged.id);
    if (downloaded.converted.kind !== 'dicom') throw new Error('expected DICOM');
    const ipp = parseDicom(new Uint8Array(readFileSync(seriesFiles[1]!))).numbers('ImagePositionPatient')!;
    const frame = geometryOf(downloaded.converted.dicom).frames.findIndex((g) =>
      g.position.every((v, i) => Math.abs(v - ipp[i]!) < 1e-6),
    );
    const [annotation] = await api.getAnnotations({ resourceId: merged.id }).toArray();
    expect(annotation).toMatchObject({ name: 'Corner', index: frame });
  });

  it('anonymization maps UIDs consistently within a call, with a new key per call', async () => {
    const studyOf = async (id: string) => {
      const file = await api.downloadResourceFile(id);
      if (file.converted.kind !== 'dicom') throw new Error('expected DICOM');
      return file.converted.dicom.string('StudyInstanceUID');
    };
    const original = parseDicom(new Uint8Array(readFileSync(seriesFiles[0]!))).string('StudyInstanceUID');
    const first = await api.uploadResources(seriesFiles.slice(0, 2), {
      anonymize: true,
      assembleDicoms: false,
    });
    const second = await api.uploadResources(seriesFiles.slice(0, 1), {
      anonymize: true,
      assembleDicoms: false,
    });
    const [a, b, c] = await Promise.all([...first, ...second].map((r) => studyOf(r.ok ? r.id : '')));
    expect(a).toBe(b);
    expect(a).not.toBe(original);
    expect(c).not.toBe(a);
  });

  it('a volume mask given with any slice covers the assembled series frame by frame', async () => {
    const F = seriesFiles.length;
    const data = new Uint8Array(16 * 16 * F);
    for (let k = 0; k < F; k++) data[(k * 16 + k) * F + k] = 1; // frame k: pixel (k, k)
    const masks = seriesFiles.map((_, i) =>
      i === 0 ? { files: { data, shape: [16, 16, F] as const }, names: 'Vol' } : null,
    );
    const uploaded = await api.uploadResources(seriesFiles, {
      channel: 'vol-series',
      segmentationFiles: masks,
    });
    const merged = uploaded[0]!;
    if (!merged.ok) throw merged.error;
    expect(merged.segmentationIds).toHaveLength(F);
    const annotations = await api.getAnnotations({ resourceId: merged.id }).toArray();
    expect(annotations.map((a) => a.index).sort()).toEqual([...Array(F).keys()]);
  });

  it('assembleDicoms: false keeps one resource per file', async () => {
    const uploaded = await api.uploadResources(seriesFiles.slice(0, 2), {
      assembleDicoms: false,
      channel: 'plain',
    });
    expect(new Set(uploaded.map((r) => (r.ok ? r.id : ''))).size).toBe(2);
    const stored = await api.getResources({ channel: 'plain' }).toArray();
    expect(stored.map((r) => r.filename).sort()).toEqual(
      seriesFiles.slice(0, 2).map((f) => path.basename(f)),
    );
  });
});
