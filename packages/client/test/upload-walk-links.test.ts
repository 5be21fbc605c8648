import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type APIHandler, planUpload, UnreadableFileError, UploadFileError } from '../src';
import { grayPng } from './helpers/images';
import { startTestServer, type TestServer } from './helpers/server';

// Links in an uploaded folder are followed like Python's walker follows them (`Path.is_dir()`),
// to files and folders alike; a folder link back into the walk's own path is skipped, not walked
// forever, and a link to nothing fails alone.

let server: TestServer;
let api: APIHandler;
let work: string;

beforeAll(async () => {
  server = await startTestServer();
  api = server.api();
  work = await mkdtemp(path.join(tmpdir(), 'dm-walk-links-'));
});
afterAll(async () => {
  await server?.close();
  // A folder a test made unreadable may resist removal; the scratch folder is then left, not a failure.
  if (work) await rm(work, { recursive: true, force: true }).catch(() => undefined);
});

/** A folder outside the uploaded one, with a PNG at its top and one in a sub-folder. */
async function outside(name: string): Promise<string> {
  const dir = path.join(work, name, 'elsewhere');
  await mkdir(path.join(dir, 'sub'), { recursive: true });
  await writeFile(path.join(dir, 'a.png'), grayPng(4, 4, 1));
  await writeFile(path.join(dir, 'sub', 'b.png'), grayPng(4, 4, 2));
  return dir;
}

describe('links in uploaded folders', () => {
  it('a link to a folder is walked and its files uploaded under the link path', async () => {
    const target = await outside('folder');
    const root = path.join(work, 'folder', 'upload');
    await mkdir(root);
    await symlink(target, path.join(root, 'linked'));
    const plan = await planUpload([root], { recursive: true });
    expect(plan.units.map((u) => u.files[0]!.source)).toEqual([
      path.join(root, 'linked', 'a.png'),
      path.join(root, 'linked', 'sub', 'b.png'),
    ]);
    expect(plan.problems).toEqual([]);
    expect(plan.skipped).toEqual([]);
    const results = await api.uploadResources(plan, { channel: 'linked-folder' });
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    const stored = await api.getResources({ channel: 'linked-folder' }).toArray();
    expect(stored).toHaveLength(2);
  });

  it('a link to a folder the walk reaches anyway is skipped, so no file is uploaded twice', async () => {
    const target = await outside('twice');
    const root = path.join(work, 'twice', 'upload');
    await mkdir(path.join(root, 'b'), { recursive: true });
    await writeFile(path.join(root, 'b', 'x.png'), grayPng(4, 4, 3));
    // `a-latest` sorts before `b`: the link is met first, the real folder still wins.
    await symlink(path.join(root, 'b'), path.join(root, 'a-latest'));
    await symlink(target, path.join(root, 'c-one'));
    await symlink(target, path.join(root, 'd-two'));
    await symlink(path.join(target, 'sub'), path.join(root, 'e-sub'));
    const plan = await planUpload([root], { recursive: true });
    expect(plan.units.map((u) => u.files[0]!.source)).toEqual([
      path.join(root, 'b', 'x.png'),
      path.join(root, 'c-one', 'a.png'),
      path.join(root, 'c-one', 'sub', 'b.png'),
    ]);
    expect(plan.skipped).toEqual([
      { source: path.join(root, 'a-latest'), reason: 'duplicate folder link' },
      { source: path.join(root, 'd-two'), reason: 'duplicate folder link' },
      { source: path.join(root, 'e-sub'), reason: 'duplicate folder link' },
    ]);
    expect(plan.problems).toEqual([]);

    // The other way round: a link into the sub-folder first, then one to the whole folder, whose
    // copy of that sub-folder is the one left out.
    const reverse = path.join(work, 'twice', 'reverse');
    await mkdir(reverse);
    await symlink(path.join(target, 'sub'), path.join(reverse, 'a-sub'));
    await symlink(target, path.join(reverse, 'b-all'));
    const again = await planUpload([reverse], { recursive: true });
    expect(again.units.map((u) => u.files[0]!.source)).toEqual([
      path.join(reverse, 'a-sub', 'b.png'),
      path.join(reverse, 'b-all', 'a.png'),
    ]);
    expect(again.skipped).toEqual([
      { source: path.join(reverse, 'b-all', 'sub'), reason: 'duplicate folder link' },
    ]);
  });

  it('a link into the uploaded folder is walked when the walk would not reach its target', async () => {
    const root = path.join(work, 'unreached', 'upload');
    await mkdir(path.join(root, 'deep', 'er'), { recursive: true });
    await mkdir(path.join(root, 'raw-2024'));
    await writeFile(path.join(root, 'deep', 'er', 'd.png'), grayPng(4, 4, 1));
    await writeFile(path.join(root, 'raw-2024', 'r.png'), grayPng(4, 4, 2));
    await symlink(path.join(root, 'deep', 'er'), path.join(root, 'shortcut'));
    await symlink(path.join(root, 'raw-2024'), path.join(root, 'current'));
    // One level: deep/er is too deep for the walk, so the link is the way to it.
    const shallow = await planUpload([root], { recursive: 1, excludeDirs: ['raw-*'] });
    expect(shallow.units.map((u) => u.files[0]!.source)).toEqual([
      path.join(root, 'current', 'r.png'),
      path.join(root, 'shortcut', 'd.png'),
    ]);
    expect(shallow.skipped).toEqual([
      { source: path.join(root, 'raw-2024'), reason: 'excluded directory' },
      { source: path.join(root, 'deep', 'er'), reason: 'too deep' },
    ]);
    // Walked deep enough, the folder is reached without the link, which is then left out.
    const whole = await planUpload([root], { recursive: true });
    expect(whole.units.map((u) => u.files[0]!.source)).toEqual([
      path.join(root, 'deep', 'er', 'd.png'),
      path.join(root, 'raw-2024', 'r.png'),
    ]);
    expect(whole.skipped).toEqual([
      { source: path.join(root, 'current'), reason: 'duplicate folder link' },
      { source: path.join(root, 'shortcut'), reason: 'duplicate folder link' },
    ]);
  });

  it('a linked folder counts as a level of depth, like a folder', async () => {
    const target = await outside('depth');
    const root = path.join(work, 'depth', 'upload');
    await mkdir(root);
    await symlink(target, path.join(root, 'linked'));
    const plan = await planUpload([root], {});
    expect(plan.units).toEqual([]);
    expect(plan.skipped).toEqual([{ source: path.join(root, 'linked'), reason: 'too deep' }]);
  });

  it('a link back to a folder the walk is inside ends the walk there, reported once', async () => {
    const root = path.join(work, 'loop', 'upload');
    await mkdir(path.join(root, 'a'), { recursive: true });
    await writeFile(path.join(root, 'top.png'), grayPng(4, 4, 1));
    await writeFile(path.join(root, 'a', 'x.png'), grayPng(4, 4, 2));
    await symlink('..', path.join(root, 'a', 'loop'));
    await symlink('.', path.join(root, 'self'));
    const plan = await planUpload([root], { recursive: true });
    expect(plan.units.map((u) => u.files[0]!.source)).toEqual([
      path.join(root, 'a', 'x.png'),
      path.join(root, 'top.png'),
    ]);
    // A folder's own skips come before those of its sub-folders, as for every other reason.
    expect(plan.skipped).toEqual([
      { source: path.join(root, 'self'), reason: 'symlink loop' },
      { source: path.join(root, 'a', 'loop'), reason: 'symlink loop' },
    ]);
    expect(plan.problems).toEqual([]);

    // Walked from the inner folder, the link leads out to the parent, which is walked once; the
    // real folder met again inside it is the loop.
    const inner = await planUpload([path.join(root, 'a')], { recursive: true });
    expect(inner.units.map((u) => u.files[0]!.source)).toEqual([
      path.join(root, 'a', 'loop', 'top.png'),
      path.join(root, 'a', 'x.png'),
    ]);
    expect(inner.skipped).toEqual([
      { source: path.join(root, 'a', 'loop', 'a'), reason: 'symlink loop' },
      { source: path.join(root, 'a', 'loop', 'self'), reason: 'symlink loop' },
    ]);
  });

  it('a dangling link, or links that lead to each other, fail alone saying what they link to', async () => {
    const root = path.join(work, 'dangling', 'upload');
    await mkdir(root, { recursive: true });
    await writeFile(path.join(root, 'ok.png'), grayPng(4, 4, 1));
    await symlink(path.join(root, 'gone'), path.join(root, 'gone-folder'));
    await symlink('ping', path.join(root, 'pong'));
    await symlink('pong', path.join(root, 'ping'));
    const plan = await planUpload([root], { recursive: true });
    expect(plan.units.map((u) => u.files[0]!.source)).toEqual([path.join(root, 'ok.png')]);
    expect(plan.skipped).toEqual([]);
    expect(plan.problems).toEqual([
      {
        position: 0,
        inputIndex: 0,
        source: path.join(root, 'gone-folder'),
        error: {
          name: 'UnreadableFileError',
          message: `it is a link to ${path.join(root, 'gone')}, which does not exist`,
          code: 'ENOENT',
        },
      },
      {
        position: 2,
        inputIndex: 0,
        source: path.join(root, 'ping'),
        error: {
          name: 'UnreadableFileError',
          message: 'it is a link to pong, a loop of links',
          code: 'ELOOP',
        },
      },
      {
        position: 3,
        inputIndex: 0,
        source: path.join(root, 'pong'),
        error: {
          name: 'UnreadableFileError',
          message: 'it is a link to ping, a loop of links',
          code: 'ELOOP',
        },
      },
    ]);
    // Named as an input, a dangling link says the same.
    const named = await planUpload([path.join(root, 'gone-folder')]);
    expect(named.problems[0]?.error.message).toBe(
      `it is a link to ${path.join(root, 'gone')}, which does not exist`,
    );

    const results = await api.uploadResources(plan, { onError: 'skip', channel: 'dangling' });
    expect(results.map((r) => [path.basename(r.source), r.ok])).toEqual([
      ['gone-folder', false],
      ['ok.png', true],
      ['ping', false],
      ['pong', false],
    ]);
    const failed = results[0]!;
    if (failed.ok) throw new Error('unreachable');
    expect(failed.error).toBeInstanceOf(UploadFileError);
    expect(failed.error.cause).toBeInstanceOf(UnreadableFileError);
    expect(failed.error.cause).toMatchObject({ code: 'ENOENT' });
  });

  it('a link to a file is uploaded as that file, under the link name', async () => {
    const target = await outside('file');
    const root = path.join(work, 'file', 'upload');
    await mkdir(root);
    await symlink(path.join(target, 'a.png'), path.join(root, 'scan.png'));
    const plan = await planUpload([root, path.join(root, 'scan.png')], {});
    expect(plan.units.map((u) => [u.files[0]!.source, u.filename, u.mimetype])).toEqual([
      [path.join(root, 'scan.png'), 'scan.png', 'image/png'],
      [path.join(root, 'scan.png'), 'scan.png', 'image/png'],
    ]);
    expect(plan.units[0]!.size).toBe(grayPng(4, 4, 1).byteLength);
    const results = await api.uploadResources(plan, { channel: 'linked-file' });
    expect(results.map((r) => r.ok)).toEqual([true, true]);
  });
});
