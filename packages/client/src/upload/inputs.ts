import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mapConcurrent } from '@datamint/core';
import { ValidationError } from '../errors';
import { SNIFF_BYTES, sniffMimetype } from './mimetype';

/** Bytes, a Blob or a stream, with the name to upload it under. */
export interface NamedUpload {
  /** File name, possibly with folders (becomes `source_filepath`). */
  name: string;
  data: Uint8Array | Blob | NodeJS.ReadableStream | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;
  /** Overrides detection for this input only. */
  mimetype?: string;
}

/** A path (file or directory), a `File` (a Blob with a name) or a {@link NamedUpload}. */
export type UploadSource = string | File | NamedUpload;

/** One file to upload, after directory expansion. Content is read lazily. */
export interface UploadEntry {
  /** Index of the argument it came from. */
  inputIndex: number;
  /** How the caller named it: the path, or the name. */
  source: string;
  /** The name before normalisation (path as given, or joined under its directory). */
  name: string;
  mimetype: string | undefined;
  size: number;
  /** The type the first bytes prove (only this is kept, not the bytes, so big batches stay small). */
  sniffed: string | undefined;
  /** The content, streamed (from disk for paths and spooled streams); callable once per attempt. */
  open(): AsyncIterable<Uint8Array>;
  bytes(): Promise<Uint8Array>;
}

export interface ExpandOptions {
  /** Descend into sub-directories: `true` for any depth, a number for that many levels. */
  recursive?: boolean | number;
  /** Where streams are spooled; removed by `cleanup()`. */
  spool: Spool;
}

/** A temporary folder for stream inputs, so they can be re-sent on retry without holding them in memory. */
export class Spool {
  #dir: string | undefined;
  async file(name: string): Promise<string> {
    this.#dir ??= await mkdtemp(path.join(tmpdir(), 'datamint-upload-'));
    return path.join(this.#dir, `${Math.random().toString(36).slice(2)}-${path.basename(name)}`);
  }
  async cleanup(): Promise<void> {
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
  }
}

const SYSTEM_FILES = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);

function skippedName(name: string): boolean {
  return name.startsWith('.') || SYSTEM_FILES.has(name) || name.startsWith('~');
}

async function readHead(file: string): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const buffer = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function pathEntry(
  inputIndex: number,
  source: string,
  file: string,
  size: number,
): Promise<UploadEntry> {
  return {
    inputIndex,
    source,
    name: file,
    mimetype: undefined,
    size,
    sniffed: sniffMimetype(await readHead(file)),
    // Large reads: fewer, bigger chunks cost less CPU than the default 64 KiB.
    open: () => createReadStream(file, { highWaterMark: 1 << 20 }),
    bytes: async () => new Uint8Array(await readFile(file)),
  };
}

/** Files of a directory in name order, hidden and system files skipped. */
async function listDirectory(dir: string, depth: number): Promise<string[]> {
  const dirents = await readdir(dir, { withFileTypes: true });
  dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const d of dirents) {
    if (skippedName(d.name)) continue;
    const full = path.join(dir, d.name);
    if (d.isDirectory()) {
      if (depth > 0) files.push(...(await listDirectory(full, depth - 1)));
    } else if (d.isFile()) files.push(full);
  }
  return files;
}

function isNamedUpload(value: unknown): value is NamedUpload {
  return !!value && typeof value === 'object' && 'name' in value && 'data' in value;
}

function isFileLike(value: unknown): value is File {
  return value instanceof Blob && typeof (value as File).name === 'string' && (value as File).name !== '';
}

function blobEntry(
  inputIndex: number,
  name: string,
  blob: Blob,
  mimetype: string | undefined,
): Promise<UploadEntry> {
  return blob
    .slice(0, SNIFF_BYTES)
    .arrayBuffer()
    .then((head) => ({
      inputIndex,
      source: name,
      name,
      mimetype,
      size: blob.size,
      sniffed: sniffMimetype(new Uint8Array(head)),
      open: () => blob.stream() as unknown as AsyncIterable<Uint8Array>,
      bytes: async () => new Uint8Array(await blob.arrayBuffer()),
    }));
}

async function spoolStream(inputIndex: number, upload: NamedUpload, spool: Spool): Promise<UploadEntry> {
  const target = await spool.file(upload.name);
  const data = upload.data as NodeJS.ReadableStream | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;
  const readable =
    typeof (data as ReadableStream).getReader === 'function'
      ? Readable.fromWeb(data as import('node:stream/web').ReadableStream<Uint8Array>)
      : Readable.from(data as AsyncIterable<Uint8Array>);
  await pipeline(readable, createWriteStream(target));
  const info = await stat(target);
  const entry = await pathEntry(inputIndex, upload.name, target, info.size);
  return { ...entry, name: upload.name, mimetype: upload.mimetype };
}

/**
 * One entry per file, in input order (directories expand in name order). An input that cannot be
 * read becomes an error at its position, so `onError: 'skip'` can report it.
 */
export async function expandInput(
  input: UploadSource,
  inputIndex: number,
  options: ExpandOptions,
): Promise<UploadEntry[]> {
  if (typeof input === 'string') {
    if (input === '') throw new ValidationError(`files[${inputIndex}]`, input, 'a file or directory path');
    const info = await stat(input);
    if (info.isDirectory()) {
      const depth =
        options.recursive === true ? Number.POSITIVE_INFINITY : Math.max(0, Number(options.recursive ?? 0));
      const files = await listDirectory(input, depth);
      // Bounded: a directory of thousands of files must not open them all at once.
      return mapConcurrent(files, 16, async (file) =>
        pathEntry(inputIndex, file, file, (await stat(file)).size),
      );
    }
    return [await pathEntry(inputIndex, input, input, info.size)];
  }
  if (isFileLike(input)) return [await blobEntry(inputIndex, input.name, input, undefined)];
  if (isNamedUpload(input)) {
    if (typeof input.name !== 'string' || input.name === '') {
      throw new ValidationError(`files[${inputIndex}].name`, input.name, 'a non-empty file name');
    }
    const { data } = input;
    if (data instanceof Uint8Array) {
      const bytes = data;
      return [
        {
          inputIndex,
          source: input.name,
          name: input.name,
          mimetype: input.mimetype,
          size: bytes.byteLength,
          sniffed: sniffMimetype(bytes.subarray(0, SNIFF_BYTES)),
          open: async function* () {
            yield bytes;
          },
          bytes: async () => bytes,
        },
      ];
    }
    if (data instanceof Blob) return [await blobEntry(inputIndex, input.name, data, input.mimetype)];
    if (
      data &&
      typeof data === 'object' &&
      (typeof (data as ReadableStream).getReader === 'function' || Symbol.asyncIterator in data)
    ) {
      return [await spoolStream(inputIndex, input, options.spool)];
    }
    throw new ValidationError(`files[${inputIndex}].data`, data, 'a Uint8Array, a Blob or a readable stream');
  }
  throw new ValidationError(
    `files[${inputIndex}]`,
    input,
    'a path, a File, or { name, data } with bytes, a Blob or a stream',
  );
}
