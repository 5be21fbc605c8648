import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';
import { annotationRoutes } from './annotations';
import { datasetRoutes } from './datasets';
import { experimentRoutes } from './experiments';
import { projectRoutes } from './projects';
import { resourceRoutes } from './resources';
import { userRoutes } from './users';
import { worklistRoutes } from './worklists';

export function registerRoutes(app: FastifyInstance, ctx: AppContext): void {
  resourceRoutes(app, ctx);
  projectRoutes(app, ctx);
  datasetRoutes(app, ctx);
  userRoutes(app, ctx);
  annotationRoutes(app, ctx);
  worklistRoutes(app, ctx);
  experimentRoutes(app, ctx);
}
