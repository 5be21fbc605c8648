import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceSchema, splitSchema, worklistSchema } from '../src/schemas/entities';
import { expectEntity } from './support/entities';
import { grayPng } from './support/images';
import { KEY_B, send, startTestServer, type TestServer, uploadOk } from './support/server';
import { readZip } from './support/zip';

describe('current platform API: project routes', () => {
  let server: TestServer;
  let project: { id: string; dataset_id: string; worklist_id: string; name: string };
  const rids: string[] = [];
  const p = (path: string) => `${server.url}/projects/${project.id}${path}`;

  beforeAll(async () => {
    server = await startTestServer();
    for (let i = 0; i < 3; i++) {
      rids.push(
        await uploadOk(server.url, { bytes: grayPng(2, 2), filename: `p${i}.png`, mimetype: 'image/png' }),
      );
    }
    project = (
      await send(`${server.url}/projects`, {
        method: 'POST',
        json: {
          name: 'Study, "one"',
          is_active_learning: false,
          resource_ids: [],
          segmentationData: { segmentationValueType: 'single_label', definitions: [] },
          annotation_set: { resource_ids: [], annotations: [] },
          two_up_display: true,
          require_review: false,
          description: 'desc',
        },
      })
    ).json;
  });
  afterAll(() => server.dispose());

  it('adds resources to the project, its dataset and its worklist', async () => {
    const reply = await send(p('/resources'), {
      method: 'POST',
      json: { resource_ids_to_add: [rids[0], rids[1], rids[2]], all_files_selected: false },
    });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ added: 3, resource_count: 3 });
    const listed = await send(p('/resources'));
    expectEntity(listed.json, { type: 'array', items: resourceSchema });
    expect(listed.json.map((r: { id: string }) => r.id)).toEqual(rids);
    const dataset = await send(`${server.url}/datasets/${project.dataset_id}`);
    expect(dataset.json.resource_ids).toEqual(rids);
    const worklists = await send(p('/worklists'));
    expectEntity(worklists.json, { type: 'array', items: worklistSchema });
    expect(worklists.json).toHaveLength(1);
    expect(worklists.json[0]).toMatchObject({ id: project.worklist_id, resource_ids: rids });
    const empty = await send(p('/resources'), {
      method: 'POST',
      json: { resource_ids_to_add: [], all_files_selected: false },
    });
    expect(empty.json.added).toBe(0);
    const foreign = await uploadOk(server.url, {
      bytes: grayPng(2, 2),
      filename: 'b.png',
      mimetype: 'image/png',
      key: KEY_B,
    });
    const cross = await send(p('/resources'), { method: 'POST', json: { resource_ids_to_add: [foreign] } });
    expect(cross.status).toBe(404);
    const byB = await send(p('/resources'), {
      method: 'POST',
      json: { resource_ids_to_add: [] },
      key: KEY_B,
    });
    expect(byB.status).toBe(404);
    expect(byB.json.message).toBe('Project not found');
  });

  it('manages members (known users only)', async () => {
    await send(`${server.url}/users`, {
      method: 'POST',
      json: { email: 'ann@a.test', password: null, firstname: 'Ann', lastname: null, roles: [] },
    });
    const set = await send(p('/members/ann@a.test'), { method: 'POST', json: { roles: ['annotator'] } });
    expect(set.status).toBe(200);
    const members = await send(p('/members'));
    expect(members.json).toEqual([
      {
        project_id: project.id,
        user_id: 'ann@a.test',
        roles: ['annotator'],
        expertise_level: null,
        status: 'active',
        firstname: 'Ann',
        lastname: null,
      },
    ]);
    expect((await send(p('/members/nobody@a.test'), { method: 'POST', json: { roles: [] } })).status).toBe(
      404,
    );
    expect((await send(p('/members/bob@b.test'), { method: 'POST', json: { roles: [] } })).status).toBe(404);
    const noRoles = await send(p('/members/ann@a.test'), { method: 'POST', json: {} });
    expect(noRoles.status).toBe(400);
    expect(noRoles.json.message).toContain('roles');
    expect((await send(p('/members/ann@a.test'), { method: 'DELETE' })).status).toBe(200);
    expect((await send(p('/members'))).json).toEqual([]);
    expect((await send(p('/members/ann@a.test'), { method: 'DELETE' })).status).toBe(404);
  });

  it('stores splits, answers them now and as of a past time, and per resource', async () => {
    const train = await send(p('/splits'), {
      method: 'POST',
      json: { resource_ids: [rids[0], rids[1]], split_name: 'train' },
    });
    expect(train.status).toBe(200);
    expectEntity(train.json, { type: 'array', items: splitSchema });
    const before = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await send(p('/splits'), { method: 'POST', json: { resource_ids: [rids[1]], split_name: 'test' } });
    const all = await send(p('/splits'));
    expectEntity(all.json, { type: 'array', items: splitSchema });
    expect(
      all.json.map((s: { resource_id: string; split_name: string }) => [s.resource_id, s.split_name]),
    ).toEqual([
      [rids[0], 'train'],
      [rids[1], 'test'],
    ]);
    const trainOnly = await send(p('/splits?split_name=train'));
    expect(trainOnly.json.map((s: { resource_id: string }) => s.resource_id)).toEqual([rids[0]]);
    const past = await send(p(`/splits?split_name=train&as_of_timestamp=${encodeURIComponent(before)}`));
    expect(past.json.map((s: { resource_id: string }) => s.resource_id)).toEqual([rids[0], rids[1]]);
    const one = await send(p(`/resources/${rids[1]}/split`));
    expectEntity(one.json, splitSchema);
    expect(one.json.split_name).toBe('test');
    const none = await send(p(`/resources/${rids[2]}/split`));
    expect(none.status).toBe(404);
    expect(none.json.message).toContain('not found');
    const outside = await uploadOk(server.url, {
      bytes: grayPng(2, 2),
      filename: 'x.png',
      mimetype: 'image/png',
    });
    const bad = await send(p('/splits'), {
      method: 'POST',
      json: { resource_ids: [outside], split_name: 'train' },
    });
    expect(bad.status).toBe(404);
    const noName = await send(p('/splits'), { method: 'POST', json: { resource_ids: [rids[0]] } });
    expect(noName.status).toBe(400);
    expect(noName.json.message).toContain('split_name');
  });

  it('records per-annotator statuses, lists, resets them, and computes statistics from stored data', async () => {
    await send(p(`/resources/${rids[0]}/status`), { method: 'POST', json: { status: 'closed' } });
    await send(p(`/resources/${rids[1]}/status`), { method: 'POST', json: { status: 'opened' } });
    await send(`${server.url}/annotations/${rids[0]}/annotations`, {
      method: 'POST',
      json: [
        { type: 'category', identifier: 'quality', scope: 'image', value: 'good' },
        {
          type: 'category',
          identifier: 'quality',
          scope: 'image',
          value: '=1+1',
          import_author: 'ann@a.test',
        },
        { type: 'label', identifier: 'tumour', scope: 'image' },
      ],
    });
    const statuses = await send(p('/annotation-statuses?status=closed'));
    expect(statuses.json).toMatchObject([
      { resource_id: rids[0], user_id: 'alice@a.test', status: 'closed' },
    ]);
    const annotators = await send(p('/annotators-statistic'));
    expect(annotators.json).toEqual([
      {
        email: 'alice@a.test',
        annotations_count: 2,
        annotated_resources_count: 1,
        opened_count: 1,
        annotated_count: 0,
        closed_count: 1,
      },
      {
        email: 'ann@a.test',
        annotations_count: 1,
        annotated_resources_count: 1,
        opened_count: 0,
        annotated_count: 0,
        closed_count: 0,
      },
    ]);
    expect((await send(p('/annotators-statistic?email=ann@a.test'))).json).toHaveLength(1);
    const byLabel = await send(p('/annotations-statistic'));
    expect(byLabel.json).toEqual([
      { identifier: 'quality', type: 'category', count: 2, resources_count: 1 },
      { identifier: 'tumour', type: 'label', count: 1, resources_count: 1 },
    ]);
    const matrix = await send(p('/files-matrix-statistic'));
    expect(matrix.json.map((m: { annotations_count: number }) => m.annotations_count)).toEqual([3, 0, 0]);
    const mine = await send(p('/users/alice@a.test/status'));
    expect(mine.json).toMatchObject({ total_resources: 3, opened: 1, closed: 1, status: 'in_progress' });
    expect((await send(p('/models'))).json).toEqual([]);
    expect(
      (await send(p('/reviewmessages?annotator=alice@a.test&statuses=closed&statuses=opened'))).json,
    ).toEqual([]);
    const reset = await send(p(`/resources/${rids[1]}/annotator/alice@a.test/status-reset`), {
      method: 'DELETE',
    });
    expect(reset.json).toEqual({ reset: 1 });
    expect((await send(p('/annotation-statuses'))).json).toHaveLength(1);
  });

  it('downloads the annotations as CSV and XLSX with the date/annotator/label filters', async () => {
    const csv = await send(p('/download-annotations?format=csv'));
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'annotation_id,resource_id,filename,identifier,type,scope,frame_index,value,annotator,status,created_at',
    );
    expect(lines).toHaveLength(4);
    expect(lines[2]).toContain(",'=1+1,ann@a.test,");
    const filtered = await send(p('/download-annotations?format=csv&annotators%5B%5D=ann%40a.test'));
    expect(filtered.text.trimEnd().split('\r\n')).toHaveLength(2);
    const byLabel = await send(
      p('/download-annotations?format=csv&annotations%5B%5D=tumour&from=2000-01-01&to=2999-01-01'),
    );
    expect(byLabel.text.trimEnd().split('\r\n')[1]).toContain(',tumour,label,');
    const future = await send(p('/download-annotations?format=csv&from=2999-01-01'));
    expect(future.text.trimEnd().split('\r\n')).toHaveLength(1);
    const xlsx = await send(p('/download-annotations?format=xlsx'));
    expect(xlsx.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const entries = readZip(xlsx.bytes);
    expect([...entries.keys()].sort()).toEqual([
      '[Content_Types].xml',
      '_rels/.rels',
      'xl/_rels/workbook.xml.rels',
      'xl/workbook.xml',
      'xl/worksheets/sheet1.xml',
    ]);
    const sheet = entries.get('xl/worksheets/sheet1.xml')!.toString('utf8');
    expect(sheet.match(/<row /g)).toHaveLength(4);
    expect(sheet).toContain('<t xml:space="preserve">tumour</t>');
    const bad = await send(p('/download-annotations?format=pdf'));
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('format');
  });
});
