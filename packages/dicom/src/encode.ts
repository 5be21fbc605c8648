import { concatBytes } from './bytes';
import { vrOf } from './dictionary';
import { DicomWriteError } from './errors';
import { formatTag } from './tags';
import { LONG_HEADER_VRS } from './transfer-syntax';

/** Byte encoding of elements: explicit or implicit VR, little or big endian, text as UTF-8 or Latin-1. */
export interface ElementEncoding {
  /** Write the VR into each element. */
  explicitVR: boolean;
  /** Write numbers little-endian. */
  littleEndian: boolean;
  /** Text is UTF-8 (SpecificCharacterSet ISO_IR 192); otherwise Latin-1. */
  utf8?: boolean;
}

/** A new element inside a new sequence item. */
export interface NewElement {
  /** Tag as a number `0xGGGGEEEE`. */
  tag: number;
  /** VR; defaults to the dictionary VR of the tag. */
  vr?: string;
  /** The value (a string, numbers, bytes or nested items). */
  value: DicomValue;
}

/**
 * A value to write: text (string or strings joined with `\`), numbers (binary VRs, IS, DS), raw
 * bytes already in the file's byte order, or sequence items (arrays of new elements).
 */
export type DicomValue =
  | string
  | readonly string[]
  | number
  | readonly number[]
  | Uint8Array
  | readonly (readonly NewElement[])[];

const BINARY_SIZE: Record<string, number> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, AT: 4, SV: 8, UV: 8 };
const RAW_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);
const UTF8 = new TextEncoder();
export const UNDEFINED_LENGTH = 0xffffffff;

export const ITEM = 0xfffee000;
export const ITEM_DELIMITER = 0xfffee00d;
export const SEQUENCE_DELIMITER = 0xfffee0dd;

function isItems(value: DicomValue): value is readonly (readonly NewElement[])[] {
  return Array.isArray(value) && (value.length === 0 || Array.isArray(value[0]));
}

function encodeText(text: string, utf8: boolean, tag: number): Uint8Array {
  if (utf8) return UTF8.encode(text);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) {
      throw new DicomWriteError(
        `character "${text[i]}" cannot be written in Latin-1; set SpecificCharacterSet to ISO_IR 192`,
        formatTag(tag),
      );
    }
    out[i] = c;
  }
  return out;
}

/** DS values are at most 16 characters. */
function formatDS(n: number, tag: number): string {
  if (!Number.isFinite(n)) throw new DicomWriteError(`DS value ${n} is not finite`, formatTag(tag));
  let s = String(n);
  for (let p = 15; s.length > 16 && p > 0; p--) s = String(Number(n.toPrecision(p)));
  if (s.length > 16) s = n.toExponential(8);
  return s;
}

function padded(bytes: Uint8Array, pad: number): Uint8Array {
  if (bytes.length % 2 === 0) return bytes;
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = pad;
  return out;
}

/** Encodes a non-sequence value with its padding to even length. */
export function encodeValue(tag: number, vr: string, value: DicomValue, enc: ElementEncoding): Uint8Array {
  if (value instanceof Uint8Array) {
    return padded(value, vr === 'UI' || RAW_VRS.has(vr) || vr in BINARY_SIZE ? 0 : 0x20);
  }
  const size = BINARY_SIZE[vr];
  if (size !== undefined) {
    // A text value given for a binary VR (an anonymizer's replacement text on a number element) is
    // one value that is not a number, not a list of characters.
    const nums = (
      typeof value === 'number' || typeof value === 'string' ? [value] : value
    ) as readonly unknown[];
    const out = new Uint8Array(nums.length * size);
    const view = new DataView(out.buffer);
    const le = enc.littleEndian;
    nums.forEach((n, i) => {
      if (typeof n !== 'number' || !Number.isFinite(n)) {
        throw new DicomWriteError(`${vr} value ${String(n)} is not a finite number`, formatTag(tag));
      }
      const p = i * size;
      switch (vr) {
        case 'US':
          view.setUint16(p, n, le);
          break;
        case 'SS':
          view.setInt16(p, n, le);
          break;
        case 'UL':
          view.setUint32(p, n, le);
          break;
        case 'SL':
          view.setInt32(p, n, le);
          break;
        case 'FL':
          view.setFloat32(p, n, le);
          break;
        case 'FD':
          view.setFloat64(p, n, le);
          break;
        case 'SV':
          view.setBigInt64(p, BigInt(Math.trunc(n)), le);
          break;
        case 'UV':
          view.setBigUint64(p, BigInt(Math.trunc(n)), le);
          break;
        default:
          view.setUint16(p, n >>> 16, le);
          view.setUint16(p + 2, n & 0xffff, le);
      }
    });
    return out;
  }
  if (RAW_VRS.has(vr)) {
    throw new DicomWriteError(
      `${vr} values must be given as Uint8Array in the file's byte order`,
      formatTag(tag),
    );
  }
  const list = (
    typeof value === 'string' || typeof value === 'number' ? [value] : value
  ) as readonly unknown[];
  const parts = list.map((v) => {
    if (typeof v === 'number') {
      if (vr === 'IS') return String(Math.trunc(v));
      if (vr === 'DS') return formatDS(v, tag);
      return String(v);
    }
    if (typeof v !== 'string')
      throw new DicomWriteError(`${vr} value ${String(v)} is not text`, formatTag(tag));
    return v;
  });
  return padded(encodeText(parts.join('\\'), enc.utf8 === true, tag), vr === 'UI' ? 0 : 0x20);
}

/** Writes a tag and length header; returns the header bytes. */
export function encodeHeader(tag: number, vr: string, length: number, enc: ElementEncoding): Uint8Array {
  const out = new Uint8Array(headerSize(vr, enc));
  writeHeader(out, tag, vr, length, enc);
  return out;
}

function headerSize(vr: string, enc: ElementEncoding): number {
  return enc.explicitVR && LONG_HEADER_VRS.has(vr) ? 12 : 8;
}

/** Writes an element header at the start of `out`, which has room for {@link headerSize} bytes. */
function writeHeader(out: Uint8Array, tag: number, vr: string, length: number, enc: ElementEncoding): void {
  // Byte writes instead of a DataView: this runs for every element an edit or the anonymizer encodes.
  const le = enc.littleEndian;
  put16(out, 0, tag >>> 16, le);
  put16(out, 2, tag & 0xffff, le);
  const isDelimiterOrItem = tag >>> 16 === 0xfffe;
  if (!enc.explicitVR || isDelimiterOrItem) {
    put32(out, 4, length, le);
    return;
  }
  out[4] = vr.charCodeAt(0);
  out[5] = vr.charCodeAt(1);
  if (headerSize(vr, enc) === 12) {
    out[6] = 0;
    out[7] = 0;
    put32(out, 8, length, le);
  } else {
    if (length > 0xffff) {
      throw new DicomWriteError(
        `value of ${length} bytes is too long for VR ${vr} (max 65534)`,
        formatTag(tag),
      );
    }
    put16(out, 6, length, le);
  }
}

function put16(out: Uint8Array, at: number, v: number, le: boolean): void {
  out[at + (le ? 0 : 1)] = v & 0xff;
  out[at + (le ? 1 : 0)] = (v >>> 8) & 0xff;
}

function put32(out: Uint8Array, at: number, v: number, le: boolean): void {
  for (let b = 0; b < 4; b++) out[at + (le ? b : 3 - b)] = (v >>> (8 * b)) & 0xff;
}

/** Encodes the items of a new sequence (undefined-length items and delimiters) into `parts`. */
function encodeItems(
  items: readonly (readonly NewElement[])[],
  enc: ElementEncoding,
  parts: Uint8Array[],
): void {
  for (const item of items) {
    parts.push(encodeHeader(ITEM, '', UNDEFINED_LENGTH, enc));
    const sorted = [...item].sort((a, b) => a.tag - b.tag);
    for (const el of sorted) parts.push(encodeElement(el.tag, el.vr ?? vrOf(el.tag), el.value, enc));
    parts.push(encodeHeader(ITEM_DELIMITER, '', 0, enc));
  }
  parts.push(encodeHeader(SEQUENCE_DELIMITER, '', 0, enc));
}

/**
 * Encodes one complete element (header and padded value). Sequences are written with undefined
 * length and undefined-length items, so no lengths need to be computed.
 */
export function encodeElement(tag: number, vr: string, value: DicomValue, enc: ElementEncoding): Uint8Array {
  if (vr === 'SQ') {
    if (!isItems(value)) throw new DicomWriteError('SQ values must be arrays of items', formatTag(tag));
    const parts: Uint8Array[] = [encodeHeader(tag, vr, UNDEFINED_LENGTH, enc)];
    encodeItems(value, enc, parts);
    return concatBytes(parts);
  }
  if (isItems(value) && value.length > 0) {
    throw new DicomWriteError(`items given for VR ${vr}`, formatTag(tag));
  }
  const bytes = encodeValue(tag, vr, value, enc);
  // Header and value in one allocation: the anonymizer encodes dozens of elements per file.
  const size = headerSize(vr, enc);
  const out = new Uint8Array(size + bytes.length);
  writeHeader(out, tag, vr, bytes.length, enc);
  out.set(bytes, size);
  return out;
}
