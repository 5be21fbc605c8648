import { setTimeout as delay } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { ServerConfigError } from './errors';
import { FAULT_KINDS, type FaultKind, type FaultOptions } from './options';

/** mulberry32: tiny, fast and good enough to make fault sequences reproducible from a seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Decides, request by request, whether and how to misbehave. Same seed -> same sequence. */
export class FaultInjector {
  readonly rate: number;
  readonly kinds: readonly FaultKind[];
  readonly slowMs: number;
  readonly retryAfterSeconds: number;
  private readonly random: () => number;

  constructor(options: FaultOptions) {
    if (!(options.rate >= 0 && options.rate <= 1)) {
      throw new ServerConfigError(`fault rate must be between 0 and 1, got ${options.rate}`);
    }
    const kinds = options.kinds ?? [...FAULT_KINDS];
    if (kinds.length === 0) throw new ServerConfigError('fault kinds must not be empty');
    for (const kind of kinds) {
      if (!FAULT_KINDS.includes(kind)) {
        throw new ServerConfigError(
          `unknown fault kind '${kind}'; expected one of ${FAULT_KINDS.join(', ')}`,
        );
      }
    }
    const seed = options.seed ?? 1;
    if (!Number.isInteger(seed)) throw new ServerConfigError(`fault seed must be an integer, got ${seed}`);
    this.rate = options.rate;
    this.kinds = kinds;
    this.slowMs = options.slowMs ?? 1500;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
    this.random = mulberry32(seed);
  }

  /** The fault for the next request, or undefined to serve it normally. */
  next(): FaultKind | undefined {
    const roll = this.random();
    const pick = this.random();
    if (roll >= this.rate) return undefined;
    return this.kinds[Math.min(this.kinds.length - 1, Math.floor(pick * this.kinds.length))];
  }
}

/** Parses `--fault-kinds 503,429,reset,slow`. */
export function parseFaultKinds(text: string): FaultKind[] {
  const kinds = text
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  for (const kind of kinds) {
    if (!FAULT_KINDS.includes(kind as FaultKind)) {
      throw new ServerConfigError(`unknown fault kind '${kind}'; expected one of ${FAULT_KINDS.join(', ')}`);
    }
  }
  return kinds as FaultKind[];
}

/**
 * Runs first on every request, before the body is read or anything is stored, so a faulted upload
 * is never half-stored. Responses carry `x-datamint-fault` so tests can tell injected faults apart.
 */
export function installFaults(app: FastifyInstance, injector: FaultInjector): void {
  app.addHook('onRequest', async (req, reply) => {
    const fault = injector.next();
    if (fault === undefined) return;
    switch (fault) {
      case 'slow':
        reply.header('x-datamint-fault', 'slow');
        await delay(injector.slowMs);
        return;
      case 'reset': {
        reply.hijack();
        const socket = req.raw.socket;
        if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
        else socket.destroy();
        return reply;
      }
      default: {
        const status = fault === '503' ? 503 : 429;
        return reply
          .code(status)
          .header('retry-after', String(injector.retryAfterSeconds))
          .header('x-datamint-fault', fault)
          .header('connection', 'close')
          .send({
            statusCode: status,
            message:
              status === 503 ? 'Service unavailable (injected fault)' : 'Too many requests (injected fault)',
            error: status === 503 ? 'Service Unavailable' : 'Too Many Requests',
          });
      }
    }
  });
}
