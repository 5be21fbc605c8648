import { describe, expect, it } from 'vitest';
import { DicomTagError, toTagKey } from '../src';
import { decodeText } from '../src/dataset';

describe('toTagKey', () => {
  it('gives the lower-case key for every form of a tag', () => {
    for (const form of ['x0008103e', 'x0008103E', '0008103E', '(0008,103E)', 'SeriesDescription']) {
      expect([form, toTagKey(form)]).toEqual([form, 'x0008103e']);
    }
    expect(toTagKey(0x0008103e)).toBe('x0008103e');
    expect(toTagKey([0x0008, 0x103e])).toBe('x0008103e');
  });

  it('rejects a key-shaped string that is not hexadecimal, naming it', () => {
    expect(() => toTagKey('x0008103g')).toThrow(DicomTagError);
    expect(() => toTagKey('x0008103g')).toThrow(/x0008103g/);
  });
});

describe('decodeText', () => {
  it('reads short and long values byte for byte as Latin-1, or as UTF-8 when asked', () => {
    const latin1 = new TextDecoder('latin1');
    const bytes = new Uint8Array(300).map((_, i) => (i * 7 + 32) % 256);
    for (const [start, length] of [
      [0, 0],
      [3, 1],
      [0, 64],
      [10, 65],
      [0, 300],
      [290, 64],
    ] as const) {
      const end = Math.min(bytes.length, start + length);
      expect(decodeText(bytes, start, length, false)).toBe(latin1.decode(bytes.subarray(start, end)));
    }
    expect(decodeText(new TextEncoder().encode('Zoë'), 0, 4, true)).toBe('Zoë');
  });
});
