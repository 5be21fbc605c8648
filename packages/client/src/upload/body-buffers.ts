/**
 * Request-body buffers reused across the uploads of one run. A fresh buffer for every file makes
 * the operating system map, zero and later unmap new pages for each upload: for files of a few
 * hundred KiB that cost more system time than reading the file into it. A buffer goes back to the
 * pool only after its request was answered with success, which the server gives only once it has
 * read the whole body (it stores the file before creating the resource): every byte has then left
 * the socket, so none is still queued from the buffer. Undici does not wait for that itself:
 * a body given as bytes counts as sent once handed to the socket.
 */
export class BodyBufferPool {
  readonly #free: Uint8Array[] = [];
  readonly #maxFree: number;

  /** `maxFree`: buffers kept between requests (one per upload slot is enough). */
  constructor(maxFree: number) {
    this.#maxFree = maxFree;
  }

  /** The buffers of one request, taken per attempt and given back when it succeeded. */
  lease(): BodyLease {
    let held: Uint8Array | undefined;
    return {
      take: (size) => {
        // A retried attempt's earlier buffer is abandoned: its socket may not be done with it.
        held = this.#take(size);
        return held.subarray(0, size);
      },
      release: () => {
        if (held) this.#give(held);
        held = undefined;
      },
    };
  }

  /** The smallest free buffer that holds `size` bytes, or a new one. */
  #take(size: number): Uint8Array {
    let best = -1;
    for (let i = 0; i < this.#free.length; i++) {
      const length = this.#free[i]!.byteLength;
      if (length >= size && (best < 0 || length < this.#free[best]!.byteLength)) best = i;
    }
    if (best >= 0) return this.#free.splice(best, 1)[0]!;
    // Rounded up so that files of nearly the same size share buffers.
    return unfilled(Math.ceil(size / ROUNDING) * ROUNDING);
  }

  #give(buffer: Uint8Array): void {
    if (this.#free.length < this.#maxFree) {
      this.#free.push(buffer);
      return;
    }
    // Full: keep the larger buffers, which serve every smaller request too.
    let smallest = 0;
    for (let i = 1; i < this.#free.length; i++) {
      if (this.#free[i]!.byteLength < this.#free[smallest]!.byteLength) smallest = i;
    }
    if (this.#free[smallest]!.byteLength < buffer.byteLength) this.#free[smallest] = buffer;
  }
}

/** The body buffer of one request. */
export interface BodyLease {
  /** A buffer of `size` bytes for the current attempt (its contents are undefined). */
  take(size: number): Uint8Array;
  /** The request succeeded: its buffer may serve another request. */
  release(): void;
}

const ROUNDING = 64 * 1024;

/**
 * A buffer for a read or a body: not zero-filled (only the bytes written are handed on), and not
 * from Node's shared pool, so it starts its own ArrayBuffer like any other Uint8Array.
 */
export function unfilled(length: number): Uint8Array {
  return new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
}
