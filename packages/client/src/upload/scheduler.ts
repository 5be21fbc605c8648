import type { UploadBytesProgress, UploadProgress } from './types';

/** What a job ends with: whether it succeeded, and why not. */
export interface JobOutcome {
  ok: boolean;
  error?: Error | undefined;
}

/** One job of the scheduler: its size (for progress) and the work, told how far its bytes got. */
export interface ScheduledJob<T extends JobOutcome> {
  size: number;
  source: string;
  unitId: string;
  run(sent: (bytes: number) => void, restart: () => void): Promise<T>;
}

export interface ScheduleOptions {
  concurrency: number;
  /** After a failed job no new one starts (those in flight finish). */
  stopOnError: boolean;
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: UploadProgress) => void) | undefined;
  onBytes?: ((progress: UploadBytesProgress) => void) | undefined;
}

/**
 * Runs jobs with at most `concurrency` in flight, reporting files and bytes. After a failure with
 * `stopOnError`, an abort, or a throwing callback, no new job starts; those in flight finish.
 * Returns each job's outcome at its index (`undefined` for jobs never started).
 */
export async function runScheduled<T extends JobOutcome>(
  jobs: readonly ScheduledJob<T>[],
  options: ScheduleOptions,
): Promise<(T | undefined)[]> {
  const outcomes: (T | undefined)[] = new Array(jobs.length);
  // Input sizes, fixed up front: transformed units change size, the totals must not.
  const bytesTotal = jobs.reduce((sum, j) => sum + j.size, 0);
  let next = 0;
  let done = 0;
  let bytesDone = 0;
  let stop = false;
  let callbackError: { error: unknown } | undefined;
  // Bytes streamed by the jobs in flight (each capped at its size), for onBytes.
  const inFlight = new Map<number, number>();
  let inFlightTotal = 0;
  const reportBytes = () => {
    if (!options.onBytes) return;
    try {
      options.onBytes({ bytesSent: bytesDone + inFlightTotal, bytesTotal });
    } catch (error) {
      callbackError ??= { error };
      stop = true;
    }
  };
  const setInFlight = (index: number, bytes: number) => {
    inFlightTotal += bytes - (inFlight.get(index) ?? 0);
    inFlight.set(index, bytes);
  };
  const worker = async () => {
    while (!stop && next < jobs.length) {
      if (options.signal?.aborted) return;
      const index = next++;
      const job = jobs[index]!;
      let sent = 0;
      const outcome = await job.run(
        (n) => {
          sent += n;
          setInFlight(index, Math.min(sent, job.size));
          reportBytes();
        },
        () => {
          sent = 0;
          setInFlight(index, 0);
        },
      );
      outcomes[index] = outcome;
      setInFlight(index, 0);
      inFlight.delete(index);
      done++;
      bytesDone += job.size;
      reportBytes();
      if (!outcome.ok && options.stopOnError) stop = true;
      try {
        options.onProgress?.({
          filesDone: done,
          filesTotal: jobs.length,
          bytesDone,
          bytesTotal,
          source: job.source,
          unitId: job.unitId,
          ok: outcome.ok,
          ...(outcome.ok || !outcome.error ? {} : { error: outcome.error }),
        });
      } catch (error) {
        // A throwing callback stops the upload like an error, after the files in flight.
        callbackError ??= { error };
        stop = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, jobs.length) }, worker));
  if (callbackError) throw callbackError.error;
  return outcomes;
}
