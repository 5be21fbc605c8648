export {
  BadRequestError,
  ConflictError,
  HttpError,
  NotFoundError,
  NotImplementedHttpError,
  PayloadTooLargeError,
  ServerConfigError,
  ServerError,
  ServiceUnavailableError,
  UnauthorizedError,
  UnprocessableEntityError,
  UnsupportedMediaTypeError,
} from './errors';
export type {
  ApiKeyRecord,
  FaultKind,
  FaultOptions,
  LoggerOptions,
  RunningServer,
  ServerOptions,
  ServerTimeouts,
  UserSeed,
} from './options';
export { FAULT_KINDS } from './options';
export {
  DATABASE_FILE,
  DEFAULT_MAX_UPLOAD_BYTES,
  DEFAULT_RENDER_QUEUE_LIMIT,
  DEFAULT_TIMEOUTS,
  startServer,
} from './server';
