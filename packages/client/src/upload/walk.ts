import { lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { SkippedFile, WalkOptions } from './input-types';
import { pairName } from './nifti-pair';
import { eventLoopPacer, PACE_MS } from './pacer';
import { fileSkipReason, folderSkipReason, walkDepth } from './walk-rules';

/** A file found on disk, or a path that could not be read. */
export type WalkedPath =
  | { kind: 'file'; path: string; size: number }
  | { kind: 'unreadable'; path: string; error: NodeJS.ErrnoException };

/**
 * The one directory walker of uploads. A file path is itself; a directory expands to its files in
 * name order (the file system's order differs between machines), skipping system files and the
 * filters' rejects. Links are followed, to files and to folders alike (as Python's walker does); a
 * folder link that leads back to a folder the walk is already inside is skipped as `symlink loop`,
 * so a loop cannot trap the walk, and one to a folder the walk reaches anyway (inside the input
 * folder and within the walk's reach, or already entered through another link) as `duplicate
 * folder link`, so no file is uploaded twice (Python's walker uploads those files again under each
 * path). A file or folder that cannot be read (a dangling link among them) is returned in its place,
 * for the caller to report.
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
    return [{ kind: 'unreadable', path: input, error: linkError(input, error) }];
  }
  if (!info.isDirectory()) return [{ kind: 'file', path: input, size: info.size }];
  const out: WalkedPath[] = [];
  const maxDepth = walkDepth(options.recursive, 0);
  const minSize = options.minSize ?? 0;
  // Folders are known by their real path: a link's target resolved, a plain folder its parent's
  // real path and its name (no call needed). A link whose target is on the path from the input
  // to here would walk the same folders forever.
  const walk = async (
    dir: string,
    real: string,
    level: number,
    inside: ReadonlySet<string>,
  ): Promise<void> => {
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
    const slots: Slot[] = [];
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      const linked = entry.isSymbolicLink();
      if (linked) {
        let target: Awaited<ReturnType<typeof stat>> | undefined;
        try {
          target = await stat(full);
        } catch (error) {
          // A dangling or looping link names a file the user meant to include: report it.
          slots.push(unreadableSlot(full, error));
          continue;
        }
        isFile = target.isFile();
        isDir = target.isDirectory();
      }
      if (isDir) {
        const reason = folderSkipReason(entry.name, level, maxDepth, options.excludeDirs);
        if (reason) skipped.push({ source: full, reason });
        else {
          let folder: string;
          try {
            folder = linked ? realpathSync(full) : path.join(real, entry.name);
          } catch (error) {
            slots.push(unreadableSlot(full, error));
            continue;
          }
          if (inside.has(folder)) skipped.push({ source: full, reason: 'symlink loop' });
          else if ((linked && covered(folder)) || walked.has(folder)) {
            // Its files are uploaded once, under the path that reached them first.
            skipped.push({ source: full, reason: 'duplicate folder link' });
          } else {
            if (linked) trees.push(folder);
            walked.add(folder);
            slots.push({ kind: 'dir', path: full, real: folder });
          }
        }
      } else if (isFile) {
        const reason = fileSkipReason(entry.name, options);
        if (reason) skipped.push({ source: full, reason });
        else slots.push({ kind: 'file', path: full });
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
    const pairImage = pairImages(slots);
    for (const slot of slots) {
      if (slot.kind === 'dir') await walk(slot.path, slot.real, level + 1, new Set(inside).add(slot.real));
      else if (slot.found!.kind === 'file' && slot.found!.size < minSize && !pairImage(slot.path)) {
        skipped.push({ source: slot.path, reason: 'empty' });
      } else out.push(slot.found!);
    }
  };
  let rootReal: string;
  try {
    rootReal = realpathSync(input);
  } catch (error) {
    return [{ kind: 'unreadable', path: input, error: linkError(input, error) }];
  }
  // The trees the walk covers (the input's, and each one a link leads into) and every folder it
  // enters: a link into one of them, or a folder met again by another path, is not walked twice.
  const trees: string[] = [];
  const walked = new Set<string>();
  // Whether the walk reaches `folder` without the link: below the input only when it would enter
  // every folder on the way (else the link is the only way to its files).
  const covered = (folder: string): boolean => {
    if (trees.some((tree) => isWithin(folder, tree))) return true;
    if (!isWithin(folder, rootReal)) return false;
    const parts = path
      .relative(rootReal, folder)
      .split(path.sep)
      .filter((p) => p !== '');
    return parts.every((p, level) => folderSkipReason(p, level, maxDepth, options.excludeDirs) === undefined);
  };
  await walk(input, rootReal, 0, new Set([rootReal]));
  return out;
}

/** Whether `folder` is `root` or below it (both real paths). */
function isWithin(folder: string, root: string): boolean {
  return folder === root || folder.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** An entry of a folder being walked: a folder to enter, or a file (its size read, or why not). */
type Slot = { kind: 'dir'; path: string; real: string } | { kind: 'file'; path: string; found?: WalkedPath };

/**
 * Which files of a folder are the image of a NIfTI `.hdr`/`.img` pair (a `.hdr` of its name is
 * beside it): never skipped as empty, since a small volume's voxels take a few bytes (one uint8
 * voxel, one byte), and a header whose image was skipped would fail without it.
 */
function pairImages(slots: readonly Slot[]): (file: string) => boolean {
  const headers = new Set<string>();
  for (const slot of slots) {
    const name = slot.kind === 'file' ? pairName(slot.path) : undefined;
    if (name?.role === 'header') headers.add(name.stem);
  }
  return (file) => {
    const name = pairName(file);
    return name?.role === 'image' && headers.has(name.stem);
  };
}

/** An entry that could not be stat'ed, reported in its place. */
function unreadableSlot(file: string, error: unknown): Slot {
  return {
    kind: 'file',
    path: file,
    found: { kind: 'unreadable', path: file, error: linkError(file, error) },
  };
}

/**
 * The error of a path that could not be stat'ed, saying so plainly when the path is a link: the
 * system's `ENOENT ... stat` names the link, not the missing target the user has to fix.
 */
function linkError(file: string, error: unknown): NodeJS.ErrnoException {
  const cause = error as NodeJS.ErrnoException;
  let target: string;
  try {
    if (!lstatSync(file).isSymbolicLink()) return cause;
    target = readlinkSync(file);
  } catch {
    return cause;
  }
  const why =
    cause.code === 'ENOENT'
      ? `it is a link to ${target}, which does not exist`
      : cause.code === 'ELOOP'
        ? `it is a link to ${target}, a loop of links`
        : `it is a link to ${target}: ${cause.message}`;
  return Object.assign(new Error(why), { code: cause.code });
}
