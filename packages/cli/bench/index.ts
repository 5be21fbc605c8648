/**
 * `pnpm bench` for @datamint/cli: planning `datamint upload` with the client's planUpload and the
 * command's defaults (walk, stat, sniff, parse every DICOM header, leave out DICOM reports, group
 * series) over 10,000 files, against a plain recursive
 * readdir + stat of the same tree. Each measurement runs in a fresh child process, so its peak RSS
 * is its own. Reported as ratios measured in the same run, never asserted.
 *
 * The tree: 50 DICOM series of 160 slices each, made from a real CT slice of ../shared/data with new
 * UIDs and positions; 1,500 PNGs; 500 small NIfTI volumes.
 *
 * Then memory against file size: the same 800 slices planned twice, once made from a 16x16 CT slice
 * (4 KiB files) and once from a real 512x512 CT slice (520 KiB files). Planning reads headers only,
 * so peak RSS should not grow with the files' sizes.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { planUpload } from '@datamint/client';
import { parseDicom, writeDicom } from '@datamint/dicom';
import { writeNifti } from '@datamint/segmentation';

const SERIES = 50;
const SLICES = 160;
const PNGS = 1500;
const NIFTIS = 500;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const self = fileURLToPath(import.meta.url);
const shared = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
const sliceFile = join(shared, 'dicom', 'series', 'pydicom_ct5n', '2062.dcm');
const largeSliceFile = join(shared, 'dicom', 'series', 'dcm_qa_ct_philips_S2010', 'I10');
const SIZE_SERIES = 5;
const pngFile = join(shared, 'png', 'pngsuite', 'basn0g08.png');

interface Tree {
  root: string;
  files: number;
  bytes: number;
}

/** A tree of `series` DICOM series of SLICES slices each, made from `slicePath`. */
function makeSeriesTree(slicePath: string, series: number, prefix: string): Tree {
  const tree: Tree = { root: mkdtempSync(join(tmpdir(), prefix)), files: 0, bytes: 0 };
  addSeries(tree, slicePath, series);
  return tree;
}

function put(tree: Tree, path: string, data: Uint8Array): void {
  writeFileSync(path, data);
  tree.files++;
  tree.bytes += data.byteLength;
}

function addSeries(tree: Tree, slicePath: string, count: number): void {
  const slice = parseDicom(readFileSync(slicePath));
  for (let s = 0; s < count; s++) {
    const dir = join(tree.root, `patient${s % 10}`, `study${s}`, `series${s}`);
    mkdirSync(dir, { recursive: true });
    const series = `1.2.826.0.1.3680043.8.498.${s + 1}`;
    for (let i = 0; i < SLICES; i++) {
      put(
        tree,
        join(dir, `IM${String(i).padStart(4, '0')}.dcm`),
        writeDicom(slice, [
          { tag: 'StudyInstanceUID', action: 'set', value: `${series}.1` },
          { tag: 'SeriesInstanceUID', action: 'set', value: series },
          { tag: 'SOPInstanceUID', action: 'set', value: `${series}.2.${i + 1}` },
          { tag: 'InstanceNumber', action: 'set', value: String(i + 1) },
          { tag: 'ImagePositionPatient', action: 'set', value: `0\\0\\${i * 1.25}` },
        ]),
      );
    }
  }
}

function makeTree(): Tree {
  const tree = makeSeriesTree(sliceFile, SERIES, 'datamint-cli-plan-bench-');
  const root = tree.root;
  const png = readFileSync(pngFile);
  const nifti = writeNifti({ shape: [16, 16, 4], data: new Uint8Array(16 * 16 * 4).fill(1) });
  for (let i = 0; i < PNGS; i++) {
    const dir = join(root, 'photos', `batch${i % 30}`);
    mkdirSync(dir, { recursive: true });
    put(tree, join(dir, `photo${i}.png`), png);
  }
  for (let i = 0; i < NIFTIS; i++) {
    const dir = join(root, 'volumes', `case${i % 20}`);
    mkdirSync(dir, { recursive: true });
    put(tree, join(dir, `vol${i}.nii`), nifti);
  }
  return tree;
}

/** Peak RSS of planning the same series made of small and of large slices. */
async function memoryAgainstFileSize(): Promise<void> {
  const trees = [
    makeSeriesTree(sliceFile, SIZE_SERIES, 'datamint-cli-plan-small-'),
    makeSeriesTree(largeSliceFile, SIZE_SERIES, 'datamint-cli-plan-large-'),
  ];
  try {
    const [small, large] = [await measureIn('plan', trees[0]!.root), await measureIn('plan', trees[1]!.root)];
    const kib = (t: Tree) => (t.bytes / t.files / 1024).toFixed(0);
    console.log(
      `memory against file size (${trees[0]!.files} slices in ${SIZE_SERIES} series, planned alone):`,
    );
    console.log(
      `  ${kib(trees[0]!).padStart(4)} KiB per file (${(trees[0]!.bytes / 1e6).toFixed(0).padStart(4)} MB): peak RSS ${small.rssPeakMb.toFixed(0)} MB, retained heap ${small.retainedMb.toFixed(1)} MB`,
    );
    console.log(
      `  ${kib(trees[1]!).padStart(4)} KiB per file (${(trees[1]!.bytes / 1e6).toFixed(0).padStart(4)} MB): peak RSS ${large.rssPeakMb.toFixed(0)} MB, retained heap ${large.retainedMb.toFixed(1)} MB`,
    );
    console.log(
      `  peak RSS ratio ${(large.rssPeakMb / small.rssPeakMb).toFixed(2)}x for files ${(trees[1]!.bytes / trees[0]!.bytes).toFixed(0)}x larger (aim: about 1x)`,
    );
  } finally {
    for (const tree of trees) rmSync(tree.root, { recursive: true, force: true });
  }
}

async function walkAndStat(dir: string): Promise<number> {
  let count = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) count += await walkAndStat(path);
    else {
      await stat(path);
      count++;
    }
  }
  return count;
}

function peakRssMb(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

interface Measure {
  ms: number;
  rssPeakMb: number;
  /** Heap still held by the result after a forced GC (the plan itself, for planUpload). */
  retainedMb: number;
  /** Size of the result as JSON (what a plan costs to keep or send). */
  resultKb: number;
  items: number;
}

/** One measurement, in this (child) process. */
async function child(kind: 'baseline' | 'plan', root: string): Promise<Measure> {
  const gc = globalThis.gc ?? (() => undefined);
  gc();
  const before = process.memoryUsage().heapUsed;
  const start = process.hrtime.bigint();
  const result =
    kind === 'baseline'
      ? await walkAndStat(root)
      : await planUpload([root], { recursive: true, assembleDicoms: true, discardDicomReports: true });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  gc();
  const retainedMb = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
  const items = typeof result === 'number' ? result : result.units.reduce((n, u) => n + u.files.length, 0);
  return { ms, rssPeakMb: peakRssMb(), retainedMb, resultKb: JSON.stringify(result).length / 1024, items };
}

async function measureIn(kind: 'baseline' | 'plan', root: string): Promise<Measure> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...process.execArgv, '--expose-gc', self, kind, root],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as Measure;
}

const [mode, arg] = process.argv.slice(2);
if (mode === 'baseline' || mode === 'plan') {
  console.log(JSON.stringify(await child(mode, arg!)));
} else if (mode === 'tree') {
  // For profiling: `node --import tsx bench/index.ts tree` leaves the tree and prints its path.
  console.log(makeTree().root);
} else {
  const tree = makeTree();
  try {
    let base: Measure | undefined;
    let plan: Measure | undefined;
    const ratios: number[] = [];
    // Alternating rounds, best of each: the machine is shared, so the fastest round is the least disturbed.
    for (let round = 0; round < ROUNDS; round++) {
      const b = await measureIn('baseline', tree.root);
      const p = await measureIn('plan', tree.root);
      ratios.push(p.ms / b.ms);
      if (!base || b.ms < base.ms) base = b;
      if (!plan || p.ms < plan.ms) plan = p;
    }
    const line = (name: string, m: Measure) =>
      console.log(
        `  ${name.padEnd(28)} ${m.ms.toFixed(0).padStart(6)} ms  peak RSS ${m.rssPeakMb.toFixed(0).padStart(4)} MB  retained heap ${m.retainedMb.toFixed(1)} MB`,
      );
    console.log(
      `planning ${tree.files} files (${SERIES} DICOM series x ${SLICES} slices, ${PNGS} PNG, ${NIFTIS} NIfTI; ${(tree.bytes / 1e6).toFixed(1)} MB), best of ${ROUNDS}:`,
    );
    line('baseline readdir + stat', base!);
    line('planUpload (recursive)', plan!);
    console.log(
      `  ratio plan/baseline: time ${(plan!.ms / base!.ms).toFixed(2)}x (aim <= 3x), peak RSS ${(plan!.rssPeakMb / base!.rssPeakMb).toFixed(2)}x`,
    );
    // The load of a shared machine moves both sides; each round's own ratio shows the spread.
    console.log(
      `  ratio per round (baseline and plan back to back): ${Math.min(...ratios).toFixed(2)}x to ${Math.max(...ratios).toFixed(2)}x`,
    );
    console.log(
      `  the plan: ${plan!.items} files in it, ${plan!.resultKb.toFixed(0)} kB as JSON (${((plan!.resultKb * 1024) / plan!.items).toFixed(0)} B per file), retained heap ${((plan!.retainedMb * 1024 * 1024) / plan!.items).toFixed(0)} B per file, for files of ${(tree.bytes / tree.files / 1024).toFixed(1)} KiB on average`,
    );
  } finally {
    rmSync(tree.root, { recursive: true, force: true });
  }
  await memoryAgainstFileSize();
}
