/**
 * Says how many leading bytes are wanted in total, given those read so far; asked after each read.
 * Asking for no more than it has ends the read, and so does the end of the file.
 */
export type WantMore = (bytes: Uint8Array) => number;

/** A planned file's bytes, read on demand: streamed, whole, or just the leading bytes. */
export interface FileContent {
  /** The content, streamed; callable once per attempt. */
  open(): AsyncIterable<Uint8Array>;
  bytes(): Promise<Uint8Array>;
  /**
   * The first `length` bytes (fewer at the end of the file), then as many more as `more` asks for,
   * through one opening of the file: planning sniffs the type and reads a DICOM header from one read.
   */
  prefix(length: number, more?: WantMore): Promise<Uint8Array>;
}

/** Grows `first` bytes by asking `more`, reading each missing range with `read(offset, length)`. */
export async function readPrefix(
  length: number,
  more: WantMore | undefined,
  read: (offset: number, length: number) => Promise<Uint8Array>,
): Promise<Uint8Array> {
  let bytes = await read(0, length);
  for (;;) {
    const want = more ? more(bytes) : 0;
    // A short read is the end of the file: there is nothing more to give.
    if (want <= bytes.length || bytes.length < length) return bytes;
    const tail = await read(bytes.length, want - bytes.length);
    const grown = new Uint8Array(bytes.length + tail.length);
    grown.set(bytes);
    grown.set(tail, bytes.length);
    bytes = grown;
    length = want;
  }
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
