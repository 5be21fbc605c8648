import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homeEnv, makeHome, runCli } from './helpers/cli';
import { pngColor, pngGray, sharedDataAvailable } from './helpers/data';
import { API_KEY, startTestServer, type TestServer } from './helpers/server';

const hasData = sharedDataAvailable();

let server: TestServer;
let home: ReturnType<typeof makeHome>;
let work: string;

beforeAll(async () => {
  server = await startTestServer();
  home = makeHome();
  work = mkdtempSync(join(tmpdir(), 'datamint-cli-commands-'));
});
afterAll(async () => {
  await server?.close();
  home?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const env = () => ({ ...homeEnv(home.home), DATAMINT_API_KEY: API_KEY, DATAMINT_API_URL: server.url });
const cli = (args: string[]) => runCli(args, { env: env(), cwd: work });

describe.skipIf(!hasData)('resources, projects and download against the local server', () => {
  it('creates and lists projects, uploads into one, lists with filters and downloads the files back', async () => {
    const created = await cli(['projects', 'create', 'Knee', '--description', 'pilot', '--json']);
    expect(created.code).toBe(0);
    const project = JSON.parse(created.stdout);
    expect(project.name).toBe('Knee');
    const listed = JSON.parse((await cli(['projects', 'list', '--json'])).stdout);
    expect(listed.map((p: { id: string }) => p.id)).toContain(project.id);
    const table = await cli(['projects', 'list']);
    expect(table.stdout).toMatch(/^ID\s+NAME/);
    expect(table.stdout).toContain('Knee');

    mkdirSync(join(work, 'in'));
    copyFileSync(pngGray, join(work, 'in', 'gray.png'));
    copyFileSync(pngColor, join(work, 'in', 'color.png'));
    const up = await cli([
      'upload',
      'in/gray.png',
      '--tag',
      'knee',
      '--publish-to',
      'Knee',
      '--yes',
      '--json',
    ]);
    expect(up.code).toBe(0);
    const grayId = JSON.parse(up.stdout).results[0].id as string;
    const up2 = await cli(['upload', 'in/color.png', '--tag', 'other', '--yes', '--json']);
    const colorId = JSON.parse(up2.stdout).results[0].id as string;

    const byTag = JSON.parse((await cli(['resources', 'list', '--tag', 'knee', '--json'])).stdout);
    expect(byTag.map((r: { id: string }) => r.id)).toEqual([grayId]);
    const ids = (await cli(['resources', 'list', '--ids-only'])).stdout.trim().split('\n').sort();
    expect(ids).toEqual([grayId, colorId].sort());
    const inProject = JSON.parse((await cli(['resources', 'list', '--project', 'Knee', '--json'])).stdout);
    expect(inProject.map((r: { id: string }) => r.id)).toEqual([grayId]);
    // Tables fit the terminal: whole ids and names, the expendable columns left out when narrow.
    for (const columns of [80, 200]) {
      const narrow = await runCli(['resources', 'list'], {
        env: { ...env(), COLUMNS: String(columns) },
        cwd: work,
      });
      const lines = narrow.stdout.trimEnd().split('\n');
      for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(columns);
      expect(
        lines
          .slice(2)
          .map((l) => l.split(/\s+/)[0])
          .sort(),
      ).toEqual([grayId, colorId].sort());
      expect(narrow.stdout).toContain('gray.png');
      if (columns === 80) expect(lines[0]).not.toContain('CHANNEL');
      else
        expect(lines[0]!.split(/\s+/)).toEqual([
          'ID',
          'FILENAME',
          'STATUS',
          'MIMETYPE',
          'MODALITY',
          'SIZE',
          'CHANNEL',
          'CREATED',
        ]);
      const projectsTable = await runCli(['projects', 'list'], {
        env: { ...env(), COLUMNS: String(columns) },
        cwd: work,
      });
      for (const line of projectsTable.stdout.trimEnd().split('\n'))
        expect(line.length, line).toBeLessThanOrEqual(columns);
      expect(projectsTable.stdout).toContain(project.id);
    }
    const nonsense = await cli(['resources', 'list', '--status', 'nonsense']);
    expect(nonsense.code).toBe(2);
    expect(nonsense.stderr).toMatch(/--status.*nonsense.*inbox/s);

    const one = await cli(['download', colorId, '--out', 'out1', '--json']);
    expect(one.code).toBe(0);
    const file = JSON.parse(one.stdout).downloaded[0].path as string;
    expect(readFileSync(file)).toEqual(readFileSync(pngColor));

    // An id the server does not know fails alone; the others are downloaded.
    const mixed = await cli(['download', 'no-such-id', colorId, '--out', 'out3', '--json']);
    expect(mixed.code).toBe(1);
    const report = JSON.parse(mixed.stdout) as {
      downloaded: { id: string }[];
      failed: { id: string; error: string }[];
    };
    expect(report.downloaded.map((d) => d.id)).toEqual([colorId]);
    expect(report.failed).toEqual([{ id: 'no-such-id', error: 'not found: no resource has this id' }]);
    expect(readdirSync(join(work, 'out3'))).toHaveLength(1);
    expect(mixed.stderr.trim()).toBe('error: 1 of 2 download(s) failed');

    writeFileSync(join(work, 'afile'), 'not a folder');
    const onFile = await cli(['download', colorId, '--out', 'afile']);
    expect(onFile.code).toBe(2);
    expect(onFile.stderr.trim()).toBe(
      'error: --out afile is a file, not a folder: give a folder to download into',
    );

    const all = await cli(['download', '--project', 'Knee', '--out', 'out2']);
    expect(all.code).toBe(0);
    expect(readdirSync(join(work, 'out2'))).toEqual(['gray.png']);
    expect(readFileSync(join(work, 'out2', 'gray.png'))).toEqual(readFileSync(pngGray));
  }, 240_000);

  it('names downloads by their own extension, adds the type one only when missing, and never overwrites', async () => {
    mkdirSync(join(work, 'named'));
    writeFileSync(join(work, 'named', 'label.nrrd'), 'NRRD0004 not really');
    copyFileSync(pngGray, join(work, 'named', 'scan'));
    const up = await cli(['upload', 'named/label.nrrd', 'named/scan', '--yes', '--json']);
    expect(up.code).toBe(0);
    const ids = (JSON.parse(up.stdout).results as { id: string }[]).map((r) => r.id);
    const first = await cli(['download', ...ids, '--out', 'named-out']);
    expect(first.code).toBe(0);
    // An octet-stream file keeps its name (no `.bin`); a PNG without extension gets `.png`.
    expect(readdirSync(join(work, 'named-out')).sort()).toEqual(['label.nrrd', 'scan.png']);
    expect(readFileSync(join(work, 'named-out', 'scan.png'))).toEqual(readFileSync(pngGray));
    // Again into the same folder: the files there hold the same bytes, so nothing is added.
    const again = await cli(['download', ...ids, '--out', 'named-out', '--json']);
    expect(again.code).toBe(0);
    expect(readdirSync(join(work, 'named-out')).sort()).toEqual(['label.nrrd', 'scan.png']);
    expect(JSON.parse(again.stdout).downloaded.map((d: { unchanged?: boolean }) => d.unchanged)).toEqual([
      true,
      true,
    ]);
    // Another resource of the same name and other bytes: it gets its id as prefix, the first stays.
    mkdirSync(join(work, 'other'), { recursive: true });
    writeFileSync(join(work, 'other', 'label.nrrd'), 'NRRD0004 another one');
    const other = JSON.parse((await cli(['upload', 'other/label.nrrd', '--yes', '--json'])).stdout).results[0]
      .id;
    const clash = await cli(['download', other, '--out', 'named-out']);
    expect(clash.code).toBe(0);
    expect(readdirSync(join(work, 'named-out')).sort()).toEqual(
      ['label.nrrd', 'scan.png', `${other}-label.nrrd`].sort(),
    );
    expect(readFileSync(join(work, 'named-out', 'label.nrrd'), 'utf8')).toBe('NRRD0004 not really');
    // And again: that copy is found under its prefixed name, so nothing more is added.
    const third = JSON.parse((await cli(['download', other, '--out', 'named-out', '--json'])).stdout);
    expect(third.downloaded).toEqual([
      expect.objectContaining({ path: join(work, 'named-out', `${other}-label.nrrd`), unchanged: true }),
    ]);
    expect(readdirSync(join(work, 'named-out'))).toHaveLength(3);
  });

  it('exits 2 naming the option for a day that is not YYYY-MM-DD, days out of order, --asc alone and an empty project name', async () => {
    for (const [args, named] of [
      [['resources', 'list', '--from', 'yesterday'], '--from "yesterday": expected a day as YYYY-MM-DD'],
      [['resources', 'list', '--from', '2024-13-45'], '--from "2024-13-45"'],
      [['resources', 'list', '--to', '2024-02-30'], '--to "2024-02-30"'],
      [
        ['resources', 'list', '--from', '2024-05-02', '--to', '2024-05-01'],
        '--from 2024-05-02 is after --to 2024-05-01',
      ],
      [['resources', 'list', '--asc'], '--asc orders by a field: give --order-by too'],
      [['projects', 'create', ' '], 'the project name is empty'],
    ] as const) {
      const result = await cli([...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toContain(named);
    }
    const fine = await cli(['resources', 'list', '--from', '2024-02-29', '--to', '2024-03-01', '--json']);
    expect(fine.code).toBe(0);
    expect(JSON.parse(fine.stdout)).toEqual([]);
  });

  it('fails with one line for unknown ids and projects, and asks for ids or --project', async () => {
    const missing = await cli(['download', '00000000-0000-0000-0000-000000000000', '--out', 'none']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    // Every command that takes a project name says the same plain line for one that does not exist.
    const noProject =
      'error: no project is named "No such project" or has it as id (`datamint projects list` shows them)';
    writeFileSync(join(work, 'tiny.bin'), 'some bytes');
    for (const args of [
      ['download', '--project', 'No such project'],
      ['resources', 'list', '--project', 'No such project'],
      ['resources', 'list', '--project', 'No such project', '--json'],
      ['upload', 'tiny.bin', '--publish-to', 'No such project', '--yes'],
    ]) {
      const project = await cli(args);
      expect(project.code, args.join(' ')).toBe(1);
      // upload prints its plan first; the error is its last line.
      expect(project.stderr.trim().split('\n').at(-1), args.join(' ')).toBe(noProject);
    }
    const both = await cli(['resources', 'list', '--project', 'a', '--project-id', 'b']);
    expect(both.code).toBe(2);
    expect(both.stderr.trim()).toBe('error: give --project or --project-id, not both');
    const usage = await cli(['download']);
    expect(usage.code).toBe(2);
    expect(existsSync(join(work, 'none'))).toBe(false);
  });

  it('says a bare 404 may be a wrong API URL, naming the request', async () => {
    const wrong = await runCli(['resources', 'list'], {
      env: { ...env(), DATAMINT_API_URL: `${server.url}/api` },
      cwd: work,
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim()).toMatch(
      /^error: GET http:\/\/127\.0\.0\.1:\d+\/api\/resources\S* answered 404 Not Found: is the API URL right\? \(check it with `datamint config test`\)$/,
    );
  });

  it('says in one line that an https:// URL reached a plain-HTTP server', async () => {
    const tls = await runCli(['resources', 'list'], {
      env: { ...env(), DATAMINT_API_URL: server.url.replace('http://', 'https://') },
      cwd: work,
    });
    expect(tls.code).toBe(1);
    expect(tls.stderr.trim().split('\n')).toHaveLength(1);
    expect(tls.stderr).toContain(
      'TLS handshake failed: wrong version number: the server answered in plain HTTP; is the URL http:// rather than https://?',
    );
  });

  it('checks --publish-to before uploading anything', async () => {
    mkdirSync(join(work, 'pub'), { recursive: true });
    copyFileSync(pngGray, join(work, 'pub', 'x.png'));
    const before = (await server.api.getResources({ returnIdsOnly: true }).toArray()).length;
    const result = await cli(['upload', 'pub', '--publish-to', 'No such project', '--yes']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No such project');
    expect(result.stderr.trim().split('\n').pop()).toMatch(/^error: /);
    expect((await server.api.getResources({ returnIdsOnly: true }).toArray()).length).toBe(before);
  });

  it('rejects a wrong key with exit code 1 and never prints it', async () => {
    const wrong = await runCli(['resources', 'list'], {
      env: { ...env(), DATAMINT_API_KEY: 'wrong-key-123456789' },
      cwd: work,
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).not.toContain('wrong-key-123456789');
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
  });
});
