import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ValidationError } from '../errors';
import type { NamedUpload, PlannedOrigin, SkippedFile, UploadSource, WalkOptions } from './input-types';
import { walkPath } from './walk';

// Defined in the leaf module of input types so the options need not import the walker.
export type { NamedUpload, UploadSource } from './input-types';

/** One file an input expanded to, or a path of it that could not be read. */
export type ExpandedItem =
  | {
      kind: 'file';
      inputIndex: number;
      source: string;
      origin: PlannedOrigin;
      size: number;
      /** The caller's mimetype for this input (a {@link NamedUpload}'s). */
      mimetype: string | undefined;
    }
  | { kind: 'unreadable'; inputIndex: number; source: string; error: NodeJS.ErrnoException };

/** A temporary folder for stream inputs, so they can be re-sent on retry without holding them in memory. */
export class Spool {
  #dir: string | undefined;
  get dir(): string | undefined {
    return this.#dir;
  }
  async file(name: string): Promise<string> {
    this.#dir ??= await mkdtemp(path.join(tmpdir(), 'datamint-upload-'));
    return path.join(this.#dir, `${Math.random().toString(36).slice(2)}-${path.basename(name)}`);
  }
}

/** Removes a plan's spool folder (stream inputs copied while planning). */
export async function removeSpool(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

function isNamedUpload(value: unknown): value is NamedUpload {
  return !!value && typeof value === 'object' && 'name' in value && 'data' in value;
}

function isFileLike(value: unknown): value is File {
  return value instanceof Blob && typeof (value as File).name === 'string' && (value as File).name !== '';
}

function isStream(data: unknown): boolean {
  return (
    !!data &&
    typeof data === 'object' &&
    (typeof (data as ReadableStream).getReader === 'function' || Symbol.asyncIterator in data)
  );
}

async function spoolStream(upload: NamedUpload, spool: Spool): Promise<{ path: string; size: number }> {
  const target = await spool.file(upload.name);
  const data = upload.data as NodeJS.ReadableStream | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;
  const readable =
    typeof (data as ReadableStream).getReader === 'function'
      ? Readable.fromWeb(data as import('node:stream/web').ReadableStream<Uint8Array>)
      : Readable.from(data as AsyncIterable<Uint8Array>);
  await pipeline(readable, createWriteStream(target));
  return { path: target, size: (await stat(target)).size };
}

/** Rejects inputs of the wrong type before anything is read. */
export function checkInput(input: unknown, inputIndex: number): void {
  if (typeof input === 'string') {
    if (input === '') throw new ValidationError(`files[${inputIndex}]`, input, 'a file or directory path');
    return;
  }
  if (isFileLike(input)) return;
  if (isNamedUpload(input)) {
    if (typeof input.name !== 'string' || input.name === '') {
      throw new ValidationError(`files[${inputIndex}].name`, input.name, 'a non-empty file name');
    }
    const { data } = input;
    if (data instanceof Uint8Array || data instanceof Blob || isStream(data)) return;
    throw new ValidationError(`files[${inputIndex}].data`, data, 'a Uint8Array, a Blob or a readable stream');
  }
  throw new ValidationError(
    `files[${inputIndex}]`,
    input,
    'a path, a File, or { name, data } with bytes, a Blob or a stream',
  );
}

/**
 * The files of one input, in order (directories expand in name order). Streams are copied to the
 * spool so a retry can send them again; in-memory data stays the caller's. `pace` is the plan's
 * event-loop pacer, shared by the walks of all its inputs.
 */
export async function expandInput(
  input: UploadSource,
  inputIndex: number,
  options: WalkOptions,
  spool: Spool,
  skipped: SkippedFile[],
  pace?: () => Promise<void> | undefined,
): Promise<ExpandedItem[]> {
  if (typeof input === 'string') {
    return (await walkPath(input, options, skipped, pace)).map((found) =>
      found.kind === 'file'
        ? {
            kind: 'file',
            inputIndex,
            source: found.path,
            origin: { kind: 'path', path: found.path },
            size: found.size,
            mimetype: undefined,
          }
        : { kind: 'unreadable', inputIndex, source: found.path, error: found.error },
    );
  }
  if (isFileLike(input)) {
    return [
      {
        kind: 'file',
        inputIndex,
        source: input.name,
        origin: { kind: 'input', inputIndex },
        size: input.size,
        mimetype: undefined,
      },
    ];
  }
  const upload = input as NamedUpload;
  const { data } = upload;
  if (data instanceof Uint8Array || data instanceof Blob) {
    const size = data instanceof Uint8Array ? data.byteLength : data.size;
    return [
      {
        kind: 'file',
        inputIndex,
        source: upload.name,
        origin: { kind: 'input', inputIndex },
        size,
        mimetype: upload.mimetype,
      },
    ];
  }
  const spooled = await spoolStream(upload, spool);
  return [
    {
      kind: 'file',
      inputIndex,
      source: upload.name,
      origin: { kind: 'path', path: spooled.path },
      size: spooled.size,
      mimetype: upload.mimetype,
    },
  ];
}
