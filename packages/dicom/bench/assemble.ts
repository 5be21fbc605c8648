// Assembly part of `pnpm bench`: assembleSeries of the bench's 200 CT slices against a plain
// concatenation of the same bytes, and its peak memory with a lazy loader.
//
// Three things made the ratio of earlier versions of this bench move by a factor of three between
// consecutive runs, none of them a cost of assembling:
// - a run of 5 assemblies timed after a run of 10 concatenations compares two different moments of
//   a shared machine's load;
// - the forced full collection (`gc()`) before the timed assemblies (and the hundreds in the
//   peak-memory measurement before them) throws away V8's optimized code for the header parse
//   ("weak objects" deoptimizations, which the collections V8 starts by itself do not cause), so the
//   first timed rounds ran unoptimized while a starved background thread recompiled;
// - each round leaves a 105 MB output to free. A concatenation allocates nothing else and starts
//   no collection, so the next collection, and the unmapping of those outputs, fell inside an
//   assembly round (whose header objects start one): 10-15 ms of kernel time per round, charged
//   to the assembly.
// Now the two are timed in alternating rounds (baseline first in even rounds, assembly first in odd
// ones) after warm-up rounds; before each round a young-generation collection frees the previous
// round's output (it does not discard optimized code) and a pause lets V8's background threads
// finish; no full collection is forced before or between them (the peak-memory measurement, which
// forces hundreds, comes after); the ratio reported is the median of the per-round ratios.
import { type AssembleInput, assembleSeries } from '../src/index';

/** Everything the assembly bench needs from index.ts. */
export interface AssembleBenchInputs {
  /** The slices, in the (scrambled) order they are given to assembleSeries. */
  files: Uint8Array[];
  /** Their names, same order. */
  names: string[];
  /** Makes slice `k` again, for the lazy loader of the peak-memory measurement. */
  make(k: number): Uint8Array;
  /** Slice numbers in input order (`files[i]` is slice `order[i]`). */
  order: number[];
  /** A garbage collection: full by default, of the young generation with `{ type: 'minor' }`. */
  gc(options?: { type: 'major' | 'minor' }): void;
  /** The Python SDK's assembly figure, MB/s. */
  pythonMBps: number;
}

/** Medians of the alternating rounds. */
export interface AssembleBenchResult {
  /** Median of the per-round ratios assembly MB/s / concatenation MB/s, wall clock. */
  ratio: number;
  /** Same, per CPU-second. */
  cpuRatio: number;
  /** Assembly MB/s from its median wall time. */
  assembleMBps: number;
  /** Assembly MB per CPU-second from its median CPU time. */
  assembleCpuMBps: number;
}

const ROUNDS = 15;
const WARM_UP = 5;

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function settle(gc: () => void, ms: number): Promise<void> {
  gc();
  await pause(ms);
  gc();
}

/** Wall and CPU milliseconds of one call. */
async function measure(fn: () => unknown): Promise<{ wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const used = process.cpuUsage(cpu0);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

/**
 * Peak live ArrayBuffer memory of assembling with a lazy loader that makes each slice on demand,
 * sampled after a full collection at every load and at the end, relative to before the call.
 */
async function peakMemory(
  input: AssembleBenchInputs,
): Promise<{ peak: number; output: number; frames: number }> {
  await settle(input.gc, 2);
  const base = process.memoryUsage().arrayBuffers;
  let peak = 0;
  const sample = async () => {
    await settle(input.gc, 2);
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
  };
  const lazy: AssembleInput[] = input.order.map((k, i) => ({
    name: input.names[i],
    load: async () => {
      await sample();
      return input.make(k);
    },
  }));
  const result = await assembleSeries(lazy);
  await sample();
  return { peak, output: result.outputs[0].bytes.length, frames: result.outputs[0].frames };
}

/** Runs and prints the assembly bench; returns the medians for the summary of aims. */
export async function benchAssemble(input: AssembleBenchInputs): Promise<AssembleBenchResult> {
  const { files, gc } = input;
  const totalBytes = files.reduce((s, f) => s + f.length, 0);
  const MB = totalBytes / 1e6;
  const inputs: AssembleInput[] = files.map((bytes, i) => ({ name: input.names[i], bytes }));
  const count = files.length;

  // A real concatenation into a fresh buffer: Buffer.concat allocates an uninitialised buffer of
  // this size, as assembleSeries does for its output (neither pays for a zero-fill).
  const concatenate = () => Buffer.concat(files, totalBytes);
  const assemble = async () => {
    const result = await assembleSeries(inputs);
    if (result.outputs.length !== 1 || result.outputs[0].frames !== count) throw new Error('assembly failed');
  };

  for (let r = 0; r < WARM_UP; r++) {
    concatenate();
    await assemble();
  }
  const base: { wall: number; cpu: number }[] = [];
  const asm: { wall: number; cpu: number }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const pair = r % 2 === 0 ? [concatenate, assemble] : [assemble, concatenate];
    for (const fn of pair) {
      gc({ type: 'minor' });
      await pause(10);
      (fn === concatenate ? base : asm).push(await measure(fn));
    }
  }
  const wallRatios = base.map((b, r) => b.wall / asm[r].wall);
  const cpuRatios = base.map((b, r) => b.cpu / asm[r].cpu);
  const medianOf = (rows: { wall: number; cpu: number }[]) => ({
    wall: median(rows.map((x) => x.wall)),
    cpu: median(rows.map((x) => x.cpu)),
  });
  const b = medianOf(base);
  const a = medianOf(asm);
  const line = (label: string, m: { wall: number; cpu: number }) =>
    console.log(
      `${label.padEnd(46)} ${(MB / (m.wall / 1000)).toFixed(0).padStart(7)} MB/s  (${m.wall.toFixed(1)} ms) | ${(MB / (m.cpu / 1000)).toFixed(0).padStart(6)} MB per CPU-second`,
    );
  console.log(`\nassembly: ${ROUNDS} alternating rounds after ${WARM_UP} warm-ups, medians`);
  line('baseline: Buffer.concat of the files', b);
  line(`assembleSeries (${count} slices -> 1 file)`, a);
  if (process.env.DICOM_BENCH_ROUNDS) {
    for (let r = 0; r < ROUNDS; r++) {
      console.log(
        `  round ${String(r).padStart(2)}: concatenation ${base[r].wall.toFixed(1)} ms (cpu ${base[r].cpu.toFixed(1)}), assembly ${asm[r].wall.toFixed(1)} ms (cpu ${asm[r].cpu.toFixed(1)}), ratio ${wallRatios[r].toFixed(2)}`,
      );
    }
  }

  const memory = await peakMemory(input);
  const sliceSize = files[0].length;
  const extra = (memory.peak - memory.output) / sliceSize;

  const result: AssembleBenchResult = {
    ratio: median(wallRatios),
    cpuRatio: median(cpuRatios),
    assembleMBps: MB / (a.wall / 1000),
    assembleCpuMBps: MB / (a.cpu / 1000),
  };
  const sorted = [...wallRatios].sort((x, y) => x - y);
  console.log(
    `assemble / concatenation          ${result.ratio.toFixed(2)} median of rounds (per CPU-second ${result.cpuRatio.toFixed(2)}; rounds ${sorted[0].toFixed(2)}-${sorted[sorted.length - 1].toFixed(2)})`,
  );
  console.log(
    `assemble / Python SDK             ${(result.assembleMBps / input.pythonMBps).toFixed(1)}x (per CPU-second ${(result.assembleCpuMBps / input.pythonMBps).toFixed(1)}x) of ${input.pythonMBps} MB/s`,
  );
  console.log(
    `assemble peak memory (lazy load)  ${(memory.peak / 1e6).toFixed(1)} MB = output ${(memory.output / 1e6).toFixed(1)} MB + ${extra.toFixed(1)} slices of ${(sliceSize / 1e6).toFixed(2)} MB (${memory.frames} frames)`,
  );
  return result;
}
