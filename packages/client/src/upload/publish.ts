import { mapSettled } from '@datamint/core';
import type { HandlerContext } from '../context';
import { addToDataset, publishOne } from '../resources';
import type { Project } from '../types';

/**
 * Publishes the created resources, then adds them to the project. Returns the failures by resource
 * id (each resource fails alone).
 */
export async function publishAll(
  ctx: HandlerContext,
  ids: readonly string[],
  project: Project | undefined,
  concurrency: number,
  signal: AbortSignal | undefined,
): Promise<Map<string, unknown>> {
  const failures = new Map<string, unknown>();
  const call = { ...(signal ? { signal } : {}) };
  const settled = await mapSettled(ids, concurrency, (id) => publishOne(ctx, id, call), call);
  settled.forEach((s, i) => {
    if (!s.ok) failures.set(ids[i]!, s.error);
  });
  const published = ids.filter((id) => !failures.has(id));
  if (project && published.length > 0) {
    try {
      await addToDataset(ctx, project.dataset_id, published, call);
    } catch (error) {
      for (const id of published) failures.set(id, error);
    }
  }
  return failures;
}
