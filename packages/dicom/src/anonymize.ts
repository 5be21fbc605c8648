import {
  anonymizeBasicInOnePass,
  type BasicBatch,
  type BasicContext,
  type BasicFileOps,
  BasicPassMemory,
  CompiledProfile,
  DELETE,
  elementVr,
  planBasic,
} from './anonymize-basic';
import { anonymizeSdkInOnePass, SDK_TAGS, type SdkBatch, sdkReplacement } from './anonymize-sdk';
import type { DicomValue, ElementEncoding } from './encode';
import { DicomAnonymizeError } from './errors';
import { randomKey, utf8 } from './hash';
import { type ParsedDicom, parseDicomWith } from './parse';
import { TagKeys } from './read-dataset';
import { type TagInput, tagKey, toTag } from './tags';
import { createPseudonymMapper, createSdkTokenMapper, createUidMapper } from './uid';
import { type Plan, type PlanOp, SetOpCache, setOp, writeWithPlan } from './write';

/** `basic`: PS3.15 Basic Application Level Confidentiality Profile. `datamint-sdk`: Python SDK v1.4.1. */
export type AnonymizationProfile = 'basic' | 'datamint-sdk';

/** How files are anonymized: the profile, what to keep, the UID key. Invalid options: `DicomAnonymizeError`. */
export interface AnonymizeOptions {
  /** Default `basic`. */
  profile?: AnonymizationProfile;
  /**
   * Tags kept exactly as they are (numbers, `[g, e]`, `'GGGG,EEEE'`, `'(0x0008, 0x0050)'`, keywords).
   * In `basic` they are kept at every nesting level and their UIDs are not remapped.
   */
  retain?: readonly TagInput[];
  /**
   * Secret for the keyed UID mapping (`basic`). Files anonymized with the same key get the same new
   * UIDs. Default: a random key per anonymizer, so mappings are consistent within one batch only.
   */
  key?: Uint8Array | string;
  /**
   * Retain Longitudinal Temporal Information with Modified Dates: shift dates (DA, DT) by this many
   * days (or a function of the original PatientID, for a per-patient offset) instead of removing
   * them; times are kept. Sets LongitudinalTemporalInformationModified to MODIFIED.
   */
  dateShiftDays?: number | ((patientId: string | undefined) => number);
  /**
   * Replacement PatientID (`basic`), or a function of the original. Default: a keyed pseudonym
   * `ANON-<24 hex>` (HMAC of the original ID), the same for one patient under one key.
   */
  patientId?: string | ((original: string | undefined) => string);
  /**
   * Refuse files whose BurnedInAnnotation (0028,0301) is `YES` (text burned into the pixels, which
   * no tag-level profile removes) with a DicomAnonymizeError. Default false: such files are
   * anonymized at the tag level and the attribute is kept.
   */
  rejectBurnedInAnnotation?: boolean;
  /** Text of DeidentificationMethod (0012,0063). */
  deidentificationMethod?: string;
}

/** Per-file options of an anonymization. */
export interface AnonymizeFileOptions {
  /** Used in error messages. */
  fileName?: string;
}

/** One configuration and key, shared by every file of a batch. */
export interface Anonymizer {
  /** The profile it applies. */
  readonly profile: AnonymizationProfile;
  /** Parses and anonymizes one file; returns a new Part 10 file. */
  anonymize(bytes: Uint8Array, options?: AnonymizeFileOptions): Uint8Array;
  /** Anonymizes an already parsed file (a headerOnly parse is completed first). */
  anonymizeParsed(parsed: ParsedDicom): Uint8Array;
  /** The replacement of one UID under this anonymizer's profile and key. */
  mapUid(uid: string, tag?: TagInput): string;
}

function normaliseRetain(retain: readonly TagInput[] | undefined): Set<number> {
  const out = new Set<number>();
  for (const t of retain ?? []) out.add(toTag(t));
  return out;
}

function keyBytes(key: Uint8Array | string | undefined): Uint8Array {
  if (key === undefined) return randomKey();
  const bytes = typeof key === 'string' ? utf8(key) : key;
  if (bytes.length === 0) throw new DicomAnonymizeError('anonymization key must not be empty');
  return bytes;
}

export { SDK_TAGS } from './anonymize-sdk';

const SDK_TAG_KEYS = SDK_TAGS.map(tagKey);

function planSdk(
  parsed: ParsedDicom,
  retain: Set<number>,
  token: (tag: number, value: string | undefined) => string,
  ops: SetOpCache,
): Plan {
  const plan: Plan = new Map();
  const ds = parsed.dataSet;
  const enc = parsed.encoding;
  for (let i = 0; i < SDK_TAGS.length; i++) {
    const tag = SDK_TAGS[i];
    if (retain.has(tag)) continue;
    const el = ds.elements[SDK_TAG_KEYS[i]];
    if (!el) continue;
    const vr = elementVr(el, tag);
    const value = sdkReplacement(tag, vr, () => parsed.rawString(tag), token);
    plan.set(tag, value === 'delete' ? DELETE : ops.op(tag, vr, value, enc));
  }
  return plan;
}

const CODE_MEANINGS: Record<string, string> = {
  '113100': 'Basic Application Confidentiality Profile',
  '113107': 'Retain Longitudinal Temporal Information Modified Dates Option',
};

function codeItem(code: string) {
  return [
    { tag: 0x00080100, vr: 'SH', value: code },
    { tag: 0x00080102, vr: 'SH', value: 'DCM' },
    { tag: 0x00080104, vr: 'LO', value: CODE_MEANINGS[code] },
  ];
}

/**
 * Creates an anonymizer: one profile, retain list and key for a whole batch, so that UIDs map the
 * same way in every file (references between files stay intact).
 */
export function createAnonymizer(options: AnonymizeOptions = {}): Anonymizer {
  const profile = options.profile ?? 'basic';
  if (profile !== 'basic' && profile !== 'datamint-sdk') {
    throw new DicomAnonymizeError(
      `unknown anonymization profile "${String(profile)}" (use 'basic' or 'datamint-sdk')`,
    );
  }
  const retain = normaliseRetain(options.retain);
  const key = keyBytes(options.key);
  const mapUid = createUidMapper(key);
  const pseudonymFor = createPseudonymMapper(key);
  const sdkTokens = createSdkTokenMapper();
  const keys = new TagKeys();
  const ops = new SetOpCache();
  // DeidentificationMethodCodeSequence is the same in every file of one encoding: encoding its
  // nested items once per batch spares a sequence encode and a concatenation per file.
  const codeSequences = new Map<string, PlanOp>();
  const codeSequence = (shifted: boolean, enc: ElementEncoding): PlanOp => {
    const k = `${shifted}|${enc.explicitVR}|${enc.littleEndian}`;
    let op = codeSequences.get(k);
    if (!op) {
      const codes = shifted ? ['113100', '113107'] : ['113100'];
      op = setOp(0x00120064, 'SQ', codes.map(codeItem), enc);
      codeSequences.set(k, op);
    }
    return op;
  };

  const fileOps: BasicFileOps = {
    patientId(original, enc) {
      let id: string | undefined;
      if (options.patientId !== undefined) {
        id = typeof options.patientId === 'function' ? options.patientId(original) : options.patientId;
      } else if (original) {
        // A keyed pseudonym is a valid D value that keeps one patient's files together for the key
        // holder only; without the key it cannot be linked back (unlike the SDK's plain MD5).
        id = pseudonymFor(original);
      }
      return id === undefined ? undefined : ops.op(0x00100020, 'LO', id, enc);
    },
    trailer(shifted, enc) {
      return [
        [0x00120062, ops.op(0x00120062, 'CS', 'YES', enc)],
        [
          0x00120063,
          ops.op(0x00120063, 'LO', options.deidentificationMethod ?? 'DATAMINT PS3.15 BASIC PROFILE', enc),
        ],
        [0x00120064, codeSequence(shifted, enc)],
        [0x00280303, ops.op(0x00280303, 'CS', shifted ? 'MODIFIED' : 'REMOVED', enc)],
      ];
    },
  };
  const profileTable = new CompiledProfile();
  const remapped = new Map<string, string>();
  // The single pass takes every file whose date shift does not depend on its PatientID (which comes
  // after the dates it shifts).
  const constantShift = options.dateShiftDays;
  const batch: BasicBatch | undefined =
    profile === 'basic' && (constantShift === undefined || Number.isInteger(constantShift))
      ? {
          retain,
          profile: profileTable,
          keys,
          mapUid,
          remapped,
          op: (tag, vr, value, enc) => ops.op(tag, vr, value, enc),
          fileOps,
          dateShift: constantShift as number | undefined,
          rejectBurnedInAnnotation: options.rejectBurnedInAnnotation === true,
          memory: new BasicPassMemory(),
        }
      : undefined;

  const basic = (parsed: ParsedDicom): Uint8Array => {
    const originalPatientId = parsed.string(0x00100020);
    let dateShift: number | undefined;
    if (options.dateShiftDays !== undefined) {
      dateShift =
        typeof options.dateShiftDays === 'function'
          ? options.dateShiftDays(originalPatientId)
          : options.dateShiftDays;
      if (!Number.isInteger(dateShift)) {
        throw new DicomAnonymizeError(
          `dateShiftDays must give a whole number of days, got ${dateShift}`,
          parsed.fileName,
        );
      }
    }
    const enc = parsed.encoding;
    const set = (tag: number, vr: string, value: DicomValue) => ops.op(tag, vr, value, enc);
    const ctx: BasicContext = { retain, profile: profileTable, set, mapUid, remapped, dateShift };
    const plan = planBasic(parsed.dataSet, ctx, parsed.rootElements) ?? new Map();
    if (!retain.has(0x00100020)) {
      const op = fileOps.patientId(originalPatientId, enc);
      if (op) plan.set(0x00100020, op);
    }
    for (const [tag, op] of fileOps.trailer(dateShift !== undefined, enc)) plan.set(tag, op);
    const metaUid = parsed.meta?.string('x00020003');
    return writeWithPlan(parsed, plan, {
      preamble: 'zero',
      keepOtherMeta: false,
      mediaStorageSOPInstanceUID: metaUid ? mapUid(metaUid) : undefined,
    });
  };

  const sdk = (parsed: ParsedDicom): Uint8Array =>
    writeWithPlan(parsed, planSdk(parsed, retain, sdkTokens, ops), {
      preamble: 'keep',
      keepOtherMeta: true,
      keepImplementation: true,
    });

  const anonymizeParsed = (parsed: ParsedDicom): Uint8Array => {
    if (options.rejectBurnedInAnnotation && parsed.string(0x00280301)?.toUpperCase() === 'YES') {
      throw new DicomAnonymizeError(
        'BurnedInAnnotation (0028,0301) is YES: the pixels contain identifying text that anonymization cannot remove',
        parsed.fileName,
      );
    }
    // A headerOnly parse does not see elements after PixelData (private tags, padding), which the
    // profile must remove, so the file is parsed completely first.
    const full = parsed.headerOnly
      ? parseDicomWith(parsed.input, { fileName: parsed.fileName }, keys)
      : parsed;
    return profile === 'basic' ? basic(full) : sdk(full);
  };

  const sdkBatch: SdkBatch | undefined =
    profile === 'datamint-sdk'
      ? { retain, keys, token: sdkTokens, op: (tag, vr, value, enc) => ops.op(tag, vr, value, enc) }
      : undefined;

  return {
    profile,
    anonymizeParsed,
    anonymize(bytes: Uint8Array, fileOptions: AnonymizeFileOptions = {}): Uint8Array {
      const fast =
        (batch && anonymizeBasicInOnePass(bytes, fileOptions.fileName, batch)) ||
        (sdkBatch && anonymizeSdkInOnePass(bytes, fileOptions.fileName, sdkBatch));
      if (fast) return fast;
      return anonymizeParsed(parseDicomWith(bytes, { fileName: fileOptions.fileName }, keys));
    },
    mapUid(uid: string, tag: TagInput = 0x0020000d): string {
      return profile === 'basic' ? mapUid(uid) : sdkTokens(toTag(tag), uid);
    },
  };
}

/**
 * Anonymizes one file. For batches use {@link createAnonymizer} so all files share one key.
 * @example
 * ```ts
 * import { readFile, writeFile } from 'node:fs/promises';
 * import { anonymizeDicom } from '@datamint/dicom';
 *
 * const clean = anonymizeDicom(await readFile('ct.dcm'), { fileName: 'ct.dcm' });
 * await writeFile('ct-anon.dcm', clean);
 * ```
 */
export function anonymizeDicom(
  bytes: Uint8Array,
  options: AnonymizeOptions & AnonymizeFileOptions = {},
): Uint8Array {
  return createAnonymizer(options).anonymize(bytes, { fileName: options.fileName });
}
