#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
/**
 * `pnpm quickstart`: the whole tour on a laptop, no account needed. Starts the local server, makes a
 * synthetic CT series with PHI and a label mask, uploads it with the real `datamint upload`, adds a
 * line in patient coordinates, downloads the result and checks the round trip.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { run } from '@datamint/cli';
import { type Annotation, APIHandler } from '@datamint/client';
import { parseDicom } from '@datamint/dicom';
import { startServer } from '@datamint/server';
import { makeCtPhantom, type Phantom } from './sample-data/ct-phantom';

interface QuickstartOptions {
  keep: boolean;
  dataDir: string | undefined;
}

function parseArgs(argv: readonly string[]): QuickstartOptions {
  const options: QuickstartOptions = { keep: false, dataDir: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--keep') options.keep = true;
    else if (arg === '--data-dir') options.dataDir = argv[++i];
    else if (arg === '--') continue;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(
        'usage: pnpm quickstart [-- --keep] [-- --data-dir DIR]\n  --keep      leave the server running afterwards (Ctrl-C stops it)\n  --data-dir  keep the server data and sample files in DIR\n',
      );
      process.exit(0);
    } else throw new Error(`unknown quickstart option ${arg} (try --help)`);
  }
  return options;
}

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (s: string) => (color ? `\u001b[1m${s}\u001b[0m` : s);
const green = (s: string) => (color ? `\u001b[32m${s}\u001b[0m` : s);
const red = (s: string) => (color ? `\u001b[31m${s}\u001b[0m` : s);

const STEPS = 7;

/** Numbered step headings; the counter lives in the run, not in the module. */
function stepper(): (title: string, detail?: string) => void {
  let n = 0;
  return (title, detail = '') => {
    n++;
    process.stdout.write(`\n${bold(`[${n}/${STEPS}] ${title}`)}${detail ? `  ${detail}` : ''}\n`);
  };
}

class CheckFailed extends Error {
  override name = 'CheckFailed';
}

function check(condition: boolean, what: string, detail: string): void {
  if (!condition) throw new CheckFailed(`${what}: ${detail}`);
  process.stdout.write(`  ${green('ok')}  ${what}\n`);
}

async function writeSample(
  dir: string,
  phantom: Phantom,
): Promise<{ images: string; segmentations: string; names: string }> {
  // The layout of the Python docs: images/<case>/... and segmentations/<case>/... side by side.
  const images = join(dir, 'images');
  const segmentations = join(dir, 'segmentations');
  await mkdir(join(images, 'phantom'), { recursive: true });
  await mkdir(join(segmentations, 'phantom'), { recursive: true });
  for (const slice of phantom.slices) await writeFile(join(images, 'phantom', slice.name), slice.bytes);
  await writeFile(join(segmentations, 'phantom', 'labels.nii'), phantom.maskNifti);
  const names = join(dir, 'names.yaml');
  await writeFile(names, 'class_names:\n  1: Bone\n  2: Lesion\n');
  return { images, segmentations, names };
}

export async function quickstart(argv: readonly string[]): Promise<number> {
  const options = parseArgs(argv);
  const root = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'datamint-quickstart-')));
  const apiKey = `quickstart-${randomBytes(12).toString('hex')}`;
  const step = stepper();
  process.stdout.write(bold('Datamint quickstart: local server, real CLI upload, round-trip checks\n'));

  step('Start the local Datamint-compatible server');
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    dataDir: join(root, 'server-data'),
    apiKeys: [apiKey],
  });
  process.stdout.write(`  ${server.url}  (data in ${join(root, 'server-data')})\n`);
  const api = new APIHandler({ rootUrl: server.url, apiKey, configFile: null, env: {} });
  let failed = false;
  try {
    step('Generate sample data', '(synthetic CT phantom with patient identifiers + NIfTI label mask)');
    const phantom = makeCtPhantom({ size: 64, slices: 8 });
    const sample = await writeSample(join(root, 'sample'), phantom);
    process.stdout.write(
      `  ${phantom.slices.length} single-frame DICOM slices ${phantom.size}x${phantom.size} in ${join(sample.images, 'phantom')}\n` +
        `  patient ${phantom.identity.patientName}, id ${phantom.identity.patientId}, born ${phantom.identity.patientBirthDate}\n` +
        `  label mask (1 = Bone, 2 = Lesion) in ${join(sample.segmentations, 'phantom', 'labels.nii')}\n`,
    );

    step('datamint upload', '(assembly, anonymization and segmentation matching, as on the command line)');
    const args = [
      'upload',
      sample.images,
      '--recursive',
      '--segmentation-path',
      sample.segmentations,
      '--segmentation-names',
      sample.names,
      '--tag',
      'quickstart',
      '--channel',
      'quickstart',
      '--yes',
    ];
    process.stdout.write(
      `  $ datamint ${args.map((a) => (a.includes(' ') ? JSON.stringify(a) : a)).join(' ')}\n`,
    );
    const code = await run(args, {
      stdin: Readable.from([]),
      stdout: process.stdout,
      stderr: process.stderr,
      env: { ...process.env, DATAMINT_API_KEY: apiKey, DATAMINT_API_URL: server.url },
      cwd: process.cwd(),
    });
    check(code === 0, 'datamint upload exited with code 0', `it exited with ${code}`);

    step('List the resources');
    const resources = await api.getResources({ returnIdsOnly: false }).toArray();
    for (const r of resources) process.stdout.write(`  ${r.id}  ${r.filename}  ${r.mimetype}  ${r.status}\n`);
    check(
      resources.length === 1,
      'the 8 slices became one resource',
      `${resources.length} resources on the server`,
    );
    const resource = resources[0]!;

    step('Add a line annotation in patient coordinates');
    const k = 3;
    const z = phantom.origin[2] + k * phantom.sliceThickness;
    const y = phantom.origin[1] + 20 * phantom.pixelSpacing;
    const p1 = [phantom.origin[0] + 10 * phantom.pixelSpacing, y, z];
    const p2 = [phantom.origin[0] + 40 * phantom.pixelSpacing, y, z];
    const lineIds = await api.addLineAnnotation(p1, p2, resource.id, 'quickstart-line', {
      coordsSystem: 'patient',
      frameIndex: k,
    });
    process.stdout.write(
      `  (${p1.map((v) => v.toFixed(1)).join(', ')}) → (${p2.map((v) => v.toFixed(1)).join(', ')}) mm  id ${lineIds.join(', ')}\n`,
    );

    step('Download the resource and its annotations');
    await mkdir(join(root, 'download'), { recursive: true });
    const downloaded = await api.downloadResourceFile(resource.id, {
      savePath: join(root, 'download', `${resource.id}.dcm`),
      autoConvert: false,
    });
    const bytes = new Uint8Array(await readFile(downloaded.savePath!));
    process.stdout.write(`  ${bytes.length} bytes → ${downloaded.savePath}\n`);
    const annotations: Annotation[] = await api.getAnnotations({ resourceId: resource.id }).toArray();

    step('Check the round trip');
    const ds = parseDicom(bytes, { fileName: downloaded.savePath! });
    check(
      ds.number('NumberOfFrames') === phantom.slices.length,
      `one multi-frame DICOM with ${phantom.slices.length} frames`,
      `NumberOfFrames is ${ds.number('NumberOfFrames')}`,
    );
    const text = Buffer.from(bytes).toString('latin1');
    const { studyDate: _kept, ...phi } = phantom.identity;
    const leaked = Object.entries(phi).filter(([, value]) => text.includes(value));
    check(
      leaked.length === 0,
      'no patient identifier left in the file',
      `still present: ${leaked.map(([k]) => k).join(', ')}`,
    );
    check(
      ds.string('SeriesInstanceUID') !== phantom.seriesInstanceUid,
      'UIDs replaced',
      'the SeriesInstanceUID is the original one',
    );
    const segs = annotations.filter((a) => a.type === 'segmentation');
    const framesOf = (name: string) =>
      [...new Set(segs.filter((a) => a.identifier === name).map((a) => Number(a.frame_index)))].sort(
        (a, b) => a - b,
      );
    check(
      JSON.stringify(framesOf('Lesion')) === JSON.stringify(phantom.lesionFrames),
      `Lesion segmentation on frames ${phantom.lesionFrames.join(', ')}`,
      `found on frames [${framesOf('Lesion').join(', ')}]`,
    );
    check(
      framesOf('Bone').length === phantom.slices.length,
      `Bone segmentation on all ${phantom.slices.length} frames`,
      `found on ${framesOf('Bone').length} frames`,
    );
    const line = annotations.find((a) => a.type === 'line');
    check(
      line !== undefined && Number(line.frame_index) === k,
      `line annotation on frame ${k}`,
      `found ${JSON.stringify(line?.frame_index)}`,
    );

    process.stdout.write(`\n${bold('Report')}\n`);
    process.stdout.write(
      `  server        ${server.url}\n  resource      ${resource.id} (${resource.filename})\n`,
    );
    process.stdout.write(
      `  annotations   ${segs.length} segmentation, ${lineIds.length} line (${lineIds.join(', ')})\n`,
    );
    if (options.dataDir) process.stdout.write(`  files         ${root}\n`);
    process.stdout.write(`  web app       ${server.url}/app/#/resources/${resource.id}\n`);
    process.stdout.write(`\n${green('Quickstart passed.')}\n`);
    if (options.keep) {
      // A throw-away key of this local server, printed so the commands below can be pasted.
      process.stdout.write('Try the same commands against it from another terminal:\n');
      process.stdout.write(`  export DATAMINT_API_URL=${server.url} DATAMINT_API_KEY=${apiKey}\n`);
      process.stdout.write('  node packages/cli/dist/bin.js resources list\n');
      process.stdout.write(`  node packages/cli/dist/bin.js download ${resource.id} --out ./downloads\n`);
    } else {
      process.stdout.write(
        'Run `pnpm quickstart -- --keep` to keep the server running and try the commands yourself.\n',
      );
    }
  } catch (error) {
    failed = true;
    process.stderr.write(`\n${red('Quickstart failed:')} ${(error as Error).message}\n`);
  } finally {
    await api.close();
    if (options.keep && !failed) {
      process.stdout.write(`\nServer running at ${server.url}; press Ctrl-C to stop.\n`);
      // The page asks for the key; this throw-away key is the local server's only one.
      process.stdout.write(`Web app: ${server.url}/app/ (API key: ${apiKey})\n`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
    await server.close();
    if (!options.dataDir) await rm(root, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}

quickstart(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`Quickstart failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
