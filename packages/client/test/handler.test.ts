import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decode } from 'fast-png';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APIHandler,
  AuthenticationError,
  BadRequestError,
  ConnectionCheckError,
  DatamintException,
  DownloadWriteError,
  ResourceNotFoundError,
} from '../src';
import { grayPng, maskPng } from './helpers/images';
import { API_KEY, startTestServer, type TestServer } from './helpers/server';
import { readZip } from './helpers/zip';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

describe('construction and connection', () => {
  it('connect() resolves configuration from the environment and checks the connection', async () => {
    const api = await APIHandler.connect({
      env: { DATAMINT_API_KEY: API_KEY, DATAMINT_API_URL: `${server.url}//` },
      configFile: null,
    });
    expect(api.rootUrl).toBe(server.url);
    expect(await api.getProjects()).toEqual([]);
    await api.close();
  });

  it('reads the key from the Python config file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dm-config-'));
    const file = path.join(dir, 'datamintapi.yaml');
    await writeFile(file, `api_key: ${API_KEY}\ndefault_api_url: ${server.url}\n`);
    await using api = await APIHandler.connect({ env: {}, configFile: file });
    expect(await api.getUsers()).toEqual(
      expect.arrayContaining([expect.objectContaining({ email: 'tester@datamint.local' })]),
    );
  });

  it('a wrong key fails the connection check without ever showing the key', async () => {
    const secret = 'wrong-secret-key-123456';
    const lines: string[] = [];
    const error = await APIHandler.connect({
      rootUrl: server.url,
      apiKey: secret,
      configFile: null,
      log: (e) => lines.push(JSON.stringify(e)),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionCheckError);
    expect(error).toBeInstanceOf(DatamintException);
    expect((error as Error).cause).toBeInstanceOf(AuthenticationError);
    const shown = [
      (error as Error).message,
      String((error as Error).stack),
      JSON.stringify((error as { cause: { url: string; body: unknown } }).cause.body),
      (error as { cause: { url: string } }).cause.url,
      ...lines,
    ].join('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(shown).not.toContain(secret);
  });

  it('checkConnection on the constructor defers the check to the first call', async () => {
    const api = new APIHandler({
      rootUrl: 'http://127.0.0.1:9',
      apiKey: 'k-123456',
      checkConnection: true,
      maxRetries: 0,
    });
    const error = await api.getDatasets().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionCheckError);
    expect((error as Error).cause).toBeInstanceOf(APIConnectionError);
    await api.close();
  });

  it('a missing key says how to provide one; a malformed URL fails at construction', async () => {
    const api = new APIHandler({ env: {}, configFile: null });
    await expect(api.getProjects()).rejects.toThrow(/DATAMINT_API_KEY/);
    expect(() => new APIHandler({ rootUrl: 'wrong', apiKey: 'abcdef' })).toThrow(DatamintException);
  });

  it('every listing and getter fails typed with a wrong key, without showing it', async () => {
    const secret = 'not-the-key-8c2f71';
    const api = server.api({ apiKey: secret, maxRetries: 0, onWarning: () => undefined });
    const calls: [string, () => Promise<unknown>][] = [
      ['getProjects', () => api.getProjects()],
      ['getDatasets', () => api.getDatasets()],
      ['getUsers', () => api.getUsers()],
      ['getChannels', () => api.getChannels().toArray()],
      ['getResources', () => api.getResources().toArray()],
      ['getResourcesByProject', () => api.getResourcesByProject('p').toArray()],
      ['getAnnotations', () => api.getAnnotations().toArray()],
      ['getResourceAnnotations', () => api.getResourceAnnotations('r').toArray()],
      ['getAnnotationWorklist', () => api.getAnnotationWorklist().toArray()],
    ];
    for (const [name, call] of calls) {
      const error = await call().catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(AuthenticationError);
      expect(`${(error as Error).message} ${(error as { url: string }).url}`, name).not.toContain(secret);
    }
  });

  it('close() makes later calls fail', async () => {
    const api = server.api();
    await api.close();
    await expect(api.getProjects()).rejects.toThrow(/closed/);
  });
});

describe('projects, datasets, users, experiments', () => {
  it('creates, finds, downloads and deletes a project', async () => {
    const api = server.api();
    const [png] = await api.uploadResources({
      name: 'p/a.png',
      data: (await import('./helpers/images')).grayPng(8, 8),
    });
    expect(png?.ok).toBe(true);
    const id = png?.ok ? png.id : '';
    const project = await api.createProject('Proj A', 'desc', [id]);
    expect(project).toMatchObject({ name: 'Proj A', description: 'desc', is_active_learning: false });
    const learning = await api.createProject('Proj AL', '', [], { isActiveLearning: true });
    expect(await api.getProjectById(learning.id)).toMatchObject({ is_active_learning: true });
    expect(typeof project.dataset_id).toBe('string');
    expect(await api.getProjectById(project.id)).toMatchObject({ id: project.id, name: 'Proj A' });
    expect((await api.getProjectByName('Proj A')).id).toBe(project.id);
    expect((await api.getProjectByName(project.id)).name).toBe('Proj A');
    expect((await api.getProjects()).map((p) => p.name)).toContain('Proj A');
    const datasets = await api.getDatasets();
    expect(datasets.map((d) => d.id)).toContain(project.dataset_id);
    const inProject = await api.getResources({ projectId: project.id }).toArray();
    expect(inProject.map((r) => r.id)).toEqual([id]);

    const zip = path.join(await mkdtemp(path.join(tmpdir(), 'dm-zip-')), 'project.zip');
    const saved = await api.downloadProject(project.id, zip, { includeUnannotated: true });
    const bytes = await readFile(zip);
    expect(saved.bytes).toBe(bytes.length);
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');

    expect(await api.getExperimentByName('none', project)).toBeNull();
    // Experiments are created outside the seed API (Python's Experiment class): POST /experiments.
    const created = await request(`${server.url}/experiments`, {
      method: 'POST',
      headers: { apikey: API_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({
        dataset_id: project.dataset_id,
        name: 'run-1',
        description: 'd',
        environment: {},
      }),
    });
    const experiment = (await created.body.json()) as { id: string };
    expect(await api.getExperimentByName('run-1', project.id)).toMatchObject({
      id: experiment.id,
      name: 'run-1',
    });
    await api.deleteProject(project.id);
    const gone = await api.getProjectById(project.id).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(ResourceNotFoundError);
    expect(gone).toMatchObject({ resourceType: 'project', params: { project_id: project.id } });
    await expect(api.deleteProject(project.id)).rejects.toMatchObject({ resourceType: 'project' });
  });

  it('downloadProject streams the export: worklist annotations, allAnnotations, includeUnannotated', async () => {
    const api = server.api();
    const pngs = [1, 2, 3].map((seed) => grayPng(5, 4, seed));
    const uploaded = await api.uploadResources(
      pngs.map((data, i) => ({ name: `export/r${i}.png`, data })),
      { channel: 'export' },
    );
    const [inWorklist, elsewhere, bare] = uploaded.map((r) => (r.ok ? r.id : ''));
    const project = await api.createProject('Export', 'd', [inWorklist!, elsewhere!, bare!]);
    const [projectAnnotation] = await api.addImageCategoryAnnotation(inWorklist!, 'finding', 'yes', {
      project: project.id,
    });
    const [mask] = await api.uploadSegmentations(
      inWorklist!,
      maskPng(5, 4, (x) => (x < 2 ? 1 : 0)),
      {
        name: 'Left',
        worklistId: project.worklist_id,
      },
    );
    const [outside] = await api.addAnnotations(elsewhere!, 'loose');
    const dir = await mkdtemp(path.join(tmpdir(), 'dm-export-'));
    const exportWith = async (options: { allAnnotations?: boolean; includeUnannotated?: boolean }) => {
      const file = path.join(dir, `${JSON.stringify(options).replace(/\W/g, '')}.zip`);
      const result = await api.downloadProject(project.id, file, options);
      const bytes = new Uint8Array(await readFile(file));
      expect(result).toEqual({ path: file, bytes: bytes.length });
      const entries = readZip(bytes);
      const manifest = JSON.parse(new TextDecoder().decode(entries.get('dataset.json'))) as {
        resources: { id: string; file: string; annotations: { id: string; file?: string }[] }[];
      };
      return { entries, manifest };
    };

    const plain = await exportWith({});
    expect(plain.manifest.resources.map((r) => r.id)).toEqual([inWorklist]);
    const [only] = plain.manifest.resources;
    expect(only!.annotations.map((a) => a.id).sort()).toEqual([projectAnnotation, mask].sort());
    expect(Buffer.from(plain.entries.get(only!.file)!).equals(Buffer.from(pngs[0]!))).toBe(true);
    const maskFile = only!.annotations.find((a) => a.id === mask)!.file!;
    const maskPixels = decode(plain.entries.get(maskFile)!);
    expect([maskPixels.width, maskPixels.height]).toEqual([5, 4]);
    expect([maskPixels.data[0], maskPixels.data[3 * maskPixels.channels]]).toEqual([255, 0]);

    const all = await exportWith({ allAnnotations: true });
    expect(all.manifest.resources.map((r) => r.id).sort()).toEqual([inWorklist, elsewhere].sort());
    expect(all.manifest.resources.find((r) => r.id === elsewhere)!.annotations.map((a) => a.id)).toEqual([
      outside,
    ]);

    const everything = await exportWith({ includeUnannotated: true });
    expect(everything.manifest.resources.map((r) => r.id).sort()).toEqual(
      [inWorklist, elsewhere, bare].sort(),
    );
    expect(everything.manifest.resources.find((r) => r.id === elsewhere)!.annotations).toEqual([]);
  });

  it('unknown project ids are typed not-found errors and leave no file behind', async () => {
    const api = server.api();
    const dir = await mkdtemp(path.join(tmpdir(), 'dm-zip-missing-'));
    const zip = path.join(dir, 'missing.zip');
    const missing = '00000000-0000-0000-0000-0000000000ff';
    await expect(api.downloadProject(missing, zip)).rejects.toMatchObject({
      resourceType: 'project',
      params: { project_id: missing },
    });
    expect(await readdir(dir)).toEqual([]);
    await expect(api.getExperimentByName('x', missing)).rejects.toBeInstanceOf(ResourceNotFoundError);
    // A real project, but a folder that does not exist: a local error, not a network one.
    const project = await api.createProject('Unwritable', 'd', []);
    const nowhere = path.join(dir, 'no-such-folder', 'p.zip');
    const unwritable = await api.downloadProject(project.id, nowhere).catch((e: unknown) => e);
    expect(unwritable).toBeInstanceOf(DownloadWriteError);
    expect(unwritable).toMatchObject({ destination: nowhere });
    expect(await readdir(dir)).toEqual([]);
  });

  it('getProjectByName throws ResourceNotFoundError for an unknown name', async () => {
    const error = await server
      .api()
      .getProjectByName('No Such Project')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundError);
    expect(error).toMatchObject({ resourceType: 'project', params: { project_name: 'No Such Project' } });
  });

  it('validates arguments client-side, naming the field', async () => {
    const api = server.api();
    await expect(api.createProject('x', 'd', 'r1' as never)).rejects.toThrow(/resourceIds/);
    await expect(api.createUser('')).rejects.toThrow(/Invalid email/);
    // Server-side validation comes back typed, with the server's message naming the field.
    const bad = await api.createUser('not-an-email').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(BadRequestError);
    expect((bad as Error).message).toMatch(/email.*not-an-email/);
    const missing = await api
      .createProject('P', 'd', ['00000000-0000-0000-0000-00000000000a'])
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({
      resourceType: 'resource',
      params: { resource_ids: ['00000000-0000-0000-0000-00000000000a'] },
    });
  });

  it('creates and lists users', async () => {
    const api = server.api();
    const user = await api.createUser('new.user@example.com', {
      firstname: 'New',
      lastname: 'User',
      password: 'pw-123456',
      roles: ['annotator'],
    });
    expect(user).toMatchObject({ email: 'new.user@example.com', firstname: 'New', lastname: 'User' });
    expect(JSON.stringify(user)).not.toContain('pw-123456');
    const users = await api.getUsers();
    expect(users.map((u) => u.email)).toContain('new.user@example.com');
    await expect(api.createUser('new.user@example.com')).rejects.toMatchObject({ status: 409 });
  });
});
