import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync, gzipSync } from 'node:zlib';
import { parseDicom, writeDicom } from '@datamint/dicom';
import { writeNifti } from '@datamint/segmentation';
import { beforeEach, describe, expect, it } from 'vitest';
import { homeEnv, runCli } from './helpers/cli';
import { ct5n, pngColor, pngGray, sharedDataAvailable } from './helpers/data';
import { API_KEY, type TestServer, uploadFixture } from './helpers/server';

const hasData = sharedDataAvailable();

/** A 32×32 NIfTI label mask with label 1 in rows 0-7 and label 2 in rows 16-19. */
function twoLabelMask(): Uint8Array {
  const mask = new Uint8Array(32 * 32);
  mask.fill(1, 0, 32 * 8);
  mask.fill(2, 32 * 16, 32 * 20);
  return writeNifti({ shape: [32, 32, 1], data: mask });
}

const fixture = uploadFixture('datamint-cli-upload-');
let server: TestServer;
let home: { home: string };
let work: string;
beforeEach(() => {
  server = fixture.server();
  home = { home: fixture.home() };
  work = fixture.work();
});

const env = () => ({ ...homeEnv(home.home), DATAMINT_API_KEY: API_KEY, DATAMINT_API_URL: server.url });
const cli = (args: string[], input?: string) => runCli(args, { env: env(), cwd: work, input });

function place(rel: string, from: string | Uint8Array): string {
  const path = join(work, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  if (typeof from === 'string') copyFileSync(from, path);
  else writeFileSync(path, from);
  return path;
}

/** An 8-bit grayscale PNG (label masks must be single-channel). */
function grayPng(width: number, height: number, data: Uint8Array): Uint8Array {
  const chunk = (type: string, body: Uint8Array): Buffer => {
    const out = Buffer.alloc(12 + body.length);
    out.writeUInt32BE(body.length, 0);
    out.write(type, 4, 'latin1');
    out.set(body, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8);
  const rows = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) rows.set(data.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function serverResources() {
  return server.api.getResources({ returnIdsOnly: false }).toArray();
}

describe.skipIf(!hasData)('datamint upload against the local server', () => {
  it('uploads a mixed tree with recursion depth, directory exclusion and extension filters', async () => {
    place('data/a.png', pngGray);
    place('data/notes.txt', new TextEncoder().encode('some notes'));
    place('data/.DS_Store', new Uint8Array(16));
    place('data/sub/b.png', pngColor);
    place('data/sub/deeper/c.png', pngGray);
    place('data/skipme/d.png', pngGray);
    const result = await cli([
      'upload',
      'data',
      '-r',
      '1',
      '--exclude',
      'skip*',
      '--exclude-extensions',
      'txt',
      '--tag',
      't1',
      '--channel',
      'cli',
      '--yes',
      '--json',
    ]);
    expect(result.stderr).not.toContain(API_KEY);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.totals).toEqual({ inputs: 2, files: 2, resources: 2, failed: 0 });
    expect(report.results.map((r: { files: string[] }) => r.files[0])).toEqual([
      'data/a.png',
      'data/sub/b.png',
    ]);
    const onServer = await serverResources();
    expect(onServer.map((r) => r.filename).sort()).toEqual(['a.png', 'b.png']);
    for (const r of onServer) {
      expect(r.upload_channel).toBe('cli');
      expect(r.tags).toEqual(['t1']);
      expect(report.results.some((x: { id: string }) => x.id === r.id)).toBe(true);
    }
  });

  it('assembles a DICOM series into one anonymized multi-frame resource and counts it as one input', async () => {
    for (const f of readdirSync(ct5n)) place(`ct/${f}`, join(ct5n, f));
    expect((await cli(['upload', 'ct', '--dry-run'])).stdout).toContain(
      'DICOM files will be anonymized (--retain-pii to keep identifiers).',
    );
    const result = await cli(['upload', 'ct', '--yes', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.totals).toMatchObject({ inputs: 1, files: 5, resources: 1, failed: 0 });
    expect(report.results[0]).toMatchObject({ kind: 'series', ok: true });
    const onServer = await serverResources();
    expect(onServer).toHaveLength(1);
    const file = await server.api.downloadResourceFile(onServer[0]!.id, { autoConvert: false });
    const parsed = parseDicom(file.bytes!);
    expect(parsed.number('NumberOfFrames')).toBe(5);
    const original = parseDicom(new Uint8Array(readFileSync(join(ct5n, readdirSync(ct5n)[0]!))));
    expect(original.string('PatientID')).toBeTruthy();
    expect(parsed.string('PatientID')).not.toBe(original.string('PatientID'));
    expect(parsed.string('SeriesInstanceUID')).not.toBe(original.string('SeriesInstanceUID'));
  });

  it('anonymizes with the Python SDK profile and keeps retained attributes', async () => {
    for (const f of readdirSync(ct5n)) place(`ct/${f}`, join(ct5n, f));
    const result = await cli([
      'upload',
      'ct',
      '--anonymization-profile',
      'datamint-sdk',
      '--retain-attribute',
      '(0x0008, 0x0050)',
      '--yes',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const id = JSON.parse(result.stdout).results[0].id as string;
    const parsed = parseDicom((await server.api.downloadResourceFile(id, { autoConvert: false })).bytes!);
    const original = parseDicom(new Uint8Array(readFileSync(join(ct5n, readdirSync(ct5n)[0]!))));
    // http-api.md §5.5: PatientID becomes md5("(16, 32)" + value + "42").
    const token = createHash('md5')
      .update(`(16, 32)${original.string('PatientID')}42`)
      .digest('hex');
    expect(parsed.string('PatientID')).toBe(token);
    expect(parsed.string('AccessionNumber')).toBe(original.string('AccessionNumber'));
    const bad = await cli(['upload', 'ct', '--anonymization-profile', 'strict', '--dry-run']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--anonymization-profile "strict"');
  });

  it('renames with --mungfilename, publishes, and sends a NIfTI JSON sidecar as its metadata', async () => {
    place('study/a.png', pngGray);
    const volume = writeNifti({ shape: [4, 4, 2], data: new Uint8Array(32).fill(1) });
    place('study/vol.nii.gz', gzipSync(volume));
    place('study/vol.json', new TextEncoder().encode('{"Modality": "MR", "EchoTime": 0.03}'));
    place('study/notes.txt', new TextEncoder().encode('not selected'));
    const dry = JSON.parse(
      (await cli(['upload', 'study', '--include-extensions', 'nii.gz,png', '--dry-run', '--json'])).stdout,
    );
    expect(dry.resources.map((r: { files: string[] }) => r.files)).toEqual([
      ['study/a.png'],
      ['study/vol.nii.gz'],
    ]);
    expect(dry.resources[1].metadataFile).toBe(join('study', 'vol.json'));
    const result = await cli([
      'upload',
      'study',
      '--include-extensions',
      'nii.gz,png',
      '--mungfilename',
      'all',
      '--publish',
      '--yes',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const onServer = await serverResources();
    const byName = Object.fromEntries(onServer.map((r) => [r.filename, r]));
    expect(Object.keys(byName).sort()).toEqual(['study_a.png', 'study_vol.nii.gz']);
    expect(byName['study_vol.nii.gz']!.modality).toBe('MR');
    expect(byName['study_vol.nii.gz']!.metadata).toMatchObject({ Modality: 'MR', EchoTime: 0.03 });
    for (const r of onServer) expect(r.status).toBe('published');
  });

  it('puts <n>.png masks of a series on frame n (Python crashed on integer frame indexes)', async () => {
    for (const f of readdirSync(ct5n)) place(`images/ct/${f}`, join(ct5n, f));
    const square = (x0: number) =>
      grayPng(
        16,
        16,
        Uint8Array.from({ length: 256 }, (_, i) => (i % 16 >= x0 && i % 16 < x0 + 4 ? 1 : 0)),
      );
    place('segs/ct/0.png', square(2));
    place('segs/ct/3.png', square(8));
    const result = await cli(['upload', 'images', '-r', '--segmentation-path', 'segs', '--yes', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.results).toHaveLength(1);
    const annotations = await server.api.getAnnotations({ resourceId: report.results[0].id }).toArray();
    expect(annotations.map((a) => Number(a.frame_index)).sort()).toEqual([0, 3]);
  });

  it('refuses a volume mask on slices uploaded one by one (--no-assemble), and attaches it to the assembled series', async () => {
    for (const f of readdirSync(ct5n)) place(`images/ct/${f}`, join(ct5n, f));
    place(
      'segs/ct/mask.nii.gz',
      gzipSync(writeNifti({ shape: [16, 16, 5], data: new Uint8Array(1280).fill(1) })),
    );
    const apart = await cli([
      'upload',
      'images',
      '-r',
      '--segmentation-path',
      'segs',
      '--no-assemble',
      '--yes',
      '--json',
    ]);
    const dryArgs = ['upload', 'images', '-r', '--segmentation-path', 'segs', '--no-assemble', '--dry-run'];
    const wide = { env: { ...env(), COLUMNS: '300' }, cwd: work };
    const dry = await runCli(dryArgs, wide);
    expect(dry.code).toBe(1);
    // Five slices fail for one reason: said once, with a count.
    expect(dry.stdout.match(/has labels on 5 frames/g)).toHaveLength(1);
    expect(dry.stdout).toContain('  … and 4 more files for the same reason (--verbose lists them)');
    const verbose = await runCli([...dryArgs, '--verbose'], wide);
    expect(verbose.stdout.match(/has labels on 5 frames/g)).toHaveLength(5);
    expect(apart.code).toBe(1);
    const report = JSON.parse(apart.stdout);
    // The five slices fail in the plan (their mask does not fit): inputs, but no files to send.
    expect(report.totals).toEqual({ inputs: 5, files: 0, resources: 0, failed: 5 });
    expect(report.results[0].error).toMatch(
      /mask \S*mask\.nii\.gz has labels on 5 frames but the image has 1: a volume mask goes with its whole series/,
    );
    expect(await serverResources()).toHaveLength(0);
    const together = await cli(['upload', 'images', '-r', '--segmentation-path', 'segs', '--yes', '--json']);
    expect(together.code).toBe(0);
    const [series] = JSON.parse(together.stdout).results;
    const annotations = await server.api.getAnnotations({ resourceId: series.id }).toArray();
    expect(annotations.map((a) => Number(a.frame_index)).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('reports a corrupt DICOM as failed, uploads the rest, and exits 1', async () => {
    place('mix/good.png', pngGray);
    place(
      'mix/bad.dcm',
      new TextEncoder().encode('this is not a DICOM file, just text pretending to be one'),
    );
    place('mix/also-good.png', pngColor);
    const result = await cli(['upload', 'mix', '--yes']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAILED\s+-\s+mix\/bad\.dcm\s+.*not a readable DICOM/);
    expect(result.stdout).toContain('3 inputs: 2 uploaded, 1 failed');
    // The failed file is a failed input, not a file a resource was created from.
    expect(result.stdout).toContain('2 resources created from 2 files.');
    expect(result.stdout).not.toMatch(/^ok /m);
    expect(result.stderr.trim().split('\n').pop()).toMatch(/^error: 1 of 3 input\(s\) failed/);
    expect((await serverResources()).map((r) => r.filename).sort()).toEqual(['also-good.png', 'good.png']);
  });

  it('fits summary lines that name files: the path loses its middle, the reason goes whole below it', async () => {
    const folder = 'deep/a very long folder name for testing/another nested folder with a long name';
    place(`${folder}/first-broken.dcm`, new TextEncoder().encode('not a DICOM file, just some text'));
    place(`${folder}/second-broken.dcm`, new TextEncoder().encode('not a DICOM file, just more text'));
    const dry = await runCli(['upload', 'deep', '-r', '--dry-run'], {
      env: { ...env(), COLUMNS: '80' },
      cwd: work,
    });
    const lines = dry.stdout.split('\n');
    const heads = lines.filter((line) => line.endsWith('broken.dcm:'));
    expect(heads).toHaveLength(2);
    expect(heads[0]).toMatch(/^ {2}deep\/.*….*\/first-broken\.dcm:$/);
    expect(heads[1]).toMatch(/^ {2}deep\/.*….*\/second-broken\.dcm:$/);
    for (const head of heads) {
      const reason = lines.slice(lines.indexOf(head) + 1).filter((l) => l.startsWith('    '));
      expect(reason[0]).toMatch(/^ {4}not a readable DICOM file: /);
    }
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('fails an image whose mask is another size in the plan, so the dry run says so and nothing is created', async () => {
    place('seg/scan.nii', writeNifti({ shape: [8, 8, 1], data: new Uint8Array(64).fill(3) }));
    place('seg/wrong.nii', writeNifti({ shape: [4, 5, 1], data: new Uint8Array(20).fill(1) }));
    const args = ['upload', 'seg/scan.nii', '--segmentation-path', 'seg/wrong.nii'];
    const dry = await runCli([...args, '--dry-run'], { env: { ...env(), COLUMNS: '200' }, cwd: work });
    expect(dry.code).toBe(1);
    expect(dry.stdout).toMatch(
      /seg\/scan\.nii: mask \S*seg\/wrong\.nii is 4 x 5 \(columns x rows\) but the image is 8 x 8\n/,
    );
    const result = await runCli([...args, '--yes'], { env: { ...env(), COLUMNS: '200' }, cwd: work });
    expect(result.code).toBe(1);
    const row = result.stdout.split('\n').find((line) => line.startsWith('FAILED'));
    expect(row).toMatch(/^FAILED\s+-\s+seg\/scan\.nii\s+mask \S*seg\/wrong\.nii is 4 x 5/);
    expect(result.stdout).toContain('0 resources created from 0 files.');
    expect(await serverResources()).toHaveLength(0);
  });

  it('says a resource was created when its mask then fails, with the reason', async () => {
    place('seg/scan.nii', writeNifti({ shape: [8, 8, 1], data: new Uint8Array(64).fill(3) }));
    // The header fits the image; the voxels stop short, which only reading the whole mask finds.
    const cut = writeNifti({ shape: [8, 8, 1], data: new Uint8Array(64).fill(1) });
    place('seg/cut.nii', cut.subarray(0, cut.length - 20));
    const result = await runCli(['upload', 'seg/scan.nii', '--segmentation-path', 'seg/cut.nii', '--yes'], {
      env: { ...env(), COLUMNS: '200' },
      cwd: work,
    });
    expect(result.code).toBe(1);
    const row = result.stdout.split('\n').find((line) => line.startsWith('FAILED'));
    expect(row).toMatch(/^FAILED\s+[0-9a-f-]{36}\s+seg\/scan\.nii\s+created, then \S/);
    expect(row).not.toContain('http://');
    // The resource is on the server, and the last line counts it.
    expect(result.stdout).toContain('1 resource created from 1 file (1 of them then failed: see above).');
    expect(await serverResources()).toHaveLength(1);
  });

  it('says -r reads sub-folders when a folder holds only sub-folders', async () => {
    place('outer/inner/a.png', pngGray);
    const result = await cli(['upload', 'outer', '--dry-run']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'error: no file to upload in outer (1 skipped; --verbose lists them); sub-folders are read with -r (--recursive)',
    );
  });

  it('skips files under 4 bytes found in folders as empty, as the Python tool does', async () => {
    place('small/good.png', pngGray);
    place('small/tiny.png', new Uint8Array([0x89, 0x50]));
    place('small/empty.dcm', new Uint8Array(0));
    const dry = await cli(['upload', 'small', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('1 file (');
    expect(dry.stdout).toMatch(/Skipped: 2 empty/);
    // Nothing to anonymize: no word about DICOM.
    expect(dry.stdout).not.toContain('DICOM files');
    const result = await cli(['upload', 'small', '--yes']);
    expect(result.code).toBe(0);
    expect((await serverResources()).map((r) => r.filename)).toEqual(['good.png']);
  });

  it('warns that a run which did not finish would be uploaded again without --resume, and that --resume found nothing', async () => {
    place('mix/good.png', pngGray);
    place(
      'mix/bad.dcm',
      new TextEncoder().encode('this is not a DICOM file, just text pretending to be one'),
    );
    const fresh = await cli(['upload', 'mix', '--yes', '--resume']);
    expect(fresh.code).toBe(1);
    expect(fresh.stderr).toContain('warning: --resume: no unfinished run of this command was found');
    // The failed file kept the journal: the same command again would send good.png a second time.
    const again = await cli(['upload', 'mix', '--yes']);
    expect(again.stderr).toContain(
      'warning: an earlier run of this command did not finish (interrupted, or some files failed): without --resume, what it uploaded is uploaded again',
    );
    expect((await serverResources()).map((r) => r.filename)).toEqual(['good.png', 'good.png']);
    const resumed = await cli(['upload', 'mix', '--yes', '--resume']);
    expect(resumed.stderr).not.toContain('warning:');
    expect(resumed.stdout).toContain(
      '0 resources created from 0 files; 1 resource uploaded by an earlier run.',
    );
    expect((await serverResources()).map((r) => r.filename)).toEqual(['good.png', 'good.png']);
  });

  it('matches segmentations from a folder layout with a names file', async () => {
    place('R/images/case1/img1.png', pngGray);
    place('R/images/case2/img2.png', pngGray);
    place('R/segs/case1/Bones.nii', twoLabelMask());
    writeFileSync(
      join(work, 'names.yaml'),
      'segmentation_names: [Bones]\nclass_names: {1: Femur, 2: Tibia}\n',
    );
    const dry = await cli([
      'upload',
      'R/images',
      '-r',
      '--segmentation-path',
      'R/segs',
      '--segmentation-names',
      'names.yaml',
      '--dry-run',
      '--json',
    ]);
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan.resources[0].masks).toEqual([
      {
        path: join(work, 'R/segs/case1/Bones.nii'),
        frameIndex: null,
        names: { 1: 'Bones_Femur', 2: 'Bones_Tibia', default: 'Bones' },
      },
    ]);
    expect(plan.resources[1].masks).toEqual([]);
    const result = await cli([
      'upload',
      'R/images',
      '-r',
      '--segmentation-path',
      'R/segs',
      '--segmentation-names',
      'names.yaml',
      '--yes',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.results[0].segmentationIds).toHaveLength(2);
    const annotations = await server.api.getAnnotations({ resourceId: report.results[0].id }).toArray();
    expect(annotations.map((a) => a.identifier).sort()).toEqual(['Bones_Femur', 'Bones_Tibia']);
  });

  it('names the labels of a mask from an ITK-SNAP label file or a loose label table; a bad line exits 2', async () => {
    place('R/images/case1/img1.png', pngGray);
    place('R/segs/case1/labels.nii', twoLabelMask());
    writeFileSync(
      join(work, 'labels.txt'),
      '# ITK-SnAP Label Description File\n0 0 0 0 0 0 0 "Clear Label"\n1 255 0 0 1 1 1 "Femur"\n2 0 255 0 1 1 1 "Tibia"\n',
    );
    const args = ['upload', 'R/images', '-r', '--segmentation-path', 'R/segs', '--segmentation-names'];
    const result = await cli([...args, 'labels.txt', '--yes', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    const annotations = await server.api.getAnnotations({ resourceId: report.results[0].id }).toArray();
    expect(annotations.map((a) => a.identifier).sort()).toEqual(['Femur', 'Tibia']);

    // Python's loose tables too: value, colour and name, tab-separated; the last field is the name.
    writeFileSync(join(work, 'labels.tsv'), '1\t255\t0\t0\tLeft femur\n2\t0\t255\t0\t"Tibia"\n');
    const loose = await cli([...args, 'labels.tsv', '--yes', '--json']);
    expect(loose.code, loose.stderr).toBe(0);
    const looseId = JSON.parse(loose.stdout).results[0].id;
    const looseNames = await server.api.getAnnotations({ resourceId: looseId }).toArray();
    expect(looseNames.map((a) => a.identifier).sort()).toEqual(['Left femur', 'Tibia']);

    writeFileSync(join(work, 'bad.csv'), '1,255,0,0,"Femur"\n2,0,255,0,Tibia, left\n');
    const bad = await cli([...args, 'bad.csv', '--yes']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      '--segmentation-names bad.csv: line 2: 6 fields where line 1 has 5 (a name holding a comma must be in double quotes)',
    );
  });

  it('skips DICOM reports by default, as the platform client does; --include-dicom-reports sends them', async () => {
    const image = new Uint8Array(readFileSync(join(ct5n, readdirSync(ct5n)[0]!)));
    place('d/image.dcm', image);
    // A real file made into a structured report: the Modality decides, whatever else it holds.
    const uid = '1.2.826.0.1.3680043.8.498.77';
    place(
      'd/report.dcm',
      writeDicom(parseDicom(image), [
        { tag: 'Modality', action: 'set', value: 'SR' },
        { tag: 'SeriesInstanceUID', action: 'set', value: `${uid}.1` },
        { tag: 'SOPInstanceUID', action: 'set', value: `${uid}.2` },
      ]),
    );
    const dry = await cli(['upload', 'd', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Skipped: 1 dicom report');
    const dryJson = JSON.parse((await cli(['upload', 'd', '--dry-run', '--json'])).stdout);
    expect(dryJson.skipped).toEqual([{ path: join('d', 'report.dcm'), reason: 'dicom report' }]);

    const sent = await cli(['upload', 'd', '--channel', 'default', '--yes']);
    expect(sent.code).toBe(0);
    expect(sent.stdout).toContain('1 skipped (1 dicom report)');
    const kept = await cli(['upload', 'd', '--include-dicom-reports', '--channel', 'all', '--yes', '--json']);
    expect(kept.code).toBe(0);
    expect(JSON.parse(kept.stdout).totals).toMatchObject({ files: 2, resources: 2, failed: 0 });
    const byChannel = (channel: string) =>
      serverResources().then((all) =>
        all
          .filter((r) => r.upload_channel === channel)
          .map((r) => r.filename)
          .sort(),
      );
    expect(await byChannel('default')).toEqual(['image.dcm']);
    expect(await byChannel('all')).toEqual(['image.dcm', 'report.dcm']);
  });

  it('changes nothing on --dry-run and refuses to upload without --yes when stdin is not a terminal', async () => {
    place('d/a.png', pngGray);
    const dry = await cli(['upload', 'd', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Dry run: nothing was uploaded.');
    const pythonSpelling = await cli(['upload', '--path', 'd', '--dry-run']);
    expect(pythonSpelling.stdout).toBe(dry.stdout);
    expect((await cli(['upload', '--dry-run'])).code).toBe(2);
    const refused = await cli(['upload', 'd'], 'y\n');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    expect(await serverResources()).toHaveLength(0);
  });
});
