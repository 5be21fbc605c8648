import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIUserAbortError, planUpload } from '../src';
import { grayPng } from './helpers/images';

/**
 * A signal that reports aborted from its `afterChecks`-th look on: planning looks at it once per
 * input, folder and file, so this stops planning at a known point without timing.
 */
function abortingAfter(afterChecks: number): {
  signal: AbortSignal;
  checks: () => number;
  lateChecks: () => number;
} {
  let checks = 0;
  let late = 0;
  const signal = {
    get aborted() {
      checks++;
      if (checks >= afterChecks) late++;
      return checks >= afterChecks;
    },
    reason: new Error('stopped by the test'),
  } as unknown as AbortSignal;
  return { signal, checks: () => checks, lateChecks: () => late };
}

const FOLDERS = 4;
const PER_FOLDER = 100;

describe('planUpload with an abort signal', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'dm-plan-abort-'));
    for (let f = 0; f < FOLDERS; f++) {
      const dir = path.join(root, `d${f}`);
      await mkdir(dir);
      for (let i = 0; i < PER_FOLDER; i++)
        await writeFile(path.join(dir, `${i}.png`), grayPng(2, 2, i % 250));
    }
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('rejects with APIUserAbortError when the signal has already fired, carrying its reason', async () => {
    const controller = new AbortController();
    controller.abort(new Error('not now'));
    const error = await planUpload([root], { recursive: true, signal: controller.signal }).catch((e) => e);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect((error as APIUserAbortError).cause).toBe(controller.signal.reason);
  });

  it('stops walking a big folder at the next file once aborted, instead of planning the rest', async () => {
    const { signal, lateChecks } = abortingAfter(60);
    await expect(planUpload([root], { recursive: true, signal })).rejects.toBeInstanceOf(APIUserAbortError);
    // One look ends the walk, one more tells planning it was stopped: the other ~340 files are
    // never visited.
    expect(lateChecks()).toBe(2);
  });

  it('stops reading file heads at the next file once aborted', async () => {
    // The walk looks once per input, folder and file; the head reads come after it.
    const walkChecks = 1 + 1 + FOLDERS + FOLDERS * PER_FOLDER;
    const { signal, lateChecks } = abortingAfter(walkChecks + 50);
    await expect(planUpload([root], { recursive: true, signal })).rejects.toBeInstanceOf(APIUserAbortError);
    expect(lateChecks()).toBe(1);
  });

  it('plans everything when the signal never fires', async () => {
    const { signal, checks } = abortingAfter(Number.POSITIVE_INFINITY);
    const plan = await planUpload([root], { recursive: true, signal });
    expect(plan.units).toHaveLength(FOLDERS * PER_FOLDER);
    expect(plan.problems).toEqual([]);
    expect(checks()).toBeGreaterThan(2 * FOLDERS * PER_FOLDER);
  });
});
