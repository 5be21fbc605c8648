import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';
import { NotFoundError } from '../errors';
import { requireId } from '../ids';
import { findDataset } from '../repos/datasets';
import { createExperiment, getExperiment, listExperiments } from '../repos/experiments';
import { nowIso } from '../time';
import { optionalString, requiredString, requireObject } from '../validate';

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

  app.get<{ Params: { experiment_id: string } }>('/experiments/:experiment_id', async (req) => {
    const experiment = getExperiment(
      db,
      req.principal.customerId,
      requireId('Experiment', req.params.experiment_id),
    );
    if (!experiment) throw new NotFoundError('Experiment');
    return experiment;
  });
}
