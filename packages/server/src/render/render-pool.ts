import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HttpError, ServiceUnavailableError } from '../errors';
import type { RenderTask, RenderTaskArgs, RenderTaskResults } from './render-tasks';
import type { WorkerFailure } from './render-worker';

/** Size of the render worker pool and of its wait queue. */
export interface RenderPoolOptions {
  /** Worker threads decoding at once. */
  workers: number;
  /** Tasks that may wait for a free worker; one more is a 503. */
  queueLimit: number;
}

interface Job {
  id: number;
  task: RenderTask;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
}

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; failure: WorkerFailure };

/**
 * Starts one worker thread. From the built package it is `render-worker.js` beside this module's
 * bundle; from source (tests, tsx) the worker registers tsx first so it can load the `.ts` entry.
 */
function startWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./render-worker.js', here));
  const tsxDir = dirname(createRequire(here).resolve('tsx/package.json'));
  const tsx = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./render-worker.ts', here).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true });
}

function failureError(failure: WorkerFailure): Error {
  if (failure.statusCode !== undefined) {
    return new HttpError(
      failure.statusCode,
      failure.error ?? 'Error',
      failure.message,
      failure.headers ?? {},
    );
  }
  return new Error(failure.message);
}

/**
 * Decodes user data (frame rendering, mask and volume checks, archive frames) on worker threads, so
 * one large or hostile file never blocks the event loop serving other requests. At most `workers`
 * tasks run at once and `queueLimit` wait; past that, a 503 asks the client to retry. Workers start
 * on first use and do not keep the process alive; a worker that dies (out of memory) fails its task
 * with a 503 and is replaced.
 */
export class RenderPool {
  readonly #options: RenderPoolOptions;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #nextId = 0;
  #closed = false;

  constructor(options: RenderPoolOptions) {
    this.#options = options;
  }

  /** Runs one task on a worker; rejects with the task's HttpError, or a 503 when the queue is full. */
  run<K extends keyof RenderTaskArgs>(kind: K, args: RenderTaskArgs[K]): Promise<RenderTaskResults[K]> {
    return new Promise((resolve, reject) => {
      if (this.#closed) {
        reject(new ServiceUnavailableError('the server is shutting down'));
        return;
      }
      const job: Job = {
        id: this.#nextId++,
        task: { kind, args } as RenderTask,
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      const slot = this.#idleSlot();
      if (slot) {
        this.#start(slot, job);
        return;
      }
      if (this.#queue.length >= this.#options.queueLimit) {
        reject(
          new ServiceUnavailableError(
            `the server is busy decoding other files: ${this.#options.workers} render worker(s) busy and ${this.#queue.length} request(s) waiting (renderQueueLimit ${this.#options.queueLimit}); retry shortly`,
          ),
        );
        return;
      }
      this.#queue.push(job);
    });
  }

  /** Stops every worker; queued tasks fail with a 503. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0))
      job.reject(new ServiceUnavailableError('the server is shutting down'));
    await Promise.all(this.#slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  #idleSlot(): Slot | undefined {
    const idle = this.#slots.find((s) => s.job === undefined);
    if (idle) return idle;
    if (this.#slots.length >= this.#options.workers) return undefined;
    const slot: Slot = { worker: startWorker(), job: undefined };
    slot.worker.unref();
    slot.worker.on('message', (reply: Reply) => this.#finish(slot, reply));
    slot.worker.on('error', (err) => this.#lose(slot, err));
    slot.worker.on('exit', (code) => this.#lose(slot, new Error(`exited with code ${code}`)));
    this.#slots.push(slot);
    return slot;
  }

  #start(slot: Slot, job: Job): void {
    slot.job = job;
    slot.worker.postMessage({ id: job.id, task: job.task });
  }

  #finish(slot: Slot, reply: Reply): void {
    const job = slot.job;
    if (!job || job.id !== reply.id) return;
    slot.job = undefined;
    if (reply.ok) job.resolve(reply.result);
    else job.reject(failureError(reply.failure));
    this.#next(slot);
  }

  /** A worker died: its task fails with a 503 and a fresh worker takes the queue. */
  #lose(slot: Slot, err: Error): void {
    const index = this.#slots.indexOf(slot);
    if (index === -1) return;
    this.#slots.splice(index, 1);
    void slot.worker.terminate();
    slot.job?.reject(
      new ServiceUnavailableError(`the render worker stopped while decoding this file (${err.message})`),
    );
    slot.job = undefined;
    if (this.#closed) return;
    const next = this.#queue.shift();
    if (next) this.#start(this.#idleSlot()!, next);
  }

  #next(slot: Slot): void {
    const job = this.#queue.shift();
    if (job) this.#start(slot, job);
  }
}
