/**
 * `pnpm bench`: planning `datamint upload` (the client's planUpload: walk, stat, sniff, name) against
 * a plain recursive readdir + stat over the same tree, measured in the same run. Prints the ratio
 * (1.0 = as fast as the baseline).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planUpload } from '@datamint/client';

const DIRS = 100;
const FILES_PER_DIR = 100;
const ROUNDS = 5;

function makeTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'datamint-cli-bench-'));
  for (let d = 0; d < DIRS; d++) {
    const dir = join(root, `case${d}`, 'series');
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < FILES_PER_DIR; f++) writeFileSync(join(dir, `IM${f}.txt`), 'some content');
    writeFileSync(join(root, `case${d}`, '.DS_Store'), 'x');
  }
  return root;
}

async function baseline(dir: string): Promise<number> {
  let count = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) count += await baseline(path);
    else {
      await stat(path);
      count++;
    }
  }
  return count;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
}

const root = makeTree();
try {
  const files = DIRS * FILES_PER_DIR;
  const base = await time(() => baseline(root));
  const ours = await time(() => planUpload([root], { recursive: true }));
  console.log(`planning ${files} files in ${DIRS * 2} folders (median of ${ROUNDS}):`);
  console.log(`  baseline readdir+stat  ${base.toFixed(1)} ms`);
  console.log(`  planUpload             ${ours.toFixed(1)} ms`);
  console.log(`  ratio                  ${(ours / base).toFixed(2)}x the baseline`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
