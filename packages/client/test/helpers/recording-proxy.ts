import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

/** One request exactly as it reached the wire. */
export interface RecordedRequest {
  method: string;
  /** Path and raw (still encoded) query string. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The body parsed as JSON when it is JSON. */
  json: unknown;
}

export interface RecordingProxy {
  url: string;
  requests: RecordedRequest[];
  /** Requests recorded since the last call (and forgets them). */
  take(): RecordedRequest[];
  close(): Promise<void>;
}

export interface RecordingProxyOptions {
  /**
   * Rewrites the server's JSON answers before the client sees them (to play a platform version
   * whose listings leave fields out); what it returns is sent instead.
   */
  reshape?: (request: RecordedRequest, body: unknown) => unknown;
  /**
   * A status to answer a request with instead of forwarding it (`undefined`: forward), to play a
   * server that refuses one step of a flow the real server would let through.
   */
  refuse?: (request: RecordedRequest) => number | undefined;
}

/**
 * A real loopback proxy in front of the test server: it records every request byte for byte and
 * forwards it unchanged, so tests assert the wire while the real server answers.
 */
export async function recordingProxy(
  target: string,
  options: RecordingProxyOptions = {},
): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    let json: unknown;
    if (String(req.headers['content-type'] ?? '').startsWith('application/json')) {
      json = JSON.parse(body.toString('utf8'));
    }
    const recorded = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: { ...req.headers },
      body,
      json,
    };
    requests.push(recorded);
    const refused = options.refuse?.(recorded);
    if (refused !== undefined) {
      res.writeHead(refused, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail: `refused by the test proxy (${refused})` }));
      return;
    }
    const headers = { ...req.headers };
    delete headers.host;
    delete headers.connection;
    delete headers['transfer-encoding'];
    const upstream = await request(`${target}${req.url}`, {
      method: req.method as 'GET',
      headers: headers as Record<string, string>,
      body: body.byteLength > 0 ? body : undefined,
    });
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(upstream.headers)) {
      if (typeof v === 'string' && k !== 'transfer-encoding' && k !== 'connection') out[k] = v;
    }
    let answer = Buffer.from(await upstream.body.arrayBuffer());
    if (options.reshape && String(out['content-type'] ?? '').startsWith('application/json')) {
      answer = Buffer.from(JSON.stringify(options.reshape(recorded, JSON.parse(answer.toString('utf8')))));
      out['content-length'] = String(answer.byteLength);
    }
    res.writeHead(upstream.statusCode, out);
    res.end(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    take: () => requests.splice(0, requests.length),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
