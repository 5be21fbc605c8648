import { parentPort } from 'node:worker_threads';
import { HttpError } from '../errors';
import { type RenderTask, runRenderTask } from './render-tasks';

/** A task's failure as it crosses back to the main thread (class instances do not survive the copy). */
export interface WorkerFailure {
  statusCode?: number;
  error?: string;
  message: string;
  headers?: Record<string, string>;
}

// Entry of a render worker thread: decodes what the main thread posts, one task at a time, so a
// slow or huge decode never holds up the event loop that serves everyone else.
parentPort?.on('message', async (message: { id: number; task: RenderTask }) => {
  try {
    const result = await runRenderTask(message.task);
    parentPort?.postMessage({ id: message.id, ok: true, result });
  } catch (err) {
    const failure: WorkerFailure =
      err instanceof HttpError
        ? { statusCode: err.statusCode, error: err.error, message: err.message, headers: err.headers }
        : { message: err instanceof Error ? err.message : String(err) };
    parentPort?.postMessage({ id: message.id, ok: false, failure });
  }
});
