import dicomParser, { type DataSet, type Element } from 'dicom-parser';
import { inflateSync } from 'fflate';
import { type DatasetEncoding, DicomDataset, trimPad } from './dataset';
import { DicomError, DicomParseError } from './errors';
import { newDataSet } from './explicit-element';
import type { DicomParseWarning } from './parse-warnings';
import { readDataSet, TagKeys } from './read-dataset';
import {
  type DetectedEncoding,
  detectDataSetEncoding,
  hasPart10Marker,
  sniffRawTransferSyntax,
} from './sniff';
import { type TagInput, toTagKey } from './tags';
import {
  encodingName,
  TransferSyntax,
  type TransferSyntaxInfo,
  transferSyntaxInfo,
  uncompressedSyntaxFor,
} from './transfer-syntax';

/** Options of {@link parseDicom}. */
export interface ParseOptions {
  /** Stop at PixelData (7FE0,0010): its location is known but its value is never read. */
  headerOnly?: boolean;
  /** Used in error messages. */
  fileName?: string;
  /**
   * Transfer syntax to assume when the file meta does not name one (or there is no file meta).
   * By default the encoding is read from the data set's bytes.
   */
  transferSyntaxUID?: string;
}

const PIXEL_DATA = 'x7fe00010';

/** A parsed DICOM file: the root data set's accessors plus file meta, pixel data and frame access. */
export class ParsedDicom extends DicomDataset {
  /** The input bytes. */
  readonly input: Uint8Array;
  /** The `fileName` option, used in error messages. */
  readonly fileName: string | undefined;
  /**
   * The transfer syntax the data set is actually encoded in: the declared one, or, when the bytes
   * disagree with the file meta, the uncompressed syntax that matches them. Writers use this one,
   * so their output declares what it contains.
   */
  readonly transferSyntaxUID: string;
  /** Encoding rules of {@link transferSyntaxUID} as parsed (VR mode, byte order, compression). */
  readonly transferSyntax: TransferSyntaxInfo;
  /** The file had the 128-byte preamble and `DICM`. */
  readonly hasPreamble: boolean;
  /** File meta group (0002), undefined for raw data sets. */
  readonly meta: DicomDataset | undefined;
  /** Offset in {@link input} where the data set (after the file meta) starts. */
  readonly dataSetStart: number;
  /** Parsed with `headerOnly`: nothing after PixelData's header was read. */
  readonly headerOnly: boolean;
  /**
   * TransferSyntaxUID as the file meta declares it; undefined without file meta or without the
   * element. It differs from {@link transferSyntaxUID} when the data set is encoded otherwise
   * (see {@link warnings}).
   */
  readonly declaredTransferSyntaxUID: string | undefined;
  /** What was odd about the file but did not stop the parse (encoding mismatches, missing meta...). */
  readonly warnings: readonly DicomParseWarning[];

  constructor(init: {
    input: Uint8Array;
    dataSet: DataSet;
    meta: DataSet | undefined;
    encoding: DatasetEncoding;
    fileName: string | undefined;
    ts: TransferSyntaxInfo;
    hasPreamble: boolean;
    dataSetStart: number;
    headerOnly: boolean;
    declaredTransferSyntaxUID: string | undefined;
    warnings: DicomParseWarning[];
    rootElements: Element[];
  }) {
    super(init.dataSet, init.encoding);
    this.input = init.input;
    this.fileName = init.fileName;
    this.transferSyntaxUID = init.ts.uid;
    this.transferSyntax = init.ts;
    this.hasPreamble = init.hasPreamble;
    this.meta = init.meta
      ? new DicomDataset(init.meta, { explicitVR: true, littleEndian: true, utf8: false })
      : undefined;
    this.dataSetStart = init.dataSetStart;
    this.headerOnly = init.headerOnly;
    this.declaredTransferSyntaxUID = init.declaredTransferSyntaxUID;
    this.warnings = init.warnings;
    this.rootElements = init.rootElements;
  }

  /** Group 0002 tags are answered from the file meta, everything else from the data set. */
  protected override rawElement(tag: TagInput): Element | undefined {
    const key = toTagKey(tag);
    if (key.startsWith('x0002') && this.meta) return this.meta.dataSet.elements[key];
    return this.dataSet.elements[key];
  }

  /**
   * The root data set's elements in file order (dicom-parser elements; the map in {@link dataSet}
   * has the same objects). A `headerOnly` parse ends with PixelData.
   */
  readonly rootElements: readonly Element[];

  /** The raw dicom-parser DataSet of the data set (without file meta). */
  get rawDataSet(): DataSet {
    return this.dataSet;
  }

  /** The pixel data element, if any. */
  get pixelData(): Element | undefined {
    return this.dataSet.elements[PIXEL_DATA];
  }

  /** The pixel data is encapsulated (compressed fragments) rather than native. */
  get isEncapsulated(): boolean {
    const el = this.pixelData;
    return (
      el !== undefined &&
      (el.encapsulatedPixelData === true ||
        (el.hadUndefinedLength === true && this.transferSyntax.encapsulated))
    );
  }

  /** Offset of PixelData's value in {@link bytes}; undefined without pixel data. */
  get pixelDataOffset(): number | undefined {
    return this.pixelData?.dataOffset;
  }

  /**
   * Length of PixelData's value in bytes: for native pixel data the declared length, for
   * encapsulated pixel data the bytes from the Basic Offset Table item up to (not including) the
   * sequence delimiter. Undefined without pixel data, or for encapsulated data parsed headerOnly.
   */
  get pixelDataLength(): number | undefined {
    const el = this.pixelData;
    if (!el) return undefined;
    if (!el.hadUndefinedLength) return el.length;
    if (!el.fragments) return undefined;
    const last = el.fragments[el.fragments.length - 1];
    return last ? last.position + last.length - el.dataOffset : el.length;
  }

  /**
   * NumberOfFrames, or 1 when there is pixel data without it, or 0 without pixel data. A value that
   * is not an integer (`"1A"`; the parse warns `invalid-number-of-frames`) counts the frames the
   * pixel data holds: whole native frames in its length, or the Basic Offset Table's entries.
   */
  get numberOfFrames(): number {
    // Asked once per frame by frame(i): the answer is kept, since a parsed data set does not change.
    this.#numberOfFrames ??= this.countFrames();
    return this.#numberOfFrames;
  }

  #numberOfFrames: number | undefined;

  private countFrames(): number {
    const el = this.rawElement('x00280008');
    if (el && !validNumberOfFrames(this.bytes, el.dataOffset, el.length)) return this.framesInPixelData();
    const n = this.number('x00280008');
    if (n !== undefined && Number.isInteger(n) && n > 0) return n;
    return this.pixelData ? 1 : 0;
  }

  /** How many frames the pixel data holds by its size (1 when that says nothing; 0 without it). */
  private framesInPixelData(): number {
    const el = this.pixelData;
    if (!el) return 0;
    if (this.isEncapsulated) return Math.max(1, el.basicOffsetTable?.length ?? 0);
    const bits = this.frameBits();
    if (!bits) return 1;
    return Math.max(1, Math.floor((el.length * 8) / bits));
  }

  /** Bytes of one frame of a native image, computed from Rows, Columns, SamplesPerPixel, BitsAllocated. */
  get frameLength(): number | undefined {
    const bits = this.frameBits();
    return bits !== undefined && bits % 8 === 0 ? bits / 8 : undefined;
  }

  /**
   * One frame's bytes. Native: a view of the frame inside the pixel data (no copy; big endian data
   * is returned as stored). Encapsulated: the frame's compressed bitstream (a view when it is one
   * fragment, else the fragments joined).
   */
  frame(index: number): Uint8Array {
    const el = this.pixelData;
    const n = this.numberOfFrames;
    if (!el) throw new DicomError(`${this.label()}: no PixelData (7FE0,0010), cannot read frame ${index}`);
    if (!Number.isInteger(index) || index < 0 || index >= n) {
      throw new DicomError(`${this.label()}: frame ${index} does not exist (NumberOfFrames ${n})`);
    }
    return this.isEncapsulated ? this.encapsulatedFrame(el, index, n) : this.nativeFrame(el, index, n);
  }

  private label(): string {
    return this.fileName ? `file ${this.fileName}` : 'DICOM data set';
  }

  private nativeFrame(el: Element, index: number, n: number): Uint8Array {
    const bits = this.frameBits();
    const frameBits = bits ?? (n === 1 ? el.length * 8 : undefined);
    if (frameBits === undefined) {
      throw new DicomParseError('cannot compute the frame size of the pixel data', {
        fileName: this.fileName,
        offset: el.dataOffset,
        expected: 'Rows, Columns and BitsAllocated',
      });
    }
    const startBit = index * frameBits;
    const endByte = el.dataOffset + Math.ceil((startBit + frameBits) / 8);
    if (endByte > el.dataOffset + el.length || endByte > this.bytes.length) {
      throw new DicomParseError(`frame ${index} (${frameBits} bits) extends past the pixel data`, {
        fileName: this.fileName,
        offset: el.dataOffset + Math.floor(startBit / 8),
        expected: `${n} frames of ${frameBits} bits in ${el.length} bytes of PixelData`,
      });
    }
    if (startBit % 8 === 0 && frameBits % 8 === 0) {
      const start = el.dataOffset + startBit / 8;
      return this.bytes.subarray(start, start + frameBits / 8);
    }
    return extractBits(this.bytes, el.dataOffset * 8 + startBit, frameBits);
  }

  /** Bits of one native frame (BitsAllocated 1 frames need not end on a byte boundary). */
  private frameBits(): number | undefined {
    const rows = this.number('x00280010');
    const cols = this.number('x00280011');
    const spp = this.number('x00280002') ?? 1;
    const bits = this.number('x00280100');
    if (rows === undefined || cols === undefined || bits === undefined) return undefined;
    return rows * cols * spp * bits;
  }

  /** Indices into the fragment list where each frame starts. */
  frameFragmentRanges(): [number, number][] {
    const el = this.pixelData;
    if (!el?.fragments) {
      throw new DicomParseError('encapsulated pixel data was not parsed', {
        fileName: this.fileName,
        offset: el?.dataOffset,
        expected: headerOnlyHint(this.headerOnly),
      });
    }
    const fragments = el.fragments;
    const n = this.numberOfFrames;
    const bot = el.basicOffsetTable ?? [];
    const starts: number[] = [];
    if (bot.length > 0) {
      let f = 0;
      for (const offset of bot.slice(0, n)) {
        while (f < fragments.length && fragments[f].offset < offset) f++;
        if (f >= fragments.length || fragments[f].offset !== offset) {
          throw new DicomParseError(`Basic Offset Table entry ${offset} is not the start of a fragment`, {
            fileName: this.fileName,
            offset: el.dataOffset,
            expected: 'Basic Offset Table offsets that point at fragment items',
          });
        }
        starts.push(f);
      }
    } else if (n === 1) {
      starts.push(0);
    } else if (fragments.length === n) {
      for (let i = 0; i < n; i++) starts.push(i);
    } else {
      const b = this.bytes;
      fragments.forEach((fr, i) => {
        const p = fr.position;
        const jpeg = b[p] === 0xff && b[p + 1] === 0xd8;
        const j2k = b[p] === 0xff && b[p + 1] === 0x4f && b[p + 2] === 0xff && b[p + 3] === 0x51;
        const jp2 = b[p + 4] === 0x6a && b[p + 5] === 0x50 && b[p + 6] === 0x20 && b[p + 7] === 0x20;
        if (jpeg || j2k || jp2) starts.push(i);
      });
    }
    if (starts.length !== n || starts[0] !== 0) {
      throw new DicomParseError(`cannot map ${fragments.length} fragments to ${n} frames`, {
        fileName: this.fileName,
        offset: el.dataOffset,
        expected: 'a Basic Offset Table, one fragment per frame, or fragments starting with a codec marker',
      });
    }
    return starts.map((s, i) => [s, i + 1 < starts.length ? starts[i + 1] : fragments.length]);
  }

  private encapsulatedFrame(el: Element, index: number, n: number): Uint8Array {
    const ranges = this.frameFragmentRanges();
    if (ranges.length !== n) throw new DicomError(`${this.label()}: frame table mismatch`);
    const [from, to] = ranges[index];
    const fragments = (el.fragments ?? []).slice(from, to);
    const b = this.bytes;
    for (const fr of fragments) {
      if (fr.position + fr.length > b.length) {
        throw new DicomParseError(`fragment of frame ${index} extends past the end of the data`, {
          fileName: this.fileName,
          offset: fr.position,
          expected: `${fr.length} bytes of fragment data`,
        });
      }
    }
    if (fragments.length === 1)
      return b.subarray(fragments[0].position, fragments[0].position + fragments[0].length);
    const total = fragments.reduce((s, f) => s + f.length, 0);
    const out = new Uint8Array(total);
    let p = 0;
    for (const fr of fragments) {
      out.set(b.subarray(fr.position, fr.position + fr.length), p);
      p += fr.length;
    }
    return out;
  }
}

/** Copies `count` bits starting at bit `from` (DICOM packs bits least significant first). */
function extractBits(b: Uint8Array, from: number, count: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(count / 8));
  const shift = from % 8;
  const base = (from - shift) / 8;
  for (let i = 0; i < out.length; i++) {
    const lo = b[base + i] >>> shift;
    const hi = shift && base + i + 1 < b.length ? (b[base + i + 1] << (8 - shift)) & 0xff : 0;
    out[i] = lo | hi;
  }
  const tail = count % 8;
  if (tail) out[out.length - 1] &= (1 << tail) - 1;
  return out;
}

function headerOnlyHint(headerOnly: boolean): string {
  return headerOnly
    ? 'a full parse (the file was parsed with headerOnly)'
    : 'fragments of encapsulated pixel data';
}

function errorText(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e instanceof Error) return e.message;
  if (e && typeof e === 'object' && 'exception' in e)
    return errorText((e as { exception: unknown }).exception);
  return String(e);
}

/** True when bytes look like DICOM: Part 10 marker, or a plausible data set without file meta. */
export function isDicom(bytes: Uint8Array): boolean {
  if (!(bytes instanceof Uint8Array)) return false;
  return hasPart10Marker(bytes) || sniffRawTransferSyntax(bytes) !== undefined;
}

/**
 * Parses DICOM bytes (Part 10 with or without file meta, implicit/explicit little endian, explicit
 * big endian, deflated, encapsulated). Every failure is a {@link DicomParseError}.
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { parseDicom } from '@datamint/dicom';
 *
 * const ct = parseDicom(await readFile('ct.dcm'), { fileName: 'ct.dcm', headerOnly: true });
 * console.log(ct.string('Modality'), ct.string('SeriesInstanceUID'), ct.transferSyntaxUID);
 * ```
 */
export function parseDicom(bytes: Uint8Array, options: ParseOptions = {}): ParsedDicom {
  return parseDicomWith(bytes, options, new TagKeys());
}

/**
 * {@link parseDicom} with element keys shared across the files of a batch (an anonymizer, an
 * assembly), which makes parsing a series of similar headers several times faster. With `onlyTags`
 * the result holds only those root elements (plus PixelData when parsing headerOnly): for internal
 * callers that read a few attributes of many files, never for a result handed to users.
 */
export function parseDicomWith(
  bytes: Uint8Array,
  options: ParseOptions,
  keys: TagKeys,
  onlyTags?: ReadonlySet<number>,
): ParsedDicom {
  try {
    return parseInner(bytes, options, keys, onlyTags);
  } catch (e) {
    if (e instanceof DicomParseError) throw e;
    // dicom-parser throws strings from places our checks cannot anticipate on corrupt input.
    throw new DicomParseError(`malformed DICOM: ${errorText(e)}`, {
      fileName: options.fileName,
      expected: 'a well-formed DICOM file',
      cause: e,
    });
  }
}

function safeText(data: Uint8Array, offset: number, length: number): string {
  const end = Math.min(data.length, offset + Math.max(0, length));
  let s = '';
  for (let i = Math.max(0, offset); i < end; i++) s += String.fromCharCode(data[i]);
  return s;
}

interface FileMeta {
  dataSet: DataSet;
  /** Offset of the first byte after the group. */
  end: number;
  /** TransferSyntaxUID (0002,0010), '' when absent or empty. */
  transferSyntaxUID: string;
}

/**
 * Reads the group 0002 elements at `offset` (always explicit VR little endian) up to the first tag
 * of another group. FileMetaInformationGroupLength is not trusted to find the end: writers get it
 * wrong, and the tags themselves say where the group stops.
 */
function readFileMeta(
  bytes: Uint8Array,
  offset: number,
  fileName: string | undefined,
  keys: TagKeys,
): FileMeta {
  const stream = new dicomParser.ByteStream(dicomParser.littleEndianByteArrayParser, bytes, offset);
  const dataSet = newDataSet(dicomParser.littleEndianByteArrayParser, bytes, {});
  dataSet.warnings = [];
  try {
    const list = readDataSet(dataSet, stream, {
      explicitVR: true,
      littleEndian: true,
      keys,
      onlyGroup: 0x0002,
    });
    for (const el of list) {
      if (el.dataOffset + el.length > bytes.length) {
        throw `value of ${el.tag} (${el.length} bytes) extends past the end of the data`;
      }
    }
  } catch (e) {
    throw new DicomParseError(`file meta group is malformed: ${errorText(e)}`, {
      fileName,
      offset: stream.position,
      expected: 'explicit VR little endian group 0002 elements',
      cause: e,
    });
  }
  const tsEl = dataSet.elements.x00020010;
  const transferSyntaxUID = tsEl ? trimPad(safeText(bytes, tsEl.dataOffset, tsEl.length).split('\0')[0]) : '';
  return { dataSet, end: stream.position, transferSyntaxUID };
}

function groupLengthWarning(meta: FileMeta, bytes: Uint8Array): DicomParseWarning | undefined {
  const el = meta.dataSet.elements.x00020000;
  if (el?.length !== 4) return undefined;
  const declared = new DataView(bytes.buffer, bytes.byteOffset + el.dataOffset, 4).getUint32(0, true);
  const actual = meta.end - (el.dataOffset + 4);
  if (declared === actual) return undefined;
  return {
    code: 'meta-group-length',
    message: `FileMetaInformationGroupLength (0002,0000) is ${declared}, the group has ${actual} bytes`,
  };
}

/**
 * The encoding to parse with: the declared syntax when the bytes agree with it, else what the bytes
 * say (with a warning saying so).
 */
function chooseSyntax(
  declared: { uid: string; by: string } | undefined,
  detected: DetectedEncoding | undefined,
  hasMeta: boolean,
  warnings: DicomParseWarning[],
): TransferSyntaxInfo {
  const declaredInfo = declared ? transferSyntaxInfo(declared.uid) : undefined;
  if (
    declaredInfo &&
    (!detected ||
      (declaredInfo.explicitVR === detected.explicitVR &&
        declaredInfo.littleEndian === detected.littleEndian))
  ) {
    return declaredInfo;
  }
  // Without a declaration or a readable first element, the DICOM default syntax is the best guess.
  const encoding = detected ?? { explicitVR: false, littleEndian: true };
  // A compressed or deflated syntax over other VR rules keeps its UID: the pixel data is still
  // encapsulated (or the data set deflated), only the element headers differ.
  const actual =
    declaredInfo && (declaredInfo.encapsulated || declaredInfo.deflated)
      ? { ...declaredInfo, explicitVR: encoding.explicitVR, littleEndian: encoding.littleEndian }
      : transferSyntaxInfo(uncompressedSyntaxFor(encoding));
  const bytesSay = encodingName(encoding);
  if (declaredInfo && declared) {
    warnings.push({
      code: 'transfer-syntax-mismatch',
      message: `${declared.by} declares transfer syntax ${declaredInfo.uid} (${encodingName(declaredInfo)}) but the data set is ${bytesSay}; parsed as ${bytesSay}`,
      declared: declaredInfo.uid,
      actual: actual.uid,
    });
  } else {
    warnings.push({
      code: hasMeta ? 'missing-transfer-syntax' : 'missing-file-meta',
      message: `${hasMeta ? 'file meta has no TransferSyntaxUID (0002,0010)' : 'no file meta group'}; parsed as ${bytesSay}`,
      actual: actual.uid,
    });
  }
  return actual;
}

/** Where and how the data set of a file is encoded, found from its preamble, file meta and first bytes. */
export interface LocatedDataSet {
  hasPreamble: boolean;
  meta: FileMeta | undefined;
  /** Offset after the file meta in the input. */
  position: number;
  /** The bytes the data set is read from (the inflated data set for deflated files). */
  data: Uint8Array;
  /** Offset of the data set's first element in {@link data}. */
  start: number;
  ts: TransferSyntaxInfo;
  warnings: DicomParseWarning[];
}

/**
 * The first part of a parse: file meta, declared and detected encoding, inflation. Shared by
 * {@link parseDicomWith} and the anonymizer's single pass; throws what a parse throws.
 */
export function locateDataSet(bytes: Uint8Array, options: ParseOptions, keys: TagKeys): LocatedDataSet {
  const fileName = options.fileName;
  if (!(bytes instanceof Uint8Array)) {
    throw new DicomParseError('input is not a Uint8Array', { fileName, expected: 'Uint8Array bytes' });
  }
  const hasPreamble = hasPart10Marker(bytes);
  const warnings: DicomParseWarning[] = [];
  let meta: FileMeta | undefined;
  let position = 0;

  if (hasPreamble || startsWithMetaGroup(bytes)) {
    // Some archives strip the preamble and keep the meta group at offset 0.
    meta = readFileMeta(bytes, hasPreamble ? 132 : 0, fileName, keys);
    position = meta.end;
    if (!hasPreamble) {
      warnings.push({
        code: 'missing-preamble',
        message: "file meta group at offset 0: no 128-byte preamble and 'DICM'",
      });
    }
    const lengthWarning = groupLengthWarning(meta, bytes);
    if (lengthWarning) warnings.push(lengthWarning);
  }
  let declared: { uid: string; by: string } | undefined = meta?.transferSyntaxUID
    ? { uid: meta.transferSyntaxUID, by: 'file meta' }
    : options.transferSyntaxUID
      ? { uid: options.transferSyntaxUID, by: 'options.transferSyntaxUID' }
      : undefined;
  if (!meta && !declared) {
    const sniffed = sniffRawTransferSyntax(bytes);
    if (!sniffed) {
      throw new DicomParseError(
        'not a DICOM file: no DICM marker at offset 128 and no plausible data set at offset 0',
        {
          fileName,
          offset: 0,
          expected: "'DICM' at offset 128, or an implicit/explicit VR data set",
        },
      );
    }
    // Sniffing walked several elements: it is the encoding of the bytes, so no mismatch is possible.
    declared = { uid: sniffed, by: 'sniffing' };
    warnings.push({
      code: 'missing-file-meta',
      message: `no file meta group; parsed as ${encodingName(transferSyntaxInfo(sniffed))}`,
      actual: sniffed,
    });
  }

  let data = bytes;
  let start = position;
  if (declared && transferSyntaxInfo(declared.uid).deflated) {
    try {
      data = inflateSync(bytes.subarray(position));
    } catch (e) {
      throw new DicomParseError(`deflated data set cannot be inflated: ${errorText(e)}`, {
        fileName,
        offset: position,
        expected: 'raw deflate stream after the file meta',
        partial: meta?.dataSet,
        cause: e,
      });
    }
    start = 0;
  }
  const ts = chooseSyntax(declared, detectDataSetEncoding(data, start), meta !== undefined, warnings);

  return { hasPreamble, meta, position, data, start, ts, warnings };
}

function parseInner(
  bytes: Uint8Array,
  options: ParseOptions,
  keys: TagKeys,
  onlyTags: ReadonlySet<number> | undefined,
): ParsedDicom {
  const fileName = options.fileName;
  const headerOnly = options.headerOnly === true;
  const located = locateDataSet(bytes, options, keys);
  const { data, start, ts, warnings } = located;
  const dataSet = emptyDataSet(located);
  let root: Element[] = [];
  if (start < data.length) {
    const stream = new dicomParser.ByteStream(dataSet.byteArrayParser, data, start);
    try {
      root = readDataSet(dataSet, stream, {
        explicitVR: ts.explicitVR,
        littleEndian: ts.littleEndian,
        untilTag: headerOnly ? PIXEL_DATA : undefined,
        keys,
        onlyTags,
      });
    } catch (e) {
      throw new DicomParseError(
        `data set is malformed: ${errorText(e)}${ts.deflated ? ' (offset in inflated data)' : ''}`,
        {
          fileName,
          offset: stream.position,
          expected: `${encodingName(ts)} elements up to the end of the file`,
          partial: dataSet,
          cause: e,
        },
      );
    }
    for (const w of stream.warnings) warnings.push({ code: 'parser', message: w });
  }
  return finishParse(bytes, options, located, dataSet, root);
}

/** An empty root data set for the located data, to be filled with its elements. */
export function emptyDataSet(located: LocatedDataSet): DataSet {
  const parser = located.ts.littleEndian
    ? dicomParser.littleEndianByteArrayParser
    : dicomParser.bigEndianByteArrayParser;
  const dataSet = newDataSet(parser, located.data, {});
  dataSet.warnings = [];
  return dataSet;
}

/**
 * The end of every parse, once the root elements are read into `dataSet` (`root` in file order):
 * validation, the character set, the result. Shared with the slice-header scanner, so both give the
 * same result for the same elements.
 */
export function finishParse(
  bytes: Uint8Array,
  options: ParseOptions,
  located: LocatedDataSet,
  dataSet: DataSet,
  root: Element[],
): ParsedDicom {
  const { hasPreamble, meta, position, data, ts, warnings } = located;
  const headerOnly = options.headerOnly === true;
  validate(dataSet, root, data, options.fileName, headerOnly, warnings);
  const utf8 = isUtf8(dataSet, data);
  return new ParsedDicom({
    input: bytes,
    dataSet,
    meta: meta?.dataSet,
    encoding: { explicitVR: ts.explicitVR, littleEndian: ts.littleEndian, utf8 },
    fileName: options.fileName,
    ts,
    declaredTransferSyntaxUID: meta?.transferSyntaxUID || undefined,
    hasPreamble,
    dataSetStart: position,
    headerOnly,
    warnings,
    rootElements: root,
  });
}

/** True when the bytes start with an explicit VR little endian (0002,xxxx) element. */
function startsWithMetaGroup(b: Uint8Array): boolean {
  if (b.length < 12 || b[0] !== 0x02 || b[1] !== 0x00) return false;
  const v0 = b[4];
  const v1 = b[5];
  return v0 >= 0x41 && v0 <= 0x5a && v1 >= 0x41 && v1 <= 0x5a;
}

function isUtf8(dataSet: DataSet, data: Uint8Array): boolean {
  const el = dataSet.elements.x00080005;
  if (!el || el.length === 0) return false;
  return safeText(data, el.dataOffset, el.length).includes('ISO_IR 192');
}

/** Why a data set cannot be used as parsed: the message, offset and expectation of the error. */
export interface ElementProblem {
  message: string;
  offset: number;
  expected: string;
}

/**
 * The first problem of `elements` (and their items, recursively) that the element readers accepted
 * but that we refuse: values running past the end of the data.
 */
export function elementProblem(
  elements: Iterable<Element>,
  data: Uint8Array,
  headerOnly: boolean,
  depth: number,
): ElementProblem | undefined {
  for (const el of elements) {
    const isLastPixel = headerOnly && el.tag === PIXEL_DATA && depth === 0;
    if (!isLastPixel && !el.hadUndefinedLength && el.dataOffset + el.length > data.length) {
      return {
        message: `value of ${el.tag} (${el.length} bytes) extends past the end of the data`,
        offset: el.dataOffset,
        expected: `${el.length} bytes of value`,
      };
    }
    if (el.items) {
      for (const item of el.items) {
        if (!item.dataSet) continue;
        const problem = elementProblem(Object.values(item.dataSet.elements), data, headerOnly, depth + 1);
        if (problem) return problem;
      }
    }
  }
  return undefined;
}

/**
 * Native pixel data that is the last element of the root data set and runs past the end of the
 * data is cut to what the file holds, as pydicom reads it: the header reads, the frames past the end
 * do not. Returns the declared and the kept length, or undefined when the pixel data is whole.
 */
function truncatedPixelData(
  dataSet: DataSet,
  root: readonly Element[],
  data: Uint8Array,
  headerOnly: boolean,
): { declared: number; length: number } | undefined {
  const el = dataSet.elements[PIXEL_DATA];
  if (headerOnly || !el || el.hadUndefinedLength || root[root.length - 1] !== el) return undefined;
  if (el.dataOffset + el.length <= data.length || el.dataOffset > data.length) return undefined;
  const declared = el.length;
  el.length = data.length - el.dataOffset;
  return { declared, length: el.length };
}

/** True when a NumberOfFrames (0028,0008) value is empty or an unsigned integer. */
export function validNumberOfFrames(data: Uint8Array, dataOffset: number, length: number): boolean {
  const text = trimPad(safeText(data, dataOffset, length));
  return text === '' || /^\+?\d+$/.test(text);
}

function validate(
  dataSet: DataSet,
  root: readonly Element[],
  data: Uint8Array,
  fileName: string | undefined,
  headerOnly: boolean,
  warnings: DicomParseWarning[],
): void {
  const cut = truncatedPixelData(dataSet, root, data, headerOnly);
  if (cut) {
    warnings.push({
      code: 'truncated-pixel-data',
      message: `PixelData (7FE0,0010) declares ${cut.declared} bytes but the file ends after ${cut.length}: read up to the end (its frames cannot all be read)`,
    });
  }
  const problem = elementProblem(root, data, headerOnly, 0);
  if (problem) {
    throw new DicomParseError(problem.message, {
      fileName,
      offset: problem.offset,
      expected: problem.expected,
      partial: dataSet,
    });
  }
  const frames = dataSet.elements.x00280008;
  if (frames && !validNumberOfFrames(data, frames.dataOffset, frames.length)) {
    // pydicom reads such a file and fails only when asked for pixels; the frames are counted from
    // the pixel data instead (see ParsedDicom.numberOfFrames).
    warnings.push({
      code: 'invalid-number-of-frames',
      message: `NumberOfFrames (0028,0008) is "${trimPad(safeText(data, frames.dataOffset, frames.length))}", not an integer: frames are counted from the pixel data`,
    });
  }
}

export { TransferSyntax };
