import { open, readFile } from 'node:fs/promises';
import { isDicom, type ParsedDicom, parseDicom } from '@datamint/dicom';
import { imageSize } from './image-header';
import { looksLikeDicom, NIFTI_TYPES } from './mimetypes';
import { niftiMetadata, niftiShape, parseNiftiHeader, readDecodedHead } from './nifti';

/** What the server learns from an uploaded file's content. */
export interface FileFacts {
  isDicom: boolean;
  isNifti: boolean;
  rows: number | null;
  columns: number | null;
  numberOfFrames: number | null;
  modality: string | null;
  studyUid: string | null;
  seriesUid: string | null;
  instanceUid: string | null;
  transferSyntaxUid: string | null;
  /** NIfTI only: the header's geometry keys, merged into the resource's `metadata`. */
  niftiMetadata?: Record<string, number | number[] | number[][]>;
}

export const NO_FACTS: FileFacts = {
  isDicom: false,
  isNifti: false,
  rows: null,
  columns: null,
  numberOfFrames: null,
  modality: null,
  studyUid: null,
  seriesUid: null,
  instanceUid: null,
  transferSyntaxUid: null,
};

/** DICOM headers (everything before PixelData) nearly always fit in this many bytes. */
const DICOM_HEAD_BYTES = 8 * 1024 * 1024;
/** Files up to this size are read whole when the header did not fit in the first chunk. */
const DICOM_FULL_READ_LIMIT = 512 * 1024 * 1024;

export async function readHead(path: string, length: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead);
  } finally {
    await handle.close();
  }
}

function text(parsed: ParsedDicom, keyword: string): string | null {
  const value = parsed.string(keyword);
  return value === undefined || value === '' ? null : value;
}

function dicomFacts(parsed: ParsedDicom): FileFacts {
  return {
    isDicom: true,
    isNifti: false,
    rows: parsed.number('Rows') ?? null,
    columns: parsed.number('Columns') ?? null,
    numberOfFrames: parsed.numberOfFrames,
    modality: text(parsed, 'Modality'),
    studyUid: text(parsed, 'StudyInstanceUID'),
    seriesUid: text(parsed, 'SeriesInstanceUID'),
    instanceUid: text(parsed, 'SOPInstanceUID'),
    transferSyntaxUid: parsed.transferSyntaxUID,
  };
}

async function readDicomHeader(path: string, head: Uint8Array, size: number): Promise<FileFacts> {
  try {
    return dicomFacts(parseDicom(head, { headerOnly: true }));
  } catch {
    // The header may extend past the first chunk (huge private blocks) or be deflated as a whole.
  }
  if (size <= head.length || size > DICOM_FULL_READ_LIMIT) return { ...NO_FACTS, isDicom: true };
  try {
    const whole = new Uint8Array(await readFile(path));
    return dicomFacts(parseDicom(whole, { headerOnly: true }));
  } catch {
    // An unreadable DICOM is still stored as uploaded, just without extracted metadata.
    return { ...NO_FACTS, isDicom: true };
  }
}

async function readNiftiFacts(path: string): Promise<FileFacts | undefined> {
  const header = parseNiftiHeader(await readDecodedHead(path, 540));
  if (!header) return undefined;
  const { rows, columns, frames } = niftiShape(header);
  return {
    ...NO_FACTS,
    isNifti: true,
    rows,
    columns,
    numberOfFrames: frames,
    niftiMetadata: niftiMetadata(header),
  };
}

/** Dimensions of PNG/JPEG/NIfTI files; modality, size, frames and UIDs of DICOM files. */
export async function inspectFile(
  path: string,
  size: number,
  mimetype?: string,
  filename = '',
): Promise<FileFacts> {
  const head = await readHead(path, Math.min(size, DICOM_HEAD_BYTES));
  // Raw data sets (no preamble) are only sniffed when the client says the file is DICOM.
  if (looksLikeDicom(head) || (mimetype === 'application/dicom' && isDicom(head))) {
    return readDicomHeader(path, head, size);
  }
  const maybeNifti =
    NIFTI_TYPES.has(mimetype ?? '') ||
    /\.nii(\.gz)?$/i.test(filename) ||
    parseNiftiHeader(head) !== undefined;
  if (maybeNifti) {
    const facts = await readNiftiFacts(path);
    if (facts) return facts;
  }
  const dims = imageSize(head);
  if (dims) return { ...NO_FACTS, rows: dims.rows, columns: dims.columns, numberOfFrames: 1 };
  return NO_FACTS;
}
