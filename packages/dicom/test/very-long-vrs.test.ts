// OV, SV and UV (64-bit values, added to the standard in 2019) have the long explicit VR header: two
// reserved bytes, then a 4-byte length. dicom-parser 1.8 reads a 2-byte length there; pydicom reads
// them right, so we must too, at the root and inside items of every kind of sequence.
import dcmjs from 'dcmjs';
import { describe, expect, it } from 'vitest';
import { sliceHeaderTags } from '../src/assemble-plan';
import { concatBytes } from '../src/bytes';
import { type ElementEncoding, encodeElement } from '../src/encode';
import { createAnonymizer, parseDicom, TransferSyntax } from '../src/index';
import { parseDicomWith } from '../src/parse';
import { TagKeys } from '../src/read-dataset';
import { scanSliceHeader } from '../src/slice-header';

const META: ElementEncoding = { explicitVR: true, littleEndian: true };
const BIG = 2 ** 40 + 5;

function part10(transferSyntaxUID: string, body: Uint8Array): Uint8Array {
  const elements = [
    encodeElement(0x00020001, 'OB', new Uint8Array([0, 1]), META),
    encodeElement(0x00020002, 'UI', '1.2.840.10008.5.1.4.1.1.7', META),
    encodeElement(0x00020003, 'UI', '1.2.3.4.5', META),
    encodeElement(0x00020010, 'UI', transferSyntaxUID, META),
  ];
  const length = elements.reduce((s, e) => s + e.length, 0);
  const head = new Uint8Array(132);
  head.set([0x44, 0x49, 0x43, 0x4d], 128);
  return concatBytes([head, encodeElement(0x00020000, 'UL', length, META), ...elements, body]);
}

/** 64-bit values in the encoding's byte order (what an OV value holds). */
function words64(values: number[], le: boolean): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  for (const [i, v] of values.entries()) view.setBigUint64(i * 8, BigInt(v), le);
  return out;
}

/** A sequence with a defined length holding one item with a defined length (the writer makes undefined ones). */
function definedLengthSequence(tag: number, item: Uint8Array, enc: ElementEncoding): Uint8Array {
  const out = new Uint8Array(12 + 8 + item.length);
  const view = new DataView(out.buffer);
  const le = enc.littleEndian;
  view.setUint16(0, tag >>> 16, le);
  view.setUint16(2, tag & 0xffff, le);
  out.set([0x53, 0x51], 4); // 'SQ'
  view.setUint32(8, 8 + item.length, le);
  view.setUint16(12, 0xfffe, le);
  view.setUint16(14, 0xe000, le);
  view.setUint32(16, item.length, le);
  out.set(item, 20);
  return out;
}

/**
 * A file with OV, SV and UV at the root, inside an undefined-length item and inside a
 * defined-length item; each is followed by elements that a misread length would swallow.
 */
function veryLongFile(enc: ElementEncoding): Uint8Array {
  const e = (tag: number, vr: string, value: Parameters<typeof encodeElement>[2]) =>
    encodeElement(tag, vr, value, enc);
  const itemOf = (offset: number, label: string) => [
    { tag: 0x0008040c, vr: 'UV', value: offset },
    { tag: 0x0008040b, vr: 'UR', value: label },
    { tag: 0x00720082, vr: 'SV', value: [-7, 9] },
  ];
  const definedItem = concatBytes([
    e(0x0008040b, 'UR', 'defined'),
    e(0x0008040c, 'UV', BIG),
    e(0x00720081, 'OV', words64([1, 2], enc.littleEndian)),
    e(0x00720082, 'SV', -3),
  ]);
  const body = concatBytes([
    e(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
    e(0x00080018, 'UI', '1.2.3.4.5'),
    e(0x0008041a, 'SQ', [itemOf(BIG, 'first'), itemOf(12, 'second')]),
    definedLengthSequence(0x00080420, definedItem, enc),
    e(0x00080428, 'UV', BIG),
    e(0x00080429, 'UV', [1, 2, 3]),
    e(0x00100010, 'PN', 'Doe^Jane'),
    e(0x00100020, 'LO', 'PID-0042'),
    e(0x0020000d, 'UI', '1.2.3.4'),
    e(0x00720081, 'OV', words64([BIG], enc.littleEndian)),
    e(0x00720082, 'SV', [-(2 ** 33), 4]),
    e(0x00720083, 'UV', 8),
    e(0x7fe00001, 'OV', words64([0, 6], enc.littleEndian)),
    e(0x7fe00003, 'UV', 4),
  ]);
  const syntax = enc.littleEndian
    ? TransferSyntax.ExplicitVRLittleEndian
    : TransferSyntax.ExplicitVRBigEndian;
  return part10(syntax, body);
}

describe('OV, SV and UV elements (explicit VR)', () => {
  for (const enc of [META, { explicitVR: true, littleEndian: false }]) {
    const order = enc.littleEndian ? 'little' : 'big';

    it(`reads them and every element after them at the root and in items, ${order} endian`, () => {
      const parsed = parseDicom(veryLongFile(enc), { fileName: 'very-long.dcm' });
      expect(parsed.warnings).toEqual([]);
      expect(parsed.number('TotalNumberOfStudyRecords')).toBe(BIG);
      expect(parsed.numbers(0x00080429)).toEqual([1, 2, 3]);
      expect(parsed.string('PatientName')).toBe('Doe^Jane');
      expect(parsed.string('PatientID')).toBe('PID-0042');
      expect(parsed.string('StudyInstanceUID')).toBe('1.2.3.4');
      expect(parsed.vr(0x00720081)).toBe('OV');
      expect(parsed.value(0x00720081)).toEqual(words64([BIG], enc.littleEndian));
      expect(parsed.numbers(0x00720082)).toEqual([-(2 ** 33), 4]);
      expect(parsed.number(0x00720083)).toBe(8);
      expect(parsed.value(0x7fe00001)).toEqual(words64([0, 6], enc.littleEndian));
      expect(parsed.number(0x7fe00003)).toBe(4);

      const undefinedItems = parsed.sequence(0x0008041a)!;
      expect(undefinedItems.map((item) => item.string(0x0008040b))).toEqual(['first', 'second']);
      expect(undefinedItems.map((item) => item.number(0x0008040c))).toEqual([BIG, 12]);
      expect(undefinedItems.map((item) => item.numbers(0x00720082))).toEqual([
        [-7, 9],
        [-7, 9],
      ]);
      const [definedItem] = parsed.sequence(0x00080420)!;
      expect(definedItem!.string(0x0008040b)).toBe('defined');
      expect(definedItem!.number(0x0008040c)).toBe(BIG);
      expect(definedItem!.value(0x00720081)).toEqual(words64([1, 2], enc.littleEndian));
      expect(definedItem!.number(0x00720082)).toBe(-3);
    });

    it(`anonymizes them in one pass exactly as the parse-plan-write path does, ${order} endian`, () => {
      const input = veryLongFile(enc);
      for (const profile of ['basic', 'datamint-sdk'] as const) {
        const anonymizer = createAnonymizer({ profile, key: 'very-long' });
        const onePass = anonymizer.anonymize(input, { fileName: 'very-long.dcm' });
        const parsedPath = anonymizer.anonymizeParsed(parseDicom(input, { fileName: 'very-long.dcm' }));
        expect(Buffer.from(onePass).equals(Buffer.from(parsedPath)), profile).toBe(true);
        const out = parseDicom(onePass);
        expect(out.string('PatientName'), profile).not.toBe('Doe^Jane');
        expect(out.number('TotalNumberOfStudyRecords'), profile).toBe(BIG);
        expect(out.numbers(0x00720082), profile).toEqual([-(2 ** 33), 4]);
        expect(out.value(0x7fe00001), profile).toEqual(words64([0, 6], enc.littleEndian));
      }
    });
  }

  it('is read by the slice-header scanner itself, with what the general header parse gives', () => {
    const input = veryLongFile(META);
    const wanted = sliceHeaderTags(['StudyInstanceUID']);
    const mine = scanSliceHeader(input, 'very-long.dcm', new TagKeys(), wanted);
    const theirs = parseDicomWith(
      input,
      { fileName: 'very-long.dcm', headerOnly: true },
      new TagKeys(),
      new Set(wanted),
    );
    expect(mine).toBeDefined();
    expect(mine!.rootElements).toEqual(theirs.rootElements);
    expect(mine!.string('StudyInstanceUID')).toBe('1.2.3.4');
  });

  it('reads UV as dcmjs (an independent reader) does', () => {
    const enc = META;
    const input = part10(
      TransferSyntax.ExplicitVRLittleEndian,
      concatBytes([
        encodeElement(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7', enc),
        encodeElement(0x00080018, 'UI', '1.2.3.4.5', enc),
        encodeElement(0x00080428, 'UV', 77, enc),
        encodeElement(0x00080429, 'UV', [5, 6], enc),
        encodeElement(0x00100010, 'PN', 'Doe^Jane', enc),
      ]),
    );
    const dict = dcmjs.data.DicomMessage.readFile(input.slice().buffer as ArrayBuffer).dict;
    const ours = parseDicom(input);
    expect(dict['00080428']!.Value!.map(Number)).toEqual([ours.number(0x00080428)]);
    expect(dict['00080429']!.Value!.map(Number)).toEqual(ours.numbers(0x00080429));
    expect(dict['00100010']!.Value).toEqual([{ Alphabetic: ours.string('PatientName') }]);
  });

  describe('sequences cut short or overrunning their items', () => {
    const e = (tag: number, vr: string, value: Parameters<typeof encodeElement>[2]) =>
      encodeElement(tag, vr, value, META);
    const start = [e(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'), e(0x00080018, 'UI', '1.2.3.4.5')];
    const sequence = e(0x0008041a, 'SQ', [[{ tag: 0x0008040c, vr: 'UV', value: BIG }]]);
    const sequenceDelimiter = 8;
    const itemDelimiter = 8;

    it('keeps what was read of a sequence whose delimitation item is missing, with a warning', () => {
      const cut = part10(
        TransferSyntax.ExplicitVRLittleEndian,
        concatBytes([...start, sequence.subarray(0, -sequenceDelimiter)]),
      );
      const parsed = parseDicom(cut);
      expect(parsed.sequence(0x0008041a)![0]!.number(0x0008040c)).toBe(BIG);
      expect(parsed.warnings).toEqual([
        {
          code: 'parser',
          message:
            'eof encountered before finding sequence delimitation tag while reading sequence of undefined length',
        },
      ]);
    });

    it('keeps what was read of an item whose delimitation item is missing, with a warning', () => {
      const cut = part10(
        TransferSyntax.ExplicitVRLittleEndian,
        concatBytes([...start, sequence.subarray(0, -sequenceDelimiter - itemDelimiter)]),
      );
      const parsed = parseDicom(cut);
      expect(parsed.sequence(0x0008041a)![0]!.number(0x0008040c)).toBe(BIG);
      expect(parsed.warnings.map((w) => [w.code, w.message])).toEqual([
        [
          'parser',
          'eof encountered before finding item delimiter tag while reading sequence item of undefined length',
        ],
        [
          'parser',
          'eof encountered before finding sequence delimitation tag while reading sequence of undefined length',
        ],
      ]);
    });

    it('refuses an item whose declared length runs past the end of the data', () => {
      const item = e(0x0008040c, 'UV', BIG);
      const whole = definedLengthSequence(0x00080420, item, META);
      const input = part10(
        TransferSyntax.ExplicitVRLittleEndian,
        concatBytes([...start, whole.subarray(0, -4)]),
      );
      expect(() => parseDicom(input, { fileName: 'short-item.dcm' })).toThrow(
        /short-item\.dcm.*item at \d+ \(20 bytes\) extends past the end of the data/,
      );
    });

    it('refuses an element that runs past the end of its item', () => {
      // The item says 16 bytes; its UV element (12-byte header, 8-byte value) needs 20.
      const item = e(0x0008040c, 'UV', BIG);
      const whole = definedLengthSequence(0x00080420, item, META);
      new DataView(whole.buffer, whole.byteOffset).setUint32(16, item.length - 4, true);
      const input = part10(
        TransferSyntax.ExplicitVRLittleEndian,
        concatBytes([...start, whole, e(0x00100010, 'PN', 'Doe^Jane')]),
      );
      expect(() => parseDicom(input, { fileName: 'overrun.dcm' })).toThrow(
        /overrun\.dcm.*runs past the end of its item/,
      );
    });
  });

  it('still types a truncated OV value as a parse error naming the file', () => {
    const input = veryLongFile(META);
    const ov = new Uint8Array([0x72, 0x00, 0x81, 0x00, 0x4f, 0x56]);
    const at = Buffer.from(input).indexOf(Buffer.from(ov));
    expect(at).toBeGreaterThan(0);
    expect(() => parseDicom(input.subarray(0, at + 14), { fileName: 'cut.dcm' })).toThrow(/cut\.dcm/);
  });
});
