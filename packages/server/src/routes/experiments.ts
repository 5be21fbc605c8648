import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';
import { BadRequestError, NotFoundError } from '../errors';
import { requireId } from '../ids';
import { findDataset } from '../repos/datasets';
import {
  appendExperimentLog,
  createExperiment,
  type ExperimentPatch,
  experimentLog,
  getExperiment,
  listExperiments,
  patchExperiment,
} from '../repos/experiments';
import { nowIso } from '../time';
import { optionalString, requiredString, requireObject } from '../validate';

interface IdParams {
  experiment_id: string;
}

export function experimentRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;

  app.get('/experiments', async (req) => listExperiments(db, req.principal.customerId));

  app.post('/experiments', async (req, reply) => {
    const body = requireObject(req.body, 'body');
    const customerId = req.principal.customerId;
    const datasetId = optionalString(body, 'dataset_id', 'body')?.toLowerCase() ?? null;
    if (datasetId !== null && !findDataset(db, customerId, requireId('Dataset', datasetId))) {
      throw new NotFoundError('Dataset', datasetId);
    }
    const environment =
      body.environment === undefined || body.environment === null
        ? {}
        : requireObject(body.environment, 'body.environment');
    reply.code(201);
    return createExperiment(db, {
      customerId,
      datasetId,
      name: requiredString(body, 'name', 'body'),
      description: optionalString(body, 'description', 'body'),
      environment,
      by: req.principal.email,
      at: nowIso(),
    });
  });

  function experimentOr404(customerId: string, rawId: string) {
    const experiment = getExperiment(db, customerId, requireId('Experiment', rawId));
    if (!experiment) throw new NotFoundError('Experiment');
    return experiment;
  }

  app.get<{ Params: IdParams }>('/experiments/:experiment_id', async (req) =>
    experimentOr404(req.principal.customerId, req.params.experiment_id),
  );

  app.patch<{ Params: IdParams }>('/experiments/:experiment_id', async (req) => {
    const { id } = experimentOr404(req.principal.customerId, req.params.experiment_id);
    const body = requireObject(req.body ?? {}, 'body');
    const patch: ExperimentPatch = {};
    const name = optionalString(body, 'name', 'body');
    if (name !== null) patch.name = name;
    if (body.description !== undefined) patch.description = optionalString(body, 'description', 'body');
    if (body.result_summary !== undefined) patch.resultSummary = body.result_summary;
    if (body.completed_at !== undefined) patch.completedAt = optionalString(body, 'completed_at', 'body');
    patchExperiment(db, id, patch);
    return getExperiment(db, req.principal.customerId, id);
  });

  app.post<{ Params: IdParams }>('/experiments/:experiment_id/summary', async (req) => {
    const { id } = experimentOr404(req.principal.customerId, req.params.experiment_id);
    const body = requireObject(req.body, 'body');
    if (body.result_summary === undefined) throw new BadRequestError('body.result_summary is required');
    patchExperiment(db, id, { resultSummary: body.result_summary });
    return getExperiment(db, req.principal.customerId, id);
  });

  app.post<{ Params: IdParams }>('/experiments/:experiment_id/log', async (req, reply) => {
    const { id } = experimentOr404(req.principal.customerId, req.params.experiment_id);
    appendExperimentLog(db, id, requireObject(req.body, 'body'), nowIso());
    reply.code(201);
    return {};
  });

  app.get<{ Params: IdParams }>('/experiments/:experiment_id/log', async (req) => {
    const { id } = experimentOr404(req.principal.customerId, req.params.experiment_id);
    return experimentLog(db, id);
  });
}
