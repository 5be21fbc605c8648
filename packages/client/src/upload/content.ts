/** A planned file's bytes, read on demand: streamed, whole, or just the first bytes. */
export interface FileContent {
  /** The content, streamed; callable once per attempt. */
  open(): AsyncIterable<Uint8Array>;
  bytes(): Promise<Uint8Array>;
  head(length: number): Promise<Uint8Array>;
}

/** In-memory content (bytes, a Blob or a File): the same in Node and browsers. */
export function memoryContent(data: Uint8Array | Blob): FileContent {
  if (data instanceof Uint8Array) {
    return {
      open: async function* () {
        yield data;
      },
      bytes: async () => data,
      head: async (length) => data.subarray(0, length),
    };
  }
  return {
    open: () => data.stream() as unknown as AsyncIterable<Uint8Array>,
    bytes: async () => new Uint8Array(await data.arrayBuffer()),
    head: async (length) => new Uint8Array(await data.slice(0, length).arrayBuffer()),
  };
}
