import dicomParser, { type DataSet } from 'dicom-parser';
import { describe, expect, it } from 'vitest';
import { parseDicom, toTag, vrOf } from '../src/index';
import { parseDicomWith } from '../src/parse';
import { TagKeys } from '../src/read-dataset';
import { dicomFiles, read, requireData } from './data';

const NOT_DICOM = new Set(['series/dcmqi_23x38x3/nrrd/label.nrrd']);

/** What dicom-parser's own data set readers make of the same bytes (the reference). */
function reference(bytes: Uint8Array, start: number, explicitVR: boolean, littleEndian: boolean): DataSet {
  const parser = littleEndian
    ? dicomParser.littleEndianByteArrayParser
    : dicomParser.bigEndianByteArrayParser;
  const Ctor = (dicomParser as unknown as { DataSet: new (p: unknown, b: Uint8Array, e: object) => DataSet })
    .DataSet;
  const ds = new Ctor(parser, bytes, {});
  ds.warnings = [];
  const stream = new dicomParser.ByteStream(parser, bytes, start);
  if (explicitVR) dicomParser.parseDicomDataSetExplicit(ds, stream, bytes.length);
  else {
    dicomParser.parseDicomDataSetImplicit(ds, stream, bytes.length, {
      untilTag: '',
      vrCallback: ((key: string) => {
        const tag = Number.parseInt(key.slice(1), 16);
        if ((tag >>> 16) & 1) return undefined;
        const vr = vrOf(tag);
        return vr === 'UN' ? undefined : vr;
      }) as (tag: string) => string,
    });
  }
  return ds;
}

/** Elements as plain data, in file order, items and fragments included. */
function shape(ds: DataSet): unknown[] {
  return Object.values(ds.elements)
    .sort((a, b) => a.dataOffset - b.dataOffset)
    .map((el) => ({
      tag: el.tag,
      vr: el.vr,
      length: el.length,
      dataOffset: el.dataOffset,
      hadUndefinedLength: el.hadUndefinedLength === true,
      items: el.items?.map((item) => (item.dataSet ? shape(item.dataSet) : item.length)),
      fragments: el.fragments?.map((f) => [f.offset, f.position, f.length]),
    }));
}

describe('the fast data set reader', () => {
  it('reads every shared file exactly as dicom-parser does (tags, VRs, lengths, offsets, items, fragments)', () => {
    if (!requireData()) return;
    let compared = 0;
    for (const { rel } of dicomFiles()) {
      if (rel.startsWith('broken/') || NOT_DICOM.has(rel)) continue;
      const parsed = parseDicom(read(rel));
      const ts = parsed.transferSyntax;
      const start = ts.deflated ? 0 : parsed.dataSetStart;
      const expected = reference(parsed.bytes, start, ts.explicitVR, ts.littleEndian);
      expect(shape(parsed.dataSet), rel).toEqual(shape(expected));
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('with onlyTags keeps exactly those root elements, as a full parse reads them', () => {
    if (!requireData()) return;
    const only = new Set(
      ['Rows', 'SeriesInstanceUID', 'ImagePositionPatient', 'PixelData'].map((k) => toTag(k)),
    );
    const keys = new TagKeys();
    for (const { rel } of dicomFiles()) {
      if (rel.startsWith('broken/') || NOT_DICOM.has(rel)) continue;
      const full = parseDicom(read(rel), { headerOnly: true });
      const some = parseDicomWith(read(rel), { headerOnly: true }, keys, only);
      const kept = shape(full.dataSet).filter((el) => only.has(toTag((el as { tag: string }).tag)));
      expect(shape(some.dataSet), rel).toEqual(kept);
      expect(some.string('SeriesInstanceUID')).toBe(full.string('SeriesInstanceUID'));
      expect(some.pixelDataOffset).toBe(full.pixelDataOffset);
    }
  });

  it('agrees with dicom-parser on corrupted headers: same elements, or both reject', () => {
    if (!requireData()) return;
    let seed = 99;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    let agreedParses = 0;
    let agreedRejections = 0;
    for (const rel of [
      'ts/CT_small.dcm',
      'ts/MR_small_implicit.dcm',
      'ts/MR_small_bigendian.dcm',
      'structure/reportsi.dcm',
    ]) {
      const source = read(rel);
      const clean = parseDicom(source);
      const ts = clean.transferSyntax;
      const start = clean.dataSetStart;
      for (let i = 0; i < 300; i++) {
        const bytes = source.slice();
        // Corrupt the data set's header region (tags, VRs, lengths), never the file meta.
        for (let k = 0, n = 1 + Math.floor(rnd() * 4); k < n; k++) {
          const at = start + Math.floor(rnd() * Math.min(1500, bytes.length - start));
          bytes[at] = [0, 0xff, 0xfe, 0xe0, 0x41, 0x53, Math.floor(rnd() * 256)][Math.floor(rnd() * 7)];
        }
        let expected: unknown[] | undefined;
        try {
          expected = shape(reference(bytes, start, ts.explicitVR, ts.littleEndian));
        } catch {
          expected = undefined;
        }
        let actual: unknown[] | undefined;
        let cut = false;
        try {
          // Parse with the clean file's encoding, as the reference does.
          const parsed = parseDicom(bytes, { transferSyntaxUID: ts.uid });
          actual = shape(parsed.dataSet);
          cut = parsed.warnings.some((w) => w.code === 'truncated-pixel-data');
        } catch {
          actual = undefined;
        }
        if (expected && cut) {
          // Pixel data that a corrupted length makes run past the end is cut to the end of the
          // file (pydicom's reading); dicom-parser keeps the declared length.
          const pixels = expected.at(-1) as { tag: string; length: number; dataOffset: number };
          expect(pixels.tag).toBe('x7fe00010');
          expect(pixels.dataOffset + pixels.length).toBeGreaterThan(bytes.length);
          pixels.length = bytes.length - pixels.dataOffset;
        }
        if (expected && actual) {
          expect(actual, `${rel} mutation ${i}`).toEqual(expected);
          agreedParses++;
        } else if (!expected) {
          expect(actual, `${rel} mutation ${i}: dicom-parser rejects it`).toBeUndefined();
          agreedRejections++;
        }
      }
    }
    expect(agreedParses).toBeGreaterThan(100);
    expect(agreedRejections).toBeGreaterThan(10);
  });
});
