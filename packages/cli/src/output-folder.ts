import { mkdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { CliError, UsageError } from './errors';

/** What is at a path, as far as making folders under it goes. */
type PathKind = 'folder' | 'not-a-folder' | 'absent';

async function kindOf(path: string, asked: string, shown: string): Promise<PathKind> {
  try {
    return (await stat(path)).isDirectory() ? 'folder' : 'not-a-folder';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOTDIR: a parent is a file; the walk up finds and names it.
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'absent';
    throw new CliError(`${asked}: cannot look at ${shown}: ${reasonOf(error)}`, { cause: error });
  }
}

/** The system's reason in words, with its code for searching. */
function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
  };
  return code && words[code] ? `${words[code]} (${code})` : (error as Error).message;
}

/**
 * Makes the folder `out` (relative to `cwd`) and the missing folders above it, one at a time, and
 * returns its absolute path. Node's recursive `mkdir` retries forever where a folder that exists
 * refuses children with ENOENT (`/proc`); one level at a time, every refusal is an error that names
 * the folder. A file on the way (`--out afile/sub`) is named as the part that is not a folder.
 */
export async function makeOutputFolder(out: string, cwd: string, option = '--out'): Promise<string> {
  const target = resolve(cwd, out);
  const shown = (path: string): string => (isAbsolute(out) ? path : relative(cwd, path) || '.');
  const missing: string[] = [];
  let path = target;
  for (;;) {
    const kind = await kindOf(path, `${option} ${out}`, shown(path));
    if (kind === 'folder') break;
    if (kind === 'not-a-folder') {
      const what = path === target ? `${option} ${out}` : `${option} ${out}: ${shown(path)}`;
      throw new UsageError(`${what} is a file, not a folder: give a folder to download into`, option);
    }
    missing.unshift(path);
    const parent = dirname(path);
    if (parent === path) break;
    path = parent;
  }
  for (const folder of missing) await makeOneFolder(folder, `${option} ${out}`, shown);
  return target;
}

async function makeOneFolder(folder: string, asked: string, shown: (path: string) => string): Promise<void> {
  try {
    await mkdir(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Made meanwhile by someone else: what was wanted.
    if (code === 'EEXIST' && (await stat(folder)).isDirectory()) return;
    const parent = shown(dirname(folder));
    const reason =
      code === 'ENOENT'
        ? `${parent} does not accept new folders (ENOENT)`
        : `${reasonOf(error)} in ${parent}`;
    throw new CliError(`${asked}: cannot create the folder ${shown(folder)}: ${reason}`, { cause: error });
  }
}
