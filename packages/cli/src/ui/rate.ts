/**
 * Transfer rate and time left for the progress line: pure functions over timed samples, so the
 * numbers are tested as a table and the bar only renders them.
 */

/** Bytes done at a moment (milliseconds on any monotonic clock). */
export interface RateSample {
  atMs: number;
  bytes: number;
}

/** How far back the rate looks: long enough to smooth bursts, short enough to follow a slowdown. */
export const RATE_WINDOW_MS = 10_000;

/**
 * Keeps the samples a rate needs: those within `windowMs` of the newest, plus the one just before
 * the window (so a rate exists even when updates are rarer than the window).
 */
export function addSample(
  samples: readonly RateSample[],
  sample: RateSample,
  windowMs = RATE_WINDOW_MS,
): RateSample[] {
  const all = [...samples, sample];
  let first = 0;
  while (first < all.length - 2 && all[first + 1]!.atMs <= sample.atMs - windowMs) first++;
  return all.slice(first);
}

/** Bytes per second over the samples; undefined until they span some time. */
export function bytesPerSecond(samples: readonly RateSample[]): number | undefined {
  if (samples.length < 2) return undefined;
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const ms = last.atMs - first.atMs;
  if (ms <= 0) return undefined;
  return Math.max(0, ((last.bytes - first.bytes) / ms) * 1000);
}

/** Seconds left at `rate`; undefined when unknown (no rate yet, or nothing moving). */
export function etaSeconds(remainingBytes: number, rate: number | undefined): number | undefined {
  if (remainingBytes <= 0) return 0;
  if (rate === undefined || rate <= 0 || !Number.isFinite(rate)) return undefined;
  return Math.ceil(remainingBytes / rate);
}

/** `42s`, `3m05s`, `1h02m`: short enough for a progress line; `--` when unknown. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '--';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(s / 3600);
  if (h >= 100) return '>99h';
  return `${h}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
