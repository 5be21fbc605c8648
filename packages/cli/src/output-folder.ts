import { isAbsolute, relative, resolve } from 'node:path';
import { DirectoryCreateError } from '@datamint/core';
import { makeDirectory } from '@datamint/core/internal/node';
import { CliError, UsageError } from './errors';

/**
 * Makes the folder `out` (relative to `cwd`) and the missing folders above it, and returns its
 * absolute path. A file on the way (`--out afile/sub`) is a usage error naming the part that is a
 * file; a folder the system refuses is an error naming that folder and why.
 */
export async function makeOutputFolder(out: string, cwd: string, option = '--out'): Promise<string> {
  const target = resolve(cwd, out);
  // Paths are shown as the user gave them: relative stays relative.
  const shown = (path: string): string => (isAbsolute(out) ? path : relative(cwd, path) || '.');
  try {
    await makeDirectory(target);
  } catch (error) {
    if (!(error instanceof DirectoryCreateError)) throw error;
    if (error.code === 'ENOTDIR') {
      const what = error.path === target ? `${option} ${out}` : `${option} ${out}: ${shown(error.path)}`;
      throw new UsageError(`${what} is a file, not a folder: give a folder to download into`, option);
    }
    throw new CliError(`${option} ${out}: cannot create the folder ${shown(error.path)}: ${error.reason}`, {
      cause: error,
    });
  }
  return target;
}
