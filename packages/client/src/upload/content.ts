/**
 * Says how many leading bytes are wanted in total, given those read so far; asked after each read.
 * Asking for no more than it has ends the read, and so does the end of the file.
 */
export type WantMore = (bytes: Uint8Array) => number;

/** A planned file's bytes, read on demand: streamed, whole, or just the leading bytes. */
export interface FileContent {
  /**
   * The content, streamed; callable once per attempt. `expectedSize` (what planning measured) sizes
   * the reads of a file on disk; the stream still ends where the content ends.
   */
  open(expectedSize?: number): AsyncIterable<Uint8Array>;
  bytes(): Promise<Uint8Array>;
  /**
   * For content that can be read synchronously (a file on disk): the content from its start into
   * `target`, as much as fits, returning the bytes read.
   */
  readInto?(target: Uint8Array): number;
  /**
   * The first `length` bytes (fewer at the end of the file), then as many more as `more` asks for,
   * through one opening of the file: planning sniffs the type and reads a DICOM header from one read.
   * `scratch`, when it holds `length` bytes, may receive the first read instead of a new buffer:
   * what is returned is then only good until the scratch is used again.
   */
  prefix(length: number, more?: WantMore, scratch?: Uint8Array): Promise<Uint8Array>;
}

/** How many bytes to read after `bytes` (a read of `length` asked), 0 when the prefix is complete. */
function missing(bytes: Uint8Array, length: number, more: WantMore | undefined): number {
  const want = more ? more(bytes) : 0;
  // A short read is the end of the file: there is nothing more to give.
  return want <= bytes.length || bytes.length < length ? 0 : want - bytes.length;
}

function joined(head: Uint8Array, tail: Uint8Array): Uint8Array {
  const grown = new Uint8Array(head.length + tail.length);
  grown.set(head);
  grown.set(tail, head.length);
  return grown;
}

/** Grows `first` bytes by asking `more`, reading each missing range with `read(offset, length)`. */
export async function readPrefix(
  length: number,
  more: WantMore | undefined,
  read: (offset: number, length: number) => Promise<Uint8Array>,
): Promise<Uint8Array> {
  let bytes = await read(0, length);
  for (let n = missing(bytes, length, more); n > 0; n = missing(bytes, length, more)) {
    length = bytes.length + n;
    bytes = joined(bytes, await read(bytes.length, n));
  }
  return bytes;
}

/** {@link readPrefix} with a synchronous `read`. */
export function readPrefixSync(
  length: number,
  more: WantMore | undefined,
  read: (offset: number, length: number) => Uint8Array,
): Uint8Array {
  let bytes = read(0, length);
  for (let n = missing(bytes, length, more); n > 0; n = missing(bytes, length, more)) {
    length = bytes.length + n;
    bytes = joined(bytes, read(bytes.length, n));
  }
  return bytes;
}

/** In-memory content (bytes, a Blob or a File): the same in Node and browsers. */
export function memoryContent(data: Uint8Array | Blob): FileContent {
  if (data instanceof Uint8Array) {
    return {
      open: async function* () {
        yield data;
      },
      bytes: async () => data,
      prefix: (length, more) =>
        readPrefix(length, more, async (offset, n) => data.subarray(offset, offset + n)),
    };
  }
  return {
    open: () => data.stream() as unknown as AsyncIterable<Uint8Array>,
    bytes: async () => new Uint8Array(await data.arrayBuffer()),
    prefix: (length, more) =>
      readPrefix(
        length,
        more,
        async (offset, n) => new Uint8Array(await data.slice(offset, offset + n).arrayBuffer()),
      ),
  };
}
