export * from './common';
export {
  API_KEY_ENV,
  API_URL_ENV,
  type ConfigFileSettings,
  type ConfigSource,
  type ConfigSources,
  clearConfigFile,
  configFilePath,
  DEFAULT_API_URL,
  type ResolveConfigOptions,
  type ResolvedConfig,
  readConfigFile,
  resolveConfig,
  writeConfigFile,
} from './config';
export { HttpClient, type HttpClientOptions, type StreamResponse } from './http-client';
export { DirectoryCreateError } from './make-directory';
export { blobFromPath, FormData } from './multipart';
export { type UndiciResponse, UndiciTransport } from './undici-transport';
