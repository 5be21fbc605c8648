import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type AssembleInput,
  assembleSeries,
  createAnonymizer,
  type DicomParseWarningCode,
  DicomWriteError,
  isDicom,
  type ParsedDicom,
  parseDicom,
  TransferSyntax,
  writeDicom,
} from '../src/index';
import {
  dataSetOf,
  pythonSdkStyle,
  redeclare,
  withoutPreamble,
  withoutTransferSyntax,
  wrongGroupLength,
} from './crafted';
import { DICOM_DIR, hasData, read, requireData } from './data';

const {
  ImplicitVRLittleEndian: IMPLICIT,
  ExplicitVRLittleEndian: EXPLICIT,
  ExplicitVRBigEndian: BIG,
} = TransferSyntax;

interface Case {
  name: string;
  source: string;
  build: (b: Uint8Array) => Uint8Array;
  /** The syntax the bytes are in (what must be parsed and written). */
  actual: string;
  /** What the file meta says (undefined: nothing). */
  declared: string | undefined;
  warnings: DicomParseWarningCode[];
}

const CASES: Case[] = [
  {
    name: 'declared implicit, explicit VR data (Python SDK 1.4.1)',
    source: 'ts/MR_small.dcm',
    build: pythonSdkStyle,
    actual: EXPLICIT,
    declared: IMPLICIT,
    warnings: ['transfer-syntax-mismatch'],
  },
  {
    name: 'declared implicit, explicit VR data with 179 private elements',
    source: 'ts/CT_small.dcm',
    build: pythonSdkStyle,
    actual: EXPLICIT,
    declared: IMPLICIT,
    warnings: ['transfer-syntax-mismatch'],
  },
  {
    name: 'declared explicit, implicit VR data',
    source: 'ts/MR_small_implicit.dcm',
    build: (b) => redeclare(b, EXPLICIT),
    actual: IMPLICIT,
    declared: EXPLICIT,
    warnings: ['transfer-syntax-mismatch'],
  },
  {
    name: 'declared explicit little endian, big endian data',
    source: 'ts/MR_small_bigendian.dcm',
    build: (b) => redeclare(b, EXPLICIT),
    actual: BIG,
    declared: EXPLICIT,
    warnings: ['transfer-syntax-mismatch'],
  },
  {
    name: 'declared big endian, little endian data',
    source: 'ts/MR_small.dcm',
    build: (b) => redeclare(b, BIG),
    actual: EXPLICIT,
    declared: BIG,
    warnings: ['transfer-syntax-mismatch'],
  },
  {
    name: 'big endian without preamble and file meta',
    source: 'ts/MR_small_bigendian.dcm',
    build: dataSetOf,
    actual: BIG,
    declared: undefined,
    warnings: ['missing-file-meta'],
  },
  {
    name: 'big endian RGB without preamble and file meta',
    source: 'ts/ExplVR_BigEnd.dcm',
    build: dataSetOf,
    actual: BIG,
    declared: undefined,
    warnings: ['missing-file-meta'],
  },
  ...(['ts/MR_small.dcm', 'ts/MR_small_implicit.dcm', 'ts/MR_small_bigendian.dcm'] as const).map(
    (source): Case => ({
      name: `file meta without TransferSyntaxUID (${source})`,
      source,
      build: withoutTransferSyntax,
      actual: source.includes('implicit') ? IMPLICIT : source.includes('big') ? BIG : EXPLICIT,
      declared: undefined,
      warnings: ['missing-transfer-syntax'],
    }),
  ),
  {
    name: 'no preamble (file meta at offset 0)',
    source: 'ts/CT_small.dcm',
    build: withoutPreamble,
    actual: EXPLICIT,
    declared: EXPLICIT,
    warnings: ['missing-preamble'],
  },
  {
    name: 'no preamble and declared implicit over explicit data',
    source: 'ts/MR_small.dcm',
    build: (b) => withoutPreamble(pythonSdkStyle(b)),
    actual: EXPLICIT,
    declared: IMPLICIT,
    warnings: ['missing-preamble', 'transfer-syntax-mismatch'],
  },
  {
    name: 'file meta group length too long',
    source: 'ts/MR_small_implicit.dcm',
    build: (b) => wrongGroupLength(b, 40),
    actual: IMPLICIT,
    declared: IMPLICIT,
    warnings: ['meta-group-length'],
  },
  {
    name: 'file meta group length too short',
    source: 'ts/MR_small.dcm',
    build: (b) => wrongGroupLength(b, -10),
    actual: EXPLICIT,
    declared: EXPLICIT,
    warnings: ['meta-group-length'],
  },
];

/** Codes that say the file does not describe itself; a file we write must never earn one. */
const INCONSISTENT: DicomParseWarningCode[] = [
  'transfer-syntax-mismatch',
  'missing-transfer-syntax',
  'missing-file-meta',
  'missing-preamble',
  'meta-group-length',
];

function expectSelfConsistent(bytes: Uint8Array, actual: string, frame: Uint8Array): ParsedDicom {
  const out = parseDicom(bytes);
  expect(out.warnings.filter((w) => INCONSISTENT.includes(w.code))).toEqual([]);
  expect(out.declaredTransferSyntaxUID).toBe(out.transferSyntaxUID);
  expect(out.transferSyntaxUID).toBe(actual);
  expect(Buffer.from(out.frame(0)).equals(Buffer.from(frame))).toBe(true);
  return out;
}

describe('files whose declared encoding disagrees with their bytes', () => {
  it('has the shared data', () => {
    if (!requireData()) return;
    expect(hasData).toBe(true);
  });
  if (!hasData) return;

  for (const c of CASES) {
    it(`${c.name}: parses with what the bytes say and warns`, () => {
      const source = parseDicom(read(c.source));
      const bytes = c.build(read(c.source));
      expect(isDicom(bytes)).toBe(true);
      const parsed = parseDicom(bytes, { fileName: 'crafted.dcm' });
      expect(parsed.transferSyntaxUID).toBe(c.actual);
      expect(parsed.declaredTransferSyntaxUID).toBe(c.declared);
      expect(parsed.warnings.map((w) => w.code).filter((code) => code !== 'parser')).toEqual(c.warnings);
      const mismatch = parsed.warnings.find((w) => w.code === 'transfer-syntax-mismatch');
      if (mismatch) {
        expect(mismatch).toMatchObject({ declared: c.declared, actual: c.actual });
        expect(mismatch.message).toContain(c.declared);
      }
      // Every element of the source, with the same values.
      expect(parsed.tags()).toEqual(source.tags());
      for (const tag of ['PatientName', 'StudyInstanceUID', 'Rows', 'PixelSpacing', 'WindowCenter']) {
        expect(parsed.string(tag), tag).toBe(source.string(tag));
      }
      expect(parsed.number('Rows')).toBe(source.number('Rows'));
      expect(Buffer.from(parsed.frame(0)).equals(Buffer.from(source.frame(0)))).toBe(true);
      const header = parseDicom(bytes, { headerOnly: true });
      expect(header.transferSyntaxUID).toBe(c.actual);
      expect(header.pixelDataOffset).toBe(parsed.pixelDataOffset);
    });

    it(`${c.name}: writes and anonymizes to files that declare what they contain`, () => {
      const parsed = parseDicom(c.build(read(c.source)));
      const frame = parsed.frame(0);
      const written = expectSelfConsistent(writeDicom(parsed), c.actual, frame);
      expect(written.string('PatientName')).toBe(parsed.string('PatientName'));
      const basic = expectSelfConsistent(
        createAnonymizer({ key: 'k' }).anonymizeParsed(parsed),
        c.actual,
        frame,
      );
      expect(basic.string('PatientIdentityRemoved')).toBe('YES');
      const sdk = expectSelfConsistent(
        createAnonymizer({ profile: 'datamint-sdk' }).anonymizeParsed(parsed),
        c.actual,
        frame,
      );
      expect(sdk.string('PatientName')).not.toBe(parsed.string('PatientName'));
    });
  }
});

function series(name: string): { name: string; bytes: Uint8Array }[] {
  return readdirSync(join(DICOM_DIR, 'series', name))
    .sort()
    .map((file) => ({ name: file, bytes: read(`series/${name}/${file}`) }));
}

async function assembleOne(inputs: AssembleInput[]) {
  const result = await assembleSeries(inputs);
  expect(result.unassembled).toEqual([]);
  expect(result.outputs).toHaveLength(1);
  return result.outputs[0];
}

describe('assembly of mismatched slices', () => {
  if (!hasData) return;
  const builders: [string, string, (b: Uint8Array) => Uint8Array][] = [
    ['pydicom_ct5n', 'declared implicit over explicit data', pythonSdkStyle],
    ['pydicom_ct5n', 'without TransferSyntaxUID', withoutTransferSyntax],
    ['pydicom_ct5n', 'without preamble', withoutPreamble],
    ['pydicom_ct5n', 'wrong group length', (b) => wrongGroupLength(b, 8)],
    ['pydicom_ct5n', 'without file meta', dataSetOf],
    ['dcmqi_23x38x3/image', 'declared explicit over implicit data', (b) => redeclare(b, EXPLICIT)],
    ['dcmqi_23x38x3/image', 'declared big endian over implicit data', (b) => redeclare(b, BIG)],
  ];
  for (const [dir, label, build] of builders) {
    it(`${dir} ${label}: same frames as the well-formed slices, output self-consistent`, async () => {
      const originals = series(dir);
      const reference = await assembleOne(originals);
      const crafted = await assembleOne(originals.map((o) => ({ name: o.name, bytes: build(o.bytes) })));
      expect(crafted.sourceNames).toEqual(reference.sourceNames);
      expect(crafted.orderedBy).toBe('position');
      const ref = parseDicom(reference.bytes);
      const out = parseDicom(crafted.bytes);
      expect(out.warnings.filter((w) => INCONSISTENT.includes(w.code))).toEqual([]);
      expect(out.declaredTransferSyntaxUID).toBe(out.transferSyntaxUID);
      expect(crafted.transferSyntaxUID).toBe(ref.transferSyntaxUID);
      expect(out.numberOfFrames).toBe(originals.length);
      for (let i = 0; i < out.numberOfFrames; i++) {
        expect(Buffer.from(out.frame(i)).equals(Buffer.from(ref.frame(i))), `frame ${i}`).toBe(true);
      }
    });
  }
});

describe('a series assembled by the Python SDK 1.4.1 (explicit VR data under an implicit meta)', () => {
  if (!hasData) return;
  it('parses every frame with its geometry, anonymizes self-consistently and passes through assembly', async () => {
    const originals = series('pydicom_ct5n');
    const ours = await assembleOne(originals);
    const python = pythonSdkStyle(ours.bytes);
    expect(isDicom(python)).toBe(true);
    const parsed = parseDicom(python, { fileName: 'CT_ser1.dcm' });
    expect(parsed.declaredTransferSyntaxUID).toBe(IMPLICIT);
    expect(parsed.transferSyntaxUID).toBe(EXPLICIT);
    expect(parsed.warnings.map((w) => w.code)).toContain('transfer-syntax-mismatch');
    const ref = parseDicom(ours.bytes);
    expect(parsed.numberOfFrames).toBe(5);
    const perFrame = parsed.sequence('PerFrameFunctionalGroupsSequence') ?? [];
    expect(
      perFrame.map((f) => f.sequence('PlanePositionSequence')?.[0].string('ImagePositionPatient')),
    ).toEqual(
      (ref.sequence('PerFrameFunctionalGroupsSequence') ?? []).map((f) =>
        f.sequence('PlanePositionSequence')?.[0].string('ImagePositionPatient'),
      ),
    );
    for (let i = 0; i < 5; i++) {
      expect(Buffer.from(parsed.frame(i)).equals(Buffer.from(ref.frame(i)))).toBe(true);
    }
    const anonymized = expectSelfConsistent(
      createAnonymizer({ key: 'k' }).anonymizeParsed(parsed),
      EXPLICIT,
      ref.frame(0),
    );
    expect(anonymized.numberOfFrames).toBe(5);
    expect(Buffer.from(anonymized.frame(4)).equals(Buffer.from(ref.frame(4)))).toBe(true);
    const again = await assembleSeries([{ name: 'CT_ser1.dcm', bytes: python }]);
    expect(again.outputs).toEqual([]);
    expect(again.unassembled).toEqual([]);
    expect(again.passedThrough.map((p) => p.name)).toEqual(['CT_ser1.dcm']);
  });
});

describe('a compressed syntax declared over other VR rules', () => {
  if (!hasData) return;
  it('parses, but refuses to write a file no transfer syntax UID describes', () => {
    const bytes = redeclare(read('ts/MR_small_implicit.dcm'), TransferSyntax.JPEGLSLossless);
    const parsed = parseDicom(bytes);
    expect(parsed.transferSyntaxUID).toBe(TransferSyntax.JPEGLSLossless);
    expect(parsed.transferSyntax).toMatchObject({ explicitVR: false, littleEndian: true });
    expect(parsed.warnings[0]).toMatchObject({
      code: 'transfer-syntax-mismatch',
      actual: TransferSyntax.JPEGLSLossless,
    });
    expect(parsed.string('PatientName')).toBe(
      parseDicom(read('ts/MR_small_implicit.dcm')).string('PatientName'),
    );
    expect(() => writeDicom(parsed)).toThrow(DicomWriteError);
    expect(() => createAnonymizer().anonymizeParsed(parsed)).toThrow(/no transfer syntax UID describes/);
  });
});
