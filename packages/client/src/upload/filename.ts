import { homedir } from 'node:os';
import path from 'node:path';
import { ValidationError } from '../errors';

/** `'all'`, a folder position, or several; positions count from the root, starting at 1. */
export type MungFilename = 'all' | number | readonly number[];

export function checkMung(value: MungFilename | undefined): 'all' | number[] | undefined {
  if (value === undefined || value === 'all') return value;
  const list = typeof value === 'number' ? [value] : value;
  if (!Array.isArray(list)) {
    throw new ValidationError('mungFilename', value, '"all", a folder position or an array of positions');
  }
  list.forEach((n, i) => {
    // Python lets 0 and negatives index from the end by accident; we reject them (http-api.md §8 #35).
    if (!Number.isInteger(n) || n < 1) {
      throw new ValidationError(
        typeof value === 'number' ? 'mungFilename' : `mungFilename[${i}]`,
        n,
        'an integer >= 1',
      );
    }
  });
  return [...list];
}

/**
 * Python's normalisation of an upload name (http-api.md §5.1 step 5.2): expand `~`, collapse
 * `.`/`..`/duplicate separators, then replace each remaining `..` with `_`.
 */
export function normaliseName(name: string, p: path.PlatformPath = path): string {
  let expanded = name;
  if (expanded === '~' || expanded.startsWith(`~${p.sep}`) || expanded.startsWith('~/')) {
    expanded = homedir() + expanded.slice(1);
  }
  let normal = p.normalize(expanded);
  if (normal.endsWith(p.sep) && normal.length > 1) normal = normal.slice(0, -1);
  if (normal === '' || normal === '.') throw new ValidationError('file name', name, 'a non-empty path');
  return normal
    .split(p.sep)
    .map((part) => (part === '..' ? '_' : part))
    .join(p.sep);
}

/** Renames per `mungFilename` (http-api.md §5.2); the result has no separators. */
export function mungName(name: string, mung: 'all' | number[], p: path.PlatformPath = path): string {
  const parts = name.split(p.sep);
  if (parts[0] === '') parts.shift();
  const file = parts.pop() ?? name;
  if (mung === 'all') return [...parts, file].join('_');
  const kept = mung.filter((i) => i <= parts.length).map((i) => parts[i - 1]!);
  return `${kept.join('_')}_${file}`;
}

/** The `source_filepath` and `filename` the upload sends for this name. */
export function uploadNames(
  name: string,
  mung: 'all' | number[] | undefined,
  p: path.PlatformPath = path,
): { sourceFilepath: string; filename: string } {
  const normal = normaliseName(name, p);
  const sourceFilepath = mung === undefined ? normal : mungName(normal, mung, p);
  const filename = sourceFilepath.split(p.sep).pop() ?? sourceFilepath;
  return { sourceFilepath, filename };
}
