import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { homeEnv, runCli } from './helpers/cli';
import { pngGray, sharedDataAvailable } from './helpers/data';
import { API_KEY, uploadFixture } from './helpers/server';

const hasData = sharedDataAvailable();
const fixture = uploadFixture('datamint-cli-projects-');
const cli = (args: string[]) =>
  runCli(args, {
    env: { ...homeEnv(fixture.home()), DATAMINT_API_KEY: API_KEY, DATAMINT_API_URL: fixture.server().url },
    cwd: fixture.work(),
  });

describe.skipIf(!hasData)('datamint projects create --resource', () => {
  it('names the resource ids that do not exist, creates nothing and exits 1', async () => {
    const [real] = await fixture.server().api.uploadResources({ name: 'a.png', data: readFileSync(pngGray) });
    const one = await cli(['projects', 'create', 'P1', '--resource', 'bad-id']);
    expect(one.code).toBe(1);
    expect(one.stderr.trim()).toBe(
      'error: resource "bad-id" was not found: no project was created (`datamint resources list` shows the ids)',
    );
    const two = await cli([
      'projects',
      'create',
      'P2',
      '--resource',
      'x1',
      '--resource',
      real!.id!,
      '--resource',
      'x2',
    ]);
    expect(two.code).toBe(1);
    expect(two.stderr.trim()).toBe(
      'error: resources "x1", "x2" were not found: no project was created (`datamint resources list` shows the ids)',
    );
    expect(await fixture.server().api.getProjects()).toEqual([]);
  });
});
