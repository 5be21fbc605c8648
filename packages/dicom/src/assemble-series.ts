import {
  type AssembleInput,
  type FrameOrder,
  loadBytes,
  type PassedThrough,
  planAssembly,
  type SeriesGroup,
  type SliceInfo,
  type TEXT_TAGS,
  type Unassembled,
} from './assemble-plan';
import { allocUninitialised } from './bytes';
import { encapsulatedFile, FRAGMENT_TABLE_TAGS } from './codecs/encapsulate';
import { jpegLsFrameEncoder } from './codecs/encode-jpeg-ls';
import { jpegLsRefusal, jpegLsRefusalMessage } from './codecs/jpeg-ls-refusal';
import { pixelLayoutOf } from './codecs/pixel-layout';
import {
  type ElementEncoding,
  encodeHeader,
  ITEM,
  type NewElement,
  SEQUENCE_DELIMITER,
  UNDEFINED_LENGTH,
} from './encode';
import { DicomError } from './errors';
import { type ParsedDicom, parseDicom, parseDicomWith } from './parse';
import { TagKeys } from './read-dataset';
import { swapInto, toExplicitLittleEndian } from './transcode';
import { TransferSyntax } from './transfer-syntax';
import { type DicomEdit, encodeFileMeta, writeDicom } from './write';

export type {
  AssembleInput,
  AssemblyPlan,
  FrameOrder,
  PassedThrough,
  SeriesGroup,
  SliceInfo,
  SliceOutcome,
  SliceReading,
  Unassembled,
} from './assemble-plan';
export { groupSlices, planAssembly, readSlice, sliceHeaderParser } from './assemble-plan';

/** How assembled series store their pixels. */
export type AssembleCompression = 'none' | 'jpeg-ls';

/** Options of {@link assembleSeries}. */
export interface AssembleOptions {
  /** SOPInstanceUID of each output; default a random `2.25.` UID. */
  newUid?: () => string;
  /**
   * `'jpeg-ls'`: write outputs of native slices as JPEG-LS Lossless (1.2.840.10008.1.2.4.80, one
   * fragment per frame, Basic Offset Table), as the platform's own client does. Slices that are
   * already compressed stay as they are; pixel data JPEG-LS cannot hold (32-bit, YBR_FULL_422)
   * stays uncompressed with a warning. Default `'none'`.
   */
  compression?: AssembleCompression;
  /** Where the codec's `.wasm` is, for browsers (see decodeFrame). */
  locateWasm?: (fileName: string) => string;
}

/** One multi-frame file made of the slices of one series. */
export interface AssembledSeries {
  /** `<Modality>_series<SeriesNumber>_<frames>frames.dcm`, made unique within the result. */
  name: string;
  /** The Part 10 file. */
  bytes: Uint8Array;
  /** Input names in frame order: frame k came from `sourceNames[k]`. */
  sourceNames: string[];
  /** Number of frames (slices). */
  frames: number;
  /** How the frames were ordered. */
  orderedBy: FrameOrder;
  /** The series the slices shared. */
  seriesInstanceUID: string;
  /** The new SOPInstanceUID (also MediaStorageSOPInstanceUID). */
  sopInstanceUID: string;
  /** Transfer syntax of the output (`compression` decides, unless the slices were already compressed). */
  transferSyntaxUID: string;
  /** E.g. why the frames were not ordered by position. */
  warnings: string[];
}

/** What {@link assembleSeries} made of its inputs: every input ends up in exactly one of the three lists. */
export interface AssembleResult {
  /** One multi-frame file per assembled series. */
  outputs: AssembledSeries[];
  /** Inputs to upload unchanged: not DICOM, not an image, already multi-frame, or alone in their series. */
  passedThrough: PassedThrough[];
  /** Inputs that could have been assembled but were not (mixed attributes, unreadable, ...): upload them unchanged. */
  unassembled: Unassembled[];
}

/** A series could not be written as one multi-frame file. */
export class DicomAssembleError extends DicomError {
  /** The series, when known. */
  readonly seriesInstanceUID: string | undefined;
  /** The slice at fault, when one is. */
  readonly fileName: string | undefined;
  constructor(message: string, details: { seriesInstanceUID?: string; fileName?: string } = {}) {
    const where = [
      details.seriesInstanceUID ? `series ${details.seriesInstanceUID}` : undefined,
      details.fileName ? `file ${details.fileName}` : undefined,
    ]
      .filter(Boolean)
      .join(', ');
    super(where ? `${where}: ${message}` : message);
    this.seriesInstanceUID = details.seriesInstanceUID;
    this.fileName = details.fileName;
  }
}

const PIXEL_DATA = 0x7fe00010;
const PER_FRAME = 0x52009230;
const MAX_LENGTH = 0xfffffffe;
const EXPLICIT_LE: ElementEncoding = { explicitVR: true, littleEndian: true };

const TAG: Record<(typeof TEXT_TAGS)[number], number> = {
  ImagePositionPatient: 0x00200032,
  ImageOrientationPatient: 0x00200037,
  PixelSpacing: 0x00280030,
  SliceThickness: 0x00180050,
  SpacingBetweenSlices: 0x00180088,
};
const PLANE_POSITION = 0x00209113;
const PLANE_ORIENTATION = 0x00209116;
const PIXEL_MEASURES = 0x00289110;
const MEASURES = ['PixelSpacing', 'SliceThickness', 'SpacingBetweenSlices'] as const;

/** A random UUID-derived UID (PS3.5 B.2). */
function randomUid(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return `2.25.${n.toString(10)}`;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

type TextTag = (typeof TEXT_TAGS)[number];

/** The value shared by every slice, or undefined when any slice lacks it or differs. */
function sharedText(slices: SliceInfo[], tag: TextTag): string[] | undefined {
  const first = slices[0].text[tag];
  if (!first || first.length === 0) return undefined;
  return slices.every((s) => sameStrings(s.text[tag], first)) ? first : undefined;
}

function sameStrings(a: readonly string[] | undefined, b: readonly string[]): boolean {
  if (a === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function ds(tag: TextTag, value: string[]): NewElement {
  return { tag: TAG[tag], vr: 'DS', value };
}

/** Shared and per-frame functional groups, copying the DS text of the sources exactly. */
function functionalGroups(slices: SliceInfo[]): { shared: NewElement[]; perFrame: NewElement[][] } {
  const sharedOrientation = sharedText(slices, 'ImageOrientationPatient');
  const sharedMeasures = MEASURES.filter((m) => sharedText(slices, m) !== undefined);
  const shared: NewElement[] = [];
  if (sharedMeasures.length > 0) {
    const item = sharedMeasures.map((m) => ds(m, sharedText(slices, m) as string[]));
    shared.push({ tag: PIXEL_MEASURES, vr: 'SQ', value: [item] });
  }
  if (sharedOrientation) {
    shared.push({
      tag: PLANE_ORIENTATION,
      vr: 'SQ',
      value: [[ds('ImageOrientationPatient', sharedOrientation)]],
    });
  }
  const perFrame = slices.map((s) => {
    const item: NewElement[] = [];
    const position = s.text.ImagePositionPatient;
    if (position && position.length > 0) {
      item.push({ tag: PLANE_POSITION, vr: 'SQ', value: [[ds('ImagePositionPatient', position)]] });
    }
    const orientation = s.text.ImageOrientationPatient;
    if (!sharedOrientation && orientation && orientation.length > 0) {
      item.push({ tag: PLANE_ORIENTATION, vr: 'SQ', value: [[ds('ImageOrientationPatient', orientation)]] });
    }
    const measures = MEASURES.filter((m) => !sharedMeasures.includes(m) && (s.text[m]?.length ?? 0) > 0).map(
      (m) => ds(m, s.text[m] as string[]),
    );
    if (measures.length > 0) item.push({ tag: PIXEL_MEASURES, vr: 'SQ', value: [measures] });
    return item;
  });
  return { shared, perFrame };
}

function assemblyEdits(group: SeriesGroup, sopInstanceUID: string): DicomEdit[] {
  const { shared, perFrame } = functionalGroups(group.slices);
  const edits: DicomEdit[] = [
    // Geometry moves into the functional groups; per-slice identity makes no sense for the whole.
    ...[
      'ImagePositionPatient',
      'ImageOrientationPatient',
      'PixelSpacing',
      'SpacingBetweenSlices',
      'SliceLocation',
      'InstanceNumber',
    ].map((tag) => ({ tag, action: 'delete' as const })),
    ...[PIXEL_DATA, ...FRAGMENT_TABLE_TAGS].map((tag) => ({ tag, action: 'delete' as const })),
    { tag: 'SOPInstanceUID', action: 'set', vr: 'UI', value: sopInstanceUID },
    { tag: 'NumberOfFrames', action: 'set', vr: 'IS', value: String(group.slices.length) },
    { tag: 'FrameIncrementPointer', action: 'set', vr: 'AT', value: PER_FRAME },
    { tag: PER_FRAME, action: 'set', vr: 'SQ', value: perFrame },
  ];
  if (shared.length > 0)
    edits.push({ tag: 'SharedFunctionalGroupsSequence', action: 'set', vr: 'SQ', value: [shared] });
  return edits;
}

/** The template's data set without pixel data, with the edits, in the output's encoding. */
function header(
  template: ParsedDicom,
  edits: DicomEdit[],
  explicitVR = false,
): { body: Uint8Array; transferSyntaxUID: string; encoding: ElementEncoding } {
  const written = writeDicom(template, edits, { preamble: 'zero' });
  const ts = template.transferSyntax;
  if (ts.littleEndian && !ts.deflated && (ts.explicitVR || !explicitVR)) {
    // The writer emits preamble, DICM and a meta group that starts with its group length.
    const view = new DataView(written.buffer, written.byteOffset, written.byteLength);
    const metaEnd = 132 + 12 + view.getUint32(140, true);
    return { body: written.subarray(metaEnd), transferSyntaxUID: ts.uid, encoding: template.encoding };
  }
  // Big endian and deflated outputs become Explicit VR Little Endian (pixels are swapped/inflated
  // below), and so do implicit VR ones that are to be compressed (encapsulated pixel data needs it).
  const reparsed = parseDicom(written, { fileName: template.fileName });
  return {
    body: toExplicitLittleEndian(reparsed.dataSet, !ts.littleEndian),
    transferSyntaxUID: TransferSyntax.ExplicitVRLittleEndian,
    encoding: { ...EXPLICIT_LE, utf8: template.encoding.utf8 },
  };
}

/** Checks that a slice read again is still the one planned (a lazy loader may return other bytes). */
function checkSame(slice: SliceInfo, parsed: ParsedDicom, seriesInstanceUID: string): void {
  const same =
    parsed.transferSyntaxUID === slice.transferSyntaxUID &&
    parsed.string('SeriesInstanceUID') === seriesInstanceUID &&
    parsed.string('Rows') === slice.layout.Rows &&
    parsed.string('Columns') === slice.layout.Columns &&
    parsed.string('BitsAllocated') === slice.layout.BitsAllocated;
  if (!same) {
    throw new DicomAssembleError('the file changed between reading its header and its pixels', {
      seriesInstanceUID,
      fileName: slice.name,
    });
  }
}

function defaultName(template: ParsedDicom, frames: number): string {
  const modality = (template.string('Modality') || 'DICOM').replace(/[^A-Za-z0-9]/g, '');
  const number = (template.string('SeriesNumber') ?? '').replace(/[^A-Za-z0-9-]/g, '');
  return `${modality || 'DICOM'}_series${number || 'X'}_${frames}frames.dcm`;
}

/** Big endian sources: the unit each pixel sample is swapped by (OW of 8-bit samples holds byte pairs). */
function swapUnitOf(template: ParsedDicom, bits: number): number {
  if (template.transferSyntax.littleEndian) return 1;
  if (bits > 8) return bits / 8;
  return template.vr(PIXEL_DATA) === 'OW' ? 2 : 1;
}

/**
 * The native frame of each slice, in order, as stored (not yet swapped), read one slice at a time;
 * `firstBytes` are the first slice's bytes, already loaded.
 */
async function* nativeFrames(
  slices: readonly SliceInfo[],
  firstBytes: Uint8Array,
  keys: TagKeys,
  uid: string,
): AsyncGenerator<Uint8Array> {
  for (let k = 0; k < slices.length; k++) {
    const slice = slices[k];
    if (slice.frameOffset !== undefined && 'bytes' in slice.input) {
      // In-memory bytes are the very bytes planned: the frame's place is known.
      const at = slice.frameOffset;
      yield slice.input.bytes.subarray(at, at + slice.frameLength);
      continue;
    }
    const bytes = k === 0 ? firstBytes : await loadBytes(slice.input);
    const parsed = parseDicomWith(bytes, { fileName: slice.name, headerOnly: true }, keys);
    checkSame(slice, parsed, uid);
    const frame = parsed.frame(0);
    if (frame.length !== slice.frameLength) {
      throw new DicomAssembleError(`frame has ${frame.length} bytes, expected ${slice.frameLength}`, {
        seriesInstanceUID: uid,
        fileName: slice.name,
      });
    }
    yield frame;
  }
}

/** What one group's output is built from, shared by the uncompressed and the JPEG-LS writers. */
interface GroupSource {
  group: SeriesGroup;
  template: ParsedDicom;
  firstBytes: Uint8Array;
  keys: TagKeys;
  sopInstanceUID: string;
  edits: DicomEdit[];
  name: string;
}

/**
 * Builds the multi-frame file of one planned series. Memory: the output, plus one slice at a time.
 * Throws {@link DicomAssembleError} (or a parse error) when a slice cannot be used.
 */
export async function assembleGroup(
  group: SeriesGroup,
  options: AssembleOptions = {},
): Promise<AssembledSeries> {
  const first = group.slices[0];
  const firstBytes = await loadBytes(first.input);
  const keys = new TagKeys();
  const template = parseDicomWith(firstBytes, { fileName: first.name, headerOnly: true }, keys);
  checkSame(first, template, group.seriesInstanceUID);
  const sopInstanceUID = (options.newUid ?? randomUid)();
  const source: GroupSource = {
    group,
    template,
    firstBytes,
    keys,
    sopInstanceUID,
    edits: assemblyEdits(group, sopInstanceUID),
    name: defaultName(template, group.slices.length),
  };
  if (options.compression !== 'jpeg-ls' || first.encapsulated) return assembleUncompressed(source);
  const refusal = jpegLsRefusal(template);
  if (refusal === undefined) return assembleJpegLs(source, options);
  const kept = await assembleUncompressed(source);
  return {
    ...kept,
    warnings: [...kept.warnings, `kept uncompressed: ${jpegLsRefusalMessage(kept.name, refusal)}`],
  };
}

/**
 * The JPEG-LS output, each slice's frame encoded as it is read: no uncompressed output is built
 * (it cost more than a third of the codec's own time, mostly in page faults of a fresh buffer the
 * size of the series). The header is written as Explicit VR Little Endian, as encapsulated pixel
 * data requires.
 */
async function assembleJpegLs(source: GroupSource, options: AssembleOptions): Promise<AssembledSeries> {
  const { group, template, sopInstanceUID } = source;
  const slices = group.slices;
  const { body } = header(template, source.edits, true);
  const meta = encodeFileMeta({
    sopClassUID: template.string('SOPClassUID') ?? '',
    sopInstanceUID,
    transferSyntaxUID: TransferSyntax.JPEGLSLossless,
  });
  const encode = await jpegLsFrameEncoder(pixelLayoutOf(template), { locateWasm: options.locateWasm });
  const swapUnit = swapUnitOf(template, Number(slices[0].layout.BitsAllocated));
  const swapped = swapUnit > 1 ? new Uint8Array(slices[0].frameLength) : undefined;
  const frames: Uint8Array[] = [];
  const uid = group.seriesInstanceUID;
  for await (const frame of nativeFrames(slices, source.firstBytes, source.keys, uid)) {
    if (swapped) swapInto(frame, swapped, 0, swapUnit);
    frames.push(encode(swapped ?? frame));
  }
  const out = encapsulatedFile(meta, body, frames);
  return {
    name: source.name,
    bytes: out,
    sourceNames: slices.map((s) => s.name),
    frames: slices.length,
    orderedBy: group.orderedBy,
    seriesInstanceUID: uid,
    sopInstanceUID,
    transferSyntaxUID: TransferSyntax.JPEGLSLossless,
    warnings: group.warnings,
  };
}

/** The output with the slices' pixel data as it is: native frames concatenated, or their fragments. */
async function assembleUncompressed(source: GroupSource): Promise<AssembledSeries> {
  const { group, template, keys, sopInstanceUID } = source;
  const slices = group.slices;
  const uid = group.seriesInstanceUID;
  const first = slices[0];
  const { body, transferSyntaxUID, encoding } = header(template, source.edits);
  const meta = encodeFileMeta({
    sopClassUID: template.string('SOPClassUID') ?? '',
    sopInstanceUID,
    transferSyntaxUID,
  });
  const encapsulated = first.encapsulated;
  const bits = Number(first.layout.BitsAllocated);
  const pixelVr = encapsulated || bits <= 8 ? 'OB' : 'OW';
  const n = slices.length;

  let valueLength: number;
  let pixelHeader: Uint8Array;
  if (encapsulated) {
    const items = slices.reduce((s, sl) => s + (sl.fragmentLengths ?? []).reduce((a, f) => a + 8 + f, 0), 0);
    valueLength = 8 + 4 * n + items + 8;
    if (items > MAX_LENGTH) {
      throw new DicomAssembleError(`${items} bytes of fragments exceed the 32-bit Basic Offset Table`, {
        seriesInstanceUID: uid,
      });
    }
    pixelHeader = encodeHeader(PIXEL_DATA, pixelVr, UNDEFINED_LENGTH, encoding);
  } else {
    const raw = n * first.frameLength;
    valueLength = raw + (raw % 2);
    if (valueLength > MAX_LENGTH) {
      throw new DicomAssembleError(
        `${valueLength} bytes of pixel data exceed the 4 GiB limit of one element`,
        {
          seriesInstanceUID: uid,
        },
      );
    }
    pixelHeader = encodeHeader(PIXEL_DATA, pixelVr, valueLength, encoding);
  }

  const out = allocUninitialised(132 + meta.length + body.length + pixelHeader.length + valueLength);
  out.fill(0, 0, 128);
  out.set([0x44, 0x49, 0x43, 0x4d], 128);
  let o = 132;
  out.set(meta, o);
  o += meta.length;
  out.set(body, o);
  o += body.length;
  out.set(pixelHeader, o);
  o += pixelHeader.length;

  if (encapsulated) {
    out.set(encodeHeader(ITEM, '', 4 * n, EXPLICIT_LE), o);
    const botAt = o + 8;
    o = botAt + 4 * n;
    const fragmentsStart = o;
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    for (let k = 0; k < n; k++) {
      const slice = slices[k];
      const bytes = k === 0 ? source.firstBytes : await loadBytes(slice.input);
      const parsed = parseDicomWith(bytes, { fileName: slice.name, headerOnly: false }, keys);
      checkSame(slice, parsed, uid);
      const fragments = parsed.pixelData?.fragments ?? [];
      const lengths = fragments.map((f) => f.length).join(',');
      if (lengths !== (slice.fragmentLengths ?? []).join(',')) {
        throw new DicomAssembleError('the file changed between reading its header and its pixels', {
          seriesInstanceUID: uid,
          fileName: slice.name,
        });
      }
      view.setUint32(botAt + 4 * k, o - fragmentsStart, true);
      for (const f of fragments) {
        out.set(encodeHeader(ITEM, '', f.length, EXPLICIT_LE), o);
        out.set(parsed.bytes.subarray(f.position, f.position + f.length), o + 8);
        o += 8 + f.length;
      }
    }
    out.set(encodeHeader(SEQUENCE_DELIMITER, '', 0, EXPLICIT_LE), o);
    o += 8;
  } else {
    const swapUnit = swapUnitOf(template, bits);
    for await (const frame of nativeFrames(slices, source.firstBytes, keys, uid)) {
      swapInto(frame, out, o, swapUnit);
      o += frame.length;
    }
    if (o % 2 === 1) out[o++] = 0;
  }
  if (o !== out.length) {
    throw new DicomAssembleError(`wrote ${o} of ${out.length} bytes`, { seriesInstanceUID: uid });
  }
  return {
    name: source.name,
    bytes: out,
    sourceNames: slices.map((s) => s.name),
    frames: n,
    orderedBy: group.orderedBy,
    seriesInstanceUID: uid,
    sopInstanceUID,
    transferSyntaxUID,
    warnings: group.warnings,
  };
}

function uniqueName(name: string, taken: Set<string>): string {
  if (!taken.has(name)) return name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  let i = 2;
  while (taken.has(`${stem}_${i}${ext}`)) i++;
  return `${stem}_${i}${ext}`;
}

/**
 * Turns single-frame slices into one multi-frame file per series (grouped by SeriesInstanceUID,
 * ordered along the slice normal, geometry in functional groups, new SOPInstanceUID). Never
 * throws for a bad input: non-images and singletons are passed through, series that cannot be
 * assembled are reported in `unassembled`. Inputs are read twice (header pass, then one slice at
 * a time), so a lazy `load()` keeps memory at the output plus a couple of slices.
 * @example
 * ```ts
 * import { readFile, writeFile } from 'node:fs/promises';
 * import { assembleSeries } from '@datamint/dicom';
 *
 * const slices = ['ct-1.dcm', 'ct-2.dcm', 'ct-3.dcm'].map((name) => ({ name, load: () => readFile(name) }));
 * const { outputs, unassembled } = await assembleSeries(slices);
 * for (const out of outputs) await writeFile(out.name, out.bytes); // one multi-frame file per series
 * for (const u of unassembled) console.warn(u.names, u.reason);
 * ```
 */
export async function assembleSeries(
  files: readonly AssembleInput[],
  options: AssembleOptions = {},
): Promise<AssembleResult> {
  const plan = await planAssembly(files);
  const outputs: AssembledSeries[] = [];
  const unassembled = [...plan.unassembled];
  const taken = new Set<string>();
  for (const group of plan.groups) {
    try {
      const output = await assembleGroup(group, options);
      output.name = uniqueName(output.name, taken);
      taken.add(output.name);
      outputs.push(output);
    } catch (e) {
      unassembled.push({
        names: group.slices.map((s) => s.name),
        inputs: group.slices.map((s) => s.input),
        reason: `assembly failed: ${message(e)}`,
      });
    }
  }
  return { outputs, passedThrough: plan.passedThrough, unassembled };
}
