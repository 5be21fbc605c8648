import { ValidationError } from '../errors';
import type { NamedUpload, SkippedFile, WalkOptions } from './input-types';
import type { PlanProblem } from './plan-types';
import { fileSkipReason, folderSkipReason, walkDepth } from './walk-rules';

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

/** The walk's filters for dropped folders, as Node's walker applies them to folders on disk. */
export type BrowserWalkFilters = Pick<
  WalkOptions,
  'includeExtensions' | 'excludeExtensions' | 'excludeDirs' | 'minSize'
> & {
  /**
   * Levels of sub-folders entered below a dropped folder: `true` (the default here) for any depth,
   * a number for that many. A dropped folder means the whole folder, so the page walks it whole
   * unless told otherwise (Node's walker enters none unless told: a path may be a home folder).
   */
  recursive?: boolean | number | undefined;
};

interface Walk {
  inputIndex: number;
  out: CollectedInputs;
  filters: BrowserWalkFilters;
  maxDepth: number;
  signal: AbortSignal | undefined;
}

async function addFile(entry: FileSystemFileEntry, walk: Walk, inFolder: boolean): Promise<void> {
  try {
    const file = await fileOf(entry);
    // Only files found in folders are small enough to leave out, as in Node: one named is wanted.
    if (inFolder && file.size < (walk.filters.minSize ?? 0)) {
      walk.out.skipped.push({ source: relativeName(entry), reason: 'empty' });
      return;
    }
    walk.out.uploads.push({ name: relativeName(entry), data: file });
    walk.out.inputIndexOf.push(walk.inputIndex);
  } catch (error) {
    walk.out.problems.push(unreadable(walk.inputIndex, relativeName(entry), error));
  }
}

/**
 * A folder's entries: its own skips first, then its files and sub-folders in name order, each
 * sub-folder walked where it falls (the order of Node's walker, so plans match).
 */
async function walkFolder(folder: FileSystemDirectoryEntry, level: number, walk: Walk): Promise<void> {
  walk.signal?.throwIfAborted();
  let children: FileSystemEntry[];
  try {
    children = await childrenOf(folder);
  } catch (error) {
    walk.out.problems.push(unreadable(walk.inputIndex, relativeName(folder), error));
    return;
  }
  const { out, filters } = walk;
  const kept: FileSystemEntry[] = [];
  for (const child of children) {
    const source = relativeName(child);
    const reason = child.isDirectory
      ? folderSkipReason(child.name, level, walk.maxDepth, filters.excludeDirs)
      : child.isFile
        ? fileSkipReason(child.name, filters)
        : undefined;
    if (reason) out.skipped.push({ source, reason });
    else if (child.isDirectory || child.isFile) kept.push(child);
  }
  for (const child of kept) {
    walk.signal?.throwIfAborted();
    if (child.isDirectory) await walkFolder(child as FileSystemDirectoryEntry, level + 1, walk);
    else await addFile(child as FileSystemFileEntry, walk, true);
  }
}

/** A dropped entry: a file is always taken, a folder is walked with the filters. */
async function walkEntry(entry: FileSystemEntry, walk: Walk): Promise<void> {
  walk.signal?.throwIfAborted();
  if (entry.isFile) await addFile(entry as FileSystemFileEntry, walk, false);
  else if (entry.isDirectory) await walkFolder(entry as FileSystemDirectoryEntry, 0, walk);
}

/**
 * Turns a page's inputs into named in-memory uploads, walking dropped folders with `filters` (the
 * extension filters, `excludeDirs`, `minSize` and depth of Node's walker, applied to what a folder
 * holds; a dropped file is always taken). Nothing is read yet (a `File` is a handle): planning
 * reads what it needs. A wrong input type is a
 * `ValidationError` naming `files[i]`; a file or folder the browser cannot read is a per-file problem.
 */
export async function collectBrowserInputs(
  inputs: readonly BrowserUploadInput[],
  signal?: AbortSignal,
  filters: BrowserWalkFilters = {},
): Promise<CollectedInputs> {
  const out: CollectedInputs = { uploads: [], inputIndexOf: [], problems: [], skipped: [] };
  // A dropped folder is walked whole unless `recursive` says otherwise.
  const maxDepth = walkDepth(filters.recursive, Number.POSITIVE_INFINITY);
  for (const [i, input] of inputs.entries()) {
    if (isEntry(input)) {
      await walkEntry(input, { inputIndex: i, out, filters, maxDepth, signal });
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
