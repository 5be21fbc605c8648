import { APIUserAbortError } from './errors';

/** How long the HTTP client waits between retries (before jitter; `Retry-After` wins when sent). */
export interface BackoffPolicy {
  /** First retry delay in ms (default 500). */
  baseDelayMs: number;
  /** Upper bound of one delay in ms (default 8000). */
  maxDelayMs: number;
}

/** Exponential backoff with ±25 % jitter so concurrent clients do not retry in lockstep. */
export function backoffDelay(
  retryIndex: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.baseDelayMs * 2 ** retryIndex, policy.maxDelayMs);
  return Math.round(exp * (1 - 0.25 * random()));
}

/**
 * Milliseconds the server asked us to wait, from `retry-after-ms`, `Retry-After` seconds or an
 * HTTP date. Values outside 0..60 s are ignored (a misbehaving server must not park us for hours).
 */
export function retryAfterMs(
  headers: Record<string, string | string[] | undefined>,
  now = Date.now(),
): number | undefined {
  const first = (name: string): string | undefined => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const candidates: number[] = [];
  const ms = first('retry-after-ms');
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) candidates.push(Number(ms));
  const ra = first('retry-after');
  if (ra !== undefined) {
    if (/^\d+(\.\d+)?$/.test(ra.trim())) candidates.push(Number(ra) * 1000);
    else {
      const at = Date.parse(ra);
      if (!Number.isNaN(at)) candidates.push(at - now);
    }
  }
  const value = candidates[0];
  if (value === undefined || value < 0 || value > 60_000) return undefined;
  return value;
}

/** Waits `ms` unless `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new APIUserAbortError({ cause: signal.reason }));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new APIUserAbortError({ cause: signal?.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
