import type { DataSet, Element } from 'dicom-parser';
import { vrOf } from './dictionary';
import { type TagInput, tagFromKey, toTagKey } from './tags';
import { headerLength } from './transfer-syntax';

/** How the values of a data set are encoded. */
export interface DatasetEncoding {
  /** Elements carry their VR. */
  explicitVR: boolean;
  /** Numbers are little-endian. */
  littleEndian: boolean;
  /** `(0008,0005)` SpecificCharacterSet of the root data set; ISO_IR 192 selects UTF-8. */
  utf8: boolean;
}

/** Location and type of one element, with absolute offsets into {@link DicomDataset.bytes}. */
export interface DicomElement {
  /** Tag as a number `0xGGGGEEEE`. */
  tag: number;
  /** dicom-parser key `'xggggeeee'`. */
  key: string;
  /** VR from the file (explicit VR) or from the data dictionary (implicit VR; `UN` when unknown). */
  vr: string;
  /** Offset of the element's header (tag). */
  headerOffset: number;
  /** Offset of the value. */
  dataOffset: number;
  /** Value length in bytes; for undefined-length elements the length dicom-parser found. */
  length: number;
  /** The element was written with undefined length (a sequence or encapsulated pixel data ended by a delimiter). */
  undefinedLength: boolean;
}

const NUMERIC_BINARY: Record<string, number> = {
  US: 2,
  SS: 2,
  UL: 4,
  SL: 4,
  FL: 4,
  FD: 8,
  AT: 4,
  SV: 8,
  UV: 8,
};
const LATIN1 = new TextDecoder('latin1');
const UTF8 = new TextDecoder('utf-8');

function isPad(c: number): boolean {
  return c === 0x20 || c === 0x00;
}

/**
 * Read-only view of one data set (the root data set or a sequence item) with typed accessors.
 * Every accessor takes a tag as number, `'x00100010'`, `'00100010'`, `'(0010,0010)'` or keyword.
 */
export class DicomDataset {
  /** The dicom-parser DataSet behind this view, for callers who need its API. */
  readonly dataSet: DataSet;
  /** How its values are encoded (VR, byte order, character set). */
  readonly encoding: DatasetEncoding;
  private readonly view: DataView;
  private readonly sequences = new Map<string, DicomDataset[]>();

  constructor(dataSet: DataSet, encoding: DatasetEncoding, view?: DataView) {
    this.dataSet = dataSet;
    this.encoding = encoding;
    const b = dataSet.byteArray;
    this.view = view ?? new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  /** The bytes that element offsets refer to (the inflated data set for deflated files). */
  get bytes(): Uint8Array {
    return this.dataSet.byteArray;
  }

  /** The dicom-parser element of `tag` in this data set, for subclasses; `undefined` when absent. */
  protected rawElement(tag: TagInput): Element | undefined {
    return this.dataSet.elements[toTagKey(tag)];
  }

  /** True when the element is present (even with an empty value). */
  has(tag: TagInput): boolean {
    return this.rawElement(tag) !== undefined;
  }

  /** Keys of the elements in file order. */
  keys(): string[] {
    const entries = Object.values(this.dataSet.elements);
    entries.sort((a, b) => a.dataOffset - b.dataOffset);
    return entries.map((e) => e.tag);
  }

  /** Tags (numbers) of the elements in file order. */
  tags(): number[] {
    return this.keys().map(tagFromKey);
  }

  /** VR of an element: explicit from the file, else from the dictionary. */
  vr(tag: TagInput): string | undefined {
    const el = this.rawElement(tag);
    return el ? this.vrOfElement(el) : undefined;
  }

  /** The VR of an element: from the file, or from the dictionary for implicit VR (`UN` when unknown). */
  protected vrOfElement(el: Element): string {
    if (el.vr) return el.vr;
    if (el.items) return 'SQ';
    return vrOf(tagFromKey(el.tag));
  }

  /** Location of an element. */
  element(tag: TagInput): DicomElement | undefined {
    const el = this.rawElement(tag);
    if (!el) return undefined;
    return this.describe(el);
  }

  /** Describes a dicom-parser element of this data set. */
  describe(el: Element): DicomElement {
    const vr = this.vrOfElement(el);
    // In explicit VR the header size follows the VR written in the file; implicit headers are 8 bytes.
    const hl = headerLength(el.vr, this.encoding.explicitVR);
    return {
      tag: tagFromKey(el.tag),
      key: el.tag,
      vr,
      headerOffset: el.dataOffset - hl,
      dataOffset: el.dataOffset,
      length: el.length,
      undefinedLength: el.hadUndefinedLength === true,
    };
  }

  /** The value bytes (a view, not a copy); undefined when absent. */
  value(tag: TagInput): Uint8Array | undefined {
    const el = this.rawElement(tag);
    if (!el) return undefined;
    const b = this.dataSet.byteArray;
    const end = Math.min(b.length, el.dataOffset + el.length);
    return b.subarray(el.dataOffset, end);
  }

  private decode(el: Element): string {
    return decodeText(this.dataSet.byteArray, el.dataOffset, el.length, this.encoding.utf8);
  }

  /**
   * The value as text with leading and trailing spaces/NULs removed (all values, backslashes kept).
   * Undefined when the element is absent; `''` when present but empty.
   */
  string(tag: TagInput): string | undefined {
    const el = this.rawElement(tag);
    if (!el) return undefined;
    if (!this.isText(el)) {
      const nums = this.numbersOf(el);
      return nums ? nums.join('\\') : undefined;
    }
    return trimPad(this.decode(el));
  }

  /** The value as stored, with only trailing spaces/NULs removed (what pydicom gives). */
  rawString(tag: TagInput): string | undefined {
    const el = this.rawElement(tag);
    if (!el) return undefined;
    return trimPadEnd(this.decode(el));
  }

  /** The values split at backslashes, each trimmed. `[]` for an empty element. */
  strings(tag: TagInput): string[] | undefined {
    const el = this.rawElement(tag);
    if (!el) return undefined;
    if (!this.isText(el)) return this.numbersOf(el)?.map(String);
    const s = this.decode(el);
    if (trimPad(s) === '') return [];
    return s.split('\\').map(trimPad);
  }

  /** One number: IS/DS text values and binary US/SS/UL/SL/FL/FD/SV/UV/AT in the file's byte order. */
  number(tag: TagInput, index = 0): number | undefined {
    const all = this.numbers(tag);
    return all?.[index];
  }

  /**
   * All numbers of a value; undefined when absent, not numeric or not parseable. SV and UV values
   * beyond 2^53 come back rounded to the nearest JavaScript number: `value()` has their exact bytes.
   */
  numbers(tag: TagInput): number[] | undefined {
    const el = this.rawElement(tag);
    if (!el) return undefined;
    return this.numbersOf(el);
  }

  private isText(el: Element): boolean {
    return isTextVr(this.vrOfElement(el));
  }

  private numbersOf(el: Element): number[] | undefined {
    const vr = this.vrOfElement(el);
    const size = NUMERIC_BINARY[vr];
    if (size !== undefined) {
      const b = this.dataSet.byteArray;
      const end = Math.min(b.length, el.dataOffset + el.length);
      const count = Math.floor((end - el.dataOffset) / size);
      const le = this.encoding.littleEndian;
      const out = new Array<number>(count);
      const base = el.dataOffset;
      for (let i = 0; i < count; i++) {
        const p = base + i * size;
        switch (vr) {
          case 'US':
            out[i] = this.view.getUint16(p, le);
            break;
          case 'SS':
            out[i] = this.view.getInt16(p, le);
            break;
          case 'UL':
            out[i] = this.view.getUint32(p, le);
            break;
          case 'SL':
            out[i] = this.view.getInt32(p, le);
            break;
          case 'FL':
            out[i] = this.view.getFloat32(p, le);
            break;
          case 'FD':
            out[i] = this.view.getFloat64(p, le);
            break;
          case 'SV':
            out[i] = Number(this.view.getBigInt64(p, le));
            break;
          case 'UV':
            out[i] = Number(this.view.getBigUint64(p, le));
            break;
          default:
            // AT: group then element, each in the file's byte order.
            out[i] = ((this.view.getUint16(p, le) << 16) | this.view.getUint16(p + 2, le)) >>> 0;
        }
      }
      return out;
    }
    if (vr === 'IS' || vr === 'DS' || vr === 'UN') {
      const s = trimPad(this.decode(el));
      return s === '' ? [] : decimalValues(s.split('\\'));
    }
    return undefined;
  }

  /** Items of a sequence, each with the same accessors; undefined when absent or not a sequence. */
  sequence(tag: TagInput): DicomDataset[] | undefined {
    const key = toTagKey(tag);
    const cached = this.sequences.get(key);
    if (cached) return cached;
    const el = this.dataSet.elements[key];
    if (!el?.items) return undefined;
    const items: DicomDataset[] = [];
    for (const item of el.items) {
      if (item.dataSet) items.push(new DicomDataset(item.dataSet, this.encoding, this.view));
    }
    this.sequences.set(key, items);
    return items;
  }
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The numbers of IS/DS values split at backslashes (surrounding white space allowed); undefined
 * when any of them is not a decimal number.
 */
export function decimalValues(parts: readonly string[]): number[] | undefined {
  const out = new Array<number>(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const t = parts[i].trim();
    if (!DECIMAL.test(t)) return undefined;
    out[i] = Number(t);
  }
  return out;
}

/** VRs whose values are not text: binary numbers, sequences, bytes, and UN. */
const NOT_TEXT: ReadonlySet<string> = new Set([
  ...Object.keys(NUMERIC_BINARY),
  'SQ',
  'OB',
  'OW',
  'OF',
  'OD',
  'OL',
  'OV',
  'UN',
]);

/** True for VRs whose value {@link DicomDataset.string} decodes as text. */
export function isTextVr(vr: string): boolean {
  // A set lookup: this runs for every value read as text, and `in` on the numeric table cost more.
  return !NOT_TEXT.has(vr);
}

/** A value's text (UTF-8 or Latin-1), cut at the end of the data. */
export function decodeText(b: Uint8Array, start: number, length: number, utf8: boolean): string {
  const end = Math.min(b.length, start + length);
  if (end <= start) return '';
  const bytes = b.subarray(start, end);
  if (utf8) return UTF8.decode(bytes);
  // Short values are the common case; avoid the decoder's fixed cost for them. One call over all
  // the bytes builds a flat string, where adding a character at a time builds a chain to flatten.
  if (bytes.length <= 64) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  return LATIN1.decode(bytes);
}

export function trimPad(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isPad(s.charCodeAt(start))) start++;
  while (end > start && isPad(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

function trimPadEnd(s: string): string {
  let end = s.length;
  while (end > 0 && isPad(s.charCodeAt(end - 1))) end--;
  return end === s.length ? s : s.slice(0, end);
}
