import { open, readFile } from 'node:fs/promises';
import { parseDicom } from '@datamint/dicom';
import type { DiscoveredMask } from './segmentations';
import { isNifti } from './sidecars';
import type { DiscoveredFile } from './walk';

export type FileKind = 'dicom' | 'nifti' | 'image' | 'video' | 'other';

export interface UploadUnit {
  /** `series`: several DICOM files that will be assembled into one multi-frame resource. */
  kind: 'series' | 'file';
  fileKind: FileKind;
  files: DiscoveredFile[];
  /** What the table shows: the series description, or the file's display path. */
  label: string;
  size: number;
  seriesInstanceUid?: string;
  /** Why this unit is expected to fail (an unreadable DICOM header...). */
  problem?: string;
  masks: DiscoveredMask[];
  metadataFile?: string;
}

const HEADER_PROBE = 256 * 1024;

async function readHead(path: string, length: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export function kindOf(file: Pick<DiscoveredFile, 'extension'>, head: Uint8Array): FileKind {
  if (head.length >= 132 && String.fromCharCode(...head.subarray(128, 132)) === 'DICM') return 'dicom';
  if (file.extension === 'dcm' || file.extension === 'dicom') return 'dicom';
  if (isNifti(file)) return 'nifti';
  if (['png', 'jpg', 'jpeg', 'tif', 'tiff', 'bmp', 'gif'].includes(file.extension)) return 'image';
  if (['mp4', 'm4v', 'mov', 'webm', 'avi'].includes(file.extension)) return 'video';
  return 'other';
}

export interface DicomHeader {
  seriesInstanceUid: string | undefined;
  seriesDescription: string | undefined;
  modality: string | undefined;
  rows: number | undefined;
  columns: number | undefined;
  frames: number;
}

/** Reads just the header (up to PixelData); the first 256 KiB suffice unless the header is huge. */
export async function readDicomHeader(file: DiscoveredFile): Promise<DicomHeader> {
  let bytes = await readHead(file.path, HEADER_PROBE);
  let parsed: ReturnType<typeof parseDicom>;
  try {
    parsed = parseDicom(bytes, { headerOnly: true, fileName: file.display });
  } catch (error) {
    if (file.size <= bytes.length) throw error;
    bytes = await readFile(file.path);
    parsed = parseDicom(bytes, { headerOnly: true, fileName: file.display });
  }
  return {
    seriesInstanceUid: parsed.string('SeriesInstanceUID') || undefined,
    seriesDescription: parsed.string('SeriesDescription') || undefined,
    modality: parsed.string('Modality') || undefined,
    rows: parsed.number('Rows'),
    columns: parsed.number('Columns'),
    frames: parsed.number('NumberOfFrames') ?? 1,
  };
}

export interface PlanInput {
  files: readonly DiscoveredFile[];
  masks: ReadonlyMap<string, DiscoveredMask[]>;
  metadata: ReadonlyMap<string, string>;
  /** Group DICOM files of one SeriesInstanceUID into one resource (default true). */
  assemble: boolean;
}

/**
 * Turns the discovered files into what will be uploaded: one unit per series to be assembled
 * (grouped by SeriesInstanceUID, not Python's FrameOfReferenceUID) and one per other file.
 * Masks of a series' slices are merged, so masks found next to any slice apply to the series.
 */
export async function planUpload(input: PlanInput): Promise<UploadUnit[]> {
  const units: UploadUnit[] = [];
  const series = new Map<string, { files: DiscoveredFile[]; header: DicomHeader; index: number }>();
  for (const file of input.files) {
    const head = await readHead(file.path, 544);
    const fileKind = kindOf(file, head);
    const unit: UploadUnit = {
      kind: 'file',
      fileKind,
      files: [file],
      label: file.display,
      size: file.size,
      masks: input.masks.get(file.path) ?? [],
      ...(input.metadata.has(file.path) ? { metadataFile: input.metadata.get(file.path)! } : {}),
    };
    if (fileKind === 'dicom') {
      let header: DicomHeader;
      try {
        header = await readDicomHeader(file);
      } catch (error) {
        units.push({ ...unit, problem: `not readable as DICOM: ${(error as Error).message}` });
        continue;
      }
      if (header.seriesInstanceUid && input.assemble) {
        const group = series.get(header.seriesInstanceUid);
        if (group) {
          group.files.push(file);
          continue;
        }
        series.set(header.seriesInstanceUid, { files: [file], header, index: units.length });
        units.push({ ...unit, seriesInstanceUid: header.seriesInstanceUid });
        continue;
      }
    }
    units.push(unit);
  }
  for (const group of series.values()) {
    if (group.files.length < 2) continue;
    const masks: DiscoveredMask[] = [];
    for (const file of group.files) {
      for (const mask of input.masks.get(file.path) ?? []) {
        if (!masks.some((m) => m.path === mask.path)) masks.push(mask);
      }
    }
    const h = group.header;
    units[group.index] = {
      kind: 'series',
      fileKind: 'dicom',
      files: group.files,
      label: `${h.seriesDescription ?? h.modality ?? 'DICOM'} series (${group.files.length} files, ${commonFolder(group.files)})`,
      size: group.files.reduce((sum, f) => sum + f.size, 0),
      seriesInstanceUid: group.header.seriesInstanceUid!,
      masks,
    };
  }
  return units;
}

function commonFolder(files: readonly DiscoveredFile[]): string {
  const dirs = files.map((f) => f.display.split(/[\\/]/).slice(0, -1));
  const first = dirs[0] ?? [];
  let n = first.length;
  for (const d of dirs) {
    let i = 0;
    while (i < n && d[i] === first[i]) i++;
    n = i;
  }
  return first.slice(0, n).join('/') || '.';
}
