import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Api,
  DefaultProjectNotSetError,
  DetachedEntityError,
  ProjectEntity,
  ProjectSplitEntity,
  ResourceEntity,
  ResourceNotFoundError,
  ValidationError,
  WorklistEntity,
} from '../src';
import { grayPng } from './helpers/images';
import type { RecordingProxy } from './helpers/recording-proxy';
import { API_KEY, type ApiHarness, startApiHarness } from './helpers/server';

let h: ApiHarness;
let proxy: RecordingProxy;
let api: Api;
let project: ProjectEntity;
let dir: string;
let ids: string[];
const MISSING = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  h = await startApiHarness({
    uploads: [0, 1, 2].map((s) => ({ name: `w${s}.png`, data: grayPng(5, 4, s) })),
  });
  ({ proxy, api, ids } = h);
  project = await api.projects.create('Work', { resources: ids });
  dir = await mkdtemp(join(tmpdir(), 'api-project-work-'));
});
afterAll(async () => {
  await h?.close();
});

describe('api.projects: members, statuses, splits, exports, statistics', () => {
  it('sets, lists and removes members with the e-mail as one escaped path segment', async () => {
    await api.users.create('ann+1@x.io', { firstname: 'Ann' });
    proxy.take();
    await api.projects.setMember(project, 'ann+1@x.io', ['annotator']);
    expect(proxy.take()[0]).toMatchObject({
      method: 'POST',
      url: `/projects/${project.id}/members/ann%2B1%40x.io`,
      json: { roles: ['annotator'] },
    });
    const members = await api.projects.getMembers(project);
    expect(proxy.take()[0]?.url).toBe(`/projects/${project.id}/members`);
    expect(members.find((m) => m.user_id === 'ann+1@x.io')).toMatchObject({ roles: ['annotator'] });
    await api.projects.removeMember(project, 'ann+1@x.io');
    expect(proxy.take()[0]).toMatchObject({
      method: 'DELETE',
      url: `/projects/${project.id}/members/ann%2B1%40x.io`,
    });
    expect((await api.projects.getMembers(project)).some((m) => m.user_id === 'ann+1@x.io')).toBe(false);
    await expect(api.projects.setMember(project, 'ann+1@x.io', 'admin' as never)).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(api.projects.getMembers(MISSING)).rejects.toMatchObject({
      resourceType: 'project',
      params: { id: MISSING },
    });
  });

  it('reads annotation statuses with only the filters given, and resets one', async () => {
    await api.projects.setWorkStatus(project, ids[0]!, 'annotated');
    proxy.take();
    const all = await api.projects.getAnnotationStatuses(project);
    expect(proxy.take()[0]?.url).toBe(`/projects/${project.id}/annotation-statuses`);
    expect(JSON.stringify(all)).toContain(ids[0]);
    await api.projects.getAnnotationStatuses(project, {
      status: 'annotated',
      userId: 'tester@datamint.local',
      resource: ids[0]!,
    });
    expect(proxy.take()[0]?.url).toBe(
      `/projects/${project.id}/annotation-statuses?status=annotated&user_id=tester%40datamint.local&resource_id=${ids[0]}`,
    );
    await api.projects.resetAnnotatorStatus(project, ids[0]!, 'tester@datamint.local');
    expect(proxy.take()[0]).toMatchObject({
      method: 'DELETE',
      url: `/projects/${project.id}/resources/${ids[0]}/annotator/tester%40datamint.local/status-reset`,
    });
  });

  it('gets the split of one resource, undefined when it has none', async () => {
    await api.projects.assignSplits(project, [ids[1]!], 'test');
    proxy.take();
    const split = await api.projects.getResourceSplit(project, ids[1]!);
    expect(proxy.take()[0]?.url).toBe(`/projects/${project.id}/resources/${ids[1]}/split`);
    expect(split).toBeInstanceOf(ProjectSplitEntity);
    expect(split).toMatchObject({ splitName: 'test', resourceId: ids[1] });
    expect(await api.projects.getResourceSplit(project, ids[2]!)).toBeUndefined();
  });

  it('streams the annotation export to a file (csv and xlsx), with repeated []-keys', async () => {
    await api.annotations.createImageClassification(ids[0]!, 'quality', 'good');
    proxy.take();
    const csv = join(dir, 'a.csv');
    const written = await api.projects.downloadAnnotations(project, csv, {
      fromDate: '2020-01-01',
      annotators: ['tester@datamint.local', 'b@x.io'],
      annotations: ['quality'],
    });
    expect(proxy.take()[0]?.url).toBe(
      `/projects/${project.id}/download-annotations?format=csv&from=2020-01-01&annotators%5B%5D=tester%40datamint.local&annotators%5B%5D=b%40x.io&annotations%5B%5D=quality`,
    );
    const text = readFileSync(csv, 'utf8');
    expect(written).toEqual({ path: csv, bytes: Buffer.byteLength(text) });
    expect(text).toContain('quality');
    expect(text).toContain('good');
    const xlsx = join(dir, 'a.xlsx');
    await api.projects.downloadAnnotations(project, xlsx, { format: 'xlsx' });
    // An XLSX file is a ZIP archive.
    expect(readFileSync(xlsx).subarray(0, 2).toString('latin1')).toBe('PK');
    await expect(
      api.projects.downloadAnnotations(project, join(dir, 'b'), { format: 'pdf' as 'csv' }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('never writes an error answer into the export file', async () => {
    const out = join(dir, 'missing.csv');
    await expect(api.projects.downloadAnnotations(MISSING, out)).rejects.toBeInstanceOf(
      ResourceNotFoundError,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('reads statistics, annotator status, review messages, models and pinned metrics', async () => {
    proxy.take();
    await api.projects.getAnnotatorsStats(project, { annotatorEmail: 'tester@datamint.local' });
    await api.projects.getAnnotationsStats(project);
    await api.projects.getFilesMatrixStats(project);
    await api.projects.getAnnotatorStatus(project, 'tester@datamint.local');
    await api.projects.getReviewMessages(project, { statuses: ['open', 'closed'], resource: ids[0]! });
    await api.projects.getModels(project);
    expect(proxy.take().map((r) => r.url)).toEqual([
      `/projects/${project.id}/annotators-statistic?email=tester%40datamint.local`,
      `/projects/${project.id}/annotations-statistic`,
      `/projects/${project.id}/files-matrix-statistic`,
      `/projects/${project.id}/users/tester%40datamint.local/status`,
      `/projects/${project.id}/reviewmessages?resourceId=${ids[0]}&statuses=open&statuses=closed`,
      `/projects/${project.id}/models`,
    ]);
    await api.projects.setPinnedMetrics(project, ['dice']);
    expect(proxy.take()[0]).toMatchObject({
      method: 'PATCH',
      url: `/projects/${project.id}`,
      json: { pinned_metrics: ['dice'] },
    });
    expect(await api.projects.getPinnedMetrics(project)).toEqual(['dice']);
  });

  it('uses the selected project when the project argument is left out', async () => {
    const other = new Api({ rootUrl: proxy.url, apiKey: API_KEY, configFile: null, env: {} });
    try {
      proxy.take();
      await expect(other.projects.getMembers()).rejects.toBeInstanceOf(DefaultProjectNotSetError);
      await expect(other.projects.getSplits(undefined)).rejects.toBeInstanceOf(DefaultProjectNotSetError);
      expect(proxy.take()).toEqual([]);
      const selected = await other.selectProject('Work');
      expect(selected.id).toBe(project.id);
      expect(other.selectedProject?.id).toBe(project.id);
      proxy.take();
      await other.projects.getMembers();
      await other.projects.assignSplits(undefined, [ids[2]!], 'validation');
      expect(proxy.take().map((r) => r.url)).toEqual([
        `/projects/${project.id}/members`,
        `/projects/${project.id}/splits`,
      ]);
      // Selection belongs to one Api: another one is unaffected.
      expect(api.selectedProject).toBeUndefined();
      await expect(other.selectProject('No such project')).rejects.toBeInstanceOf(ResourceNotFoundError);
    } finally {
      await other.close();
    }
  });
});

describe('ProjectEntity behaviour', () => {
  it('fetches its resources and worklists, builds its web-app link, refreshes fields a listing lacks', async () => {
    const [listed] = await api.projects.getList().toArray();
    expect(listed?.url).toBe(`https://app.datamint.io/projects/edit/${listed?.id}`);
    const resources = await listed!.fetchResources();
    expect(resources.every((r) => r instanceof ResourceEntity)).toBe(true);
    expect(resources.map((r) => r.id).sort()).toEqual([...ids].sort());
    const worklists = await listed!.fetchWorklists();
    expect(worklists.every((w) => w instanceof WorklistEntity)).toBe(true);

    // A listing that leaves a field out: the entity fetches the project once to read it.
    const partial = new ProjectEntity({ ...project.toJSON(), extra_from_server: 7 });
    expect(partial.get('extra_from_server')).toBe(7);
    expect(() => partial.fetchResources()).toThrow(DetachedEntityError);
    const byId = await api.projects.getById(project.id);
    proxy.take();
    expect(await byId.fetchField('dataset_id')).toBe(project.datasetId);
    expect(proxy.take()).toEqual([]);
    expect(await byId.fetchField('not_sent_by_server')).toBeUndefined();
    expect(proxy.take().map((r) => r.url)).toEqual([`/projects/${project.id}`]);
  });
});
