import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DatasetEntity,
  DetachedEntityError,
  ProjectEntity,
  type ProjectLinks,
  ResourceEntity,
  ResourceNotFoundError,
  SegmentationAnnotation,
  UserEntity,
  ValidationError,
  WorklistEntity,
  webAppUrl,
} from '../src';
import { grayPng, maskPng } from './helpers/images';
import type { RecordedRequest } from './helpers/recording-proxy';
import { type ApiHarness, startApiHarness } from './helpers/server';

const ME = 'tester@datamint.local';
const GONE = '00000000-0000-4000-8000-000000000000';
const PROJECT_WORKLISTS = /^\/projects\/[0-9a-f-]{36}\/worklists$/;

/**
 * The platform's project worklist listing names its fields `worklist_id`/`worklist_name` and may
 * leave out the resources, labels and authorship that `GET /annotationsets/{id}` carries (its client
 * treats them as sometimes missing); the local server sends everything, so the proxy plays that. A second item stands for a
 * worklist deleted between the listing and the read.
 */
function platformWorklistListing(request: RecordedRequest, body: unknown): unknown {
  if (request.method !== 'GET' || !PROJECT_WORKLISTS.test(request.url) || !Array.isArray(body)) return body;
  const listed = body.map((w: Record<string, unknown>) => ({
    worklist_id: w.id,
    worklist_name: w.name,
    annotators: w.annotators,
    status: w.status,
    platform_only: 1,
  }));
  return [...listed, { worklist_id: GONE, worklist_name: 'gone', annotators: [] }];
}

let h: ApiHarness;

beforeAll(async () => {
  h = await startApiHarness({
    uploads: [0, 1, 2].map((s) => ({ name: `e${s}.png`, data: grayPng(5, 4, s) })),
    proxy: { reshape: platformWorklistListing },
  });
});
afterAll(async () => {
  await h?.close();
});

const urls = (requests: RecordedRequest[]) => requests.map((r) => `${r.method} ${r.url}`);

describe('WorklistEntity', () => {
  it('reads the fields a project listing left out with one GET /annotationsets/{id}, keeping the rest', async () => {
    const { api, proxy, ids } = h;
    const project = await api.projects.create('Worklist fields', { resources: [ids[0]!, ids[1]!] });
    await api.annotationWorklists.patch(project.worklistId!, {
      annotations: [
        { type: 'category', identifier: 'grade', scope: 'image', required: true, values: ['a', 'b'] },
      ],
    });
    proxy.take();
    const [worklist, gone] = await project.fetchWorklists();
    expect(urls(proxy.take())).toEqual([`GET /projects/${project.id}/worklists`]);
    expect(worklist).toBeInstanceOf(WorklistEntity);
    expect(worklist!.id).toBe(project.worklistId);
    expect(worklist!.has('resource_ids')).toBe(false);
    expect(worklist!.resourceIds).toEqual([]);
    expect(worklist!.createdBy).toBeNull();

    expect((await worklist!.fetchResourceIds()).sort()).toEqual([ids[0], ids[1]].sort());
    expect(urls(proxy.take())).toEqual([`GET /annotationsets/${worklist!.id}`]);
    expect(await worklist!.fetchAnnotationSpecs()).toEqual([
      { type: 'category', identifier: 'grade', scope: 'image', required: true, values: ['a', 'b'] },
    ]);
    expect(await worklist!.fetchResourceIds()).toHaveLength(2);
    expect(proxy.take()).toEqual([]);
    expect(worklist!.createdBy).toBe(ME);
    expect(worklist!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(worklist!.annotationSpecs.map((s) => s.identifier)).toEqual(['grade']);
    expect(worklist!.get('platform_only')).toBe(1);

    // Deleted between the listing and the read: the group's not-found error, naming the id.
    await expect(gone!.fetchResourceIds()).rejects.toBeInstanceOf(ResourceNotFoundError);
    await expect(gone!.refresh()).rejects.toMatchObject({
      resourceType: 'annotation worklist',
      params: { id: GONE },
    });
    expect(urls(proxy.take())).toEqual([`GET /annotationsets/${GONE}`, `GET /annotationsets/${GONE}`]);
  });

  it('refreshes a worklist returned by getById after it changed on the server', async () => {
    const { api, proxy, ids } = h;
    const worklist = await api.annotationWorklists.create('Before', [ids[2]!]);
    await api.annotationWorklists.patch(worklist, { name: 'After' });
    expect(worklist.name).toBe('Before');
    proxy.take();
    expect(await worklist.refresh()).toBe(worklist);
    expect(worklist.name).toBe('After');
    expect(urls(proxy.take())).toEqual([`GET /annotationsets/${worklist.id}`]);
  });

  it('built from bare JSON, it names the method that needed a client', async () => {
    const bare = new WorklistEntity({ id: GONE, name: 'bare', annotators: [] });
    await expect(bare.fetchResourceIds()).rejects.toThrow(DetachedEntityError);
    await expect(bare.refresh()).rejects.toThrow(
      'WorklistEntity.refresh needs an entity returned by an Api method',
    );
  });
});

describe('UserEntity', () => {
  it('reads itself again by e-mail and keeps its typed fields', async () => {
    const { api, proxy } = h;
    const user = await api.users.create('stale@x.io', { firstname: 'S' });
    expect(user).toBeInstanceOf(UserEntity);
    expect(user.customerId).not.toBe('');
    expect(user.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    await api.users.update('stale@x.io', { lastname: 'Doe' });
    expect(user.lastname).toBeNull();
    proxy.take();
    await user.refresh();
    expect(user.lastname).toBe('Doe');
    expect(urls(proxy.take())).toEqual(['GET /users/stale%40x.io']);
    expect(await user.fetchField('roles')).toEqual(user.roles);
    expect(proxy.take()).toEqual([]);

    const [listed] = (await api.users.getList().toArray()).filter((u) => u.email === 'stale@x.io');
    await api.users.delete('stale@x.io');
    proxy.take();
    await expect(listed!.refresh()).rejects.toMatchObject({
      resourceType: 'user',
      params: { email: 'stale@x.io' },
    });
    expect(urls(proxy.take())).toEqual(['GET /users/stale%40x.io']);
    await expect(new UserEntity(user.toJSON()).refresh()).rejects.toBeInstanceOf(DetachedEntityError);
  });
});

describe('DatasetEntity', () => {
  it('fetches its resources as entities whose files download, and refreshes', async () => {
    const { api, proxy, ids } = h;
    const project = await api.projects.create('Dataset entity', { resources: [ids[0]!, ids[2]!] });
    const [dataset] = (await api.datasets.getList().toArray()).filter((d) => d.id === project.datasetId);
    expect(dataset).toBeInstanceOf(DatasetEntity);
    expect(dataset!.createdBy).toBe(ME);
    expect(dataset!.customerId).toBe((await api.users.getByEmail(ME)).customerId);
    proxy.take();
    const resources = await dataset!.fetchResources({ version: 2 });
    expect(urls(proxy.take())).toEqual([`GET /datasets/${dataset!.id}/resources?version=2`]);
    expect(resources.every((r) => r instanceof ResourceEntity)).toBe(true);
    expect(resources.map((r) => r.id).sort()).toEqual([ids[0], ids[2]].sort());
    const image = resources.find((r) => r.id === ids[2])!;
    expect(Buffer.from(await image.fetchFileData()).equals(Buffer.from(grayPng(5, 4, 2)))).toBe(true);

    await api.datasets.updateResources(dataset!, { add: [ids[1]!] });
    expect(dataset!.totalResource).toBe(2);
    proxy.take();
    await dataset!.refresh();
    expect(urls(proxy.take())).toEqual([`GET /datasets/${dataset!.id}`]);
    expect(dataset!.totalResource).toBe(3);
    expect(dataset!.resourceIds.sort()).toEqual([...ids].sort());

    // Once the project and then the dataset are gone, both reads say which dataset is missing.
    await api.projects.delete(project);
    await api.datasets.delete(dataset!);
    await expect(dataset!.refresh()).rejects.toMatchObject({
      resourceType: 'dataset',
      params: { id: dataset!.id },
    });
    await expect(dataset!.fetchResources()).rejects.toBeInstanceOf(ResourceNotFoundError);
    expect(() => new DatasetEntity(dataset!.toJSON()).fetchResources()).toThrow(DetachedEntityError);
  });
});

describe('AnnotationEntity', () => {
  it('fetches its mask and reads itself again, whether it came from a resource or a search', async () => {
    const { api, proxy, ids } = h;
    const mask = maskPng(5, 4, (x) => (x < 2 ? 1 : 0));
    const [maskId] = await api.annotations.uploadSegmentations(ids[1]!, mask, { name: 'lesion' });
    const resource = await api.resources.getById(ids[1]!);
    const fromResource = (await resource.fetchAnnotations()).find((a) => a.id === maskId);
    const [fromSearch] = (await api.annotations.getList({ resource: ids[1]! }).toArray()).filter(
      (a) => a.id === maskId,
    );
    for (const annotation of [fromResource, fromSearch]) {
      expect(annotation).toBeInstanceOf(SegmentationAnnotation);
      proxy.take();
      const png = decode(await annotation!.fetchFileData());
      expect(urls(proxy.take())).toEqual([`GET /annotations/${ids[1]}/annotations/${maskId}/file`]);
      expect(
        Array.from(
          png.data.filter((_, i) => i % png.channels === 0),
          (v) => (v ? 1 : 0),
        ),
      ).toEqual(Array.from({ length: 20 }, (_, i) => (i % 5 < 2 ? 1 : 0)));
    }

    await api.annotations.patch(maskId!, { identifier: 'renamed' });
    proxy.take();
    await fromSearch!.refresh();
    expect(urls(proxy.take())).toEqual([`GET /annotations/${maskId}`]);
    expect(fromSearch!.identifier).toBe('renamed');

    await api.annotations.delete(maskId!);
    await expect(fromResource!.fetchFileData()).rejects.toBeInstanceOf(ResourceNotFoundError);
    await expect(fromResource!.refresh()).rejects.toMatchObject({
      resourceType: 'annotation',
      params: { id: maskId },
    });
    expect(() => new SegmentationAnnotation(fromSearch!.toJSON()).fetchFileData()).toThrow(
      DetachedEntityError,
    );
  });
});

describe('ProjectEntity', () => {
  it('sets a resource work status and its pinned metrics through the projects group', async () => {
    const { api, proxy, ids } = h;
    const project = await api.projects.create('Project entity', { resources: [ids[0]!] });
    proxy.take();
    await project.setWorkStatus(ids[0]!, 'annotated');
    expect(proxy.take()).toMatchObject([
      {
        method: 'POST',
        url: `/projects/${project.id}/resources/${ids[0]}/status`,
        json: { status: 'annotated' },
      },
    ]);
    await expect(project.setWorkStatus(ids[0]!, 'done' as 'closed')).rejects.toBeInstanceOf(ValidationError);
    await project.setPinnedMetrics(['val/dice', 'val/iou']);
    expect(proxy.take()).toMatchObject([
      { method: 'PATCH', url: `/projects/${project.id}`, json: { pinned_metrics: ['val/dice', 'val/iou'] } },
    ]);
    expect(project.pinnedMetrics).toEqual(['val/dice', 'val/iou']);
    expect((await api.projects.getById(project.id)).pinnedMetrics).toEqual(['val/dice', 'val/iou']);
    await expect(project.setPinnedMetrics('val/dice' as unknown as string[])).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(project.pinnedMetrics).toEqual(['val/dice', 'val/iou']);
  });

  it('reads annotators and the most recent experiment when the platform sends them, and defaults without them', async () => {
    const served = await h.api.projects.create('Project optional fields');
    // datamint-server sends a null experiment and no annotators, as the platform does for a new project.
    expect(served.mostRecentExperiment).toBeNull();
    expect(served.annotators).toEqual([]);
    const experiment = { id: 'exp-1', name: 'baseline', metrics: { dice: 0.91 } };
    const project = new ProjectEntity({
      ...served.toJSON(),
      annotators: [
        { email: 'a@x.io', worklist_ids: ['w1', 'w2'] },
        { email: 'b@x.io' },
        { worklist_ids: ['w3'] },
        'not an annotator',
      ],
      most_recent_experiment: experiment,
    });
    expect(project.annotators).toEqual([
      { email: 'a@x.io', worklistIds: ['w1', 'w2'] },
      { email: 'b@x.io', worklistIds: [] },
    ]);
    expect(project.mostRecentExperiment).toEqual(experiment);
    expect(
      new ProjectEntity({ ...served.toJSON(), most_recent_experiment: ['x'] }).mostRecentExperiment,
    ).toBeNull();
  });
});

describe('ProjectEntity.cacheResources', () => {
  it('downloads each resource once into the cache, then reads them from disk', async () => {
    const { api, proxy, ids } = h;
    const cacheDir = await mkdtemp(join(tmpdir(), 'entities-cache-'));
    try {
      const project = await api.projects.create('Cached', { resources: [ids[0]!, ids[1]!] });
      proxy.take();
      const first = await project.cacheResources({ cacheDir });
      expect(first.map((c) => c.resourceId).sort()).toEqual([ids[0], ids[1]].sort());
      expect(first.every((c) => c.downloaded)).toBe(true);
      expect(urls(proxy.take()).sort()).toEqual(
        [
          `GET /projects/${project.id}/resources?offset=0&limit=5000`,
          `GET /resources/${ids[0]}/file`,
          `GET /resources/${ids[1]}/file`,
        ].sort(),
      );
      const cached = first.find((c) => c.resourceId === ids[1])!;
      expect(Buffer.from(await readFile(cached.path)).equals(Buffer.from(grayPng(5, 4, 1)))).toBe(true);

      const again = await project.cacheResources({ cacheDir });
      expect(again.map((c) => c.downloaded)).toEqual([false, false]);
      expect(urls(proxy.take())).toEqual([`GET /projects/${project.id}/resources?offset=0&limit=5000`]);
      const [resource] = await project.fetchResources();
      proxy.take();
      expect((await resource!.fetchFileData({ useCache: true, cacheDir })).byteLength).toBeGreaterThan(0);
      expect(proxy.take()).toEqual([]);
      expect(() => new ResourceEntity(resource!.toJSON()).fetchFileData()).toThrow(
        'ResourceEntity.fetchFileData needs an entity returned by an Api method',
      );

      await api.projects.delete(project);
      await expect(project.cacheResources({ cacheDir })).rejects.toMatchObject({
        resourceType: 'project',
        params: { id: project.id },
      });
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('web-app links', () => {
  it('are built from the API URL exactly as the platform client builds them', async () => {
    // A local API pairs with the app on port 3000, whatever its own port: checked through a real
    // server reached as `localhost`.
    const local = h.another({ rootUrl: h.proxy.url.replace('127.0.0.1', 'localhost') });
    const [project] = await local.projects.getList({ limit: 1 }).toArray();
    expect(project!.url).toBe(`http://localhost:3000/projects/edit/${project!.id}`);
    const [resource] = await local.resources.getList({ limit: 1 }).toArray();
    expect(resource!.url).toBe(`http://localhost:3000/resource/${resource!.id}`);
    // Loopback by address is not `localhost` to the platform client: the hosted app.
    const [viaAddress] = await h.api.projects.getList({ limit: 1 }).toArray();
    expect(viaAddress!.url).toBe(`https://app.datamint.io/projects/edit/${viaAddress!.id}`);

    const hosts: [string, string][] = [
      ['https://api.datamint.io', 'https://app.datamint.io'],
      ['https://stagingapi.datamint.io', 'https://staging.datamint.io'],
      ['https://stagingapi.datamint.io/v2', 'https://staging.datamint.io'],
      ['http://localhost', 'http://localhost:3000'],
      ['http://localhost:8080/api', 'http://localhost:3000'],
      ['https://localhost:8080', 'https://app.datamint.io'],
      ['http://127.0.0.1:3001', 'https://app.datamint.io'],
      ['https://datamint.example.org', 'https://app.datamint.io'],
    ];
    for (const [api, app] of hosts) {
      expect(webAppUrl(api)).toBe(app);
      const links = { rootUrl: api } as ProjectLinks;
      expect(new ProjectEntity(project!.toJSON(), links).url).toBe(`${app}/projects/edit/${project!.id}`);
    }
    expect(() => new ProjectEntity(project!.toJSON()).url).toThrow(DetachedEntityError);
  });
});
