import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { homeEnv, runCli } from './helpers/cli';
import { pngGray, sharedDataAvailable } from './helpers/data';
import { API_KEY, uploadFixture } from './helpers/server';

// Root reads every file whatever its mode, so the CLI then runs as `nobody`, for whom chmod 000 denies.
const asRoot = process.getuid?.() === 0;
const user = asRoot ? { uid: 65534, gid: 65534 } : undefined;

const fixture = uploadFixture('datamint-cli-download-existing-');

async function uploadPng(name: string): Promise<string> {
  const [result] = await fixture.server().api.uploadResources([{ name, data: readFileSync(pngGray) }]);
  return result!.id!;
}

describe.skipIf(!sharedDataAvailable())('datamint download next to what is already in --out', () => {
  // An entry of the file's name that cannot be compared is not the file: the download is kept under
  // the id-prefixed name, as for a file of other bytes, rather than failing.
  it.each([
    ['a folder of that name', (path: string) => mkdirSync(path)],
    [
      'an unreadable file of another size',
      (path: string) => {
        writeFileSync(path, 'not the png');
        chmodSync(path, 0o000);
      },
    ],
    [
      'an unreadable file of the same size',
      (path: string) => {
        writeFileSync(path, Buffer.alloc(readFileSync(pngGray).length));
        chmodSync(path, 0o000);
      },
    ],
  ])('writes beside %s under the id-prefixed name', async (_what, place) => {
    const id = await uploadPng('a.png');
    const work = fixture.work();
    // The unprivileged user must enter the tree and write into --out.
    chmodSync(work, 0o755);
    const out = join(work, 'out');
    mkdirSync(out);
    const runHome = mkdtempSync(join(tmpdir(), 'datamint-cli-home-nobody-'));
    if (user) {
      chownSync(out, user.uid, user.gid);
      chownSync(runHome, user.uid, user.gid);
    }
    place(join(out, 'a.png'));
    const result = await runCli(['download', id, '--out', 'out', '--json'], {
      env: { ...homeEnv(runHome), DATAMINT_API_KEY: API_KEY, DATAMINT_API_URL: fixture.server().url },
      cwd: work,
      ...(user ? { user } : {}),
    });
    expect(result.code, result.stderr).toBe(0);
    const { downloaded } = JSON.parse(result.stdout);
    expect(downloaded).toEqual([expect.objectContaining({ id, path: join(out, `${id}-a.png`) })]);
    expect(downloaded[0].unchanged).toBeUndefined();
    expect(readdirSync(out).sort()).toEqual([`${id}-a.png`, 'a.png'].sort());
    chmodSync(join(out, 'a.png'), 0o755);
    expect(readFileSync(join(out, `${id}-a.png`))).toEqual(readFileSync(pngGray));
  });
});
