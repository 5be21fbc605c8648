import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { encodeMaskPng, writeNifti } from '@datamint/segmentation';
import { beforeEach, describe, expect, it } from 'vitest';
import { homeEnv, runCli } from './helpers/cli';
import { ct5n, pngGray, sharedDataAvailable } from './helpers/data';
import { API_KEY, type TestServer, uploadFixture } from './helpers/server';

const hasData = sharedDataAvailable();

const fixture = uploadFixture('datamint-cli-mask-names-');
let server: TestServer;
let work: string;
let home: string;
beforeEach(() => {
  server = fixture.server();
  home = fixture.home();
  work = fixture.work();
});

const cli = (args: string[]) =>
  runCli(args, {
    env: { ...homeEnv(home), DATAMINT_API_KEY: API_KEY, DATAMINT_API_URL: server.url, COLUMNS: '400' },
    cwd: work,
  });

/** Writes `bytes` at `rel` below the working folder, making its folders; returns the full path. */
function put(rel: string, bytes: Uint8Array): string {
  const path = join(work, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}

/** `datamint upload … --segmentation-path <masks>` with a names file that matches no mask. */
function upload(...args: string[]) {
  writeFileSync(join(work, 'names.yaml'), 'segmentation_names: [Bones]\n');
  return cli(['upload', ...args, '--segmentation-names', 'names.yaml', '--yes', '--json']);
}

/** `frame:identifier` of each segmentation the server holds for a resource, sorted. */
async function stored(resourceId: string): Promise<string[]> {
  const annotations = await server.api
    .getAnnotations({ resourceId, annotationType: 'segmentation' })
    .toArray();
  return annotations.map((a) => `${Number(a.frame_index)}:${a.identifier}`).sort();
}

const unnamedWarnings = (stderr: string) =>
  stderr.split('\n').filter((line) => line.includes('no segmentation name from --segmentation-names'));

describe('masks that no segmentation name matches', () => {
  it('a 3-D NIfTI mask keeps its labels apart on the server, with one warning', async () => {
    // 8 × 6 × 4: liver (1) on slices 0 and 1, tumour (2) on slices 2 and 3, never together.
    const [NX, NY, NZ] = [8, 6, 4];
    const labels = new Uint8Array(NX * NY * NZ);
    for (let k = 0; k < NZ; k++) labels.fill(k < 2 ? 1 : 2, k * NX * NY + 9, k * NX * NY + 20);
    put('seg/scan.nii', writeNifti({ shape: [NX, NY, NZ], data: labels.map((_, i) => i % 200) }));
    const mask = put('seg/labels.nii', writeNifti({ shape: [NX, NY, NZ], data: labels }));
    const result = await upload('seg/scan.nii', '--segmentation-path', 'seg/labels.nii');
    expect(result.code, result.stderr).toBe(0);
    expect(unnamedWarnings(result.stderr)).toEqual([
      `warning: no segmentation name from --segmentation-names occurs in ${mask}: its labels are named "seg" when it holds one label value, "seg_<value>" ("seg_1", "seg_2", …) when it holds several`,
    ]);
    const report = JSON.parse(result.stdout);
    expect(report.results[0].segmentationIds).toHaveLength(NZ);
    // The Python SDK names every one of these slices `seg`.
    expect(await stored(report.results[0].id)).toEqual(['0:seg_1', '1:seg_1', '2:seg_2', '3:seg_2']);
  });

  it.skipIf(!hasData)('warns once for a series whose slices each have an unnamed mask', async () => {
    const slices = readdirSync(ct5n);
    // Each slice's mask, named like the slice (not `<n>.*`, which would mean frame n), is a 16 × 16
    // one-frame NIfTI holding labels 1 (left) and 2 (right).
    const labels = Uint8Array.from({ length: 256 }, (_, i) => (i % 16 < 4 ? 1 : i % 16 >= 12 ? 2 : 0));
    for (const f of slices) {
      put(`images/ct/slice-${f}`, readFileSync(join(ct5n, f)));
      put(`segs/ct/slice-${f.replace(/\.dcm$/, '.nii')}`, writeNifti({ shape: [16, 16], data: labels }));
    }
    const result = await upload('images', '-r', '--segmentation-path', 'segs');
    expect(result.code, result.stdout).toBe(0);
    expect(unnamedWarnings(result.stderr)).toEqual([
      `warning: no segmentation name from --segmentation-names occurs in the ${slices.length} masks in ${join(work, 'segs/ct')}: each mask's labels are named "seg" when it holds one label value, "seg_<value>" ("seg_1", "seg_2", …) when it holds several`,
    ]);
    const report = JSON.parse(result.stdout);
    expect(report.results).toHaveLength(1);
    const names = await stored(report.results[0].id);
    expect(names).toEqual(slices.flatMap((_, frame) => [`${frame}:seg_1`, `${frame}:seg_2`]).sort());
  });
});

describe.skipIf(!hasData)('system files in a mask folder', () => {
  it('leaves out ._labels.png and .DS_Store beside labels.png, as the upload walk does for images', async () => {
    put('images/case1/img.png', readFileSync(pngGray));
    // A 32 × 32 mask, the image's size, with one label in its top rows.
    const labels = Uint8Array.from({ length: 32 * 32 }, (_, i) => (i < 32 * 8 ? 1 : 0));
    const mask = put(
      'segs/case1/labels.png',
      encodeMaskPng({ width: 32, height: 32, data: labels }, { colour: 'gray' }),
    );
    // What macOS leaves on foreign disks: an AppleDouble resource fork and a folder's view settings.
    put('segs/case1/._labels.png', Uint8Array.from([0, 5, 22, 7, 0, 2, 0, 0, ...new Array(74).fill(0)]));
    put('segs/case1/.DS_Store', Uint8Array.from([0, 0, 0, 1, 66, 117, 100, 49, ...new Array(64).fill(0)]));
    const args = ['upload', 'images', '-r', '--segmentation-path', 'segs', '--json'];
    const dry = await cli([...args, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan.problems).toEqual([]);
    expect(plan.resources.map((r: { masks: { path: string }[] }) => r.masks.map((m) => m.path))).toEqual([
      [mask],
    ]);
    const up = await cli([...args, '--yes']);
    expect(up.code, up.stderr).toBe(0);
    const report = JSON.parse(up.stdout);
    expect(report.totals).toMatchObject({ inputs: 1, resources: 1, failed: 0 });
    expect(report.results[0].segmentationIds).toHaveLength(1);
  });
});
