import { randomUUID } from 'node:crypto';
import { finished } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import { safeEntryName } from '../annotated-dataset';
import type { AppContext } from '../context';
import { buildDatasetArchive, DOWNLOAD_FORMATS, type DownloadFormat } from '../dataset-archive';
import { ConflictError, NotFoundError } from '../errors';
import { isUuid, requireId } from '../ids';
import { queryPage, type RawQuery } from '../query';
import {
  addToDataset,
  datasetJson,
  deleteDataset,
  findDataset,
  listDatasets,
  removeFromDataset,
} from '../repos/datasets';
import { findProject } from '../repos/projects';
import { findResource, listResources } from '../repos/resources';
import { datasetSchema, listOf, ok, resourceSchema } from '../schemas/entities';
import { nowIso } from '../time';
import { oneOf, optionalBoolean, optionalString, optionalStringArray, requireObject } from '../validate';

interface IdParams {
  dataset_id: string;
}

export function datasetRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;

  app.get('/datasets', { schema: { response: ok(listOf(datasetSchema)) } }, async (req) => {
    const { items, total } = listDatasets(db, req.principal.customerId, queryPage(req.query as RawQuery));
    return { data: items, totalCount: total };
  });

  app.get<{ Params: IdParams }>(
    '/datasets/:dataset_id',
    { schema: { response: ok(datasetSchema) } },
    async (req) => {
      const dataset = findDataset(db, req.principal.customerId, requireId('Dataset', req.params.dataset_id));
      if (!dataset) throw new NotFoundError('Dataset');
      return datasetJson(db, dataset);
    },
  );

  app.post<{ Params: IdParams }>('/datasets/:dataset_id/resources', async (req) => {
    const customerId = req.principal.customerId;
    const dataset = findDataset(db, customerId, requireId('Dataset', req.params.dataset_id));
    if (!dataset) throw new NotFoundError('Dataset');
    const body = requireObject(req.body ?? {}, 'body');
    const ids = (optionalStringArray(body, 'resource_ids_to_add', 'body') ?? []).map((id) =>
      id.toLowerCase(),
    );
    const toDelete = (optionalStringArray(body, 'resource_ids_to_delete', 'body') ?? []).map((id) =>
      id.toLowerCase(),
    );
    const projectId = optionalString(body, 'project_id', 'body')?.toLowerCase();
    if (projectId !== undefined && (!isUuid(projectId) || !findProject(db, customerId, projectId))) {
      throw new NotFoundError('Project', projectId.slice(0, 100));
    }
    const allFiles = optionalBoolean(body, 'all_files_selected', 'body') ?? false;
    for (const id of ids) {
      if (!findResource(db, customerId, id)) throw new NotFoundError('Resource', id);
    }
    // `all_files_selected: true` (never sent by the Python SDK) is taken as "every live resource".
    const toAdd = allFiles
      ? (
          db
            .prepare('SELECT id FROM resources WHERE customer_id = ? AND deleted = 0 ORDER BY seq')
            .all(customerId) as Array<{
            id: string;
          }>
        ).map((r) => r.id)
      : ids;
    db.transaction(() => {
      addToDataset(db, dataset.id, toAdd, nowIso());
      removeFromDataset(db, dataset.id, toDelete, nowIso());
    })();
    return {};
  });

  function datasetOr404(customerId: string, rawId: string) {
    const dataset = findDataset(db, customerId, requireId('Dataset', rawId));
    if (!dataset) throw new NotFoundError('Dataset');
    return dataset;
  }

  app.delete<{ Params: IdParams }>('/datasets/:dataset_id', async (req) => {
    const dataset = datasetOr404(req.principal.customerId, req.params.dataset_id);
    const owner = db.prepare('SELECT name FROM projects WHERE dataset_id = ?').get(dataset.id) as
      | { name: string }
      | undefined;
    // A project's dataset is the project's resource list: it goes with the project, not alone.
    if (owner)
      throw new ConflictError(`Dataset belongs to project '${owner.name}'; delete the project instead`);
    deleteDataset(db, dataset.id);
    return {};
  });

  app.get<{ Params: IdParams }>(
    '/datasets/:dataset_id/resources',
    { schema: { response: ok({ type: 'array', items: resourceSchema }) } },
    async (req) => {
      const customerId = req.principal.customerId;
      const dataset = datasetOr404(customerId, req.params.dataset_id);
      // Datasets are not versioned locally: every `version` answers the current content.
      return listResources(
        db,
        { customerId, datasetId: dataset.id, ascending: true },
        { offset: 0, limit: undefined },
      ).items;
    },
  );

  app.get<{ Params: IdParams & { format: string } }>(
    '/datasets/:dataset_id/download/:format',
    async (req, reply) => {
      const customerId = req.principal.customerId;
      const dataset = datasetOr404(customerId, req.params.dataset_id);
      const format = oneOf(req.params.format, DOWNLOAD_FORMATS, 'format');
      const token = randomUUID();
      db.prepare(
        'INSERT INTO dataset_downloads (token, customer_id, dataset_id, format, created_at) VALUES (?, ?, ?, ?, ?)',
      ).run(token, customerId, dataset.id, format, nowIso());
      // A bare JSON string: the SDK interpolates the parsed body straight into the next path. Fastify
      // would send a returned string as text, so it is serialised here.
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(token));
    },
  );

  app.get<{ Params: { token: string } }>('/datasets/download/:token', async (req, reply) => {
    const customerId = req.principal.customerId;
    const download = db
      .prepare('SELECT dataset_id, format FROM dataset_downloads WHERE token = ? AND customer_id = ?')
      .get(req.params.token, customerId) as { dataset_id: string; format: DownloadFormat } | undefined;
    if (!download) throw new NotFoundError('Download', 'unknown or foreign token');
    const dataset = findDataset(db, customerId, download.dataset_id);
    if (!dataset) throw new NotFoundError('Dataset');
    const archive = await buildDatasetArchive(ctx, customerId, dataset, download.format);
    void ctx.track(finished(archive).catch(() => undefined));
    return reply
      .header('content-type', 'application/zip')
      .header(
        'content-disposition',
        `attachment; filename="${safeEntryName(dataset.name)}-${download.format}.zip"`,
      )
      .send(archive);
  });
}
