/** Operating-system and tool litter that is never uploaded (the Python tool's list). */
const SYSTEM_NAMES = new Set([
  '.ds_store',
  'thumbs.db',
  'desktop.ini',
  '.git',
  '__pycache__',
  '.svn',
  '.tmp',
]);
const SYSTEM_DIRS = new Set(['__macosx', '$recycle.bin', 'system volume information']);

/**
 * The one rule for files found in directories: the Python tool's system files, plus hidden files
 * (a leading dot, such as macOS's `._scan.png` resource forks), which no imaging tool writes on
 * purpose. `name` is the file's name without its folder. Files named explicitly are always kept;
 * exported so that tools listing folders of their own (`datamint upload`'s mask folders) leave out
 * the same files an upload does.
 */
export function isSystemFile(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    SYSTEM_NAMES.has(lower) ||
    lower.endsWith('.pyc') ||
    lower.endsWith('.tmp') ||
    name.startsWith('~') ||
    name.startsWith('.')
  );
}

/** Directories whose whole content is skipped. */
export function isSystemDirectory(name: string): boolean {
  const lower = name.toLowerCase();
  return SYSTEM_DIRS.has(lower) || SYSTEM_NAMES.has(lower) || name.startsWith('~') || name.startsWith('.');
}
