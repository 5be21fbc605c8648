import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DatamintException } from './errors';

/** The system's reasons in words, with the code to search for. */
const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

/**
 * A folder could not be made. `path` is the part that failed, which may be above the folder asked
 * for: a file in the way (`code` `ENOTDIR`), or a folder the system refused to create.
 */
export class DirectoryCreateError extends DatamintException {
  override name = 'DirectoryCreateError';
  /** The path that is a file, or the folder that could not be created. */
  readonly path: string;
  /** The system's error code (`ENOTDIR` for a file in the way). */
  readonly code: string | undefined;
  /** Why, in words, without the path (`permission denied (EACCES) in /data`). */
  readonly reason: string;
  /** The message names `path` and, for a refused folder, the `reason`. */
  constructor(path: string, code: string | undefined, reason: string, options: { cause?: unknown } = {}) {
    super(
      code === 'ENOTDIR' ? `${path} is a file, not a folder` : `cannot create the folder ${path}: ${reason}`,
      options,
    );
    this.path = path;
    this.code = code;
    this.reason = reason;
  }
}

function reasonOf(error: unknown, folder: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  const parent = dirname(folder);
  // ENOENT with the parent present: a folder that takes no children (`/proc`).
  if (code === 'ENOENT') return `${parent} does not accept new folders (ENOENT)`;
  return code && REASONS[code] ? `${REASONS[code]} (${code}) in ${parent}` : (error as Error).message;
}

/** Whether `path` is a folder (`true`), absent (`false`); a file in the way is an error. */
async function isFolder(path: string): Promise<boolean> {
  try {
    if ((await stat(path)).isDirectory()) return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOTDIR: something above is a file; the walk up reaches and names it.
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw new DirectoryCreateError(path, code, reasonOf(error, path), { cause: error });
  }
  throw new DirectoryCreateError(path, 'ENOTDIR', 'a file is in the way');
}

/**
 * `mkdir -p`: makes `path` and the folders missing above it, one level at a time. Node's recursive
 * `mkdir` retries forever where an existing folder refuses children with ENOENT (`/proc`); made
 * one level at a time, every refusal is a {@link DirectoryCreateError} naming the folder. `mode`
 * applies to the folders made (`0o700` for folders holding secrets), not to those already there.
 */
export async function makeDirectory(path: string, options: { mode?: number } = {}): Promise<void> {
  const missing: string[] = [];
  let current = resolve(path);
  while (!(await isFolder(current))) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of missing) {
    try {
      await mkdir(folder, { mode: options.mode });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Made meanwhile by someone else: what was wanted.
      if (code === 'EEXIST' && (await isFolder(folder))) continue;
      throw new DirectoryCreateError(folder, code, reasonOf(error, folder), { cause: error });
    }
  }
}
