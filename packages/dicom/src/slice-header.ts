import type { Element } from 'dicom-parser';
import { ITEM, ITEM_DELIMITER, SEQUENCE_DELIMITER, UNDEFINED_LENGTH } from './encode';
import { emptyDataSet, finishParse, locateDataSet, type ParsedDicom } from './parse';
import { implicitVrOfTag, type TagKeys } from './read-dataset';
import { LONG_HEADER_VRS } from './transfer-syntax';

const PIXEL_DATA = 0x7fe00010;
/** Sequences nested deeper than this are left to the general parser. */
const MAX_DEPTH = 8;
/** Returned by the walkers below: the bytes are not the plain case, the general parser decides. */
const GIVE_UP = -1;

const pairOf = (vr: string): number => (vr.charCodeAt(0) - 65) * 26 + (vr.charCodeAt(1) - 65);
/** A VR with a 4-byte length after two reserved bytes (the others have a 2-byte length). */
const LONG = 1;
/** Per pair of capital letters: how the VR's length is read. */
const VR_KIND = /* @__PURE__ */ (() => {
  const table = new Uint8Array(26 * 26);
  for (const vr of LONG_HEADER_VRS) table[pairOf(vr)] = LONG;
  return table;
})();
const SQ = /* @__PURE__ */ pairOf('SQ');

function u16(b: Uint8Array, p: number): number {
  return b[p] | (b[p + 1] << 8);
}

function u32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

function tagAt(b: Uint8Array, p: number): number {
  return u16(b, p) * 0x10000 + u16(b, p + 2);
}

/** One element header as read at `p`: where its value starts and how long it is. */
interface Header {
  /** The VR's letter pair (explicit VR), -1 in implicit VR. */
  pair: number;
  /** A sequence (explicit SQ, or SQ in the dictionary for implicit VR). */
  sequence: boolean;
  length: number;
  dataOffset: number;
}

/**
 * Reads the element header at `p` (its tag already checked to fit), or undefined when it is not the
 * plain case: VR bytes that are not capital letters, a header cut by `stop`, an implicit VR element
 * of unknown VR whose value looks like sequence items.
 */
function readHeader(b: Uint8Array, p: number, stop: number, explicit: boolean, out: Header): boolean {
  if (explicit) {
    const c0 = b[p + 4] - 65;
    const c1 = b[p + 5] - 65;
    if (c0 < 0 || c0 >= 26 || c1 < 0 || c1 >= 26) return false;
    const pair = c0 * 26 + c1;
    const kind = VR_KIND[pair];
    out.pair = pair;
    out.sequence = pair === SQ;
    if (kind === LONG) {
      if (p + 12 > stop) return false;
      out.length = u32(b, p + 8);
      out.dataOffset = p + 12;
    } else {
      out.length = u16(b, p + 6);
      out.dataOffset = p + 8;
    }
    return true;
  }
  out.pair = -1;
  out.length = u32(b, p + 4);
  out.dataOffset = p + 8;
  const vr = implicitVrOfTag(u16(b, p), u16(b, p + 2));
  out.sequence = vr === 'SQ';
  if (vr === undefined) {
    // dicom-parser peeks into values of unknown VR for items; such values are not plain.
    if (out.dataOffset + 4 > stop) return false;
    const next = tagAt(b, out.dataOffset);
    if (next === ITEM || next === SEQUENCE_DELIMITER) return false;
  }
  return true;
}

/**
 * Steps over the elements of an item from `p` to `stop` (a defined-length item) or to its item
 * delimiter (`delimited`); returns the position after them, or {@link GIVE_UP}.
 */
function skipElements(
  b: Uint8Array,
  p: number,
  stop: number,
  explicit: boolean,
  depth: number,
  delimited: boolean,
): number {
  const h: Header = { pair: 0, sequence: false, length: 0, dataOffset: 0 };
  while (p < stop) {
    if (p + 8 > stop) return GIVE_UP;
    const tag = tagAt(b, p);
    if (delimited && tag === ITEM_DELIMITER) return u32(b, p + 4) === 0 ? p + 8 : GIVE_UP;
    if (tag >>> 16 === 0xfffe || !readHeader(b, p, stop, explicit, h)) return GIVE_UP;
    if (h.sequence) p = skipSequence(b, h.dataOffset, h.length, stop, explicit, depth + 1);
    else if (h.length === UNDEFINED_LENGTH) return GIVE_UP;
    else p = h.dataOffset + h.length;
    if (p < 0 || p > stop) return GIVE_UP;
  }
  return delimited ? GIVE_UP : p;
}

/** Steps over the item at `p`; returns the position after it, or {@link GIVE_UP}. */
function skipItem(b: Uint8Array, p: number, stop: number, explicit: boolean, depth: number): number {
  if (p + 8 > stop || tagAt(b, p) !== ITEM) return GIVE_UP;
  const length = u32(b, p + 4);
  if (length === UNDEFINED_LENGTH) return skipElements(b, p + 8, stop, explicit, depth, true);
  const end = p + 8 + length;
  if (end > stop) return GIVE_UP;
  return skipElements(b, p + 8, end, explicit, depth, false) === end ? end : GIVE_UP;
}

/** Steps over a sequence's value; returns the position after it, or {@link GIVE_UP}. */
function skipSequence(
  b: Uint8Array,
  dataOffset: number,
  length: number,
  stop: number,
  explicit: boolean,
  depth: number,
): number {
  if (depth > MAX_DEPTH) return GIVE_UP;
  if (length !== UNDEFINED_LENGTH) {
    const end = dataOffset + length;
    if (end > stop) return GIVE_UP;
    let p = dataOffset;
    while (p < end && p >= 0) p = skipItem(b, p, end, explicit, depth);
    return p === end ? end : GIVE_UP;
  }
  let p = dataOffset;
  while (p >= 0) {
    if (p + 8 > stop) return GIVE_UP;
    if (tagAt(b, p) === SEQUENCE_DELIMITER) return u32(b, p + 4) === 0 ? p + 8 : GIVE_UP;
    p = skipItem(b, p, stop, explicit, depth);
  }
  return GIVE_UP;
}

/**
 * Reads the root elements of a header up to PixelData, keeping those in `wanted` (ascending tags):
 * the elements a general header-only parse keeping the same tags keeps, in the same form. Sequences
 * are stepped over by their structure without being read. Returns false when the bytes are not the
 * plain case, including root tags out of ascending order (the wanted ones are found by walking both
 * lists together, which costs a comparison per element rather than a set lookup).
 */
function readRoot(
  b: Uint8Array,
  start: number,
  explicit: boolean,
  keys: TagKeys,
  wanted: readonly number[],
  elements: Record<string, Element>,
  root: Element[],
): boolean {
  const end = b.length;
  const h: Header = { pair: 0, sequence: false, length: 0, dataOffset: 0 };
  let next = 0;
  let previous = -1;
  let p = start;
  while (p < end) {
    if (p + 8 > end) return false;
    const group = u16(b, p);
    const number = u16(b, p + 2);
    const tag = group * 0x10000 + number;
    if (tag < previous || group === 0xfffe || !readHeader(b, p, end, explicit, h)) return false;
    previous = tag;
    while (next < wanted.length && wanted[next]! < tag) next++;
    if (tag === PIXEL_DATA || wanted[next] === tag) {
      if (h.sequence) return false;
      const vr = explicit
        ? String.fromCharCode(65 + Math.floor(h.pair / 26), 65 + (h.pair % 26))
        : implicitVrOfTag(group, number);
      const el = { tag: keys.of(group, number), vr, length: h.length, dataOffset: h.dataOffset } as Element;
      if (h.length === UNDEFINED_LENGTH) el.hadUndefinedLength = true;
      elements[el.tag] = el;
      root.push(el);
      if (tag === PIXEL_DATA) return true;
    }
    if (h.sequence) p = skipSequence(b, h.dataOffset, h.length, end, explicit, 1);
    else if (h.length === UNDEFINED_LENGTH) return false;
    else p = h.dataOffset + h.length;
    if (p < 0 || p > end) return false;
  }
  return true;
}

/**
 * A header-only parse of the common case, cheaper than the general parser: little endian, not
 * deflated, sequences with well-formed items, which are stepped over rather than read. Only the
 * root elements whose tags are in `wanted` (ascending) and PixelData are kept. Returns what
 * `parseDicomWith(bytes, { fileName, headerOnly: true }, keys, new Set(wanted))` returns, or
 * undefined when the bytes are anything else (odd VRs, undefined lengths outside sequences, values
 * past the end of the bytes, big endian or deflated data): the general parser then decides, with its
 * own errors and warnings. Throws what locating the data set throws, as the general parser does.
 */
export function scanSliceHeader(
  bytes: Uint8Array,
  fileName: string | undefined,
  keys: TagKeys,
  wanted: readonly number[],
): ParsedDicom | undefined {
  const options = { fileName, headerOnly: true };
  const located = locateDataSet(bytes, options, keys);
  const { ts, data, start } = located;
  if (!ts.littleEndian || ts.deflated || data !== bytes) return undefined;
  const dataSet = emptyDataSet(located);
  const root: Element[] = [];
  if (!readRoot(data, start, ts.explicitVR, keys, wanted, dataSet.elements, root)) return undefined;
  return finishParse(bytes, options, located, dataSet, root);
}
