import { UsageError } from '../errors';

/** Compression suffixes that belong to the extension before them: `.nii.gz` is one extension. */
const COMPRESSION = new Set(['gz', 'bz2', 'xz', 'zst']);

/**
 * The lower-case extension of a file name without the dot: `scan.nii.gz` → `nii.gz`, `a.DCM` →
 * `dcm`, `I10` → ``, `.hidden` → ``. (Python's tool used only the last suffix, so `nii.gz` filters
 * never matched.)
 */
export function fileExtension(name: string): string {
  const base = name.toLowerCase();
  const parts = base.split('.');
  // A leading dot marks a hidden file, not an extension.
  if (parts[0] === '') parts.shift();
  if (parts.length < 2) return '';
  const last = parts[parts.length - 1]!;
  if (COMPRESSION.has(last) && parts.length >= 3 && parts[parts.length - 2] !== '') {
    return `${parts[parts.length - 2]}.${last}`;
  }
  return last;
}

/** Parses `--include-extensions dcm,.png nii.gz` style values into `['dcm', 'png', 'nii.gz']`. */
export function parseExtensionList(values: readonly string[], option: string): string[] {
  const out: string[] = [];
  for (const value of values) {
    for (const raw of value.split(',')) {
      const ext = raw.trim().replace(/^\.+/, '').toLowerCase();
      if (raw.trim() === '') continue;
      if (!ext || /[/\\\s]/.test(ext)) {
        throw new UsageError(`${option}: ${JSON.stringify(raw.trim())} is not a file extension`, option);
      }
      if (!out.includes(ext)) out.push(ext);
    }
  }
  if (out.length === 0) throw new UsageError(`${option} needs at least one extension`, option);
  return out;
}

/**
 * True when the file's extension is `filter` or ends with it at a dot boundary, so `gz` still
 * matches `nii.gz` (what Python users typed) while `nii.gz` now matches too.
 */
export function extensionMatches(extension: string, filter: string): boolean {
  return extension === filter || extension.endsWith(`.${filter}`);
}
