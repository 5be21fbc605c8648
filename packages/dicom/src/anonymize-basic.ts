import dicomParser, { type DataSet, type Element } from 'dicom-parser';
import { DicomDataset, decodeText, isTextVr, trimPad } from './dataset';
import { shiftDateValue } from './dates';
import { vrOf } from './dictionary';
import type { DicomValue, ElementEncoding } from './encode';
import { elementProblem, locateDataSet, validNumberOfFrames } from './parse';
import { profileRow, resolveAction } from './profile';
import { type ElementVisitor, scanDataSet, type TagKeys } from './read-dataset';
import { tagFromKey } from './tags';
import { isSelfConsistent } from './transfer-syntax';
import { Chunks, emitSequence, type Plan, type PlanOp, part10WithPlainMeta } from './write';

export const DELETE: PlanOp = { kind: 'delete' };
const DUMMY_TEXT = 'ANONYMIZED';

/** VR-valid dummy values for action D. */
function dummyValue(vr: string): DicomValue {
  switch (vr) {
    case 'DA':
      return '19000101';
    case 'TM':
      return '000000';
    case 'DT':
      return '19000101000000';
    case 'AS':
      return '000Y';
    case 'DS':
    case 'IS':
      return '0';
    case 'US':
    case 'SS':
    case 'UL':
    case 'SL':
    case 'FL':
    case 'FD':
    case 'AT':
    case 'SV':
    case 'UV':
      return 0;
    case 'OB':
    case 'OW':
    case 'OD':
    case 'OF':
    case 'OL':
    case 'OV':
    case 'UN':
      return new Uint8Array(0);
    case 'UR':
      return '';
    default:
      return DUMMY_TEXT;
  }
}

function emptyValue(vr: string): DicomValue {
  if (vr === 'SQ') return [];
  return dummyValue(vr) instanceof Uint8Array || typeof dummyValue(vr) === 'number' ? new Uint8Array(0) : '';
}

/** The VR of a dicom-parser element: the file's, `SQ` for parsed items, else the dictionary's. */
export function elementVr(el: Element, tag: number): string {
  if (el.vr) return el.vr;
  if (el.items) return 'SQ';
  return vrOf(tag);
}

// What the Basic Profile does with a tag, as a small number: the resolved action, plus a flag for
// the modified-dates option's C rows. NO_ROW: the tag is not in the table.
const NO_ROW = 0;
const REMOVE = 1;
const EMPTY = 2;
const DUMMY = 3;
const REMAP = 4;
const KEEP = 5;
const MODIFIED_DATES = 8;
const ACTION_CODES = { remove: REMOVE, empty: EMPTY, dummy: DUMMY, remap: REMAP, keep: KEEP } as const;
const MAX_MEMO = 1 << 16;

/**
 * The de-identification table compiled to one number per tag, filled as tags are met and kept by
 * one anonymizer: after the first file of a series every lookup is a single map read, instead of a
 * table search (with its wildcard rows) and an action resolution per element of every file.
 */
export class CompiledProfile {
  private readonly codes = new Map<number, number>();

  /** The action code of a public (even group) tag that is not a curve or overlay. */
  code(tag: number): number {
    let code = this.codes.get(tag);
    if (code === undefined) {
      const row = profileRow(tag);
      code = row
        ? ACTION_CODES[resolveAction(row.action)] | (row.modifiedDates === 'C' ? MODIFIED_DATES : 0)
        : NO_ROW;
      if (this.codes.size < MAX_MEMO) this.codes.set(tag, code);
    }
    return code;
  }
}

/** What the Basic Profile needs to decide about one element of one file. */
export interface BasicContext {
  retain: ReadonlySet<number>;
  profile: CompiledProfile;
  /** Encoded set operation in this file's encoding (cached across the batch). */
  set: (tag: number, vr: string, value: DicomValue) => PlanOp;
  mapUid: (uid: string) => string;
  /** Values remapped so far (raw value -> remapped value), shared by the files of a batch. */
  remapped: Map<string, string>;
  dateShift: number | undefined;
}

function readText(b: Uint8Array, dataOffset: number, length: number): string {
  const end = Math.min(b.length, dataOffset + length);
  if (end <= dataOffset) return '';
  // One flat string from the bytes (values here are short: UIDs, dates, character sets).
  return String.fromCharCode.apply(null, b.subarray(dataOffset, end) as unknown as number[]);
}

/** The UIDs of a value, each replaced by its keyed mapping (a batch remembers whole values). */
function remapValue(b: Uint8Array, dataOffset: number, length: number, ctx: BasicContext): string {
  const raw = readText(b, dataOffset, length);
  let mapped = ctx.remapped.get(raw);
  if (mapped === undefined) {
    mapped = raw
      .split('\\')
      .map((u) => {
        const t = trimPad(u);
        return t === '' ? '' : ctx.mapUid(t);
      })
      .join('\\');
    if (ctx.remapped.size >= MAX_MEMO) ctx.remapped.clear();
    ctx.remapped.set(raw, mapped);
  }
  return mapped;
}

function planItems(el: Element | undefined, ctx: BasicContext): PlanOp | undefined {
  // A sequence whose items could not be parsed cannot be cleaned, so it is removed.
  if (!el?.items) return DELETE;
  let items: Map<number, Plan> | undefined;
  el.items.forEach((item, index) => {
    if (!item.dataSet) return;
    const plan = planBasic(item.dataSet, ctx);
    if (!plan) return;
    items ??= new Map();
    items.set(index, plan);
  });
  return items ? { kind: 'items', items } : undefined;
}

/**
 * The Basic Profile's operation for one element (undefined: keep it as it is). `el` is the
 * dicom-parser element when there is one (sequences always have one).
 */
export function decideBasic(
  b: Uint8Array,
  tag: number,
  vr: string,
  dataOffset: number,
  length: number,
  el: Element | undefined,
  ctx: BasicContext,
): PlanOp | undefined {
  const group = tag >>> 16;
  if (group & 1) return DELETE;
  // Curves (50xx) and overlays (60xx) are removed as whole groups.
  const repeating = group & 0xff00;
  if (repeating === 0x5000 || repeating === 0x6000) return DELETE;
  const code = ctx.profile.code(tag);
  if (code === NO_ROW) return vr === 'SQ' ? planItems(el, ctx) : undefined;
  if (ctx.dateShift !== undefined && code & MODIFIED_DATES) {
    if (vr === 'DA' || vr === 'DT') {
      const shifted = shiftDateValue(vr, trimPad(readText(b, dataOffset, length)), ctx.dateShift);
      if (shifted !== undefined) return ctx.set(tag, vr, shifted);
    } else if (vr === 'TM') {
      return undefined;
    }
  }
  switch (code & 7) {
    case REMOVE:
      return DELETE;
    case EMPTY:
      return ctx.set(tag, vr, emptyValue(vr));
    case DUMMY:
    case REMAP:
      if (vr === 'SQ') return planItems(el, ctx);
      if (vr === 'UI') return ctx.set(tag, vr, remapValue(b, dataOffset, length, ctx));
      return ctx.set(tag, vr, dummyValue(vr));
    default:
      return vr === 'SQ' ? planItems(el, ctx) : undefined;
  }
}

/** `inFileOrder`: the root elements as read, which spares enumerating the large element map. */
export function planBasic(
  ds: DataSet,
  ctx: BasicContext,
  inFileOrder?: readonly Element[],
): Plan | undefined {
  let plan: Plan | undefined;
  const b = ds.byteArray;
  for (const el of inFileOrder ?? Object.values(ds.elements)) {
    const tag = tagFromKey(el.tag);
    if (ctx.retain.has(tag) || tag >>> 16 === 0x0002) continue;
    const op = decideBasic(b, tag, elementVr(el, tag), el.dataOffset, el.length, el, ctx);
    if (!op) continue;
    plan ??= new Map();
    plan.set(tag, op);
  }
  return plan;
}

/** What one anonymizer's Basic Profile writes into every file besides the table's actions. */
export interface BasicFileOps {
  /** The replacement PatientID's operation; undefined to leave the element to the table. */
  patientId(original: string | undefined, enc: ElementEncoding): PlanOp | undefined;
  /**
   * The attributes every output gets (PatientIdentityRemoved, DeidentificationMethod and its code
   * sequence, LongitudinalTemporalInformationModified), in tag order.
   */
  trailer(dateShifted: boolean, enc: ElementEncoding): readonly (readonly [number, PlanOp])[];
}

/** One anonymizer's state the single pass reads. */
export interface BasicBatch {
  retain: ReadonlySet<number>;
  profile: CompiledProfile;
  keys: TagKeys;
  mapUid: (uid: string) => string;
  /** Values remapped so far, shared by the files of a batch. */
  remapped: Map<string, string>;
  /** Encoded set operation, cached across the batch. */
  op: (tag: number, vr: string, value: DicomValue, enc: ElementEncoding) => PlanOp;
  fileOps: BasicFileOps;
  /** The date shift of every file, or undefined when dates are not shifted. */
  dateShift: number | undefined;
  rejectBurnedInAnnotation: boolean;
}

const PATIENT_ID = 0x00100020;
const SOP_CLASS_UID = 0x00080016;
const SOP_INSTANCE_UID = 0x00080018;

/**
 * The single pass: reads each root element, decides its action from the compiled profile on the
 * spot and appends either the run of untouched bytes it belongs to or its replacement, so the
 * header is walked once and the untouched bytes (pixels included) are copied once, into an output
 * allocated at its final size. Whatever it does not handle exactly like the parse-plan-write path
 * (a file that does not parse, elements out of tag order, a character set met after a value was
 * encoded, deflated or self-contradicting encodings, a burned-in annotation to refuse) makes it
 * give up (`fail`), and the caller takes that path, which then produces the same output or error.
 */
class BasicPass implements ElementVisitor {
  readonly out: Chunks;
  readonly ctx: BasicContext;
  failed = false;
  /** A value was encoded with {@link enc}, so a later SpecificCharacterSet would come too late. */
  private encoded = false;
  private previousTag = -1;
  private patientPending: boolean;
  private trailer: readonly (readonly [number, PlanOp])[] | undefined;
  private nextTrailer = 0;
  sopClassUID: string | undefined;
  sopInstanceUID: string | undefined;

  constructor(
    private readonly data: Uint8Array,
    private readonly enc: ElementEncoding,
    private readonly batch: BasicBatch,
  ) {
    this.out = new Chunks(data);
    this.patientPending = !batch.retain.has(PATIENT_ID);
    this.ctx = {
      retain: batch.retain,
      profile: batch.profile,
      mapUid: batch.mapUid,
      remapped: batch.remapped,
      dateShift: batch.dateShift,
      set: (tag, vr, value) => {
        this.encoded = true;
        return batch.op(tag, vr, value, enc);
      },
    };
  }

  plain(
    group: number,
    element: number,
    vr: string | undefined,
    dataOffset: number,
    length: number,
    start: number,
  ): boolean {
    const end = dataOffset + length;
    if (end > this.data.length) return this.fail();
    const tag = group * 0x10000 + element;
    const elementVr = vr ?? vrOf(tag);
    if (this.enc.explicitVR && (vr === 'OV' || vr === 'SV' || vr === 'UV')) return this.fail();
    return this.visit(tag, elementVr, dataOffset, length, undefined, start, end);
  }

  parsed(el: Element, start: number, end: number): boolean {
    if (elementProblem([el], this.data, this.enc, false, 0)) return this.fail();
    const tag = tagFromKey(el.tag);
    return this.visit(tag, elementVr(el, tag), el.dataOffset, el.length, el, start, end);
  }

  fail(): false {
    this.failed = true;
    return false;
  }

  private text(dataOffset: number, length: number): string {
    return trimPad(decodeText(this.data, dataOffset, length, this.enc.utf8 === true));
  }

  /** The forced operations due before `tag`; true when the element itself is replaced by one. */
  private forcedBefore(tag: number, vr: string, dataOffset: number, length: number, plain: boolean): boolean {
    if (this.patientPending && tag >= PATIENT_ID) {
      this.patientPending = false;
      if (tag === PATIENT_ID) {
        if (!plain || !isTextVr(vr)) return !this.fail();
        const op = this.patientIdOp(this.text(dataOffset, length));
        if (op) {
          this.emit(op);
          return true;
        }
      } else {
        const op = this.patientIdOp(undefined);
        if (op) this.emit(op);
      }
    }
    const trailer = this.trailerOps();
    while (this.nextTrailer < trailer.length && trailer[this.nextTrailer][0] <= tag) {
      const [forced, op] = trailer[this.nextTrailer++];
      this.emit(op);
      if (forced === tag) return true;
    }
    return false;
  }

  private patientIdOp(original: string | undefined): PlanOp | undefined {
    this.encoded = true;
    return this.batch.fileOps.patientId(original, this.enc);
  }

  private trailerOps(): readonly (readonly [number, PlanOp])[] {
    if (!this.trailer) {
      this.encoded = true;
      this.trailer = this.batch.fileOps.trailer(this.batch.dateShift !== undefined, this.enc);
    }
    return this.trailer;
  }

  private emit(op: PlanOp): void {
    if (op.kind === 'set') this.out.push(op.bytes);
  }

  private visit(
    tag: number,
    vr: string,
    dataOffset: number,
    length: number,
    el: Element | undefined,
    start: number,
    end: number,
  ): boolean {
    // The parse-plan-write path applies one decision per tag to every element with that tag and
    // inserts new attributes by tag order; both are only the same as this pass in tag order.
    if (tag <= this.previousTag) return this.fail();
    this.previousTag = tag;
    if (tag < 0x00280000 && !this.checkRead(tag, vr, dataOffset, length, el)) return false;
    if (tag === 0x00280008 && !validNumberOfFrames(this.data, dataOffset, length)) return this.fail();
    if (tag === 0x00280301 && this.batch.rejectBurnedInAnnotation) {
      // The long way refuses the file with its error.
      if (el || (isTextVr(vr) && this.text(dataOffset, length).toUpperCase() === 'YES')) return this.fail();
    }
    if (this.forcedBefore(tag, vr, dataOffset, length, el === undefined)) return !this.failed;
    if (this.failed) return false;
    const ctx = this.ctx;
    if (ctx.retain.has(tag) || tag >>> 16 === 0x0002) {
      this.out.copy(start, end);
      return true;
    }
    const op = decideBasic(this.data, tag, vr, dataOffset, length, el, ctx);
    if (!op) {
      this.out.copy(start, end);
    } else if (op.kind === 'set') {
      if (tag === SOP_INSTANCE_UID) this.sopInstanceUID = op.text;
      this.out.push(op.bytes);
    } else if (op.kind === 'items') {
      if (!el) return this.fail();
      this.encoded = true;
      emitSequence({ tag, el, start, end }, op, this.enc, this.out);
    }
    return true;
  }

  /** Records what the output's file meta and encoding need from the elements before group 0028. */
  private checkRead(
    tag: number,
    vr: string,
    dataOffset: number,
    length: number,
    el: Element | undefined,
  ): boolean {
    if (tag === 0x00080005) {
      const utf8 = length > 0 && readText(this.data, dataOffset, length).includes('ISO_IR 192');
      if (utf8 && this.encoded) return this.fail();
      this.enc.utf8 = utf8;
    } else if (tag === SOP_CLASS_UID || tag === SOP_INSTANCE_UID) {
      // The file meta repeats them as text; anything but a plain UI element goes the long way.
      if (el || vr !== 'UI') return this.fail();
      if (tag === SOP_CLASS_UID) this.sopClassUID = this.text(dataOffset, length);
      else this.sopInstanceUID = this.text(dataOffset, length);
    }
    return true;
  }

  /** Forced operations after the last element. */
  finish(): void {
    if (this.patientPending) {
      this.patientPending = false;
      const op = this.patientIdOp(undefined);
      if (op) this.emit(op);
    }
    const trailer = this.trailerOps();
    while (this.nextTrailer < trailer.length) this.emit(trailer[this.nextTrailer++][1]);
  }
}

/**
 * Anonymizes a file with the Basic Profile in one pass over its header, or returns undefined when
 * the file needs the parse-plan-write path (see {@link BasicPass}).
 */
export function anonymizeBasicInOnePass(
  bytes: Uint8Array,
  fileName: string | undefined,
  batch: BasicBatch,
): Uint8Array | undefined {
  let located: ReturnType<typeof locateDataSet>;
  try {
    located = locateDataSet(bytes, { fileName }, batch.keys);
  } catch {
    return undefined;
  }
  const { ts, data, start, meta } = located;
  if (ts.deflated || !isSelfConsistent(ts)) return undefined;
  const enc: ElementEncoding = { explicitVR: ts.explicitVR, littleEndian: ts.littleEndian, utf8: false };
  const pass = new BasicPass(data, enc, batch);
  if (start < data.length) {
    const parser = ts.littleEndian
      ? dicomParser.littleEndianByteArrayParser
      : dicomParser.bigEndianByteArrayParser;
    const stream = new dicomParser.ByteStream(parser, data, start);
    try {
      scanDataSet(stream, { explicitVR: ts.explicitVR, littleEndian: ts.littleEndian, warnings: [] }, pass);
    } catch {
      return undefined;
    }
    if (pass.failed || stream.position !== data.length) return undefined;
  }
  pass.finish();
  // The input's file meta is read only when the data set lacks the SOP UIDs (rare).
  const metaString = (key: string) =>
    meta
      ? new DicomDataset(meta.dataSet, { explicitVR: true, littleEndian: true, utf8: false }).string(key)
      : undefined;
  let sopInstanceUID = pass.sopInstanceUID;
  if (sopInstanceUID === undefined) {
    const metaUid = metaString('x00020003');
    sopInstanceUID = metaUid ? batch.mapUid(metaUid) : metaUid;
  }
  // A text the meta cannot hold makes the long way report it.
  return part10WithPlainMeta(
    {
      sopClassUID: pass.sopClassUID ?? metaString('x00020002') ?? '',
      sopInstanceUID: sopInstanceUID ?? '',
      transferSyntaxUID: ts.uid,
    },
    pass.out,
  );
}
