import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';
import { NotFoundError } from '../errors';
import { requireId } from '../ids';
import { queryPage, type RawQuery } from '../query';
import { addToDataset, datasetJson, findDataset, listDatasets } from '../repos/datasets';
import { findResource } from '../repos/resources';
import { datasetSchema, listOf, ok } from '../schemas/entities';
import { nowIso } from '../time';
import { optionalBoolean, optionalStringArray, requireObject } from '../validate';

interface IdParams {
  dataset_id: string;
}

export function datasetRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;

  app.get('/datasets', { schema: { response: ok(listOf(datasetSchema)) } }, async (req) => {
    const { items, total } = listDatasets(db, req.principal.customerId, queryPage(req.query as RawQuery));
    return { data: items, totalCount: total };
  });

  app.get<{ Params: IdParams }>('/datasets/:dataset_id', async (req) => {
    const dataset = findDataset(db, req.principal.customerId, requireId('Dataset', req.params.dataset_id));
    if (!dataset) throw new NotFoundError('Dataset');
    return datasetJson(db, dataset);
  });

  app.post<{ Params: IdParams }>('/datasets/:dataset_id/resources', async (req) => {
    const customerId = req.principal.customerId;
    const dataset = findDataset(db, customerId, requireId('Dataset', req.params.dataset_id));
    if (!dataset) throw new NotFoundError('Dataset');
    const body = requireObject(req.body ?? {}, 'body');
    const ids = (optionalStringArray(body, 'resource_ids_to_add', 'body') ?? []).map((id) =>
      id.toLowerCase(),
    );
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
    db.transaction(() => addToDataset(db, dataset.id, toAdd, nowIso()))();
    return {};
  });
}
