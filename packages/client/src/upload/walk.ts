import { readdirSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileExtension, passesExtensionFilter } from './extensions';
import { fnmatch } from './fnmatch';
import type { SkippedFile, WalkOptions } from './input-types';
import { eventLoopPacer, PACE_MS } from './pacer';
import { isSystemDirectory, isSystemFile } from './system-files';

/** A file found on disk, or a path that could not be read. */
export type WalkedPath =
  | { kind: 'file'; path: string; size: number }
  | { kind: 'unreadable'; path: string; error: NodeJS.ErrnoException };

function depthOf(recursive: WalkOptions['recursive']): number {
  if (recursive === true) return Number.POSITIVE_INFINITY;
  return Math.max(0, Number(recursive ?? 0));
}

/**
 * The one directory walker of uploads. A file path is itself; a directory expands to its files in
 * name order (the file system's order differs between machines), skipping system files and the
 * filters' rejects. Linked files are followed; linked directories are not, so a loop cannot trap
 * the walk. A file or folder that cannot be read is returned in its place, for the caller to report.
 * `pace` is shared by the walks of one plan, so that many single-file inputs yield too.
 */
export async function walkPath(
  input: string,
  options: WalkOptions,
  skipped: SkippedFile[],
  pace: () => Promise<void> | undefined = eventLoopPacer(PACE_MS, options.signal),
): Promise<WalkedPath[]> {
  let info: ReturnType<typeof statSync>;
  await pace();
  try {
    // Synchronous like every other call of the walk: through the thread pool a stat costs a round
    // trip several times the call, and most inputs of a big upload are single files.
    info = statSync(input);
  } catch (error) {
    return [{ kind: 'unreadable', path: input, error: error as NodeJS.ErrnoException }];
  }
  if (!info.isDirectory()) return [{ kind: 'file', path: input, size: info.size }];
  const out: WalkedPath[] = [];
  const maxDepth = depthOf(options.recursive);
  const minSize = options.minSize ?? 0;
  const walk = async (dir: string, level: number): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    // Outside the try: an abort ends the walk, it is not an unreadable folder.
    await pace();
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      out.push({ kind: 'unreadable', path: dir, error: error as NodeJS.ErrnoException });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const slots: ({ kind: 'dir'; path: string } | { kind: 'file'; path: string; found?: WalkedPath })[] = [];
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        let target: Awaited<ReturnType<typeof stat>> | undefined;
        try {
          target = await stat(full);
        } catch (error) {
          // A dangling or looping link names a file the user meant to include: report it.
          slots.push({
            kind: 'file',
            path: full,
            found: { kind: 'unreadable', path: full, error: error as NodeJS.ErrnoException },
          });
          continue;
        }
        isFile = target.isFile();
        isDir = false;
      }
      if (isDir) {
        if (isSystemDirectory(entry.name)) skipped.push({ source: full, reason: 'system file' });
        else if (options.excludeDirs?.some((p) => fnmatch(entry.name, p))) {
          skipped.push({ source: full, reason: 'excluded directory' });
        } else if (level >= maxDepth) skipped.push({ source: full, reason: 'too deep' });
        else slots.push({ kind: 'dir', path: full });
      } else if (isFile) {
        if (isSystemFile(entry.name)) skipped.push({ source: full, reason: 'system file' });
        else if (!passesExtensionFilter(fileExtension(entry.name), options)) {
          skipped.push({ source: full, reason: 'extension filter' });
        } else slots.push({ kind: 'file', path: full });
      }
    }
    // Sizes are read with synchronous calls, yielding every few milliseconds: through the thread
    // pool, each stat (and readdir) costs a round trip several times the call itself.
    for (const slot of slots) {
      if (slot.kind !== 'file' || slot.found) continue;
      await pace();
      try {
        slot.found = { kind: 'file', path: slot.path, size: statSync(slot.path).size };
      } catch (error) {
        slot.found = { kind: 'unreadable', path: slot.path, error: error as NodeJS.ErrnoException };
      }
    }
    for (const slot of slots) {
      if (slot.kind === 'dir') await walk(slot.path, level + 1);
      else if (slot.found!.kind === 'file' && slot.found!.size < minSize) {
        skipped.push({ source: slot.path, reason: 'empty' });
      } else out.push(slot.found!);
    }
  };
  await walk(input, 0);
  return out;
}
