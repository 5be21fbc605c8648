import { describe, expect, it } from 'vitest';
import { fnv1a64 } from '../src/upload/unit-id';

/** The textbook FNV-1a 64 over UTF-16 code units, with BigInt: what unit ids have always been. */
function reference(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

describe('fnv1a64', () => {
  it('gives the published FNV-1a 64 values', () => {
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).toBe('85944171f73967e8');
  });

  it('matches the BigInt computation on long, non-ASCII and random texts (unit ids must not change)', () => {
    const texts = [
      JSON.stringify(['series', Array.from({ length: 200 }, (_, i) => [`/data/ct/IM${i}.dcm`, 4096 + i])]),
      'résumé ✓ 東京 \u{1f600} \uffff\u0000',
    ];
    let seed = 7;
    for (let n = 0; n < 200; n++) {
      let text = '';
      for (let i = 0; i < n; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        text += String.fromCharCode(seed >>> 16);
      }
      texts.push(text);
    }
    for (const text of texts) expect(fnv1a64(text)).toBe(reference(text));
  });
});
