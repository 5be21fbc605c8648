import { type ExtensionFilter, fileExtension, passesExtensionFilter } from './extensions';
import { fnmatch } from './fnmatch';
import type { SkipReason } from './input-types';
import { isSystemDirectory, isSystemFile } from './system-files';

/**
 * What both upload walkers (Node's folders on disk, the browser's dropped folders) leave out of a
 * folder, decided by name alone so that the two list the same files with the same reasons.
 */

/** Sub-folder levels a walk enters: `true` for any depth, a number for that many, else `fallback`. */
export function walkDepth(recursive: boolean | number | undefined, fallback: number): number {
  if (recursive === true) return Number.POSITIVE_INFINITY;
  return Math.max(0, Number(recursive ?? fallback));
}

/**
 * Why a folder found at `level` (0 for the input's own sub-folders) is not entered, or
 * `undefined` when it is: a system folder, one `excludeDirs` names, or one deeper than `maxDepth`.
 */
export function folderSkipReason(
  name: string,
  level: number,
  maxDepth: number,
  excludeDirs: readonly string[] | undefined,
): SkipReason | undefined {
  if (isSystemDirectory(name)) return 'system file';
  if (excludeDirs?.some((pattern) => fnmatch(name, pattern))) return 'excluded directory';
  if (level >= maxDepth) return 'too deep';
  return undefined;
}

/** Why a file found in a folder is left out before its size is known, or `undefined` when it is not. */
export function fileSkipReason(name: string, filter: ExtensionFilter): SkipReason | undefined {
  if (isSystemFile(name)) return 'system file';
  if (!passesExtensionFilter(fileExtension(name), filter)) return 'extension filter';
  return undefined;
}
