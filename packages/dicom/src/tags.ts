import { lookupKeyword } from './dictionary';
import { DicomTagError } from './errors';

/**
 * A tag as accepted everywhere in this package: a number `0xGGGGEEEE`, a `[group, element]` pair,
 * a string `'x00100010'`, `'00100010'`, `'(0010,0010)'`, `'0010,0010'`, or a keyword `'PatientName'`.
 */
export type TagInput = number | readonly [number, number] | string;

const HEX8 = /^x?([0-9a-fA-F]{8})$/;
const PAIR = /^\(?\s*(?:0x)?([0-9a-fA-F]{4})\s*,\s*(?:0x)?([0-9a-fA-F]{4})\s*\)?$/;

/** Normalises any {@link TagInput} to the number `0xGGGGEEEE`. Throws DicomTagError when invalid. */
export function toTag(input: TagInput): number {
  if (typeof input === 'number') {
    if (Number.isInteger(input) && input >= 0 && input <= 0xffffffff) return input >>> 0;
    throw new DicomTagError(`tag ${input} is not an integer in 0..0xFFFFFFFF`, input);
  }
  if (Array.isArray(input)) {
    const [g, e] = input as readonly [number, number];
    if (Number.isInteger(g) && Number.isInteger(e) && g >= 0 && g <= 0xffff && e >= 0 && e <= 0xffff) {
      return ((g << 16) | e) >>> 0;
    }
    throw new DicomTagError(`tag [${String(g)}, ${String(e)}] needs two integers in 0..0xFFFF`, input);
  }
  if (typeof input === 'string') {
    const hex = HEX8.exec(input);
    if (hex) return Number.parseInt(hex[1], 16) >>> 0;
    const pair = PAIR.exec(input);
    if (pair) return ((Number.parseInt(pair[1], 16) << 16) | Number.parseInt(pair[2], 16)) >>> 0;
    const entry = lookupKeyword(input);
    if (entry) return entry.tag;
    throw new DicomTagError(
      `"${input}" is neither a tag ('x00100010', '00100010', '(0010,0010)') nor a DICOM keyword`,
      input,
    );
  }
  throw new DicomTagError(`unsupported tag value ${String(input)}`, input);
}

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** dicom-parser's element key `'xggggeeee'`. */
export function tagKey(tag: number): string {
  // From a byte-to-hex table: every accessor call with a numeric tag goes through here.
  return `x${HEX2[(tag >>> 24) & 0xff]}${HEX2[(tag >>> 16) & 0xff]}${HEX2[(tag >>> 8) & 0xff]}${HEX2[tag & 0xff]}`;
}

/** Key of any {@link TagInput}; fast path for strings already in dicom-parser form. */
export function toTagKey(input: TagInput): string {
  if (typeof input === 'string' && input.length === 9 && input.charCodeAt(0) === 0x78) {
    // Accessors are called with keys in this form per attribute per file: checked by hand, as a
    // regular expression and a lower-casing copy cost more than the lookup they lead to.
    if (isLowerHexKey(input)) return input;
    if (HEX8.test(input)) return input.toLowerCase();
  }
  return tagKey(toTag(input));
}

function isLowerHexKey(s: string): boolean {
  for (let i = 1; i < 9; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/** Human form `(GGGG,EEEE)`. */
export function formatTag(tag: number): string {
  const hex = (tag >>> 0).toString(16).toUpperCase().padStart(8, '0');
  return `(${hex.slice(0, 4)},${hex.slice(4)})`;
}

export function tagFromKey(key: string): number {
  // Hand-decoded: this runs for every element the writer and the anonymizer look at, and
  // slice + parseInt costs several times more.
  let tag = 0;
  for (let i = 1; i < 9; i++) {
    const c = key.charCodeAt(i);
    const digit = c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57;
    tag = tag * 16 + digit;
  }
  return tag;
}

/** True for a private tag (odd group number). */
export function isPrivateTag(tag: number): boolean {
  return ((tag >>> 16) & 1) === 1;
}
