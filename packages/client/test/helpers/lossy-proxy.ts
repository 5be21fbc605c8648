import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

export interface LossyProxy {
  url: string;
  /** Responses the proxy threw away after the server had answered. */
  dropped: number;
  /** Requests forwarded to the server, by method and path. */
  forwarded: string[];
  close(): Promise<void>;
}

/**
 * A real loopback proxy in front of `target` that forwards every request, and for the first attempt
 * of each upload (keyed by its Idempotency-Key) waits for the server's answer and then cuts the
 * connection: the resource exists, but the client never hears about it.
 */
export async function lossyProxy(
  target: string,
  shouldDrop: (req: IncomingMessage) => boolean,
): Promise<LossyProxy> {
  const seen = new Set<string>();
  const state = { dropped: 0, forwarded: [] as string[] };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = { ...req.headers };
    delete headers.host;
    delete headers.connection;
    delete headers['transfer-encoding'];
    state.forwarded.push(`${req.method} ${req.url}`);
    const upstream = await request(`${target}${req.url}`, {
      method: req.method as 'GET',
      headers: headers as Record<string, string>,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    });
    const body = Buffer.from(await upstream.body.arrayBuffer());
    const key = String(req.headers['idempotency-key'] ?? '');
    if (shouldDrop(req) && !seen.has(key)) {
      seen.add(key);
      state.dropped++;
      req.socket.destroy();
      return;
    }
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(upstream.headers)) {
      if (typeof v === 'string' && !['transfer-encoding', 'connection', 'keep-alive'].includes(k)) out[k] = v;
    }
    res.writeHead(upstream.statusCode, out);
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get dropped() {
      return state.dropped;
    },
    forwarded: state.forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
