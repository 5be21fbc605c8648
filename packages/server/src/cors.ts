import { CLIENT_READ_HEADERS, IDEMPOTENCY_KEY_HEADER } from '@datamint/core/internal';
import type { FastifyInstance } from 'fastify';

const ALLOWED_HEADERS = `apikey, content-type, accept, ${IDEMPOTENCY_KEY_HEADER}`;
// What the client reads in a browser, plus the fault marker tests look at.
const EXPOSED_HEADERS = [...CLIENT_READ_HEADERS, 'x-datamint-fault'].join(', ');

/**
 * Lets browser pages on any origin call the server (the key travels in a header, never in cookies, so
 * a wildcard origin leaks nothing). Preflight requests are answered before authentication, because
 * browsers send them without the `apikey` header.
 */
export function installCors(app: FastifyInstance): void {
  app.addHook('onRequest', async (req, reply) => {
    reply.header('access-control-allow-origin', '*');
    reply.header('access-control-expose-headers', EXPOSED_HEADERS);
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      return reply
        .code(204)
        .header('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS')
        .header('access-control-allow-headers', ALLOWED_HEADERS)
        .header('access-control-max-age', '600')
        .send();
    }
  });
}
