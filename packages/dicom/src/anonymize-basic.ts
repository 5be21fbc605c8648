import type { DataSet, Element } from 'dicom-parser';
import { DicomDataset, decodeText, isTextVr, trimPad } from './dataset';
import { shiftDateValue } from './dates';
import { vrOf } from './dictionary';
import type { DicomValue, ElementEncoding } from './encode';
import { elementProblem, type LocatedDataSet, locateDataSet, validNumberOfFrames } from './parse';
import { profileRow, resolveAction } from './profile';
import { type ElementVisitor, scanToEnd, type TagKeys } from './read-dataset';
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
  /** What the single pass remembers from file to file (see {@link BasicPassMemory}). */
  memory: BasicPassMemory;
}

const PATIENT_ID = 0x00100020;
const SOP_CLASS_UID = 0x00080016;
const SOP_INSTANCE_UID = 0x00080018;
/** Above every tag: no event left. */
const NO_EVENT = 0x100000000;
/**
 * Root tags the pass looks at apart from the profile (character set, SOP UIDs for the file meta,
 * NumberOfFrames, BurnedInAnnotation); the other forced tags (PatientID, the trailer) move.
 */
const FIXED_EVENTS = [0x00080005, SOP_CLASS_UID, SOP_INSTANCE_UID, 0x00280008, 0x00280301, NO_EVENT];
/** Sequences longer than this are not remembered (the copy kept to compare costs more than it saves). */
const MAX_REMEMBERED_SEQUENCE = 1 << 14;
const MAX_REMEMBERED = 4096;

/** A code for one encoding (explicit VR, little endian, UTF-8 text), to compare remembered operations. */
function encodingCode(enc: ElementEncoding): number {
  return (enc.explicitVR ? 1 : 0) | (enc.littleEndian ? 2 : 0) | (enc.utf8 ? 4 : 0);
}

/** What the pass decided for one root tag, kept across the files of a batch. */
class TagRule {
  /** The operation of an empty or dummy value, the same for every element of `vr` in `encoding`. */
  vr = '';
  encoding = -1;
  op: PlanOp | undefined = undefined;
  /** The last remapped UID value: its bytes and operation (a series repeats its study/series UIDs). */
  raw: Uint8Array | undefined = undefined;
  rawEncoding = -1;
  rawOp: PlanOp | undefined = undefined;

  constructor(readonly code: number) {}
}

/** What a root sequence became, for the next file with the same bytes of it. */
interface RememberedSequence {
  raw: Uint8Array;
  encoding: number;
  /** undefined: copied as it was; null: removed; else the bytes written instead. */
  output: Uint8Array | null | undefined;
}

/**
 * What one anonymizer's single pass keeps from file to file: its decision per tag, the operations
 * of the values that do not depend on the file, the last output of each root sequence, and a pass
 * to reuse. The files of a series have the same tags and mostly the same values, so after the
 * first file the pass reads a decision where it would otherwise search the profile, encode a value
 * or read the items of a sequence, and it allocates almost nothing but the output.
 */
export class BasicPassMemory {
  readonly rules = new Map<number, TagRule>();
  readonly sequences = new Map<number, RememberedSequence>();
  /** The forced trailer operations by {@link encodingCode}. */
  readonly trailers: (readonly (readonly [number, PlanOp])[] | undefined)[] = [];
  /** A pass not in use (a callback of the options may anonymize another file while one runs). */
  idle: BasicPass | undefined = undefined;
}

function sameBytes(raw: Uint8Array, data: Uint8Array, start: number, end: number): boolean {
  if (raw.length !== end - start) return false;
  for (let i = 0; i < raw.length; i++) if (raw[i] !== data[start + i]) return false;
  return true;
}

/**
 * The single pass: reads each root element, decides its action from the compiled profile on the
 * spot and appends either the run of untouched bytes it belongs to or its replacement, so the
 * header is walked once and the untouched bytes (pixels included) are copied once, into an output
 * allocated at its final size. Whatever it does not handle exactly like the parse-plan-write path
 * (a file that does not parse, elements out of tag order, a character set met after a value was
 * encoded, deflated or self-contradicting encodings, a burned-in annotation to refuse) makes it
 * give up (`fail`), and the caller takes that path, which then produces the same output or error.
 *
 * Most elements take a short way (see {@link plain}): only the tags in {@link FIXED_EVENTS}, the
 * forced operations and retained tags go through {@link visit}.
 */
class BasicPass implements ElementVisitor {
  readonly out: Chunks;
  readonly ctx: BasicContext;
  /** This file's encoding; `utf8` is set when its SpecificCharacterSet is read. */
  readonly enc: ElementEncoding = { explicitVR: true, littleEndian: true, utf8: false };
  private data: Uint8Array;
  private encoding = 0;
  failed = false;
  /** A value was encoded with {@link enc}, so a later SpecificCharacterSet would come too late. */
  private encoded = false;
  private previousTag = -1;
  /** The first tag at or after which an element needs {@link visit}. */
  private nextEvent = 0;
  private patientPending = false;
  private trailer: readonly (readonly [number, PlanOp])[] | undefined;
  private nextTrailer = 0;
  private readonly retainAny: boolean;
  sopClassUID: string | undefined;
  sopInstanceUID: string | undefined;

  constructor(private readonly batch: BasicBatch) {
    this.data = new Uint8Array(0);
    this.out = new Chunks(this.data);
    this.retainAny = batch.retain.size > 0;
    this.ctx = {
      retain: batch.retain,
      profile: batch.profile,
      mapUid: batch.mapUid,
      remapped: batch.remapped,
      dateShift: batch.dateShift,
      set: (tag, vr, value) => {
        this.encoded = true;
        return batch.op(tag, vr, value, this.enc);
      },
    };
  }

  /** Prepares the pass for one file's data set. */
  start(data: Uint8Array, explicitVR: boolean, littleEndian: boolean): void {
    this.data = data;
    this.enc.explicitVR = explicitVR;
    this.enc.littleEndian = littleEndian;
    this.enc.utf8 = false;
    this.encoding = encodingCode(this.enc);
    this.out.reset(data);
    this.failed = false;
    this.encoded = false;
    this.previousTag = -1;
    this.nextEvent = 0;
    this.patientPending = !this.batch.retain.has(PATIENT_ID);
    this.trailer = undefined;
    this.nextTrailer = 0;
    this.sopClassUID = undefined;
    this.sopInstanceUID = undefined;
  }

  /** Drops the references to the file (so a pass kept for reuse does not hold it). */
  end(): void {
    this.data = new Uint8Array(0);
    this.out.reset(this.data);
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
    if (!this.onShortWay(tag)) return this.visit(tag, elementVr, dataOffset, length, undefined, start, end);
    this.previousTag = tag;
    // What decideBasic does for an element that is not a sequence, from the remembered rule.
    if (group & 1) return true;
    const repeating = group & 0xff00;
    if (repeating === 0x5000 || repeating === 0x6000) return true;
    const rule = this.rule(tag);
    const code = rule.code;
    if (code & MODIFIED_DATES && this.batch.dateShift !== undefined) {
      return this.decide(undefined, tag, elementVr, dataOffset, length, start, end);
    }
    switch (code & 7) {
      case REMOVE:
        return true;
      case EMPTY:
        this.out.push(this.fixedOp(rule, tag, elementVr, false).bytes);
        return true;
      case DUMMY:
      case REMAP:
        if (elementVr === 'UI') this.out.push(this.remapOp(rule, tag, dataOffset, end).bytes);
        else this.out.push(this.fixedOp(rule, tag, elementVr, true).bytes);
        return true;
      default:
        this.out.copy(start, end);
        return true;
    }
  }

  /** Elements in tag order, before the next event, not retained: no check and no forced operation is due. */
  private onShortWay(tag: number): boolean {
    return (
      tag < this.nextEvent &&
      tag > this.previousTag &&
      tag >>> 16 !== 0x0002 &&
      !(this.retainAny && this.batch.retain.has(tag))
    );
  }

  private rule(tag: number): TagRule {
    const rules = this.batch.memory.rules;
    let rule = rules.get(tag);
    if (rule === undefined) {
      rule = new TagRule(this.batch.profile.code(tag));
      if (rules.size < MAX_REMEMBERED) rules.set(tag, rule);
    }
    return rule;
  }

  /** The operation of an empty (`dummy` false) or dummy value, which depends on the VR and encoding only. */
  private fixedOp(rule: TagRule, tag: number, vr: string, dummy: boolean): Extract<PlanOp, { kind: 'set' }> {
    this.encoded = true;
    if (rule.vr !== vr || rule.encoding !== this.encoding || rule.op === undefined) {
      rule.op = this.ctx.set(tag, vr, dummy ? dummyValue(vr) : emptyValue(vr));
      rule.vr = vr;
      rule.encoding = this.encoding;
    }
    return rule.op as Extract<PlanOp, { kind: 'set' }>;
  }

  /** The operation of a remapped UID value, remembered with the bytes it replaces. */
  private remapOp(
    rule: TagRule,
    tag: number,
    dataOffset: number,
    end: number,
  ): Extract<PlanOp, { kind: 'set' }> {
    this.encoded = true;
    const raw = rule.raw;
    if (
      raw === undefined ||
      rule.rawEncoding !== this.encoding ||
      rule.rawOp === undefined ||
      !sameBytes(raw, this.data, dataOffset, end)
    ) {
      rule.rawOp = this.ctx.set(tag, 'UI', remapValue(this.data, dataOffset, end - dataOffset, this.ctx));
      rule.raw = this.data.slice(dataOffset, end);
      rule.rawEncoding = this.encoding;
    }
    return rule.rawOp as Extract<PlanOp, { kind: 'set' }>;
  }

  sequence(tag: number, dataOffset: number, length: number, start: number): boolean | undefined {
    const end = dataOffset + length;
    if (end > this.data.length || !this.onShortWay(tag)) return undefined;
    const remembered = this.batch.memory.sequences.get(tag);
    if (
      remembered === undefined ||
      remembered.encoding !== this.encoding ||
      !sameBytes(remembered.raw, this.data, start, end)
    ) {
      return undefined;
    }
    this.previousTag = tag;
    const output = remembered.output;
    if (output === undefined) this.out.copy(start, end);
    else if (output !== null) {
      this.encoded = true;
      this.out.push(output);
    }
    return true;
  }

  parsed(el: Element, start: number, end: number): boolean {
    if (elementProblem([el], this.data, false, 0)) return this.fail();
    const tag = tagFromKey(el.tag);
    const vr = elementVr(el, tag);
    if (
      vr === 'SQ' &&
      !el.hadUndefinedLength &&
      el.dataOffset + el.length === end &&
      end - start <= MAX_REMEMBERED_SEQUENCE &&
      this.onShortWay(tag)
    ) {
      return this.rememberSequence(tag, el, start, end);
    }
    return this.visit(tag, vr, el.dataOffset, el.length, el, start, end);
  }

  /** A sequence on the short way: decided and written as {@link decide} would, and remembered. */
  private rememberSequence(tag: number, el: Element, start: number, end: number): boolean {
    this.previousTag = tag;
    const op = decideBasic(this.data, tag, 'SQ', el.dataOffset, el.length, el, this.ctx);
    let output: Uint8Array | null | undefined;
    if (!op) {
      this.out.copy(start, end);
    } else if (op.kind === 'delete') {
      output = null;
    } else if (op.kind === 'set') {
      output = op.bytes;
      this.out.push(output);
    } else {
      this.encoded = true;
      const items = new Chunks(this.data);
      emitSequence({ tag, el, start, end }, op, this.enc, items);
      output = items.toBytes();
      this.out.push(output);
    }
    const sequences = this.batch.memory.sequences;
    if (sequences.size < MAX_REMEMBERED || sequences.has(tag)) {
      sequences.set(tag, { raw: this.data.slice(start, end), encoding: this.encoding, output });
    }
    return true;
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
      const trailers = this.batch.memory.trailers;
      this.trailer = trailers[this.encoding] ??= this.batch.fileOps.trailer(
        this.batch.dateShift !== undefined,
        this.enc,
      );
    }
    return this.trailer;
  }

  private emit(op: PlanOp): void {
    if (op.kind === 'set') this.out.push(op.bytes);
  }

  /** The next tag at which {@link visit} is needed after `tag`. */
  private eventAfter(tag: number): number {
    let next = NO_EVENT;
    for (const event of FIXED_EVENTS) {
      if (event > tag) {
        next = event;
        break;
      }
    }
    if (this.patientPending && PATIENT_ID < next) next = PATIENT_ID;
    const trailer = this.trailer;
    if (trailer && this.nextTrailer < trailer.length && trailer[this.nextTrailer][0] < next) {
      next = trailer[this.nextTrailer][0];
    }
    return next;
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
    const replaced = this.forcedBefore(tag, vr, dataOffset, length, el === undefined);
    this.nextEvent = this.eventAfter(tag);
    if (replaced) return !this.failed;
    if (this.failed) return false;
    const ctx = this.ctx;
    if (ctx.retain.has(tag) || tag >>> 16 === 0x0002) {
      this.out.copy(start, end);
      return true;
    }
    return this.decide(el, tag, vr, dataOffset, length, start, end);
  }

  /** Decides the element's operation with {@link decideBasic} and writes its result. */
  private decide(
    el: Element | undefined,
    tag: number,
    vr: string,
    dataOffset: number,
    length: number,
    start: number,
    end: number,
  ): boolean {
    const op = decideBasic(this.data, tag, vr, dataOffset, length, el, this.ctx);
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
      this.encoding = encodingCode(this.enc);
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

/** A pass of `batch` for one file: its idle one, or a new one while that is in use. */
function takePass(batch: BasicBatch): BasicPass {
  const idle = batch.memory.idle;
  batch.memory.idle = undefined;
  return idle ?? new BasicPass(batch);
}

/**
 * The data set of a file as a parse finds it, when a single pass can write the file: undefined when
 * locating it fails (the long way reports why) and for deflated data sets (written whole, then
 * compressed) and self-contradicting encodings (which the writer refuses).
 */
export function locateForOnePass(
  bytes: Uint8Array,
  fileName: string | undefined,
  keys: TagKeys,
): LocatedDataSet | undefined {
  let located: LocatedDataSet;
  try {
    located = locateDataSet(bytes, { fileName }, keys);
  } catch {
    return undefined;
  }
  return located.ts.deflated || !isSelfConsistent(located.ts) ? undefined : located;
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
  const located = locateForOnePass(bytes, fileName, batch.keys);
  if (!located) return undefined;
  const { ts, data, start, meta } = located;
  const pass = takePass(batch);
  pass.start(data, ts.explicitVR, ts.littleEndian);
  const output = runPass(pass, data, start, ts, meta, batch);
  pass.end();
  batch.memory.idle = pass;
  return output;
}

function runPass(
  pass: BasicPass,
  data: Uint8Array,
  start: number,
  ts: LocatedDataSet['ts'],
  meta: LocatedDataSet['meta'],
  batch: BasicBatch,
): Uint8Array | undefined {
  if (!scanToEnd(data, start, ts, pass) || pass.failed) return undefined;
  pass.finish();
  let sopInstanceUID = pass.sopInstanceUID;
  if (sopInstanceUID === undefined) {
    const metaUid = metaString(meta, 'x00020003');
    sopInstanceUID = metaUid ? batch.mapUid(metaUid) : metaUid;
  }
  // A text the meta cannot hold makes the long way report it.
  return part10WithPlainMeta(
    {
      sopClassUID: pass.sopClassUID ?? metaString(meta, 'x00020002') ?? '',
      sopInstanceUID: sopInstanceUID ?? '',
      transferSyntaxUID: ts.uid,
    },
    pass.out,
  );
}

/** A text of the input's file meta, read only when the data set lacks the SOP UIDs (rare). */
function metaString(meta: LocatedDataSet['meta'], key: string): string | undefined {
  return meta
    ? new DicomDataset(meta.dataSet, { explicitVR: true, littleEndian: true, utf8: false }).string(key)
    : undefined;
}
