#!/usr/bin/env node
// The packed release used as a new user would: `datamint-server` and `datamint` installed from the
// tarballs (not the workspace), a real folder uploaded through the CLI, listed and downloaded
// again. Tests run the CLI from its sources; this proves the published build does the same.
//
// usage: node scripts/release-smoke.mjs SERVER_BIN CLI_BIN WORK_DIR
// Prints `ok NAME` / `FAIL NAME` per step; exits 1 when any failed.
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';

// Absolute: the CLI runs in the work folder.
const [serverBin, cliBin, work] = process.argv.slice(2).map((arg) => resolvePath(arg));
if (process.argv.length !== 5) {
  console.error('usage: node scripts/release-smoke.mjs SERVER_BIN CLI_BIN WORK_DIR');
  process.exit(2);
}
const data = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'data');
const apiKey = 'release-smoke-key-0123456789';
if (!existsSync(data)) {
  console.log(`FAIL the test data folder ${data} is missing (the repository's ../shared/data)`);
  process.exit(1);
}
let failed = 0;

function step(name, ok, detail = '') {
  console.log(`${ok ? 'ok' : 'FAIL'} ${name}${ok || !detail ? '' : `\n${detail}`}`);
  if (!ok) failed++;
}

/** A command that hangs fails its step (code null) instead of stalling the release check. */
const STEP_TIMEOUT_MS = 180_000;

/** Runs the CLI to its end; resolves with its exit code and output. */
function cli(args, env) {
  return new Promise((resolve) => {
    const child = spawn(cliBin, args, {
      cwd: work,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: STEP_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', (error) => resolve({ code: null, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts the server on a free port; resolves with its URL once it listens. */
function startServer(dataDir) {
  return new Promise((resolve, reject) => {
    const child = spawn(serverBin, ['--port', '0', '--data-dir', dataDir, '--api-key', apiKey], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no "listening on" line in 60 s: ${out}`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

rmSync(work, { recursive: true, force: true });
const input = join(work, 'study');
mkdirSync(join(input, 'ct'), { recursive: true });
cpSync(join(data, 'dicom', 'series', 'pydicom_ct5n'), join(input, 'ct'), { recursive: true });
const png = join(data, 'png', 'pngsuite', 'basn0g08.png');
copyFileSync(png, join(input, 'gray.png'));
copyFileSync(join(data, 'nifti', 'standard.nii.gz'), join(input, 'brain.nii.gz'));
writeFileSync(join(input, 'brain.json'), JSON.stringify({ Modality: 'MR' }));
writeFileSync(join(input, 'notes.txt'), 'left out by default, as by the Python tool');

let started;
try {
  started = await startServer(join(work, 'server-data'));
} catch (error) {
  console.log(`FAIL start the packed server\n${error.message}`);
  process.exit(1);
}
const { child: server, url } = started;
const env = {
  PATH: process.env.PATH ?? '',
  HOME: work,
  XDG_CONFIG_HOME: join(work, 'config'),
  DATAMINT_API_URL: url,
  DATAMINT_API_KEY: apiKey,
  NO_COLOR: '1',
};
try {
  const upload = await cli(['upload', 'study', '-r', '--yes', '--json'], env);
  let report;
  try {
    report = JSON.parse(upload.stdout);
  } catch {
    report = undefined;
  }
  // The CT series becomes one resource; the volume takes its JSON as metadata; notes.txt stays home.
  step(
    'upload a folder (series, PNG, NIfTI with sidecar) from the packed CLI',
    upload.code === 0 && report?.totals?.resources === 3 && report?.totals?.failed === 0,
    `exit ${upload.code}\n${upload.stdout}\n${upload.stderr}`,
  );

  const list = await cli(['resources', 'list', '--json'], env);
  let resources = [];
  try {
    // An array of resources (see `datamint resources list --json`).
    resources = JSON.parse(list.stdout);
    if (!Array.isArray(resources)) resources = [];
  } catch {
    resources = [];
  }
  const names = (Array.isArray(resources) ? resources : (resources.resources ?? []))
    .map((r) => r.filename)
    .sort();
  step(
    'resources list shows exactly what was uploaded',
    list.code === 0 && names.length === 3 && names.includes('gray.png') && names.includes('brain.nii.gz'),
    `exit ${list.code}; names ${JSON.stringify(names)}\n${list.stdout.slice(0, 2000)}\n${list.stderr}`,
  );

  const gray = resources.find((r) => r.filename === 'gray.png');
  const download = gray ? await cli(['download', gray.id, '--out', 'back'], env) : undefined;
  let same = false;
  try {
    same = readFileSync(join(work, 'back', 'gray.png')).equals(readFileSync(png));
  } catch {
    same = false;
  }
  step(
    'download gives back the uploaded bytes',
    download?.code === 0 && same,
    download ? `exit ${download.code}\n${download.stdout}\n${download.stderr}` : 'gray.png was not listed',
  );
} finally {
  server.kill('SIGTERM');
}
process.exit(failed === 0 ? 0 : 1);
