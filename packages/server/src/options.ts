import type { Writable } from 'node:stream';

/** A kind of injected failure: an HTTP status answered early, a dropped connection or a delay. */
export type FaultKind = '503' | '429' | 'reset' | 'slow';

/** Every {@link FaultKind}, for validating `--fault-kinds`. */
export const FAULT_KINDS: readonly FaultKind[] = ['503', '429', 'reset', 'slow'];

/** Chaos testing: inject failures into a share of requests, reproducibly. */
export interface FaultOptions {
  /** Probability in [0, 1] that a request is faulted. */
  rate: number;
  /** Which faults may be chosen (uniformly). Default: all four. */
  kinds?: FaultKind[];
  /** Seed of the pseudo-random sequence, so a run can be replayed. Default 1. */
  seed?: number;
  /** Delay applied by the `slow` fault, in milliseconds. Default 1500. */
  slowMs?: number;
  /** `Retry-After` value (seconds) sent with 503 and 429 faults. Default 1. */
  retryAfterSeconds?: number;
}

/** An API key together with the identity it authenticates. */
export interface ApiKeyRecord {
  /** The API key clients send. */
  key: string;
  /** Email of the key's user; generated when absent. */
  email?: string;
  /** Tenant of the key's user; a fresh one is created when absent. */
  customerId?: string;
  /** The user's first name. */
  firstname?: string | null;
  /** The user's last name. */
  lastname?: string | null;
  /** The user's roles (`admin`, ...). */
  roles?: string[];
}

/** A user created at start-up (listed by `GET /users`), optionally with its own API key. */
export interface UserSeed {
  /** The user's e-mail (unique). */
  email: string;
  /** Tenant of the user; a fresh one is created when absent. */
  customerId?: string;
  /** First name. */
  firstname?: string | null;
  /** Last name. */
  lastname?: string | null;
  /** Roles (`admin`, ...). */
  roles?: string[];
  /** An API key authenticating as this user. */
  apiKey?: string;
}

/** The server log (JSON lines from fastify's logger). */
export interface LoggerOptions {
  /** Lowest level written; default `info`. */
  level?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** Where log lines go (JSON lines); default stderr. */
  stream?: Writable;
}

/** What {@link startServer} serves: where it listens, where it stores, who may call it, and its limits. */
export interface ServerOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Port; 0 (default) picks a free one. */
  port?: number;
  /** Directory holding the SQLite database and uploaded files; created when missing. */
  dataDir: string;
  /** Accepted API keys. A plain string gets its own user and customer, stable across restarts. */
  apiKeys?: Array<string | ApiKeyRecord>;
  /** Users created at start-up besides the keys' own. */
  users?: UserSeed[];
  /** Chaos testing: off unless given with a rate above 0. */
  faults?: FaultOptions;
  /** `false`/absent: silent; `true`: info level to stderr. The API key is never logged. */
  logger?: boolean | LoggerOptions;
  /** Largest accepted upload in bytes; default 2 GiB. */
  maxUploadBytes?: number;
  /** Most pixels per decoded frame (rendering PNG/JPEG/DICOM/NIfTI, checking uploaded masks and volumes); default 100 million. */
  maxFramePixels?: number;
  /** Most bytes a stored or uploaded file may decompress or decode to, judged from its declared size; default 1 GiB. */
  maxDecompressedBytes?: number;
  /** Worker threads that decode and render user data off the event loop; default min(2, CPU cores). */
  renderWorkers?: number;
  /** Decoding requests that may wait for a free render worker; past that the server answers 503. Default 1024. */
  renderQueueLimit?: number;
  /** Time-outs and the shutdown deadline; each has a default (see `DEFAULT_TIMEOUTS`). */
  timeouts?: Partial<ServerTimeouts>;
  /** Mount path prefix such as `/api`; routes answer both with and without it. */
  prefix?: string;
  /** Answer CORS preflights and allow any origin, for browser clients. Off by default. */
  cors?: boolean;
  /**
   * The web app under `/app/`: on by default (served from the package's built `dist/app`); `false`
   * turns it off; a string serves the app from that folder instead.
   */
  webApp?: boolean | string;
}

/** A started server: where it listens and how to stop it. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  /** The interface it is bound to. */
  host: string;
  /** The port it listens on (the one picked when 0 was asked). */
  port: number;
  /** Stops accepting requests, waits for in-flight uploads and closes the database. */
  close(): Promise<void>;
}

/** How long the server waits for peers, in milliseconds. */
export interface ServerTimeouts {
  /** Longest time to receive a whole request, headers and body; then `408` and the socket closes. */
  requestMs: number;
  /** Longest silence on a connection while a request is being received or answered; then it is closed. */
  bodyMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  idleMs: number;
  /** On `close()` (SIGTERM/SIGINT for the binary): how long in-flight requests may finish before their connections are cut. */
  shutdownMs: number;
}
