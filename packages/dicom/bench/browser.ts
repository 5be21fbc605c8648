// Browser vs Node: anonymize + assemble 200 generated 512x512 CT slices in headless Chromium (the
// built package loaded through an import map, no bundler) and in Node, in the same run. Reports the
// browser/Node throughput ratio (aim >= 0.7) and checks both produce the same bytes.
// Standalone: node --import tsx bench/browser.ts (after pnpm build).
import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumPath, launchChromium } from '@datamint/test-support/browser';
import { servedUrl, startNoBundlerSite } from '@datamint/test-support/no-bundler';
import * as dicom from '../src/index';
import { ctSlices } from './ct-slices';

const COUNT = 200;
const ROUNDS = 4;
const KEY = 'bench-key';

/**
 * One anonymize + assemble of every slice, as JavaScript source run unchanged by Node and by the page
 * (lazy loads, as an upload does): returns the assembled bytes' length and SHA-256.
 */
const RUN = `async function run(dicom, slices, key, sha256) {
  const anonymizer = dicom.createAnonymizer({ key });
  let uid = 0;
  const inputs = slices.map((bytes, i) => ({ name: 'slice' + i + '.dcm', load: async () => anonymizer.anonymize(bytes, { fileName: 'slice' + i + '.dcm' }) }));
  const { outputs } = await dicom.assembleSeries(inputs, { newUid: () => '2.25.' + ++uid });
  if (outputs.length !== 1) throw new Error('expected one assembled series, got ' + outputs.length);
  return { bytes: outputs[0].bytes.length, sha256: await sha256(outputs[0].bytes) };
}`;

type Run = (
  lib: unknown,
  slices: Uint8Array[],
  key: string,
  sha256: (b: Uint8Array) => Promise<string>,
) => Promise<{ bytes: number; sha256: string }>;

const source = ctSlices();
const executablePath = source ? chromiumPath() : undefined;
if (!source || !executablePath) process.exit(0);

// Slices in a scrambled order so assembly really sorts; written to disk for the page to fetch.
const order = Array.from({ length: COUNT }, (_, i) => (i * 73) % COUNT);
const slices = order.map((k) => source.make(k));
const MB = slices.reduce((sum, s) => sum + s.length, 0) / 1e6;
const dir = fileURLToPath(new URL('../../../.tmp/bench-browser-slices/', import.meta.url));
await rm(dir, { recursive: true, force: true });
await mkdir(dir, { recursive: true });
for (const [i, bytes] of slices.entries()) await writeFile(join(dir, `${i}.dcm`), bytes);

// Node
const run = new Function(`return (${RUN})`)() as Run;
const sha256 = async (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
let nodeBest = Number.POSITIVE_INFINITY;
let nodeResult: { bytes: number; sha256: string } | undefined;
for (let r = 0; r < ROUNDS; r++) {
  const start = performance.now();
  nodeResult = await run(dicom, slices, KEY, sha256);
  nodeBest = Math.min(nodeBest, (performance.now() - start) / 1000);
}

// Chromium, same code against the built package
const site = await startNoBundlerSite(['dicom'], [dir]);
const browser = await launchChromium(executablePath);
try {
  const page = await browser.newPage();
  await page.goto(`${site.origin}/`);
  const base = servedUrl(site, dir);
  const browserRun = (await page.evaluate(`(async () => {
    const run = ${RUN};
    const dicom = await import('@datamint/dicom');
    const slices = await Promise.all(Array.from({ length: ${COUNT} }, async (_, i) =>
      new Uint8Array(await (await fetch(${JSON.stringify(base)} + '/' + i + '.dcm')).arrayBuffer())));
    const sha256 = async (b) => Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', b)), (x) => x.toString(16).padStart(2, '0')).join('');
    let best = Infinity;
    let result;
    for (let r = 0; r < ${ROUNDS}; r++) {
      const start = performance.now();
      result = await run(dicom, slices, ${JSON.stringify(KEY)}, sha256);
      best = Math.min(best, (performance.now() - start) / 1000);
    }
    return { best, result };
  })()`)) as { best: number; result: { bytes: number; sha256: string } };

  const same = browserRun.result.sha256 === nodeResult?.sha256;
  const ratio = nodeBest / browserRun.best;
  console.log(
    `\n@datamint/dicom in Chromium vs Node: anonymize + assemble ${COUNT} CT slices 512x512 (${MB.toFixed(1)} MB), best of ${ROUNDS}`,
  );
  console.log(`  Node      ${(MB / nodeBest).toFixed(1).padStart(7)} MB/s  (${nodeBest.toFixed(2)} s)`);
  console.log(
    `  Chromium  ${(MB / browserRun.best).toFixed(1).padStart(7)} MB/s  (${browserRun.best.toFixed(2)} s, no bundler)`,
  );
  console.log(
    `  browser/Node throughput ratio ${ratio.toFixed(2)} (aim >= 0.7) ${ratio >= 0.7 ? 'ok' : 'BELOW AIM'}`,
  );
  console.log(`  same assembled bytes: ${same ? 'yes' : 'NO'}`);
  if (!same) process.exitCode = 1;
} finally {
  await browser.close();
  await site.close();
  await rm(dir, { recursive: true, force: true });
}
