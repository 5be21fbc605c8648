import {
  type AssembleInput,
  type ParsedDicom,
  parseDicom,
  readSlice,
  type SliceReading,
  sliceHeaderParser,
} from '@datamint/dicom';
import type { WantMore } from './content';
import { type DicomFacts, FACT_TAGS, factReader, MEDIA_STORAGE_DIRECTORY } from './dicom-facts';

/**
 * Bytes read first from every file: enough to sniff any type and to hold most DICOM headers, so a
 * DICOM is typed and its header parsed from one read. Longer headers are read further as needed.
 */
export const FIRST_READ = 16 * 1024;

/** How one plan reads headers: what grouping, reports, laterality and series labels need. */
export interface HeaderParser {
  parse(bytes: Uint8Array, fileName?: string): ParsedDicom;
  facts(header: ParsedDicom): DicomFacts;
}

/**
 * One parser per plan: element keys are shared across its files, which makes each parse cheaper.
 * `grouping`: the facts carry the platform's grouping key.
 */
export function planHeaderParser(grouping: boolean): HeaderParser {
  return { parse: sliceHeaderParser(FACT_TAGS), facts: factReader(grouping) };
}

// SeriesDescription and Modality as data set keys: a keyword would be looked up for every file.
const SERIES_DESCRIPTION = 'x0008103e';
const MODALITY = 'x00080060';
const MEDIA_STORAGE_SOP_CLASS = 'x00020002';
const ROWS = 'x00280010';
const COLUMNS = 'x00280011';

/** The size of an image's frames and how many it has. */
export interface ImageGeometry {
  rows: number;
  columns: number;
  frames: number;
}

function geometryOf(parsed: ParsedDicom): { geometry?: ImageGeometry } {
  const rows = parsed.number(ROWS);
  const columns = parsed.number(COLUMNS);
  return rows && columns ? { geometry: { rows, columns, frames: parsed.numberOfFrames } } : {};
}

/** What planning keeps of one DICOM's header: a few values and its place in a series. */
export interface DicomHead {
  /** Why the file cannot be uploaded as DICOM. */
  problem?: string;
  /** Something odd that does not stop the upload (pixel data cut short). */
  note?: string;
  /**
   * The header could not be checked from the leading bytes alone (compressed or deflated pixel
   * data, data after the pixels): the whole file is parsed instead.
   */
  needsFullParse?: boolean;
  /** Grouping and report facts, when asked for. */
  facts?: DicomFacts;
  /** SeriesDescription and Modality, the label of an assembled series. */
  description?: string;
  modality?: string;
  /** Its place in a series, when asked for (grouping values only: no bytes are kept). */
  reading?: SliceReading;
  /** A DICOMDIR: an index of other files, not an image; never uploaded. */
  directory?: true;
  /** Rows, Columns and frames, when asked for and the header has them (a mask must fit them). */
  geometry?: ImageGeometry;
}

/** What {@link DicomHead} should hold beyond the checks. */
export interface HeadWanted {
  facts: boolean;
  /** The slice's place in a series, for this input. */
  slice: AssembleInput | undefined;
  /** Its Rows, Columns and frames: masks are attached to it. */
  geometry?: boolean;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Settles a header parsed from the whole file (compressed or deflated pixels, trailing data). */
export function wholeDicomHead(
  parse: HeaderParser,
  bytes: Uint8Array,
  source: string,
  want: HeadWanted,
  parsed?: ParsedDicom,
): DicomHead {
  let problem: string | undefined;
  try {
    // Every element must parse (a truncated file fails alone, before anything is sent).
    parseDicom(bytes, { fileName: source });
  } catch (error) {
    problem = message(error);
  }
  try {
    // A readable header still places the file in its series, so a broken slice keeps its series
    // from being assembled without it.
    const head = labelled(parse, parsed ?? parse.parse(bytes, source), want, bytes.length);
    return problem === undefined ? head : { ...head, problem };
  } catch (error) {
    return { problem: problem ?? message(error) };
  }
}

function labelled(parse: HeaderParser, parsed: ParsedDicom, want: HeadWanted, size: number): DicomHead {
  return {
    description: parsed.string(SERIES_DESCRIPTION) || undefined,
    modality: parsed.string(MODALITY) || undefined,
    ...(want.facts ? { facts: parse.facts(parsed) } : {}),
    ...(want.slice ? { reading: readSlice(want.slice, parsed, size) } : {}),
    ...(want.geometry ? geometryOf(parsed) : {}),
    ...(parsed.string(MEDIA_STORAGE_SOP_CLASS) === MEDIA_STORAGE_DIRECTORY
      ? { directory: true as const }
      : {}),
  };
}

/**
 * Reads a DICOM header from a file's leading bytes. `more` asks for more bytes until the header
 * reaches PixelData or the file ends (doubling, so a long header costs few reads); `settle` then
 * checks the header and keeps what the plan needs.
 */
export function dicomHeadReader(parse: HeaderParser, size: number, source: string) {
  let parsed: ParsedDicom | undefined;
  let failure: unknown;
  const more: WantMore = (bytes) => {
    try {
      parsed = parse.parse(bytes, source);
      failure = undefined;
      // A header that parses without reaching PixelData may just have stopped where the read did.
      if (parsed.pixelData || bytes.length >= size) return 0;
    } catch (error) {
      parsed = undefined;
      failure = error;
      if (bytes.length >= size) return 0;
    }
    return Math.min(size, bytes.length * 2);
  };
  const settle = (bytes: Uint8Array, want: HeadWanted): DicomHead => {
    if (!parsed) return { problem: message(failure) };
    const pixels = parsed.pixelData;
    const whole = bytes.length >= size;
    // Without pixel data the whole file was read: it is checked in full, as are compressed or
    // deflated pixels and data after the pixels (all rare); read again when only its head is here.
    if (!pixels || pixels.hadUndefinedLength || parsed.transferSyntax.deflated) {
      return whole ? wholeDicomHead(parse, bytes, source, want, parsed) : { needsFullParse: true };
    }
    const end = pixels.dataOffset + pixels.length;
    if (end > size) {
      // pydicom reads such a file (and so does parseDicom, with a warning), and the Python SDK
      // uploads it: it is uploaded as it is, with a note that its pixels cannot all be read.
      return {
        ...labelled(parse, parsed, want, size),
        note: `PixelData declares ${pixels.length} bytes but the file ends ${Math.max(0, size - pixels.dataOffset)} bytes into it: uploaded as is, its frames cannot all be read`,
      };
    }
    if (end < size)
      return whole ? wholeDicomHead(parse, bytes, source, want, parsed) : { needsFullParse: true };
    return labelled(parse, parsed, want, size);
  };
  return { more, settle };
}
