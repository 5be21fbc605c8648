import { parseArgs } from 'node:util';
import { ServerConfigError } from './errors';
import { parseFaultKinds } from './faults';
import type { LoggerOptions, ServerOptions } from './options';

export const USAGE = `Usage: datamint-server [options]

Options:
  --host HOST              interface to bind (default 127.0.0.1)
  --port PORT              port, 0 = any free port (default 3000)
  --data-dir DIR           database and uploaded files (default ./datamint-data)
  --api-key KEY            accepted API key, repeatable (also DATAMINT_SERVER_API_KEYS, comma-separated)
  --prefix PATH            also serve every route under this path, e.g. /api
  --max-upload-bytes N     largest accepted upload (default 2147483648)
  --fault-rate R           probability 0..1 of injecting a fault into a request (default 0 = off)
  --fault-kinds LIST       comma-separated subset of 503,429,reset,slow (default all)
  --fault-seed N           seed of the fault sequence (default 1)
  --fault-slow-ms N        delay of the 'slow' fault (default 1500)
  --max-frame-pixels N     most pixels per frame the server decodes (default 100000000)
  --max-decompressed-bytes N  most bytes a file may inflate or decode to (default 1073741824)
  --render-workers N       worker threads decoding and rendering files (default min(2, CPU cores))
  --render-queue-limit N   decode requests that may wait for a worker before 503 (default 1024)
  --request-timeout-ms N   longest time to receive a whole request (default 600000)
  --body-timeout-ms N      longest silence while a request is received or answered (default 30000)
  --idle-timeout-ms N      idle keep-alive connections close after this (default 5000)
  --shutdown-timeout-ms N  on SIGTERM/SIGINT, in-flight requests get this long (default 10000)
  --log-level LEVEL        log requests to stderr at this level (fatal..trace); default off
  --cors                   allow browser pages on any origin to call the server
  --open                   print the web app's address (URL/app/) once listening
  --no-web-app             do not serve the web app under /app/
  -h, --help               show this help
`;

/** What the binary was asked to do; `open` prints the web app's address once listening. */
export type CliCommand = { kind: 'help' } | { kind: 'serve'; options: ServerOptions; open: boolean };

function integer(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ServerConfigError(`--${name} must be an integer between ${min} and ${max}, got '${value}'`);
  }
  return Number(value);
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/** Parses the binary's flags and environment into `startServer` options. */
export function parseCli(argv: string[], env: Record<string, string | undefined>): CliCommand {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (err) {
    throw new ServerConfigError((err as Error).message);
  }
  if (values.help) return { kind: 'help' };
  const keys = [
    ...(values['api-key'] ?? []),
    ...(env.DATAMINT_SERVER_API_KEYS ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k !== ''),
  ];
  const rateText = values['fault-rate'];
  let rate = 0;
  if (rateText !== undefined) {
    rate = Number(rateText);
    if (rateText.trim() === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
      throw new ServerConfigError(`--fault-rate must be a number between 0 and 1, got '${rateText}'`);
    }
  }
  const level = values['log-level'];
  if (level !== undefined && !LEVELS.includes(level as (typeof LEVELS)[number])) {
    throw new ServerConfigError(`--log-level must be one of ${LEVELS.join(', ')}, got '${level}'`);
  }
  const options: ServerOptions = {
    host: values.host ?? '127.0.0.1',
    port: integer('port', values.port, 0, 65535) ?? 3000,
    dataDir: values['data-dir'] ?? env.DATAMINT_SERVER_DATA_DIR ?? './datamint-data',
    apiKeys: keys,
    prefix: values.prefix,
    maxUploadBytes: integer('max-upload-bytes', values['max-upload-bytes'], 1, Number.MAX_SAFE_INTEGER),
    maxFramePixels: integer('max-frame-pixels', values['max-frame-pixels'], 1, Number.MAX_SAFE_INTEGER),
    maxDecompressedBytes: integer(
      'max-decompressed-bytes',
      values['max-decompressed-bytes'],
      1,
      Number.MAX_SAFE_INTEGER,
    ),
    renderWorkers: integer('render-workers', values['render-workers'], 1, 64),
    renderQueueLimit: integer('render-queue-limit', values['render-queue-limit'], 0, 100_000),
    logger: level ? ({ level } as LoggerOptions) : false,
    cors: values.cors === true,
    webApp: values['no-web-app'] !== true,
  };
  const timeouts = {
    requestMs: integer('request-timeout-ms', values['request-timeout-ms'], 1, 2 ** 31 - 1),
    bodyMs: integer('body-timeout-ms', values['body-timeout-ms'], 1, 2 ** 31 - 1),
    idleMs: integer('idle-timeout-ms', values['idle-timeout-ms'], 1, 2 ** 31 - 1),
    shutdownMs: integer('shutdown-timeout-ms', values['shutdown-timeout-ms'], 1, 2 ** 31 - 1),
  };
  const given = Object.entries(timeouts).filter(([, v]) => v !== undefined);
  if (given.length > 0) options.timeouts = Object.fromEntries(given);
  if (rate > 0) {
    options.faults = {
      rate,
      kinds: values['fault-kinds'] !== undefined ? parseFaultKinds(values['fault-kinds']) : undefined,
      seed: integer('fault-seed', values['fault-seed'], 0, 2 ** 32 - 1),
      slowMs: integer('fault-slow-ms', values['fault-slow-ms'], 0, 600_000),
    };
  }
  if (values.open === true && values['no-web-app'] === true) {
    throw new ServerConfigError('--open needs the web app; drop --no-web-app');
  }
  return { kind: 'serve', options, open: values.open === true };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'api-key': { type: 'string', multiple: true },
      prefix: { type: 'string' },
      'max-upload-bytes': { type: 'string' },
      'fault-rate': { type: 'string' },
      'fault-kinds': { type: 'string' },
      'fault-seed': { type: 'string' },
      'fault-slow-ms': { type: 'string' },
      'log-level': { type: 'string' },
      'max-frame-pixels': { type: 'string' },
      'max-decompressed-bytes': { type: 'string' },
      'render-workers': { type: 'string' },
      'render-queue-limit': { type: 'string' },
      'request-timeout-ms': { type: 'string' },
      'body-timeout-ms': { type: 'string' },
      'idle-timeout-ms': { type: 'string' },
      'shutdown-timeout-ms': { type: 'string' },
      cors: { type: 'boolean' },
      open: { type: 'boolean' },
      'no-web-app': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
