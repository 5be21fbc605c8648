import { decimalValues } from './dataset';
import { DicomError } from './errors';
import { cross, dot, type Vec3 } from './geometry';
import { isDicom, type ParsedDicom, parseDicomWith } from './parse';
import { TagKeys } from './read-dataset';
import { scanSliceHeader } from './slice-header';
import { type TagInput, toTag, toTagKey } from './tags';

/** An input file: its bytes, or a loader called when the bytes are needed (possibly twice). */
export type AssembleInput =
  | {
      /** The file's name (used in output names, warnings and errors). */
      readonly name: string;
      /** The file's bytes, already in memory. */
      readonly bytes: Uint8Array;
    }
  | {
      /** The file's name (used in output names, warnings and errors). */
      readonly name: string;
      /** Reads the file; called when its bytes are needed (possibly twice). Its errors make the series unassembled. */
      load(): Uint8Array | Promise<Uint8Array>;
      /**
       * The file's length, when `load` may return only its first bytes (at least up to the start of
       * PixelData's value, uncompressed and not deflated): planning then checks the pixel data
       * against this length instead of reading it. Assembling needs the whole file.
       */
      readonly size?: number;
    };

/** How the frames of an output were ordered. */
export type FrameOrder =
  /** Ascending position along the slice normal (rowDirection × columnDirection). */
  | 'position'
  /** Ascending InstanceNumber (positions missing, not parallel or not distinct). */
  | 'instance-number'
  /** The order of the inputs (neither positions nor InstanceNumbers usable). */
  | 'input-order';

/** What phase 1 keeps of one slice: header values only, never its pixels. */
export interface SliceInfo {
  /** The input it came from. */
  input: AssembleInput;
  /** Its index among the inputs. */
  index: number;
  /** The input's name. */
  name: string;
  /** Its SeriesInstanceUID. */
  seriesInstanceUID: string;
  /** Its transfer syntax. */
  transferSyntaxUID: string;
  /** Its pixel data is encapsulated (compressed). */
  encapsulated: boolean;
  /** Compatibility attributes that must be equal inside one output, as text. */
  layout: Record<string, string>;
  /** ImagePositionPatient, when present and numeric. */
  position: number[] | undefined;
  /** ImageOrientationPatient, when present and numeric. */
  orientation: number[] | undefined;
  /** DS text of IPP/IOP/PixelSpacing/... exactly as stored, copied into the functional groups. */
  text: Record<string, string[] | undefined>;
  /** InstanceNumber, the order used when positions cannot be. */
  instanceNumber: number | undefined;
  /** Native: bytes of the one frame. Encapsulated: lengths of the frame's fragments. */
  frameLength: number;
  /**
   * Native and not deflated: where the frame starts in the input's bytes, so that an in-memory input
   * is copied straight into the output without a second parse.
   */
  frameOffset: number | undefined;
  /** Encapsulated: the lengths of the frame's fragments. */
  fragmentLengths: number[] | undefined;
}

/** An input uploaded as it is. */
export interface PassedThrough {
  /** The input's name. */
  name: string;
  /** The input. */
  input: AssembleInput;
  /** Why the file is not part of an output: not DICOM, no pixel data, multi-frame, only slice of its series... */
  reason: string;
}

/** Inputs of a series that could not be assembled. */
export interface Unassembled {
  /** Their names. */
  names: string[];
  /** The inputs. */
  inputs: AssembleInput[];
  /** Why these files could not be assembled; upload them unchanged. */
  reason: string;
}

/** The slices of one series that will become one output. */
export interface SeriesGroup {
  /** The series. */
  seriesInstanceUID: string;
  /** Slices in frame order. */
  slices: SliceInfo[];
  /** How they were ordered. */
  orderedBy: FrameOrder;
  /** E.g. why they were not ordered by position. */
  warnings: string[];
}

/** The header pass of an assembly: what will be assembled, passed through or left unassembled. */
export interface AssemblyPlan {
  /** One group per output. */
  groups: SeriesGroup[];
  /** Inputs uploaded unchanged. */
  passedThrough: PassedThrough[];
  /** Series that cannot be assembled. */
  unassembled: Unassembled[];
}

/** Attributes that must agree for slices to share one output (besides the transfer syntax). */
const LAYOUT_TAGS = [
  'FrameOfReferenceUID',
  'Rows',
  'Columns',
  'SamplesPerPixel',
  'PhotometricInterpretation',
  'PlanarConfiguration',
  'BitsAllocated',
  'BitsStored',
  'HighBit',
  'PixelRepresentation',
  'SOPClassUID',
] as const;

export const TEXT_TAGS = [
  'ImagePositionPatient',
  'ImageOrientationPatient',
  'PixelSpacing',
  'SliceThickness',
  'SpacingBetweenSlices',
] as const;

/**
 * Every attribute planning reads: the header parse of each slice records only these, which makes it
 * a walk over the elements rather than a full parse.
 */
// Pure: a bundle that never plans an assembly drops it (and, with it, the keyword dictionary).
const PLAN_TAGS: ReadonlySet<number> = /* @__PURE__ */ (() =>
  new Set(
    [
      ...LAYOUT_TAGS,
      ...TEXT_TAGS,
      'SeriesInstanceUID',
      'InstanceNumber',
      'NumberOfFrames',
      'Rows',
      'Columns',
      'SamplesPerPixel',
      'BitsAllocated',
      'SpecificCharacterSet',
      'PixelData',
    ].map((keyword) => toTag(keyword)),
  ))();

/**
 * The data set keys (`x0020000e`) of the attributes read per slice, so that reading thousands of
 * headers does not resolve keywords thousands of times.
 */
const KEYS: Readonly<Record<string, string>> = /* @__PURE__ */ (() =>
  Object.fromEntries(
    [...LAYOUT_TAGS, ...TEXT_TAGS, 'SeriesInstanceUID', 'BitsAllocated', 'InstanceNumber'].map((k) => [
      k,
      toTagKey(k),
    ]),
  ))();

export async function loadBytes(input: AssembleInput): Promise<Uint8Array> {
  const bytes = 'bytes' in input ? input.bytes : await input.load();
  if (!(bytes instanceof Uint8Array)) {
    throw new DicomError(`input ${input.name}: load() returned ${typeof bytes}, not a Uint8Array`);
  }
  return bytes;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * What an input's header says about its place in an assembly: a slice to group, or why the input is
 * passed through as it is (`pass`) or left unassembled (`fail`).
 */
export type SliceOutcome =
  | {
      /** The slice, to be grouped with its series. */
      slice: SliceInfo;
    }
  | {
      /** Why the input is uploaded as it is (not an image, multi-frame, not DICOM...). */
      pass: string;
    }
  | {
      /** Why the input cannot be assembled (truncated pixel data, unreadable...). */
      fail: string;
    };

/** One input read for planning: see {@link readSlice} and {@link groupSlices}. */
export interface SliceReading {
  /** The input. */
  readonly input: AssembleInput;
  /** What its header says. */
  readonly outcome: SliceOutcome;
}

/** The tags a slice-header parse keeps: what assembly planning reads, plus `tags`; ascending. */
export function sliceHeaderTags(tags: readonly TagInput[]): number[] {
  return [...new Set([...PLAN_TAGS, ...tags.map((t) => toTag(t))])].sort((a, b) => a - b);
}

/**
 * A parser of slice headers for {@link readSlice}, for callers that read many files themselves
 * (an upload planner reading each file once): element keys are shared across the files, and only
 * the attributes assembly planning reads are kept, plus `tags`, so the caller's own attributes come
 * from the same parse. The headers it returns answer only those attributes.
 * @throws DicomParseError from the returned function, when a header cannot be read.
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { groupSlices, readSlice, sliceHeaderParser } from '@datamint/dicom';
 *
 * const parse = sliceHeaderParser(['Modality']);
 * const readings = [];
 * for (const name of ['a.dcm', 'b.dcm']) {
 *   const header = parse(await readFile(name), name);
 *   console.log(name, header.string('Modality'));
 *   readings.push(readSlice({ name, load: () => readFile(name) }, header));
 * }
 * console.log(groupSlices(readings).groups.length);
 * ```
 */
export function sliceHeaderParser(
  tags: readonly TagInput[] = [],
): (bytes: Uint8Array, fileName?: string) => ParsedDicom {
  const keys = new TagKeys();
  const ascending = sliceHeaderTags(tags);
  const only = new Set(ascending);
  return (bytes, fileName) => {
    let header: ParsedDicom | undefined;
    try {
      header = scanSliceHeader(bytes, fileName, keys, ascending);
    } catch {
      // The general parser below says why, in its own words.
    }
    return header ?? parseDicomWith(bytes, { fileName, headerOnly: true }, keys, only);
  };
}

/**
 * Reads one input's place in an assembly from its parsed header (from {@link sliceHeaderParser} or
 * `parseDicom`): grouping values only, never its pixels. `size` is the file's length when the
 * header was parsed from its first bytes only: the pixel data is then checked against it.
 * Compressed pixel data needs the whole file (the frame's fragments are measured).
 */
export function readSlice(input: AssembleInput, header: ParsedDicom, size?: number): SliceReading {
  return { input, outcome: classifyHeader(input, header, new TagKeys(), size) };
}

/** Reads what grouping and sorting need; the bytes are released when this returns. */
function classify(
  input: AssembleInput,
  bytes: Uint8Array,
  keys: TagKeys,
  parse: (bytes: Uint8Array, fileName?: string) => ParsedDicom,
): SliceOutcome {
  if (!isDicom(bytes)) return { pass: 'not DICOM' };
  let parsed: ParsedDicom;
  try {
    parsed = parse(bytes, input.name);
  } catch (e) {
    return { pass: `not readable as DICOM: ${message(e)}` };
  }
  const size = 'size' in input ? input.size : undefined;
  return classifyHeader(input, parsed, keys, size);
}

function classifyHeader(
  input: AssembleInput,
  parsed: ParsedDicom,
  keys: TagKeys,
  size: number | undefined,
): SliceOutcome {
  const bytes = parsed.input;
  if (!parsed.pixelData) return { pass: 'no pixel data (not an image)' };
  if (parsed.numberOfFrames > 1) return { pass: `already multi-frame (${parsed.numberOfFrames} frames)` };
  const series = parsed.string(KEYS.SeriesInstanceUID);
  if (!series) return { pass: 'no SeriesInstanceUID' };
  const ts = parsed.transferSyntax;
  let frameLength = 0;
  let frameOffset: number | undefined;
  let fragmentLengths: number[] | undefined;
  if (ts.encapsulated) {
    // Fragment sizes are needed up front so the output is allocated once; the bytes are here anyway.
    try {
      const full = parseDicomWith(bytes, { fileName: input.name }, keys);
      const fragments = full.pixelData?.fragments ?? [];
      fragmentLengths = fragments.map((f) => f.length);
    } catch (e) {
      return { fail: message(e) };
    }
    if (fragmentLengths.length === 0) return { fail: 'encapsulated PixelData has no fragments' };
    frameLength = fragmentLengths.reduce((s, n) => s + n, 0);
  } else {
    const bits = parsed.number(KEYS.BitsAllocated);
    if (bits === 1) return { fail: 'BitsAllocated 1: frames are not byte-aligned' };
    const length = parsed.frameLength;
    // A header-only parse knows the declared length; the bytes actually present may be fewer. Given
    // only the head of a file, the file's length says how many there are.
    const end = size !== undefined && size > bytes.length ? size : parsed.bytes.length;
    const available = end - (parsed.pixelDataOffset ?? end);
    const stored = Math.min(parsed.pixelDataLength ?? 0, available);
    if (length === undefined || length === 0) return { fail: 'Rows, Columns or BitsAllocated missing' };
    if (stored < length) return { fail: `PixelData has ${stored} bytes, one frame needs ${length}` };
    frameLength = length;
    if (!ts.deflated) frameOffset = parsed.pixelDataOffset;
  }
  const layout: Record<string, string> = {};
  for (const tag of LAYOUT_TAGS) layout[tag] = parsed.string(KEYS[tag]) ?? '';
  const text: SliceInfo['text'] = {};
  for (const tag of TEXT_TAGS) text[tag] = parsed.strings(KEYS[tag]);
  // The numbers of the text just read, rather than a second decode of the same values.
  const pos = text.ImagePositionPatient && decimalValues(text.ImagePositionPatient);
  const iop = text.ImageOrientationPatient && decimalValues(text.ImageOrientationPatient);
  return {
    slice: {
      input,
      index: 0,
      name: input.name,
      seriesInstanceUID: series,
      transferSyntaxUID: parsed.transferSyntaxUID,
      encapsulated: ts.encapsulated,
      layout,
      position: pos && pos.length >= 3 && pos.every(Number.isFinite) ? pos : undefined,
      orientation: iop && iop.length >= 6 && iop.every(Number.isFinite) ? iop : undefined,
      text,
      instanceNumber: parsed.number(KEYS.InstanceNumber),
      frameLength,
      frameOffset,
      fragmentLengths,
    },
  };
}

function normalOf(iop: number[]): Vec3 {
  const n = cross([iop[0], iop[1], iop[2]], [iop[3], iop[4], iop[5]]);
  const len = Math.hypot(n[0], n[1], n[2]);
  return [n[0] / len, n[1] / len, n[2] / len];
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Orders slices along the normal when that is well defined, else by InstanceNumber. */
function orderSlices(slices: SliceInfo[]): {
  slices: SliceInfo[];
  orderedBy: FrameOrder;
  warnings: string[];
} {
  const warnings: string[] = [];
  const first = slices[0].orientation;
  let why: string | undefined;
  if (!first || slices.some((s) => !s.position || !s.orientation)) {
    why = 'ImagePositionPatient or ImageOrientationPatient missing';
  } else {
    const n = normalOf(first);
    // Slices of one series mostly share their orientation exactly: no normal to compute for those.
    const parallel = (o: number[]) => sameNumbers(o, first) || Math.abs(dot(normalOf(o), n)) >= 1 - 1e-4;
    if (!Number.isFinite(n[0])) why = 'ImageOrientationPatient is degenerate';
    else if (!slices.every((s) => parallel(s.orientation as number[]))) {
      why = 'slices are not parallel';
    } else {
      const keyed = slices.map((s) => ({ s, d: dot(s.position as unknown as Vec3, n) }));
      keyed.sort((a, b) => a.d - b.d || a.s.index - b.s.index);
      const duplicate = keyed.findIndex((k, i) => i > 0 && Math.abs(k.d - keyed[i - 1].d) < 1e-4);
      if (duplicate < 0) return { slices: keyed.map((k) => k.s), orderedBy: 'position', warnings };
      why = `${keyed[duplicate - 1].s.name} and ${keyed[duplicate].s.name} are at the same position`;
    }
  }
  if (slices.every((s) => s.instanceNumber !== undefined)) {
    warnings.push(`ordered by InstanceNumber: ${why}`);
    const sorted = [...slices].sort(
      (a, b) => (a.instanceNumber as number) - (b.instanceNumber as number) || a.index - b.index,
    );
    return { slices: sorted, orderedBy: 'instance-number', warnings };
  }
  warnings.push(`kept input order: ${why}, and InstanceNumber is missing`);
  return { slices: [...slices].sort((a, b) => a.index - b.index), orderedBy: 'input-order', warnings };
}

/** The first attribute on which the slices disagree, described with its values and counts. */
function mismatch(slices: SliceInfo[]): string | undefined {
  const attributes: [string, (s: SliceInfo) => string][] = [
    ['TransferSyntaxUID', (s) => s.transferSyntaxUID],
    ...LAYOUT_TAGS.map((tag) => [tag, (s: SliceInfo) => s.layout[tag]] as [string, (s: SliceInfo) => string]),
  ];
  for (const [name, get] of attributes) {
    // Usually every slice agrees: count the values only when one differs from the first.
    const first = get(slices[0]);
    if (slices.every((s) => get(s) === first)) continue;
    const counts = new Map<string, number>();
    for (const s of slices) counts.set(get(s), (counts.get(get(s)) ?? 0) + 1);
    if (counts.size > 1) {
      const values = [...counts].map(([v, c]) => `"${v}" (${c} files)`).join(' vs ');
      const hint = name === 'TransferSyntaxUID' ? '; encapsulated slices must share one transfer syntax' : '';
      return `${name} differs within the series: ${values}${hint}`;
    }
  }
  return undefined;
}

/**
 * Groups read inputs by series, in the order given (which breaks ties in slice order): the second
 * half of {@link planAssembly}, for callers that read the headers themselves with {@link readSlice}.
 */
export function groupSlices(readings: readonly SliceReading[]): AssemblyPlan {
  const passedThrough: PassedThrough[] = [];
  const unassembled: Unassembled[] = [];
  const bySeries = new Map<string, SliceInfo[]>();
  readings.forEach(({ input, outcome }, index) => {
    if ('pass' in outcome) passedThrough.push({ name: input.name, input, reason: outcome.pass });
    else if ('fail' in outcome) {
      unassembled.push({ names: [input.name], inputs: [input], reason: outcome.fail });
    } else {
      const slice = { ...outcome.slice, index };
      const list = bySeries.get(slice.seriesInstanceUID) ?? [];
      list.push(slice);
      bySeries.set(slice.seriesInstanceUID, list);
    }
  });
  const groups: SeriesGroup[] = [];
  for (const [uid, slices] of bySeries) {
    if (slices.length === 1) {
      const s = slices[0];
      passedThrough.push({ name: s.name, input: s.input, reason: 'only image of its series' });
      continue;
    }
    const bad = mismatch(slices);
    if (bad) {
      unassembled.push({ names: slices.map((s) => s.name), inputs: slices.map((s) => s.input), reason: bad });
      continue;
    }
    const ordered = orderSlices(slices);
    groups.push({ seriesInstanceUID: uid, ...ordered });
  }
  return { groups, passedThrough, unassembled };
}

/**
 * Phase 1 of {@link assembleSeries}: loads each input once, parses its header only, and groups
 * slices by SeriesInstanceUID. Nothing here throws for a bad input: it is passed through or reported.
 */
export async function planAssembly(files: readonly AssembleInput[]): Promise<AssemblyPlan> {
  const keys = new TagKeys();
  // The slice-header scanner where it can, as for callers that read the headers themselves.
  const parse = sliceHeaderParser();
  const readings: SliceReading[] = [];
  for (const input of files) {
    try {
      readings.push({ input, outcome: classify(input, await loadBytes(input), keys, parse) });
    } catch (e) {
      readings.push({ input, outcome: { fail: `cannot be read: ${message(e)}` } });
    }
  }
  return groupSlices(readings);
}
