import type { Element } from 'dicom-parser';
import { locateForOnePass } from './anonymize-basic';
import { DicomDataset, decodeText, trimPad } from './dataset';
import { vrOf } from './dictionary';
import type { DicomValue, ElementEncoding } from './encode';
import { elementProblem, validNumberOfFrames } from './parse';
import { type ElementVisitor, scanToEnd, type TagKeys } from './read-dataset';
import { tagFromKey } from './tags';
import { SDK_CLEARED } from './uid';
import { Chunks, fileMetaOf, type PlanOp, writePart10 } from './write';

/** The Python SDK's 47 attributes, in its order. */
export const SDK_TAGS: readonly number[] = [
  0x00080014, 0x00080018, 0x00080050, 0x00080080, 0x00080081, 0x00080090, 0x00080092, 0x00080094, 0x00081010,
  0x00081030, 0x0008103e, 0x00081040, 0x00081048, 0x00081050, 0x00081060, 0x00081070, 0x00081080, 0x00081155,
  0x00082111, 0x00100010, 0x00100020, 0x00100030, 0x00100032, 0x00100040, 0x00101000, 0x00101001, 0x00101010,
  0x00101020, 0x00101030, 0x00101090, 0x00102160, 0x00102180, 0x001021b0, 0x00104000, 0x00181000, 0x00181030,
  0x0020000d, 0x0020000e, 0x00200010, 0x00200052, 0x00200200, 0x00204000, 0x00400275, 0x0040a730, 0x00880140,
  0x30060024, 0x300600c2,
];
const SDK_TAG_SET = new Set(SDK_TAGS);
const SDK_PSEUDONYMISED = new Set([0x00080018, 0x00100020, 0x0020000d, 0x0020000e, 0x00200052]);

/**
 * What the SDK writes for one of its attributes: a value, or `delete` (sequences). `raw` gives the
 * value as stored with only trailing padding removed (pydicom strips only trailing spaces/NULs, so
 * leading spaces are part of the hashed text); it is read only for the pseudonymised UIDs and ID.
 */
export function sdkReplacement(
  tag: number,
  vr: string,
  raw: () => string | undefined,
  token: (tag: number, value: string | undefined) => string,
): DicomValue | 'delete' {
  if (tag === 0x00080094) return '000-000-0000';
  if (vr === 'FL' || vr === 'FD') return 0;
  if (vr === 'DS') return '0.0';
  if (vr === 'SQ') return 'delete';
  if (SDK_PSEUDONYMISED.has(tag)) return token(tag, raw());
  return SDK_CLEARED;
}

/** One anonymizer's state the SDK profile's single pass reads. */
export interface SdkBatch {
  retain: ReadonlySet<number>;
  keys: TagKeys;
  token: (tag: number, value: string | undefined) => string;
  /** Encoded set operation, cached across the batch. */
  op: (tag: number, vr: string, value: DicomValue, enc: ElementEncoding) => PlanOp;
}

const SOP_CLASS_UID = 0x00080016;
const SOP_INSTANCE_UID = 0x00080018;

function trimPadEnd(s: string): string {
  let end = s.length;
  while (end > 0 && (s.charCodeAt(end - 1) === 0x20 || s.charCodeAt(end - 1) === 0)) end--;
  return end === s.length ? s : s.slice(0, end);
}

/**
 * The `datamint-sdk` profile in one pass over the root elements: its attributes are replaced (or,
 * for sequences, dropped) as they are read and everything else is copied in runs, as the
 * parse-plan-write path writes them. Like the basic profile's pass it gives up (`failed`) on
 * whatever that path would treat otherwise or reject (elements out of tag order, values past the
 * end, a bad NumberOfFrames, SOP UIDs that are not plain UI elements), and the
 * caller takes that path.
 */
class SdkPass implements ElementVisitor {
  readonly out: Chunks;
  readonly enc: ElementEncoding;
  failed = false;
  private previousTag = -1;
  sopClassUID: string | undefined;
  /** The SOPInstanceUID written (the replacement when there is one). */
  sopInstanceUID: string | undefined;

  constructor(
    private readonly data: Uint8Array,
    explicitVR: boolean,
    littleEndian: boolean,
    private readonly batch: SdkBatch,
  ) {
    this.out = new Chunks(data);
    this.enc = { explicitVR, littleEndian, utf8: false };
  }

  plain(
    group: number,
    elementNumber: number,
    written: string | undefined,
    at: number,
    size: number,
    from: number,
  ) {
    const to = at + size;
    if (to > this.data.length) return this.fail();
    const tag = group * 0x10000 + elementNumber;
    return this.visit(undefined, tag, written ?? vrOf(tag), from, at, size, to);
  }

  parsed(el: Element, start: number, end: number): boolean {
    if (elementProblem([el], this.data, false, 0)) return this.fail();
    const tag = tagFromKey(el.tag);
    const vr = el.vr ?? (el.items ? 'SQ' : vrOf(tag));
    return this.visit(el, tag, vr, start, el.dataOffset, el.length, end);
  }

  fail(): false {
    this.failed = true;
    return false;
  }

  private text(dataOffset: number, length: number): string {
    return decodeText(this.data, dataOffset, length, this.enc.utf8 === true);
  }

  /** One root element: `start` its header, `dataOffset` and `length` its value, `end` the next element. */
  private visit(
    el: Element | undefined,
    tag: number,
    vr: string,
    start: number,
    dataOffset: number,
    length: number,
    end: number,
  ): boolean {
    // The long way applies one decision per tag to every element with that tag: the same as this
    // pass only when every tag is greater than the one before.
    const inOrder = tag > this.previousTag;
    this.previousTag = tag;
    if (!inOrder) return this.fail();
    if (tag === 0x00080005) {
      this.enc.utf8 = length > 0 && this.text(dataOffset, length).includes('ISO_IR 192');
    } else if (tag === SOP_CLASS_UID || tag === SOP_INSTANCE_UID) {
      // The file meta repeats them as text; anything but a plain UI element goes the long way.
      if (el || vr !== 'UI') return this.fail();
      const uid = trimPad(this.text(dataOffset, length));
      if (tag === SOP_CLASS_UID) this.sopClassUID = uid;
      else this.sopInstanceUID = uid;
    } else if (tag === 0x00280008 && !validNumberOfFrames(this.data, dataOffset, length)) {
      return this.fail();
    }
    if (!SDK_TAG_SET.has(tag) || this.batch.retain.has(tag)) {
      this.out.copy(start, end);
      return true;
    }
    const value = sdkReplacement(tag, vr, () => trimPadEnd(this.text(dataOffset, length)), this.batch.token);
    if (value === 'delete') return true;
    const op = this.batch.op(tag, vr, value, this.enc);
    if (op.kind !== 'set') return this.fail();
    if (tag === SOP_INSTANCE_UID) this.sopInstanceUID = op.text;
    this.out.push(op.bytes);
    return true;
  }
}

/**
 * Anonymizes a file with the `datamint-sdk` profile in one pass over its header, or returns
 * undefined when the file needs the parse-plan-write path (see {@link SdkPass}).
 */
export function anonymizeSdkInOnePass(
  bytes: Uint8Array,
  fileName: string | undefined,
  batch: SdkBatch,
): Uint8Array | undefined {
  const located = locateForOnePass(bytes, fileName, batch.keys);
  if (!located) return undefined;
  const { ts, data, start, meta } = located;
  const pass = new SdkPass(data, ts.explicitVR, ts.littleEndian, batch);
  if (!scanToEnd(data, start, ts, pass) || pass.failed) return undefined;
  const metaSet = meta
    ? new DicomDataset(meta.dataSet, { explicitVR: true, littleEndian: true, utf8: false })
    : undefined;
  const fileMeta = fileMetaOf(bytes, metaSet, {
    sopClassUID: pass.sopClassUID,
    sopInstanceUID: pass.sopInstanceUID,
    transferSyntaxUID: ts.uid,
    options: { keepOtherMeta: true, keepImplementation: true },
  });
  return writePart10(located.hasPreamble ? bytes : undefined, fileMeta, pass.out);
}
