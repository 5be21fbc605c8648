import { ValidationError } from '../errors';
import type { NamedUpload, SkippedFile } from './input-types';
import type { PlanProblem } from './plan-types';
import { isSystemDirectory, isSystemFile } from './system-files';

/**
 * What a web page can upload: a `File` (from an `<input type=file>`, with its `webkitRelativePath`
 * when a folder was picked), a `FileSystemEntry` from a drop (`item.webkitGetAsEntry()`: a file or a
 * whole folder), or `{ name, data }` with bytes or a Blob.
 */
export type BrowserUploadInput = File | FileSystemEntry | BrowserNamedUpload;

/** Bytes or a Blob with the name (possibly with folders) to upload it under. */
export interface BrowserNamedUpload {
  /** File name, possibly with folders (`study/slice1.dcm`): the upload's `source_filepath`. */
  name: string;
  /** The content. */
  data: Uint8Array | Blob;
  /** Overrides detection for this input only. */
  mimetype?: string;
}

/** The page's inputs as flat named uploads (one per file), and the files that could not be read. */
export interface CollectedInputs {
  /** One named upload per file, in order (a dropped folder in name order). */
  uploads: NamedUpload[];
  /** Which argument each upload came from (a dropped folder gives many). */
  inputIndexOf: number[];
  /** Unreadable files and folders, positioned after the readable ones. */
  problems: Omit<PlanProblem, 'position'>[];
  /** System files and folders found in dropped folders and left out, as Node's walker lists them. */
  skipped: SkippedFile[];
}

function isEntry(value: unknown): value is FileSystemEntry {
  return (
    !!value &&
    typeof value === 'object' &&
    typeof (value as FileSystemEntry).isFile === 'boolean' &&
    typeof (value as FileSystemEntry).isDirectory === 'boolean' &&
    typeof (value as FileSystemEntry).fullPath === 'string'
  );
}

function isNamed(value: unknown): value is BrowserNamedUpload {
  return !!value && typeof value === 'object' && 'name' in value && 'data' in value;
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** Every entry of a folder: `readEntries` answers in batches (100 in Chromium) until an empty one. */
async function childrenOf(entry: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = entry.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) break;
    all.push(...batch);
  }
  // The same order as Node's walker: by name, so plans and results are stable.
  return all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function unreadable(inputIndex: number, source: string, error: unknown): Omit<PlanProblem, 'position'> {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof Error && error.name !== 'Error' ? error.name : undefined;
  return {
    inputIndex,
    source,
    error: { name: 'UnreadableFileError', message, ...(code ? { code } : {}) },
  };
}

function relativeName(entry: FileSystemEntry): string {
  return entry.fullPath.replace(/^\/+/, '');
}

async function walkEntry(
  entry: FileSystemEntry,
  inputIndex: number,
  out: CollectedInputs,
  explicit: boolean,
  signal: AbortSignal | undefined,
): Promise<void> {
  signal?.throwIfAborted();
  if (entry.isFile) {
    // Explicitly dropped files are always kept; inside folders the system-file rule applies.
    if (!explicit && isSystemFile(entry.name)) {
      out.skipped.push({ source: relativeName(entry), reason: 'system file' });
      return;
    }
    try {
      const file = await fileOf(entry as FileSystemFileEntry);
      out.uploads.push({ name: relativeName(entry), data: file });
      out.inputIndexOf.push(inputIndex);
    } catch (error) {
      out.problems.push(unreadable(inputIndex, relativeName(entry), error));
    }
    return;
  }
  if (!entry.isDirectory) return;
  if (!explicit && isSystemDirectory(entry.name)) {
    out.skipped.push({ source: relativeName(entry), reason: 'system file' });
    return;
  }
  let children: FileSystemEntry[];
  try {
    children = await childrenOf(entry as FileSystemDirectoryEntry);
  } catch (error) {
    out.problems.push(unreadable(inputIndex, relativeName(entry), error));
    return;
  }
  for (const child of children) await walkEntry(child, inputIndex, out, false, signal);
}

/**
 * Turns a page's inputs into named in-memory uploads, walking dropped folders. Nothing is read
 * yet (a `File` is a handle): planning reads what it needs. A wrong input type is a
 * `ValidationError` naming `files[i]`; a file or folder the browser cannot read is a per-file problem.
 */
export async function collectBrowserInputs(
  inputs: readonly BrowserUploadInput[],
  signal?: AbortSignal,
): Promise<CollectedInputs> {
  const out: CollectedInputs = { uploads: [], inputIndexOf: [], problems: [], skipped: [] };
  for (const [i, input] of inputs.entries()) {
    if (isEntry(input)) {
      await walkEntry(input, i, out, true, signal);
    } else if (typeof File !== 'undefined' && input instanceof File) {
      if (input.name === '')
        throw new ValidationError(`files[${i}].name`, input.name, 'a non-empty file name');
      out.uploads.push({ name: input.webkitRelativePath || input.name, data: input });
      out.inputIndexOf.push(i);
    } else if (isNamed(input)) {
      if (typeof input.name !== 'string' || input.name === '') {
        throw new ValidationError(`files[${i}].name`, input.name, 'a non-empty file name');
      }
      if (!(input.data instanceof Uint8Array) && !(input.data instanceof Blob)) {
        throw new ValidationError(`files[${i}].data`, input.data, 'a Uint8Array or a Blob');
      }
      out.uploads.push({
        name: input.name,
        data: input.data,
        ...(input.mimetype !== undefined ? { mimetype: input.mimetype } : {}),
      });
      out.inputIndexOf.push(i);
    } else {
      throw new ValidationError(
        `files[${i}]`,
        input,
        input instanceof Blob
          ? 'a File, or { name, data } for a Blob without a name'
          : 'a File, a FileSystemEntry (a dropped file or folder), or { name, data } with bytes or a Blob',
      );
    }
  }
  return out;
}
