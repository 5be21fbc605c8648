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
});
