import { APIUserAbortError } from '@datamint/core';

/**
 * How long synchronous file-system work may hold the event loop before yielding: short enough that
 * timers, progress output and aborts stay responsive, long enough that yielding costs little.
 */
export const PACE_MS = 8;

function nextTurn(): Promise<void> {
  // setImmediate runs after pending I/O callbacks; browsers (no file system, so rarely here) have
  // only timers.
  return new Promise((resolve) =>
    typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
  );
}

/** Throws the typed abort error when `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  // Typed like every other abort (AbortSignal.throwIfAborted would throw the signal's DOMException).
  if (signal?.aborted) throw new APIUserAbortError({ cause: signal.reason });
}

/**
 * A pacer for a loop of synchronous work: awaiting it between items yields to the event loop once
 * `budgetMs` have passed since the last yield, and otherwise returns at once. Once `signal` has
 * fired it throws `APIUserAbortError`, so a long loop stops at its next item.
 */
export function eventLoopPacer(
  budgetMs: number = PACE_MS,
  signal?: AbortSignal,
): () => Promise<void> | undefined {
  let since = performance.now();
  return () => {
    throwIfAborted(signal);
    const now = performance.now();
    if (now - since < budgetMs) return undefined;
    return nextTurn().then(() => {
      since = performance.now();
    });
  };
}
