import { open, readFile } from 'node:fs/promises';
import { parseDicom, planAssembly } from '@datamint/dicom';
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
  /** Something worth knowing before uploading (a series that cannot be assembled...). */
  note?: string;
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
 * Turns the discovered files into what will be uploaded: one unit per series that
 * @datamint/dicom's `planAssembly` (the planner the upload itself uses) will assemble, and one per
 * other file. Masks of a series' slices are merged, so masks found next to any slice apply to it.
 */
export async function planUpload(input: PlanInput): Promise<UploadUnit[]> {
  const units: UploadUnit[] = [];
  const headers = new Map<string, DicomHeader>();
  const readable: DiscoveredFile[] = [];
  const byPath = new Map<string, UploadUnit>();
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
      try {
        headers.set(file.path, await readDicomHeader(file));
        readable.push(file);
      } catch (error) {
        unit.problem = `not readable as DICOM: ${(error as Error).message}`;
      }
    }
    units.push(unit);
    byPath.set(file.path, unit);
  }
  if (!input.assemble || readable.length < 2) return units;

  const plan = await planAssembly(
    readable.map((f) => ({ name: f.path, load: async () => new Uint8Array(await readFile(f.path)) })),
  );
  for (const group of plan.groups) {
    const files = group.slices.map((s) => readable.find((f) => f.path === s.name)!);
    const first = byPath.get(files[0]!.path)!;
    const masks: DiscoveredMask[] = [];
    for (const file of files) {
      for (const mask of input.masks.get(file.path) ?? []) {
        if (!masks.some((m) => m.path === mask.path)) masks.push(mask);
      }
    }
    const h = headers.get(files[0]!.path)!;
    const series: UploadUnit = {
      kind: 'series',
      fileKind: 'dicom',
      files,
      label: `${h.seriesDescription ?? h.modality ?? 'DICOM'} series (${files.length} files, ${commonFolder(files)})`,
      size: files.reduce((sum, f) => sum + f.size, 0),
      seriesInstanceUid: group.seriesInstanceUID,
      masks,
    };
    // The series takes the place of its first slice; the other slices' units disappear.
    units[units.indexOf(first)] = series;
    for (const file of files.slice(1)) units.splice(units.indexOf(byPath.get(file.path)!), 1);
  }
  for (const skipped of plan.unassembled) {
    for (const name of skipped.names) {
      const unit = byPath.get(name);
      if (unit) unit.note = `uploaded as is, not assembled: ${skipped.reason}`;
    }
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
