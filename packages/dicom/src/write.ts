import type { DataSet, Element } from 'dicom-parser';
import { deflateSync } from 'fflate';
import { allocUninitialised, concatBytes } from './bytes';
import type { DicomDataset } from './dataset';
import { vrOf } from './dictionary';
import {
  type DicomValue,
  type ElementEncoding,
  encodeElement,
  encodeHeader,
  ITEM,
  ITEM_DELIMITER,
  SEQUENCE_DELIMITER,
  UNDEFINED_LENGTH,
} from './encode';
import { DicomWriteError } from './errors';
import type { ParsedDicom } from './parse';
import { formatTag, type TagInput, tagFromKey, toTag } from './tags';
import { encodingName, headerLength, isSelfConsistent } from './transfer-syntax';

/** Our implementation identity in the rebuilt file meta. */
export const IMPLEMENTATION_CLASS_UID = '2.25.207360883151946473094725163830307512649';
/** Our ImplementationVersionName in the rebuilt file meta. */
export const IMPLEMENTATION_VERSION_NAME = 'DATAMINT_TS_1';

/** One edit of a data set. `set` replaces or inserts; `replace` only touches present elements. */
export type DicomEdit =
  | {
      /** The element: a tag number, `(gggg,eeee)` or a keyword. */
      tag: TagInput;
      /** Remove the element. */
      action: 'delete';
    }
  | {
      /** The element: a tag number, `(gggg,eeee)` or a keyword. */
      tag: TagInput;
      /** `set` replaces or inserts, `replace` only touches a present element, `insert` only adds a missing one. */
      action: 'set' | 'replace' | 'insert';
      /** The new value, encoded for the element's VR. */
      value: DicomValue;
      /** VR; defaults to the element's own or the dictionary's. */
      vr?: string;
    }
  | {
      /** The sequence. */
      tag: TagInput;
      /** Edit the items of a sequence. */
      action: 'items';
      /** Edits applied to every item of the sequence. */
      each?: readonly DicomEdit[];
      /** Edits applied to the item with that index (after `each`). */
      items?: Readonly<Record<number, readonly DicomEdit[]>>;
    };

/** Options of {@link writeDicom}. */
export interface WriteOptions {
  /** Preamble of the output: the input's (default; zeros when it had none) or zeros. */
  preamble?: 'keep' | 'zero';
  /**
   * Keep file meta elements other than the ones we rebuild (e.g. SourceApplicationEntityTitle,
   * private meta information). Default true.
   */
  keepOtherMeta?: boolean;
  /**
   * MediaStorageSOPInstanceUID to write when the data set has no SOPInstanceUID (e.g. DICOMDIR);
   * default: the input's value.
   */
  mediaStorageSOPInstanceUID?: string;
  /** Keep the input's ImplementationClassUID/VersionName instead of ours (Python SDK parity). */
  keepImplementation?: boolean;
}

/** Internal edit plan: tag -> what to do, for one data set. */
export type Plan = Map<number, PlanOp>;
export type PlanOp =
  | { kind: 'delete' }
  /** Encoded element bytes (header + value); `text` is the written value for meta syncing. */
  | { kind: 'set'; bytes: Uint8Array; text?: string; onlyIfPresent?: boolean; onlyIfAbsent?: boolean }
  | { kind: 'items'; each?: Plan; items?: Map<number, Plan> };

/** Builds an encoded `set` operation (the anonymizer uses this directly). */
export function setOp(tag: number, vr: string, value: DicomValue, enc: ElementEncoding): PlanOp {
  return {
    kind: 'set',
    bytes: encodeElement(tag, vr, value, enc),
    text: typeof value === 'string' ? value : undefined,
  };
}

const MAX_CACHED_OPS = 4096;

/**
 * Encoded `set` operations shared by the files of a batch: anonymizing a series writes the same
 * dummy values, remapped UIDs and attributes into every file, and encoding each once saves part of
 * the per-file cost of the edits. Plans only read these operations, never change them.
 */
export class SetOpCache {
  /** tag -> value -> operation; the operation remembers the VR and encoding it was made for. */
  private readonly byTag = new Map<number, Map<string | number, CachedOp>>();
  private size = 0;

  /** {@link setOp}, from the cache for text and number values. */
  op(tag: number, vr: string, value: DicomValue, enc: ElementEncoding): PlanOp {
    if (typeof value !== 'string' && typeof value !== 'number') return setOp(tag, vr, value, enc);
    let byValue = this.byTag.get(tag);
    const hit = byValue?.get(value);
    if (
      hit &&
      hit.vr === vr &&
      hit.explicitVR === enc.explicitVR &&
      hit.littleEndian === enc.littleEndian &&
      hit.utf8 === (enc.utf8 === true)
    ) {
      return hit.op;
    }
    const op = setOp(tag, vr, value, enc);
    if (this.size < MAX_CACHED_OPS) {
      if (!byValue) {
        byValue = new Map();
        this.byTag.set(tag, byValue);
      }
      if (!hit) this.size++;
      byValue.set(value, {
        op,
        vr,
        explicitVR: enc.explicitVR,
        littleEndian: enc.littleEndian,
        utf8: enc.utf8 === true,
      });
    }
    return op;
  }
}

interface CachedOp {
  op: PlanOp;
  vr: string;
  explicitVR: boolean;
  littleEndian: boolean;
  utf8: boolean;
}

function vrFor(tag: number, explicitVr: string | undefined, ds: DataSet | undefined): string {
  if (explicitVr) return explicitVr;
  const el = ds?.elements[`x${tag.toString(16).padStart(8, '0')}`];
  if (el?.vr) return el.vr;
  if (el?.items) return 'SQ';
  return vrOf(tag);
}

/** Turns public edits into a plan, checking that nested edits target sequences. */
export function planEdits(edits: readonly DicomEdit[], ds: DataSet | undefined, enc: ElementEncoding): Plan {
  const plan: Plan = new Map();
  for (const edit of edits) {
    const tag = toTag(edit.tag);
    if (tag >>> 16 === 0x0002) {
      throw new DicomWriteError(
        'file meta (group 0002) is rebuilt by the writer and cannot be edited',
        formatTag(tag),
      );
    }
    if (edit.action === 'delete') {
      plan.set(tag, { kind: 'delete' });
    } else if (edit.action === 'items') {
      const el = ds?.elements[`x${tag.toString(16).padStart(8, '0')}`];
      if (!el?.items)
        throw new DicomWriteError('item edits need an existing, parsed sequence', formatTag(tag));
      const first = el.items[0]?.dataSet;
      const op: PlanOp = { kind: 'items' };
      if (edit.each) op.each = planEdits(edit.each, first, enc);
      if (edit.items) {
        op.items = new Map();
        for (const [k, v] of Object.entries(edit.items)) {
          const index = Number(k);
          if (!Number.isInteger(index) || index < 0 || index >= el.items.length) {
            throw new DicomWriteError(
              `item ${k} does not exist (sequence has ${el.items.length})`,
              formatTag(tag),
            );
          }
          op.items.set(index, planEdits(v, el.items[index].dataSet, enc));
        }
      }
      plan.set(tag, op);
    } else {
      const vr = vrFor(tag, edit.vr, ds);
      const op = setOp(tag, vr, edit.value, enc) as Extract<PlanOp, { kind: 'set' }>;
      if (edit.action === 'replace') op.onlyIfPresent = true;
      if (edit.action === 'insert') op.onlyIfAbsent = true;
      plan.set(tag, op);
    }
  }
  return plan;
}

/**
 * Output collected as runs of the source and new byte arrays, written once at the end into an
 * output allocated at its final size. Adjacent source runs merge, so the untouched elements between
 * two edits are one copy.
 */
export class Chunks {
  /** New byte arrays, and source runs as `[start, end]` number pairs, in output order. */
  private readonly parts: (Uint8Array | number)[] = [];
  private src: Uint8Array;
  private runStart = -1;
  private runEnd = -1;
  private size = 0;

  constructor(src: Uint8Array) {
    this.src = src;
  }

  /** Empties the collection for output taken from `src` (a writer reuses one for many files). */
  reset(src: Uint8Array): void {
    this.src = src;
    this.parts.length = 0;
    this.runStart = -1;
    this.runEnd = -1;
    this.size = 0;
  }

  /** The bytes collected so far in a new array of their own. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    this.into(out, 0);
    return out;
  }

  /** Bytes collected so far. */
  get length(): number {
    return this.size + (this.runStart >= 0 ? this.runEnd - this.runStart : 0);
  }

  copy(start: number, end: number): void {
    if (end <= start) return;
    if (this.runEnd === start) {
      this.runEnd = end;
      return;
    }
    this.flush();
    this.runStart = start;
    this.runEnd = end;
  }

  push(bytes: Uint8Array): void {
    this.flush();
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  flush(): void {
    if (this.runStart >= 0) {
      this.parts.push(this.runStart, this.runEnd);
      this.size += this.runEnd - this.runStart;
      this.runStart = -1;
      this.runEnd = -1;
    }
  }

  into(out: Uint8Array, offset: number): number {
    this.flush();
    const src = this.src;
    const parts = this.parts;
    let o = offset;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (typeof p === 'number') {
        const end = parts[++i] as number;
        // Short runs (a few elements between two edits) are cheaper byte by byte than through a view.
        if (end - p <= 64) for (let k = p; k < end; k++) out[o++] = src[k];
        else {
          out.set(src.subarray(p, end), o);
          o += end - p;
        }
      } else if (p.length <= 64) {
        for (let k = 0; k < p.length; k++) out[o++] = p[k];
      } else {
        out.set(p, o);
        o += p.length;
      }
    }
    return o;
  }
}

/** An element of the input and the bytes it spans (header to the next element). */
export interface Extent {
  tag: number;
  el: Element;
  start: number;
  end: number;
}

function itemContentEnd(item: Element): number {
  // dicom-parser counts the item delimiter into undefined-length items.
  return item.dataOffset + (item.hadUndefinedLength ? item.length - 8 : item.length);
}

function mergePlans(a: Plan | undefined, b: Plan | undefined): Plan | undefined {
  if (!a) return b;
  if (!b) return a;
  const m = new Map(a);
  for (const [k, v] of b) m.set(k, v);
  return m;
}

function emitDataset(
  ds: DataSet,
  plan: Plan | undefined,
  start: number,
  end: number,
  enc: ElementEncoding,
  out: Chunks,
  inFileOrder?: readonly Element[],
): void {
  if (!plan || plan.size === 0) {
    out.copy(start, end);
    return;
  }
  // Tags and header offsets in parallel arrays: this runs for every element of every file written,
  // and one object per element is a measurable share of anonymizing a header.
  const elements = inFileOrder ?? Object.values(ds.elements).sort((x, y) => x.dataOffset - y.dataOffset);
  const n = elements.length;
  const tags = new Array<number>(n);
  const starts = new Array<number>(n);
  let planned: Set<number> | undefined;
  for (let i = 0; i < n; i++) {
    const el = elements[i];
    const tag = tagFromKey(el.tag);
    tags[i] = tag;
    starts[i] = el.dataOffset - headerLength(el.vr, enc.explicitVR);
    if (plan.has(tag)) {
      planned ??= new Set();
      planned.add(tag);
    }
  }
  const inserts: [number, Uint8Array][] = [];
  for (const [tag, op] of plan) {
    if (op.kind === 'set' && !op.onlyIfPresent && !planned?.has(tag)) inserts.push([tag, op.bytes]);
  }
  inserts.sort((x, y) => x[0] - y[0]);
  let next = 0;
  if (n > 0 && starts[0] > start) out.copy(start, starts[0]);
  for (let i = 0; i < n; i++) {
    const tag = tags[i];
    while (next < inserts.length && inserts[next][0] < tag) out.push(inserts[next++][1]);
    const elementEnd = i + 1 < n ? starts[i + 1] : end;
    const op = plan.get(tag);
    if (!op || (op.kind === 'set' && op.onlyIfAbsent)) {
      out.copy(starts[i], elementEnd);
    } else if (op.kind === 'delete') {
      // dropped
    } else if (op.kind === 'set') {
      out.push(op.bytes);
    } else {
      emitSequence({ tag, el: elements[i], start: starts[i], end: elementEnd }, op, enc, out);
    }
  }
  while (next < inserts.length) out.push(inserts[next++][1]);
  if (n === 0) out.copy(start, end);
}

/** Re-emits a sequence with undefined lengths, each item edited by its plan. */
export function emitSequence(
  ext: Extent,
  op: Extract<PlanOp, { kind: 'items' }>,
  enc: ElementEncoding,
  out: Chunks,
): void {
  const items = ext.el.items;
  if (!items) {
    out.copy(ext.start, ext.end);
    return;
  }
  out.push(encodeHeader(ext.tag, 'SQ', UNDEFINED_LENGTH, enc));
  const itemHeader = encodeHeader(ITEM, '', UNDEFINED_LENGTH, enc);
  const itemEnd = encodeHeader(ITEM_DELIMITER, '', 0, enc);
  items.forEach((item, index) => {
    out.push(itemHeader);
    const plan = mergePlans(op.each, op.items?.get(index));
    if (item.dataSet) emitDataset(item.dataSet, plan, item.dataOffset, itemContentEnd(item), enc, out);
    else out.copy(item.dataOffset, itemContentEnd(item));
    out.push(itemEnd);
  });
  out.push(encodeHeader(SEQUENCE_DELIMITER, '', 0, enc));
}

const META_ENC: ElementEncoding = { explicitVR: true, littleEndian: true };

function uidAfterEdit(parsed: ParsedDicom, plan: Plan, tag: number): string | undefined {
  const op = plan.get(tag);
  if (op?.kind === 'delete') return undefined;
  if (op?.kind === 'set' && op.text !== undefined) return op.text;
  return parsed.string(tag);
}

export interface FileMetaFields {
  sopClassUID: string;
  sopInstanceUID: string;
  transferSyntaxUID: string;
  implementationClassUID?: string;
  implementationVersionName?: string;
  /** Other encoded group 0002 elements to keep (copied verbatim, sorted into tag order). */
  extra?: readonly Uint8Array[];
}

/** Encodes a file meta group (group length first; always explicit VR little endian). */
export function encodeFileMeta(fields: FileMetaFields): Uint8Array {
  const direct = encodePlainFileMeta(fields);
  if (direct) return direct;
  const parts: Uint8Array[] = [
    encodeElement(0x00020001, 'OB', new Uint8Array([0, 1]), META_ENC),
    encodeElement(0x00020002, 'UI', fields.sopClassUID, META_ENC),
    encodeElement(0x00020003, 'UI', fields.sopInstanceUID, META_ENC),
    encodeElement(0x00020010, 'UI', fields.transferSyntaxUID, META_ENC),
    encodeElement(0x00020012, 'UI', fields.implementationClassUID ?? IMPLEMENTATION_CLASS_UID, META_ENC),
    encodeElement(
      0x00020013,
      'SH',
      fields.implementationVersionName ?? IMPLEMENTATION_VERSION_NAME,
      META_ENC,
    ),
    ...(fields.extra ?? []),
  ];
  if (fields.extra?.length) parts.sort((a, b) => metaTagOf(a) - metaTagOf(b));
  const length = parts.reduce((s, p) => s + p.length, 0);
  return concatBytes([encodeElement(0x00020000, 'UL', length, META_ENC), ...parts]);
}

/** The texts and tags of a file meta group without extra elements, in tag order. */
function plainMetaTexts(fields: FileMetaFields): string[] {
  return [
    fields.sopClassUID,
    fields.sopInstanceUID,
    fields.transferSyntaxUID,
    fields.implementationClassUID ?? IMPLEMENTATION_CLASS_UID,
    fields.implementationVersionName ?? IMPLEMENTATION_VERSION_NAME,
  ];
}

/** Above every tag. */
const NO_TAG = 0x100000000;
const PLAIN_META_TAGS = [0x00020002, 0x00020003, 0x00020010, 0x00020012, 0x00020013];

/**
 * Bytes of the file meta group without extra elements; undefined when a text is not Latin-1 or is
 * too long for its element (the element encoder reports those).
 */
function plainFileMetaLength(texts: readonly string[]): number | undefined {
  let size = 12 + 14;
  for (const text of texts) {
    if (text.length > 0xfffe) return undefined;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return undefined;
    size += 8 + text.length + (text.length & 1);
  }
  return size;
}

/** Writes the file meta group of {@link plainFileMetaLength} bytes at `at`. */
function writePlainFileMeta(
  texts: readonly string[],
  size: number,
  out: Uint8Array,
  at: number,
  extra: readonly Uint8Array[] = [],
): void {
  // (0002,0000) UL: the length of the rest of the group.
  const head = [0x02, 0x00, 0x00, 0x00, 0x55, 0x4c, 4, 0];
  for (let k = 0; k < 8; k++) out[at + k] = head[k];
  const rest = size - 12;
  out[at + 8] = rest & 0xff;
  out[at + 9] = (rest >>> 8) & 0xff;
  out[at + 10] = (rest >>> 16) & 0xff;
  out[at + 11] = rest >>> 24;
  let o = at + 12;
  // Extra elements (in tag order) go before the first of ours with a greater tag.
  let e = 0;
  const extraBefore = (tag: number) => {
    while (e < extra.length && metaTagOf(extra[e]) < tag) {
      out.set(extra[e], o);
      o += extra[e++].length;
    }
  };
  extraBefore(0x00020001);
  // (0002,0001) OB 00\01.
  const version = [0x02, 0x00, 0x01, 0x00, 0x4f, 0x42, 0, 0, 2, 0, 0, 0, 0, 1];
  for (let k = 0; k < 14; k++) out[o + k] = version[k];
  o += 14;
  for (let k = 0; k < texts.length; k++) {
    const text = texts[k];
    const padded = text.length + (text.length & 1);
    const vr = k === 4 ? 0x5348 : 0x5549; // SH, UI
    const tag = PLAIN_META_TAGS[k];
    extraBefore(tag);
    out[o] = 0x02;
    out[o + 1] = 0x00;
    out[o + 2] = tag & 0xff;
    out[o + 3] = (tag >>> 8) & 0xff;
    out[o + 4] = vr >>> 8;
    out[o + 5] = vr & 0xff;
    out[o + 6] = padded & 0xff;
    out[o + 7] = padded >>> 8;
    o += 8;
    for (let i = 0; i < text.length; i++) out[o++] = text.charCodeAt(i);
    // UIDs are padded with NUL, other text with a space.
    if (text.length & 1) out[o++] = k === 4 ? 0x20 : 0;
  }
  extraBefore(NO_TAG);
}

/** The file meta group, extra elements sorted into place, in one buffer; undefined as {@link plainFileMetaLength}. */
function encodePlainFileMeta(fields: FileMetaFields): Uint8Array | undefined {
  const texts = plainMetaTexts(fields);
  const plainSize = plainFileMetaLength(texts);
  if (plainSize === undefined) return undefined;
  // Extra elements in tag order (a stable sort: equal tags keep their order).
  const extra = [...(fields.extra ?? [])].sort((a, b) => metaTagOf(a) - metaTagOf(b));
  const size = extra.reduce((n, e) => n + e.length, plainSize);
  const out = new Uint8Array(size);
  writePlainFileMeta(texts, size, out, 0, extra);
  return out;
}

/**
 * A Part 10 file with a zero preamble and a file meta group without extra elements, written straight
 * into the one output buffer (the anonymizer writes one per file); undefined as
 * {@link plainFileMetaLength}.
 */
export function part10WithPlainMeta(fields: FileMetaFields, body: Chunks): Uint8Array | undefined {
  const texts = plainMetaTexts(fields);
  const size = plainFileMetaLength(texts);
  if (size === undefined) return undefined;
  const out = allocUninitialised(132 + size + body.length);
  out.fill(0, 0, 128);
  out[128] = 0x44;
  out[129] = 0x49;
  out[130] = 0x43;
  out[131] = 0x4d;
  writePlainFileMeta(texts, size, out, 132);
  body.into(out, 132 + size);
  return out;
}

const REBUILT_META = new Set([
  0x00020000, 0x00020001, 0x00020002, 0x00020003, 0x00020010, 0x00020012, 0x00020013,
]);

function buildMeta(parsed: ParsedDicom, plan: Plan, options: WriteOptions): Uint8Array {
  return fileMetaOf(parsed.input, parsed.meta, {
    sopClassUID: uidAfterEdit(parsed, plan, 0x00080016),
    sopInstanceUID: uidAfterEdit(parsed, plan, 0x00080018),
    transferSyntaxUID: parsed.transferSyntaxUID,
    options,
  });
}

/** What the written file meta takes from the data set and the write options. */
export interface FileMetaSource {
  /** The data set's SOPClassUID as written; undefined to take the input meta's. */
  sopClassUID: string | undefined;
  /** The data set's SOPInstanceUID as written; undefined for the option's or the input meta's. */
  sopInstanceUID: string | undefined;
  transferSyntaxUID: string;
  options: WriteOptions;
}

/**
 * The file meta group written for an input (`input` the whole input file, `meta` its file meta
 * group): the SOP UIDs of the data set as written, the other input meta elements when kept, ours or
 * the input's implementation identity.
 */
export function fileMetaOf(
  input: Uint8Array,
  meta: DicomDataset | undefined,
  source: FileMetaSource,
): Uint8Array {
  const { options } = source;
  const extra: Uint8Array[] = [];
  if (options.keepOtherMeta !== false && meta) {
    for (const key of meta.keys()) {
      if (REBUILT_META.has(tagFromKey(key))) continue;
      const el = meta.dataSet.elements[key];
      const start = el.dataOffset - headerLength(el.vr, true);
      extra.push(input.subarray(start, el.dataOffset + el.length));
    }
  }
  const keepOr = (key: string, ours: string) =>
    options.keepImplementation ? meta?.string(key) || ours : ours;
  return encodeFileMeta({
    sopClassUID: source.sopClassUID ?? meta?.string('x00020002') ?? '',
    sopInstanceUID:
      source.sopInstanceUID ?? options.mediaStorageSOPInstanceUID ?? meta?.string('x00020003') ?? '',
    transferSyntaxUID: source.transferSyntaxUID,
    implementationClassUID: keepOr('x00020012', IMPLEMENTATION_CLASS_UID),
    implementationVersionName: keepOr('x00020013', IMPLEMENTATION_VERSION_NAME),
    extra,
  });
}

function metaTagOf(bytes: Uint8Array): number {
  return ((bytes[0] | (bytes[1] << 8)) * 0x10000 + (bytes[2] | (bytes[3] << 8))) >>> 0;
}

/** Writes a parsed file with a plan (used by writeDicom and the anonymizer). */
export function writeWithPlan(parsed: ParsedDicom, plan: Plan, options: WriteOptions = {}): Uint8Array {
  if (!isSelfConsistent(parsed.transferSyntax)) {
    throw new DicomWriteError(
      `the data set is ${encodingName(parsed.transferSyntax)} under transfer syntax ${parsed.transferSyntaxUID}, which no transfer syntax UID describes; the file cannot be re-written as it is`,
    );
  }
  if (parsed.headerOnly) {
    for (const [tag] of plan) {
      if (tag > 0x7fe00010) {
        throw new DicomWriteError(
          'element after PixelData cannot be edited in a headerOnly parse',
          formatTag(tag),
        );
      }
    }
  }
  const data = parsed.bytes;
  const enc: ElementEncoding = parsed.encoding;
  const start = parsed.transferSyntax.deflated ? 0 : parsed.dataSetStart;
  const body = new Chunks(data);
  emitDataset(parsed.dataSet, plan, start, data.length, enc, body, parsed.rootElements);
  const meta = buildMeta(parsed, plan, options);

  // A deflated data set has to exist whole before it can be compressed; a native one is written
  // straight into the output.
  let deflated: Uint8Array | undefined;
  if (parsed.transferSyntax.deflated) {
    const inflated = new Uint8Array(body.length);
    body.into(inflated, 0);
    deflated = deflateSync(inflated, { level: 6 });
  }
  const preamble = options.preamble !== 'zero' && parsed.hasPreamble ? parsed.input : undefined;
  return writePart10(preamble, meta, deflated ?? body);
}

/**
 * A Part 10 file in one allocation: the preamble (the first 128 bytes of `preamble`, or zeros),
 * `DICM`, the file meta and the data set.
 */
export function writePart10(
  preamble: Uint8Array | undefined,
  meta: Uint8Array,
  body: Uint8Array | Chunks,
): Uint8Array {
  const out = allocUninitialised(132 + meta.length + body.length);
  if (preamble) out.set(preamble.subarray(0, 128));
  else out.fill(0, 0, 128);
  out[128] = 0x44;
  out[129] = 0x49;
  out[130] = 0x43;
  out[131] = 0x4d;
  out.set(meta, 132);
  if (body instanceof Uint8Array) out.set(body, 132 + meta.length);
  else body.into(out, 132 + meta.length);
  return out;
}

/**
 * Re-emits a parsed file with edits. Untouched bytes are copied verbatim; edited elements are
 * re-encoded in the file's transfer syntax; edited sequences are re-emitted with undefined lengths.
 * The file meta group is rebuilt (group length, MediaStorageSOPClass/InstanceUID from the data set,
 * TransferSyntaxUID, our implementation UID and version name). The output is always Part 10;
 * deflated input is re-deflated.
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { parseDicom, writeDicom } from '@datamint/dicom';
 *
 * const parsed = parseDicom(await readFile('ct.dcm'));
 * const edited = writeDicom(parsed, [
 *   { tag: 'PatientName', action: 'set', value: 'ANONYMOUS' },
 *   { tag: 'PatientBirthDate', action: 'delete' },
 * ]);
 * ```
 */
export function writeDicom(
  parsed: ParsedDicom,
  edits: readonly DicomEdit[] = [],
  options: WriteOptions = {},
): Uint8Array {
  const plan = planEdits(edits, parsed.dataSet, parsed.encoding);
  return writeWithPlan(parsed, plan, options);
}
