import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import { describe, expect, it } from 'vitest';
import {
  DicomParseError,
  DicomTagError,
  isDicom,
  parseDicom,
  TransferSyntax,
  toTag,
  writeDicom,
} from '../src/index';
import { DATA_DIR, dicomFiles, read, requireData, walkFiles } from './data';

const NOT_DICOM = new Set(['series/dcmqi_23x38x3/nrrd/label.nrrd']);
/** Broken files pydicom reads (it fails only when asked for their pixels): each one's warning. */
const READ_WITH_WARNING: Record<string, string> = {
  'broken/badVR.dcm': 'invalid-number-of-frames',
  'broken/MR_truncated.dcm': 'truncated-pixel-data',
};

describe('parseDicom on every shared file', () => {
  const files = dicomFiles();
  it('has the shared data', () => {
    if (!requireData()) return;
    expect(files.length).toBeGreaterThan(100);
  });
  for (const { rel } of files) {
    it(rel, () => {
      const bytes = read(rel);
      const warned = READ_WITH_WARNING[rel];
      if (warned) {
        const parsed = parseDicom(bytes, { fileName: rel });
        expect(parsed.warnings.map((w) => w.code)).toEqual([warned]);
        return;
      }
      if (rel.startsWith('broken/') || NOT_DICOM.has(rel)) {
        let error: unknown;
        try {
          parseDicom(bytes, { fileName: rel });
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(DicomParseError);
        expect((error as DicomParseError).fileName).toBe(rel);
        expect((error as DicomParseError).message).toContain(rel);
        return;
      }
      const parsed = parseDicom(bytes, { fileName: rel });
      expect(parsed.transferSyntaxUID).toMatch(/^1\.2\.840\.10008\.1\.2/);
      for (let i = 0; i < parsed.numberOfFrames; i++) expect(parsed.frame(i).length).toBeGreaterThan(0);
      const header = parseDicom(bytes, { fileName: rel, headerOnly: true });
      expect(header.pixelDataOffset).toBe(parsed.pixelDataOffset);
      expect(header.string('SOPInstanceUID')).toBe(parsed.string('SOPInstanceUID'));
    });
  }
});

describe('accessors', () => {
  it('reads strings, numbers and sequences in every tag form', () => {
    if (!requireData()) return;
    const p = parseDicom(read('ts/CT_small.dcm'));
    expect(p.transferSyntaxUID).toBe(TransferSyntax.ExplicitVRLittleEndian);
    expect(p.string('PatientName')).toBe('CompressedSamples^CT1');
    expect(p.string('x00100010')).toBe('CompressedSamples^CT1');
    expect(p.string('00100010')).toBe('CompressedSamples^CT1');
    expect(p.string('(0010,0010)')).toBe('CompressedSamples^CT1');
    expect(p.string(0x00100010)).toBe('CompressedSamples^CT1');
    expect(p.string([0x0010, 0x0010])).toBe('CompressedSamples^CT1');
    // Hex letters in either case; a key that is not hex is neither a key nor a keyword.
    const studyUid = '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322';
    expect(p.string('x0020000D')).toBe(studyUid);
    expect(p.string('x0020000d')).toBe(studyUid);
    expect(() => p.string('x0020000g')).toThrow(DicomTagError);
    expect(p.numbers('x00200032')).toEqual([-158.135803, -179.035797, -75.699997]);
    expect(p.string('OtherPatientNames')).toBeUndefined();
    expect(p.number('Rows')).toBe(128);
    expect(p.number('Columns')).toBe(128);
    expect(p.numbers('ImagePositionPatient')).toEqual([-158.135803, -179.035797, -75.699997]);
    expect(p.strings('ImageType')).toEqual(['ORIGINAL', 'PRIMARY', 'AXIAL']);
    expect(p.has('PixelData')).toBe(true);
    expect(p.string('TransferSyntaxUID')).toBe(TransferSyntax.ExplicitVRLittleEndian);
    expect(p.meta?.string('MediaStorageSOPInstanceUID')).toBe(p.string('SOPInstanceUID'));
    expect(p.pixelDataLength).toBe(128 * 128 * 2);
    expect(p.frame(0).length).toBe(128 * 128 * 2);
  });

  it('reads binary numbers of a big endian file like its little endian twin', () => {
    if (!requireData()) return;
    const le = parseDicom(read('ts/MR_small.dcm'));
    const be = parseDicom(read('ts/MR_small_bigendian.dcm'));
    const impl = parseDicom(read('ts/MR_small_implicit.dcm'));
    for (const tag of ['Rows', 'Columns', 'BitsAllocated', 'PixelRepresentation', 'SliceThickness']) {
      expect(be.number(tag)).toBe(le.number(tag));
      expect(impl.number(tag)).toBe(le.number(tag));
    }
    const a = le.frame(0);
    const b = be.frame(0);
    // Big endian pixel bytes are stored swapped.
    expect(b[0]).toBe(a[1]);
    expect(b[1]).toBe(a[0]);
    expect(impl.frame(0)).toEqual(a);
  });

  it('reads sequences with the same accessors', () => {
    if (!requireData()) return;
    const p = parseDicom(read('multiframe/CT0012.explicit_little_endian.dcm'));
    const perFrame = p.sequence('PerFrameFunctionalGroupsSequence');
    expect(perFrame?.length).toBe(2);
    const pos = perFrame?.[1].sequence('PlanePositionSequence')?.[0].numbers('ImagePositionPatient');
    expect(pos).toHaveLength(3);
    expect(p.sequence('PatientName')).toBeUndefined();
  });

  it('inflates deflated files with offsets into the inflated data set', () => {
    if (!requireData()) return;
    const p = parseDicom(read('ts/report_dfl.dcm'));
    expect(p.transferSyntax.deflated).toBe(true);
    expect(p.string('PatientName')).toBe('Osterman^Phillip B.');
    expect(p.has('x49444d43')).toBe(false);
    expect(p.sequence('ContentSequence')?.length).toBeGreaterThan(0);
    const img = parseDicom(read('ts/image_dfl.dcm'));
    expect(img.frame(0).length).toBe(512 * 512);
  });

  it('sniffs files without preamble and file meta', () => {
    if (!requireData()) return;
    const rt = parseDicom(read('structure/rtstruct.dcm'));
    expect(rt.hasPreamble).toBe(false);
    expect(rt.transferSyntaxUID).toBe(TransferSyntax.ImplicitVRLittleEndian);
    expect(rt.string('Modality')).toBe('RTSTRUCT');
    const ex = parseDicom(read('structure/ExplVR_LitEndNoMeta.dcm'));
    expect(ex.transferSyntaxUID).toBe(TransferSyntax.ExplicitVRLittleEndian);
    expect(ex.string('Modality')).toBe('RTPLAN');
  });

  it('reads a file meta group that lost its preamble', () => {
    if (!requireData()) return;
    for (const rel of ['ts/MR_small_implicit.dcm', 'ts/MR_small_bigendian.dcm', 'ts/MR_small_RLE.dcm']) {
      const full = parseDicom(read(rel));
      const stripped = parseDicom(read(rel).subarray(132));
      expect(stripped.hasPreamble).toBe(false);
      expect(stripped.transferSyntaxUID).toBe(full.transferSyntaxUID);
      expect(stripped.meta?.string('MediaStorageSOPInstanceUID')).toBe(
        full.meta?.string('MediaStorageSOPInstanceUID'),
      );
      expect(stripped.string('PatientName')).toBe(full.string('PatientName'));
      expect(Buffer.from(stripped.frame(0)).equals(Buffer.from(full.frame(0)))).toBe(true);
      const rewritten = parseDicom(writeDicom(stripped));
      expect(rewritten.hasPreamble).toBe(true);
      expect(rewritten.transferSyntaxUID).toBe(full.transferSyntaxUID);
      expect(Buffer.from(rewritten.frame(0)).equals(Buffer.from(full.frame(0)))).toBe(true);
    }
  });

  it('joins fragments of encapsulated frames', () => {
    if (!requireData()) return;
    const p = parseDicom(read('multiframe/IM00001.fragmented_no_bot_jpeg_baseline.50.dcm'));
    expect(p.isEncapsulated).toBe(true);
    expect(p.numberOfFrames).toBe(8);
    for (let i = 0; i < 8; i++) {
      const f = p.frame(i);
      expect([f[0], f[1]]).toEqual([0xff, 0xd8]);
      // EOI, possibly followed by the pad byte that keeps fragments even.
      const end = f[f.length - 1] === 0 ? f.length - 1 : f.length;
      expect([f[end - 2], f[end - 1]]).toEqual([0xff, 0xd9]);
    }
    const dcm = dcmjs.data.DicomMessage.readFile(
      read('multiframe/CT0012.not_fragmented_bot_rle.dcm').buffer as ArrayBuffer,
    );
    const frames = dcm.dict['7FE00010'].Value as ArrayBuffer[];
    const rle = parseDicom(read('multiframe/CT0012.not_fragmented_bot_rle.dcm'));
    expect(rle.frame(1)).toEqual(new Uint8Array(frames[1]));
  });

  it('addresses every fragment of an encapsulated frame', () => {
    if (!requireData()) return;
    const rel = 'multiframe/CT0012.fragmented_no_bot_jpeg_lossless.70.dcm';
    const p = parseDicom(read(rel));
    const fragments = p.pixelData?.fragments ?? [];
    const ranges = p.frameFragmentRanges();
    expect(ranges).toHaveLength(2);
    // The ranges tile the fragment list: every fragment belongs to exactly one frame.
    expect(ranges[0][0]).toBe(0);
    expect(ranges[0][1]).toBe(ranges[1][0]);
    expect(ranges[1][1]).toBe(fragments.length);
    expect(fragments.length).toBeGreaterThan(2);
    // dcmjs (independent reader) lists the raw fragments of this file without a frame table.
    const dcmjsFragments = dcmjs.data.DicomMessage.readFile(read(rel).buffer as ArrayBuffer).dict['7FE00010']
      .Value as ArrayBuffer[];
    expect(dcmjsFragments).toHaveLength(fragments.length);
    ranges.forEach(([from, to], k) => {
      const own = fragments.slice(from, to).map((f) => p.bytes.subarray(f.position, f.position + f.length));
      own.forEach((f, i) => {
        expect(Buffer.from(f).equals(Buffer.from(dcmjsFragments[from + i]))).toBe(true);
      });
      expect(Buffer.concat(own).equals(Buffer.from(p.frame(k))), `frame ${k}`).toBe(true);
      // Each frame is one JPEG bitstream: SOI in its first fragment.
      expect([own[0][0], own[0][1]]).toEqual([0xff, 0xd8]);
    });
  });

  it('headerOnly never reads pixel data: the same header from a file cut at PixelData', () => {
    if (!requireData()) return;
    let checked = 0;
    for (const { rel } of dicomFiles()) {
      if (rel.startsWith('broken/') || NOT_DICOM.has(rel)) continue;
      const bytes = read(rel);
      const full = parseDicom(bytes, { fileName: rel });
      // Deflated offsets refer to the inflated data, so there is no file offset to cut at.
      if (full.pixelDataOffset === undefined || full.transferSyntax.deflated) continue;
      const cut = bytes.slice(0, full.pixelDataOffset);
      const header = parseDicom(cut, { fileName: rel, headerOnly: true });
      expect(header.headerOnly).toBe(true);
      expect(header.pixelDataOffset, rel).toBe(full.pixelDataOffset);
      // Elements stored before PixelData (trailing padding after it can parse as elements too).
      const before = full
        .tags()
        .filter((t) => (full.element(t)?.dataOffset ?? 0) < (full.pixelDataOffset ?? 0));
      expect(
        header.tags().filter((t) => t < 0x7fe00010),
        rel,
      ).toEqual(before);
      const differing = before.filter(
        (t) =>
          !full.sequence(t) && !Buffer.from(header.value(t) ?? []).equals(Buffer.from(full.value(t) ?? [])),
      );
      expect(differing, rel).toEqual([]);
      // Garbage where the pixels were changes nothing either.
      const garbled = bytes.slice();
      garbled.fill(0xff, full.pixelDataOffset);
      expect(parseDicom(garbled, { headerOnly: true }).string('SOPInstanceUID')).toBe(
        full.string('SOPInstanceUID'),
      );
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('unpacks 1-bit frames that do not start on a byte boundary', () => {
    if (!requireData()) return;
    const seg = parseDicom(read('series/dcmqi_23x38x3/seg/label.seg.dcm'));
    const bits = 23 * 38;
    const all = seg.value('PixelData') as Uint8Array;
    const f1 = seg.frame(1);
    expect(f1.length).toBe(Math.ceil(bits / 8));
    for (let i = 0; i < bits; i++) {
      const src = bits + i;
      expect((f1[i >> 3] >> (i & 7)) & 1).toBe((all[src >> 3] >> (src & 7)) & 1);
    }
  });
});

describe('isDicom and errors', () => {
  it('finds every parseable file by content, whatever its name (no extension, UID-like names)', () => {
    if (!requireData()) return;
    let extensionless = 0;
    for (const { rel } of dicomFiles()) {
      if (rel.startsWith('broken/') || NOT_DICOM.has(rel)) continue;
      // isDicom never sees a name: Philips exports (I10, I100, DIRFILE) and UID-named files such as
      // 1.2.840.113619.2.55.3.604688119, which the Python SDK rejects by "extension", are found alike.
      expect(isDicom(read(rel)), rel).toBe(true);
      if (!/\.[a-z]{2,5}$/i.test(rel)) extensionless++;
    }
    expect(extensionless).toBeGreaterThanOrEqual(29);
    for (const rel of ['png/pngsuite', 'nifti']) {
      for (const path of walkFiles(join(DATA_DIR, rel))) {
        expect(isDicom(new Uint8Array(readFileSync(path))), path).toBe(false);
      }
    }
  });

  it('decides by content', () => {
    expect(isDicom(new Uint8Array(0))).toBe(false);
    expect(isDicom(new TextEncoder().encode('hello world, not dicom at all'))).toBe(false);
    if (!requireData()) return;
    expect(isDicom(read('ts/CT_small.dcm'))).toBe(true);
    expect(isDicom(read('structure/rtstruct.dcm'))).toBe(true);
    expect(isDicom(read('series/dcmqi_23x38x3/nrrd/label.nrrd'))).toBe(false);
  });

  it('reports truncation with file name, offset, expectation and partial data set', () => {
    if (!requireData()) return;
    try {
      parseDicom(read('broken/rtplan_truncated.dcm'), { fileName: 'rtplan_truncated.dcm' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DicomParseError);
      const err = e as DicomParseError;
      expect(err.message).toContain('rtplan_truncated.dcm');
      expect(err.offset).toBeGreaterThan(0);
      expect(err.expected).toMatch(/implicit VR little endian/);
      expect(err.partial?.elements.x00080016).toBeDefined();
    }
  });

  it('rejects non-DICOM and empty input', () => {
    expect(() => parseDicom(new Uint8Array(10))).toThrow(DicomParseError);
    expect(() => parseDicom(new Uint8Array(0))).toThrow(DicomParseError);
    expect(() => parseDicom('x' as unknown as Uint8Array)).toThrow(DicomParseError);
  });

  it('normalises tag forms', () => {
    expect(toTag('PatientID')).toBe(0x00100020);
    expect(toTag('(0008,0018)')).toBe(0x00080018);
    expect(toTag('0020,000D')).toBe(0x0020000d);
    expect(toTag([0x7fe0, 0x0010])).toBe(0x7fe00010);
    expect(() => toTag('NoSuchKeyword')).toThrow(/NoSuchKeyword/);
  });
});
