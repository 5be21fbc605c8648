import path from 'node:path';
import { mapSettled } from '@datamint/core';
import type { FileContent } from './content';
import type { PlannedOrigin } from './input-types';
import { GZIP_MAGIC_BYTES, headerBytes, isGzip } from './leading-bytes';
import {
  baseName,
  classifyPairHeader,
  countUpTo,
  imageChunks,
  imageIsGzip,
  type PairName,
  pairName,
  voxelsSaid,
} from './nifti-pair';
import { throwIfAborted } from './pacer';
import type { PlannedNiftiPair, PlanProblem } from './plan-types';
import { NiftiPairError } from './upload-errors';

/** A file being planned, as pairing sees it (the planner's drafts have these fields). */
export interface PairDraft {
  /** Position among the expanded files. */
  position: number;
  /** The file as the inputs expanded to it. */
  item: { source: string; size: number; origin: PlannedOrigin };
  /** Why it cannot be uploaded, once something said so. */
  problem?: PlanProblem['error'];
  /** Its type as planning settled it (content first, then the name). */
  file?: { mimetype: string | undefined };
  /** Set for a DICOM: it keeps its own way (a DICOM named `.img` is a DICOM). */
  dicom?: unknown;
}

/** A `.hdr` and its `.img`, to upload as one `.nii`. */
export interface NiftiPairing<D> {
  /** The `.hdr`'s draft. */
  header: D;
  /** The `.img`'s draft. */
  image: D;
  /** What the unit needs to send them joined. */
  pair: PlannedNiftiPair;
  /** The header's first bytes, gunzipped (the image's size is read from them). */
  head: Uint8Array;
}

/** What pairing reads and reports with. */
export interface PairingContext<D> {
  /** The draft's bytes. */
  content(d: D): FileContent;
  /** The caller gave the file's type: it is uploaded as it is, never paired. */
  typedByCaller(d: D): boolean;
  /** The problem of an error met while reading a draft. */
  problemOf(error: unknown): PlanProblem['error'];
  /** Stops pairing, also while a gzipped image is inflated to count its voxels. */
  signal?: AbortSignal | undefined;
  /** How many stems are paired at once (their images read at once); default 1. */
  concurrency?: number | undefined;
}

function pairProblem(reason: string): PlanProblem['error'] {
  return { name: 'NiftiPairError', message: reason };
}

/** The names a half of the pair may have, for messages: `air.img or air.img.gz`. */
function namesOf(stem: string, role: PairName['role']): string {
  const base = baseName(stem);
  const ext = role === 'header' ? 'hdr' : 'img';
  return `${base}.${ext} or ${base}.${ext}.gz`;
}

/**
 * What groups the two files of a pair. For a file found on disk, its stem resolved: the same folder
 * may be named `./scans`, `scans` or `/data/scans` by two arguments. For an in-memory input, or a
 * stream copied to disk under a name of its own, the name the caller gave is all there is.
 */
function stemKey(item: PairDraft['item'], stem: string): string {
  const onDisk = item.origin.kind === 'path' && item.origin.path === item.source;
  return onDisk ? path.resolve(stem) : stem;
}

/** The drafts named like the halves of a pair, by stem, in plan order. */
function byStem<D extends PairDraft>(
  drafts: readonly D[],
  context: PairingContext<D>,
): Map<string, { headers: D[]; images: D[] }> {
  const stems = new Map<string, { headers: D[]; images: D[] }>();
  for (const d of drafts) {
    const name = pairName(d.item.source);
    if (!name || d.dicom !== undefined || context.typedByCaller(d)) continue;
    const key = stemKey(d.item, name.stem);
    let group = stems.get(key);
    if (!group) {
      group = { headers: [], images: [] };
      stems.set(key, group);
    }
    (name.role === 'header' ? group.headers : group.images).push(d);
  }
  return stems;
}

/**
 * The voxel bytes an image holds from `imageOffset`, up to what is needed: a plain file's size, a
 * gzipped one's inflated (stopping once there are enough).
 */
async function voxelBytesFound<D extends PairDraft>(
  image: D,
  gzip: boolean,
  needed: number,
  context: PairingContext<D>,
): Promise<number> {
  if (!gzip) return image.item.size;
  const chunks = imageChunks(context.content(image), image.item.size, true, image.item.source);
  return countUpTo(chunks, needed, context.signal);
}

/** Pairs one header with the first free image of its stem, or says on each file why it cannot. */
async function pairHeader<D extends PairDraft>(
  header: D,
  free: D[],
  stem: string,
  context: PairingContext<D>,
): Promise<NiftiPairing<D> | 'refused' | 'other'> {
  let head: Uint8Array;
  try {
    head = await headerBytes(context.content(header));
  } catch (error) {
    throwIfAborted(context.signal);
    header.problem = context.problemOf(error);
    return 'refused';
  }
  const said = classifyPairHeader(head);
  if (said.kind === 'other') return 'other';
  if (said.kind === 'refused') {
    header.problem = pairProblem(said.reason);
    return 'refused';
  }
  const image = free.shift();
  const version = `NIfTI-${said.header.version}`;
  if (!image) {
    header.problem = pairProblem(
      `the header of a ${version} .hdr/.img pair, but its image (${namesOf(stem, 'image')}) is not among the files to upload: give both files, or their folder`,
    );
    return 'refused';
  }
  const imageName = baseName(image.item.source);
  if (image.problem) {
    header.problem = pairProblem(`its image ${imageName} cannot be uploaded (see there)`);
    return 'refused';
  }
  const { imageOffset, voxelBytes } = said.voxels;
  let gzip = false;
  let found: number;
  try {
    gzip = await imageIsGzip(context.content(image), image.item.source);
    found = (await voxelBytesFound(image, gzip, imageOffset + voxelBytes, context)) - imageOffset;
  } catch (error) {
    // An abort stops the plan: it says nothing of the image.
    throwIfAborted(context.signal);
    image.problem = error instanceof NiftiPairError ? pairProblem(error.reason) : context.problemOf(error);
    header.problem = pairProblem(`its image ${imageName} cannot be read (see there)`);
    return 'refused';
  }
  if (found < voxelBytes) {
    // The name says whether an image is gzipped; a short one that starts like gzip was misnamed.
    const start = gzip
      ? undefined
      : await context
          .content(image)
          .prefix(GZIP_MAGIC_BYTES)
          .catch(() => undefined);
    const misnamed = start !== undefined && isGzip(start);
    image.problem = pairProblem(
      `holds ${Math.max(0, found)} bytes of voxels${gzip ? ' (gunzipped)' : ''}, but ${baseName(header.item.source)} says ${voxelsSaid(said.header, said.voxels)}${misnamed ? `; it starts like gzip data: if it is compressed, name it ${imageName}.gz` : ''}`,
    );
    header.problem = pairProblem(`its image ${imageName} is shorter than this header says (see there)`);
    return 'refused';
  }
  return {
    header,
    image,
    head,
    pair: {
      version: said.header.version,
      headerBytes: said.start.length,
      imageOffset,
      voxelBytes,
      imageGzip: gzip,
    },
  };
}

/**
 * The pairs of one stem: each header takes the first free image. An image left over is its
 * header's problem too when the header is refused, and uploaded as it is when the header is no
 * pair's (an ENVI or Radiance `.hdr` beside its `.img`).
 */
async function pairStem<D extends PairDraft>(
  stem: string,
  { headers, images }: { headers: D[]; images: D[] },
  context: PairingContext<D>,
): Promise<NiftiPairing<D>[]> {
  const pairs: NiftiPairing<D>[] = [];
  // An image that cannot be read is still its header's: the header then says so.
  const free = [...images];
  let refused: D | undefined;
  let other = false;
  for (const header of headers) {
    throwIfAborted(context.signal);
    if (header.problem) {
      refused ??= header;
      continue;
    }
    const outcome = await pairHeader(header, free, stem, context);
    if (outcome === 'refused') refused ??= header;
    else if (outcome === 'other') other = true;
    else pairs.push(outcome);
  }
  for (const image of free) {
    if (image.problem) continue;
    if (refused) {
      image.problem = pairProblem(
        `the image of ${baseName(refused.item.source)}, which cannot be uploaded (see there)`,
      );
    } else if (!other && image.file?.mimetype === undefined) {
      image.problem = pairProblem(
        `the image of a .hdr/.img pair, but its NIfTI header (${namesOf(stem, 'header')}) is not among the files to upload: give both files, or their folder`,
      );
    }
  }
  return pairs;
}

/**
 * Finds the NIfTI `.hdr`/`.img` pairs among the drafts: same folder, same name but the extension
 * (`.hdr` or `.hdr.gz` with `.img` or `.img.gz`), a header whose magic says pair (`ni1`/`ni2`) and an
 * image holding the voxels it says. Whatever stands in the way is a problem on each file concerned:
 * a header without its image, an image without its header, an Analyze 7.5 header, an image too
 * short. Left as they are: a `.hdr` that is no pair's header (a single-file NIfTI, another format)
 * with the `.img` beside it, and a lone `.img` whose content planning recognised (a DICOM or a PNG
 * named `.img`). Stems are paired `concurrency` at a time; an abort ends pairing with
 * `APIUserAbortError`, even within a gzipped image being counted.
 */
export async function pairNiftiFiles<D extends PairDraft>(
  drafts: readonly D[],
  context: PairingContext<D>,
): Promise<NiftiPairing<D>[]> {
  const settled = await mapSettled(
    byStem(drafts, context),
    context.concurrency ?? 1,
    ([stem, group]) => pairStem(stem, group, context),
    context.signal ? { signal: context.signal } : {},
  );
  throwIfAborted(context.signal);
  return settled.flatMap((s) => {
    if (!s.ok) throw s.error;
    return s.value;
  });
}
