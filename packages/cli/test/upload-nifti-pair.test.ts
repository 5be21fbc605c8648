import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readNiftiHeader } from '@datamint/segmentation';
import { beforeEach, describe, expect, it } from 'vitest';
import { homeEnv, runCli, sharedData } from './helpers/cli';
import { sharedDataAvailable } from './helpers/data';
import { API_KEY, type TestServer, uploadFixture } from './helpers/server';

const hasData = sharedDataAvailable();
const AIR_HDR = join(sharedData, 'nifti', 'air.hdr.gz');
const AIR_IMG = join(sharedData, 'nifti', 'air.img.gz');

const fixture = uploadFixture('datamint-cli-nifti-pair-');
let server: TestServer;
let home: { home: string };
let work: string;
beforeEach(() => {
  server = fixture.server();
  home = { home: fixture.home() };
  work = fixture.work();
});

const env = () => ({ ...homeEnv(home.home), DATAMINT_API_KEY: API_KEY, DATAMINT_API_URL: server.url });
const cli = (args: string[]) => runCli(args, { env: env(), cwd: work });

function place(rel: string, from: string): void {
  const path = join(work, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  copyFileSync(from, path);
}

describe.skipIf(!hasData)('datamint upload of a NIfTI .hdr/.img pair', () => {
  it('shows the pair as one .nii in the dry run and uploads it as one resource', async () => {
    place('scans/air.hdr.gz', AIR_HDR);
    place('scans/air.img.gz', AIR_IMG);
    const dry = await cli(['upload', 'scans', '--dry-run']);
    expect(dry.code).toBe(0);
    // The size is the .nii's, what is sent (the gzipped pair takes 220.1 kB on disk).
    expect(dry.stdout).toContain('2 files (1.4 MB) → 1 resource, 1 NIfTI .hdr/.img pair joined into .nii');
    expect(dry.stdout).toContain('NIfTI .hdr/.img pairs to upload as one .nii each:');
    expect(dry.stdout).toMatch(/ {2}scans\/air\.nii \(from air\.hdr\.gz \+ air\.img\.gz\) +1\.4 MB/);
    const json = JSON.parse((await cli(['upload', 'scans', '--dry-run', '--json'])).stdout);
    expect(json.totals).toMatchObject({ files: 2, resources: 1, pairs: 1, bytes: 352 + 79 * 67 * 64 * 4 });
    expect(json.resources).toEqual([
      expect.objectContaining({
        kind: 'nifti-pair',
        type: 'nifti',
        label: 'scans/air.nii (from air.hdr.gz + air.img.gz)',
        filename: 'air.nii',
        files: ['scans/air.hdr.gz', 'scans/air.img.gz'],
      }),
    ]);

    const result = await cli(['upload', 'scans', '--yes', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.totals).toMatchObject({ inputs: 1, files: 2, resources: 1, failed: 0 });
    expect(report.results).toEqual([expect.objectContaining({ kind: 'nifti-pair', ok: true })]);
    const onServer = await server.api.getResources({ returnIdsOnly: false }).toArray();
    expect(onServer.map((r) => r.filename)).toEqual(['air.nii']);
    const file = await server.api.downloadResourceFile(onServer[0]!.id, { autoConvert: false });
    const header = readNiftiHeader(file.bytes!);
    expect(header).toMatchObject({ singleFile: true, voxOffset: 352, dims: [79, 67, 64] });
    const voxels = Buffer.from(file.bytes!.subarray(352));
    expect(voxels.equals(gunzipSync(readFileSync(AIR_IMG)))).toBe(true);
  });

  it('says why a header without its image cannot be uploaded, and uploads the rest', async () => {
    place('lone/air.hdr.gz', AIR_HDR);
    writeFileSync(join(work, 'lone', 'notes.dat'), 'a note');
    const dry = await cli(['upload', 'lone', '--dry-run']);
    expect(dry.stdout).toContain('Files that cannot be uploaded and will fail: 1');
    // Wrapped to the terminal's width: compared with its line breaks made spaces.
    expect(dry.stdout.replace(/\s+/g, ' ')).toContain(
      'lone/air.hdr.gz: the header of a NIfTI-1 .hdr/.img pair, but its image (air.img or air.img.gz) is not among the files to upload: give both files, or their folder',
    );
    const result = await cli(['upload', 'lone', '--yes', '--json']);
    const report = JSON.parse(result.stdout);
    expect(report.totals).toMatchObject({ resources: 1, failed: 1 });
    const onServer = await server.api.getResources({ returnIdsOnly: false }).toArray();
    expect(onServer.map((r) => r.filename)).toEqual(['notes.dat']);
  });
});

/** A NIfTI-1 pair of one int16 voxel: its image takes 2 bytes, under the walk's minimum size. */
function tinyPair(): { hdr: Uint8Array; img: Uint8Array } {
  const hdr = new Uint8Array(348);
  const v = new DataView(hdr.buffer);
  v.setInt32(0, 348, true);
  v.setInt16(40, 1, true); // dim[0]: one dimension
  v.setInt16(42, 1, true); // of one voxel
  v.setInt16(70, 4, true); // int16
  v.setInt16(72, 16, true);
  hdr.set([0x6e, 0x69, 0x31, 0], 344); // "ni1"
  return { hdr, img: Uint8Array.from([0x34, 0x12]) };
}

describe('datamint upload of a tiny NIfTI pair', () => {
  it('uploads a pair whose image is smaller than the size under which files are skipped as empty', async () => {
    const { hdr, img } = tinyPair();
    mkdirSync(join(work, 'tiny'));
    writeFileSync(join(work, 'tiny', 'one.hdr'), hdr);
    writeFileSync(join(work, 'tiny', 'one.img'), img);
    writeFileSync(join(work, 'tiny', 'blank.img'), '');
    const dry = JSON.parse((await cli(['upload', 'tiny', '--dry-run', '--json'])).stdout);
    expect(dry.totals).toMatchObject({ files: 2, resources: 1, pairs: 1 });
    const result = await cli(['upload', 'tiny', '--yes', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).totals).toMatchObject({ resources: 1, failed: 0 });
    const onServer = await server.api.getResources({ returnIdsOnly: false }).toArray();
    expect(onServer.map((r) => r.filename)).toEqual(['one.nii']);
    const file = await server.api.downloadResourceFile(onServer[0]!.id, { autoConvert: false });
    expect([...file.bytes!.subarray(352)]).toEqual([...img]);
  });
});
