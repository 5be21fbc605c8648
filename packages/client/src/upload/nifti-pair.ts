/**
 * NIfTI `.hdr`/`.img` pairs: the header and the image of one volume in two files, which the
 * platform cannot read apart. An upload pairs them by name and sends one single-file NIfTI (`.nii`):
 * the header made a single file's (through `@datamint/segmentation`, the home of the NIfTI layout),
 * then the image's voxels, inflated as they are sent when the `.img` is gzipped.
 */
import {
  isAnalyzeHeader,
  type NiftiHeader,
  pairHeaderToSingleFile,
  readNiftiHeader,
} from '@datamint/segmentation';
import type { FileContent } from './content';
import { GZIP_MAGIC_BYTES, headerBytes, isGzip } from './leading-bytes';
import { firstBytes } from './mimetype';
import type { UploadContent } from './multipart-body';
import { throwIfAborted } from './pacer';
import type { PlannedNiftiPair } from './plan-types';
import { NiftiPairError } from './upload-errors';

/** A file's part in a pair, by its name: the path without `.hdr`/`.img` (and `.gz`), and which half. */
export interface PairName {
  /** The path or name without its extension: the two files of a pair share it. */
  stem: string;
  /** `header` for `.hdr`/`.hdr.gz`, `image` for `.img`/`.img.gz`. */
  role: 'header' | 'image';
}

// The stem ends with a character that is not a separator: `.hdr` alone names no pair.
const PAIR_NAME = /^(.*[^\\/])\.(hdr|img)(\.gz)?$/i;

/** The name's part in a `.hdr`/`.img` pair, or `undefined` for any other name. */
export function pairName(source: string): PairName | undefined {
  const match = PAIR_NAME.exec(source);
  if (!match) return undefined;
  return { stem: match[1]!, role: match[2]!.toLowerCase() === 'hdr' ? 'header' : 'image' };
}

/** The name of the `.nii` a pair is uploaded as: the header's name with `.hdr`/`.hdr.gz` made `.nii`. */
export function joinedName(headerName: string): string {
  return headerName.replace(/\.hdr(\.gz)?$/i, '.nii');
}

/** The last part of a path, for messages that name a file's partner. */
export function baseName(source: string): string {
  return source.split(/[\\/]/).pop() ?? source;
}

/** Where a pair's voxels are in its `.img`, as its header says. */
export interface PairVoxels {
  /** The header's `vox_offset`: bytes of the `.img` before the voxels. */
  imageOffset: number;
  /** The voxels' bytes: every dimension's size times `bitpix` / 8. */
  voxelBytes: number;
}

/** Where the voxels of a pair's header are, or why the header cannot tell. */
export function pairVoxels(header: NiftiHeader): PairVoxels | { reason: string } {
  if (header.dims.length === 0) return { reason: `dim[0] is ${header.rank}, expected 1..7` };
  const bad = header.dims.findIndex((d) => !Number.isSafeInteger(d) || d < 1);
  if (bad >= 0) return { reason: `dim[${bad + 1}] is ${header.dims[bad]}, expected a positive size` };
  if (header.bitpix < 8 || header.bitpix % 8 !== 0) {
    return { reason: `bitpix is ${header.bitpix}, expected whole bytes per voxel` };
  }
  const voxelBytes = header.dims.reduce((n, d) => n * d, header.bitpix / 8);
  if (!Number.isSafeInteger(voxelBytes)) return { reason: `${header.dims.join('x')} voxels are too many` };
  const offset = header.voxOffset;
  if (!Number.isSafeInteger(offset) || offset < 0) {
    return { reason: `vox_offset is ${offset}, expected a whole number of bytes >= 0` };
  }
  return { imageOffset: offset, voxelBytes };
}

/** What a `.hdr` holds, as pairing sees it. */
export type PairHeader =
  | {
      /** A NIfTI pair's header that says where its voxels are. */
      kind: 'pair';
      /** The start of the single file: the header made a single file's. */
      start: Uint8Array;
      /** The header as read. */
      header: NiftiHeader;
      /** Where its voxels are in the `.img`. */
      voxels: PairVoxels;
    }
  | {
      /** A header the pair cannot be uploaded with: `reason` says why. */
      kind: 'refused';
      /** Why, without the file's name. */
      reason: string;
    }
  | {
      /** Not the header of a pair (a single-file NIfTI or another format named `.hdr`): left as it is. */
      kind: 'other';
    };

/** What a `.hdr`'s first bytes (gunzipped) say about the pair it heads. */
export function classifyPairHeader(bytes: Uint8Array): PairHeader {
  const start = pairHeaderToSingleFile(bytes);
  if (start === undefined) {
    if (!isAnalyzeHeader(bytes)) return { kind: 'other' };
    return {
      kind: 'refused',
      reason:
        'an Analyze 7.5 header (no NIfTI magic): the platform reads NIfTI, so convert the pair to NIfTI (.nii) first',
    };
  }
  const header = readNiftiHeader(bytes)!;
  const voxels = pairVoxels(header);
  if ('reason' in voxels) {
    return {
      kind: 'refused',
      reason: `a NIfTI-${header.version} pair header that cannot be read: ${voxels.reason}`,
    };
  }
  return { kind: 'pair', start, header, voxels };
}

/** What the header says the voxels are, for messages: `79x67x64 voxels of 32 bits (1355008 bytes)`. */
export function voxelsSaid(header: NiftiHeader, voxels: PairVoxels): string {
  const at = voxels.imageOffset ? ` from byte ${voxels.imageOffset}` : '';
  return `${header.dims.join('x')} voxels of ${header.bitpix} bits (${voxels.voxelBytes} bytes${at})`;
}

/**
 * gzip data inflated as it streams (DecompressionStream: the same in Node and browsers). A failure
 * to read `chunks` is thrown as it is; bytes that do not inflate are thrown as `corrupt(error)`.
 * Stopping early (a consumer that has what it needs) stops reading `chunks`.
 */
export async function* inflated(
  chunks: AsyncIterable<Uint8Array>,
  corrupt: (error: unknown) => Error,
): AsyncGenerator<Uint8Array, void, undefined> {
  const stream = new DecompressionStream('gzip');
  const writer = stream.writable.getWriter();
  let sourceFailure: { error: unknown } | undefined;
  const pump = (async () => {
    const source = chunks[Symbol.asyncIterator]();
    for (;;) {
      let step: IteratorResult<Uint8Array>;
      try {
        step = await source.next();
      } catch (error) {
        sourceFailure = { error };
        await writer.abort(error).catch(() => undefined);
        return;
      }
      if (step.done) break;
      try {
        await writer.write(step.value as Uint8Array<ArrayBuffer>);
      } catch {
        // The inflating side failed or was cancelled: what is left of the source is not wanted.
        await source.return?.().catch(() => undefined);
        return;
      }
    }
    await writer.close().catch(() => undefined);
  })();
  const reader = stream.readable.getReader();
  try {
    for (;;) {
      let step: ReadableStreamReadResult<Uint8Array>;
      try {
        step = await reader.read();
      } catch (error) {
        throw sourceFailure ? sourceFailure.error : corrupt(error);
      }
      if (step.done) return;
      yield step.value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
    await pump;
  }
}

/**
 * `length` bytes of a stream from `offset`, as they come; reading stops once they are out. A stream
 * that ends first throws `short(found)`, `found` being the bytes it had from `offset`.
 */
export async function* byteRange(
  chunks: AsyncIterable<Uint8Array>,
  offset: number,
  length: number,
  short: (found: number) => Error,
): AsyncGenerator<Uint8Array, void, undefined> {
  let skip = offset;
  let left = length;
  if (left === 0) return;
  for await (let chunk of chunks) {
    if (skip > 0) {
      const n = Math.min(skip, chunk.length);
      skip -= n;
      chunk = chunk.subarray(n);
    }
    if (chunk.length === 0) continue;
    const part = chunk.length > left ? chunk.subarray(0, left) : chunk;
    left -= part.length;
    yield part;
    if (left === 0) return;
  }
  throw short(length - left);
}

/**
 * How many bytes a stream has, counting no further than `limit` (reading stops there). `signal`
 * is checked at each chunk: counting a big gzipped image inflates all of it, which an abort must not
 * have to wait for. Stopping closes the stream, so no more of it is read.
 */
export async function countUpTo(
  chunks: AsyncIterable<Uint8Array>,
  limit: number,
  signal?: AbortSignal,
): Promise<number> {
  let count = 0;
  throwIfAborted(signal);
  for await (const chunk of chunks) {
    throwIfAborted(signal);
    count += chunk.length;
    if (count >= limit) return count;
  }
  return count;
}

/**
 * Whether a pair's image is gzipped, which its name says: `.img.gz` is, `.img` is not. The content
 * does not decide: a plain image starts with voxels, which may be any bytes, gzip's magic among
 * them. A `.img.gz` that is not gzip data throws, naming the file.
 */
export async function imageIsGzip(content: FileContent, source: string): Promise<boolean> {
  if (!/\.gz$/i.test(source)) return false;
  const head = await content.prefix(Math.max(GZIP_MAGIC_BYTES, 8));
  if (isGzip(head)) return true;
  throw new NiftiPairError(
    source,
    `is named .gz but is not gzip data (${firstBytes(head)}): rename it .img if it is not compressed`,
  );
}

/** The image's bytes, inflated when it is gzip (a `.img.gz`); `source` names it when it does not inflate. */
export function imageChunks(
  content: FileContent,
  size: number,
  gzip: boolean,
  source: string,
): AsyncIterable<Uint8Array> {
  const raw = content.open(size);
  if (!gzip) return raw;
  return inflated(raw, (error) => {
    const why = error instanceof Error ? error.message : String(error);
    return new NiftiPairError(source, `is not readable gzip data (${why})`);
  });
}

/** The two files of a planned pair, read when the unit is sent. */
export interface PairFiles {
  /** The `.hdr`'s content and how the caller named it. */
  header: { content: FileContent; source: string };
  /** The `.img`'s content, its size as planning measured it, and how the caller named it. */
  image: { content: FileContent; source: string; size: number };
}

/**
 * What a pair sends: the single file's header, then the image's voxels, streamed (inflated on the
 * way when gzipped). Its size is known before a byte is read, so the request declares its length.
 * The header is read again when the body opens: one that no longer says what planning read fails
 * the unit rather than send a `.nii` whose header and voxels disagree.
 */
export function niftiPairContent(files: PairFiles, pair: PlannedNiftiPair): UploadContent {
  const { header, image } = files;
  return {
    size: pair.headerBytes + pair.voxelBytes,
    async *open() {
      const now = classifyPairHeader(await headerBytes(header.content));
      if (
        now.kind !== 'pair' ||
        now.start.length !== pair.headerBytes ||
        now.voxels.imageOffset !== pair.imageOffset ||
        now.voxels.voxelBytes !== pair.voxelBytes
      ) {
        throw new NiftiPairError(header.source, 'changed since the upload was planned (plan it again)');
      }
      yield now.start;
      yield* byteRange(
        imageChunks(image.content, image.size, pair.imageGzip, image.source),
        pair.imageOffset,
        pair.voxelBytes,
        (found) =>
          new NiftiPairError(
            image.source,
            `holds ${found} bytes of voxels, but ${baseName(header.source)} says ${voxelsSaid(now.header, now.voxels)}`,
          ),
      );
    },
  };
}
