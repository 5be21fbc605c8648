import type { ExtensionFilter } from './extensions';

// What an upload's inputs are and what walking them leaves out. A leaf: it imports no other module
// of the upload path (only the extension filter's type), so the walker, the inputs, the options and
// the plan can all name these types without importing each other.

/** Bytes, a Blob or a stream, with the name to upload it under. */
export interface NamedUpload {
  /** File name, possibly with folders (becomes `source_filepath`). */
  name: string;
  /** The content: bytes, a Blob, or a Node or web stream (read once, as it is uploaded). */
  data: Uint8Array | Blob | NodeJS.ReadableStream | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;
  /** Overrides detection for this input only. */
  mimetype?: string;
}

/** A path (file or directory), a `File` (a Blob with a name) or a {@link NamedUpload}. */
export type UploadSource = string | File | NamedUpload;

/** How directories are walked. */
export interface WalkOptions extends ExtensionFilter {
  /** Descend into sub-directories: `true` for any depth, a number for that many levels. */
  recursive?: boolean | number | undefined;
  /** Shell patterns (`*`, `?`, `[ab]`) matched against directory names; matching folders are skipped. */
  excludeDirs?: readonly string[] | undefined;
  /** Files found in directories that are smaller than this are skipped as empty (default 0: none). */
  minSize?: number | undefined;
  /** Stops the walk at its next file or folder with `APIUserAbortError`. */
  signal?: AbortSignal | undefined;
}

/**
 * Where a planned file's bytes come from: a path on disk (read again when the unit is sent), or
 * the caller's in-memory input at `inputIndex` (a `File`, a `Blob` or bytes), which must be passed
 * again to run the plan.
 */
export type PlannedOrigin =
  | {
      /** Read from disk. */
      kind: 'path';
      /** The file's path. */
      path: string;
    }
  | {
      /** The caller's in-memory input. */
      kind: 'input';
      /** Its index among the inputs. */
      inputIndex: number;
    };

/** Why a file found in a directory is not part of the plan. */
export type SkipReason =
  | 'system file'
  | 'empty'
  | 'extension filter'
  | 'excluded directory'
  | 'too deep'
  /** A link to a folder the walk is already inside, which would walk the same files forever. */
  | 'symlink loop'
  /**
   * A link to a folder the walk reaches anyway (inside the uploaded folder, or entered through
   * another link): its files are uploaded once, under the other path.
   */
  | 'duplicate folder link'
  | 'dicom report'
  | 'dicom directory';

/** A file or folder found in a directory and left out on purpose. */
export interface SkippedFile {
  /** Its path. */
  source: string;
  /** Why it was left out. */
  reason: SkipReason;
  /**
   * For a file the caller named or that planning read (a DICOM report or DICOMDIR): its position among the
   * expanded files, so a result can be reported in its place.
   */
  position?: number;
}
