import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { UsageError } from '../errors';
import { extensionMatches, fileExtension } from './extensions';
import { fnmatch } from './fnmatch';
import { isSystemDirectory, isSystemFile } from './system-files';

export interface DiscoverOptions {
  /** Sub-directory levels to enter: 0 = only the given directory, Infinity = all. */
  depth: number;
  /** Shell patterns matched against directory names; matching directories are skipped. */
  excludeDirs?: readonly string[];
  includeExtensions?: readonly string[];
  excludeExtensions?: readonly string[];
  /** Files smaller than this are dropped as empty (Python: 4 bytes). */
  minSize?: number;
  /** Base for display paths (default: the process's working directory). */
  cwd?: string;
}

export interface DiscoveredFile {
  /** Absolute path. */
  path: string;
  /** Path as shown to the user: relative to cwd when below it. */
  display: string;
  size: number;
  /** Lower-case extension, `nii.gz` style. */
  extension: string;
  /** The command-line argument that led to the file. */
  input: string;
}

export type SkipReason = 'system file' | 'empty' | 'extension filter' | 'excluded directory' | 'too deep';

export interface SkippedEntry {
  path: string;
  reason: SkipReason;
}

export interface Discovery {
  files: DiscoveredFile[];
  skipped: SkippedEntry[];
}

export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function passesExtensionFilters(extension: string, options: DiscoverOptions): boolean {
  if (options.includeExtensions?.length) {
    return options.includeExtensions.some((f) => extensionMatches(extension, f));
  }
  if (options.excludeExtensions?.length) {
    return !options.excludeExtensions.some((f) => extensionMatches(extension, f));
  }
  return true;
}

/**
 * Expands the command-line paths into the files to upload, in a stable order (sorted by name per
 * directory; Python used the unsorted file-system order). Files named explicitly are always kept;
 * the filters apply to what directories contain.
 */
export async function discoverFiles(inputs: readonly string[], options: DiscoverOptions): Promise<Discovery> {
  if (options.includeExtensions?.length && options.excludeExtensions?.length) {
    throw new UsageError('--include-extensions and --exclude-extensions cannot be used together');
  }
  const cwd = options.cwd ?? process.cwd();
  const minSize = options.minSize ?? 4;
  const files: DiscoveredFile[] = [];
  const skipped: SkippedEntry[] = [];
  const seen = new Set<string>();

  const add = (path: string, size: number, input: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    const name = path.split(/[\\/]/).pop()!;
    files.push({ path, display: displayPath(path, cwd), size, extension: fileExtension(name), input });
  };

  const walk = async (dir: string, level: number, input: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // Sizes of one folder are read concurrently; the order of the results stays the name order.
    const slots: ({ kind: 'file'; path: string; size?: number } | { kind: 'dir'; path: string })[] = [];
    for (const entry of entries) {
      const path = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        // Linked files are followed; linked directories are not, so a loop cannot trap the walk.
        const target = await stat(path).catch(() => undefined);
        isFile = target?.isFile() ?? false;
        isDir = false;
      }
      if (isDir) {
        if (isSystemDirectory(entry.name)) skipped.push({ path, reason: 'system file' });
        else if (options.excludeDirs?.some((p) => fnmatch(entry.name, p))) {
          skipped.push({ path, reason: 'excluded directory' });
        } else if (level >= options.depth) skipped.push({ path, reason: 'too deep' });
        else slots.push({ kind: 'dir', path });
        continue;
      }
      if (!isFile) continue;
      if (isSystemFile(entry.name)) skipped.push({ path, reason: 'system file' });
      else if (!passesExtensionFilters(fileExtension(entry.name), options)) {
        skipped.push({ path, reason: 'extension filter' });
      } else slots.push({ kind: 'file', path });
    }
    await Promise.all(
      slots.map(async (slot) => {
        if (slot.kind === 'file') slot.size = (await stat(slot.path)).size;
      }),
    );
    for (const slot of slots) {
      if (slot.kind === 'dir') await walk(slot.path, level + 1, input);
      else if (slot.size! < minSize) skipped.push({ path: slot.path, reason: 'empty' });
      else add(slot.path, slot.size!, input);
    }
  };

  for (const input of inputs) {
    const path = resolve(cwd, input);
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new UsageError(`path not found: ${input}`);
    if (info.isDirectory()) await walk(path, 0, input);
    else if (info.isFile()) add(path, info.size, input);
    else throw new UsageError(`not a file or directory: ${input}`);
  }
  return { files, skipped };
}
