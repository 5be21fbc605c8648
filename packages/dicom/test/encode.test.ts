import { describe, expect, it } from 'vitest';
import { DicomWriteError, encodeElement, encodeHeader } from '../src/index';

const LE_EXPLICIT = { explicitVR: true, littleEndian: true };
const LE_IMPLICIT = { explicitVR: false, littleEndian: true };
const BE_EXPLICIT = { explicitVR: true, littleEndian: false };

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

describe('encodeElement golden bytes', () => {
  it('pads text with a space and UIDs with NUL', () => {
    // (0010,0010) PN "Doe^J" -> odd length 5, padded to 6 with a space.
    expect(hex(encodeElement(0x00100010, 'PN', 'Doe^J', LE_EXPLICIT))).toBe('10001000504e0600446f655e4a20');
    // (0008,0018) UI "1.2.3" -> padded with NUL.
    expect(hex(encodeElement(0x00080018, 'UI', '1.2.3', LE_EXPLICIT))).toBe('0800180055490600312e322e3300');
  });

  it('writes implicit headers as tag + 4-byte length', () => {
    expect(hex(encodeElement(0x00100010, 'PN', 'Doe^J', LE_IMPLICIT))).toBe('1000100006000000446f655e4a20');
  });

  it('writes big endian tags, lengths and binary values', () => {
    // (0028,0010) US 512 in explicit BE.
    expect(hex(encodeElement(0x00280010, 'US', 512, BE_EXPLICIT))).toBe('00280010555300020200');
    expect(hex(encodeElement(0x00280010, 'US', 512, LE_EXPLICIT))).toBe('28001000555302000002');
    // FD 1.5 big endian.
    expect(hex(encodeElement(0x00181041, 'FD', 1.5, BE_EXPLICIT))).toBe(
      '0018104146440008' + '3ff8000000000000',
    );
  });

  it('uses the 12-byte header for long VRs', () => {
    expect(hex(encodeElement(0x7fe00010, 'OW', new Uint8Array([1, 2, 3, 4]), LE_EXPLICIT))).toBe(
      'e07f10004f5700000400000001020304',
    );
    expect(hex(encodeElement(0x00081030, 'UT', 'abc', LE_EXPLICIT))).toBe(
      '0800301055540000040000006162632' + '0',
    );
  });

  it('formats IS and DS numbers and multi-values', () => {
    expect(Buffer.from(encodeElement(0x00200013, 'IS', 42, LE_EXPLICIT).subarray(8)).toString()).toBe('42');
    expect(
      Buffer.from(encodeElement(0x00280030, 'DS', [0.5, 0.75], LE_EXPLICIT).subarray(8)).toString(),
    ).toBe('0.5\\0.75');
    const ds = Buffer.from(encodeElement(0x00201041, 'DS', 1 / 3, LE_EXPLICIT).subarray(8))
      .toString()
      .trim();
    expect(ds.length).toBeLessThanOrEqual(16);
    expect(Number(ds)).toBeCloseTo(1 / 3, 10);
  });

  it('writes sequences with undefined lengths and delimiters', () => {
    const bytes = encodeElement(
      0x00120064,
      'SQ',
      [[{ tag: 0x00080100, vr: 'SH', value: '113100' }]],
      LE_EXPLICIT,
    );
    expect(hex(bytes)).toBe(
      '12006400535100' +
        '00ffffffff' +
        'feff00e0ffffffff' +
        '0800000153480600313133313030' +
        'feff0de000000000' +
        'feffdde000000000',
    );
    const implicit = encodeElement(0x00120064, 'SQ', [], LE_IMPLICIT);
    expect(hex(implicit)).toBe('12006400ffffffff' + 'feffdde000000000');
  });

  it('encodes item tags big endian in big endian files', () => {
    expect(hex(encodeHeader(0xfffee000, '', 0xffffffff, BE_EXPLICIT))).toBe('fffee000ffffffff');
  });

  it('rejects values that do not fit their VR', () => {
    expect(() => encodeElement(0x00100010, 'PN', 'x'.repeat(70000), LE_EXPLICIT)).toThrow(DicomWriteError);
    expect(() => encodeElement(0x00100010, 'PN', 'Zoë ☃', LE_EXPLICIT)).toThrow(/ISO_IR 192/);
    expect(() => encodeElement(0x00280010, 'US', Number.NaN, LE_EXPLICIT)).toThrow(DicomWriteError);
    expect(encodeElement(0x00100010, 'PN', 'Zoë ☃', { ...LE_EXPLICIT, utf8: true }).length).toBe(8 + 8);
  });
});
