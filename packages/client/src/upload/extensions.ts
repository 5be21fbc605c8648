/** Compression suffixes that belong to the extension before them: `.nii.gz` is one extension. */
const COMPRESSION = new Set(['gz', 'bz2', 'xz', 'zst']);

/**
 * The lower-case extension of a file name without the dot: `scan.nii.gz` → `nii.gz`, `a.DCM` →
 * `dcm`, `I10` → ``, `.hidden` → ``. (Python's tool used only the last suffix, so `nii.gz` filters
 * never matched.)
 */
export function fileExtension(name: string): string {
  const base = (name.split(/[\\/]/).pop() ?? name).toLowerCase();
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

/**
 * True when the file's extension is `filter` or ends with it at a dot boundary, so `gz` still
 * matches `nii.gz` (what Python users typed) while `nii.gz` now matches too.
 */
export function extensionMatches(extension: string, filter: string): boolean {
  return extension === filter || extension.endsWith(`.${filter}`);
}

/**
 * Extensions the platform's Python upload tool (2.29) leaves out of a folder when no extension
 * filter is given: documents, spreadsheets, configuration, scripts, logs and temporary files, which
 * are not medical images. Lower case, without the dot, for `excludeExtensions`. A NIfTI volume's
 * `X.json` sidecar still travels with it as its metadata. (Python's list also names `.DS_Store` and
 * `.gitignore`, which its suffix rule never matches; hidden files are skipped anyway.)
 */
export const DEFAULT_EXCLUDED_EXTENSIONS: readonly string[] = Object.freeze([
  'txt',
  'json',
  'xml',
  'docx',
  'doc',
  'pdf',
  'xlsx',
  'xls',
  'csv',
  'tsv',
  'log',
  'ini',
  'cfg',
  'conf',
  'yaml',
  'yml',
  'md',
  'rst',
  'html',
  'htm',
  'exe',
  'bat',
  'sh',
  'py',
  'js',
  'css',
  'sql',
  'bak',
  'tmp',
  'temp',
  'lock',
]);

/** Extension filters of a directory walk (extensions without the dot, lower case). */
export interface ExtensionFilter {
  /** Only files with one of these extensions (exclusive with `excludeExtensions`). */
  includeExtensions?: readonly string[] | undefined;
  /** Every file except those with one of these extensions. */
  excludeExtensions?: readonly string[] | undefined;
}

/** Include wins when both are given (callers reject that combination first). */
export function passesExtensionFilter(extension: string, filter: ExtensionFilter): boolean {
  if (filter.includeExtensions?.length) {
    return filter.includeExtensions.some((f) => extensionMatches(extension, f));
  }
  if (filter.excludeExtensions?.length) {
    return !filter.excludeExtensions.some((f) => extensionMatches(extension, f));
  }
  return true;
}
