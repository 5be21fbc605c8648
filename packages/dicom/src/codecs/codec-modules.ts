/// <reference path="./codec-packages.d.ts" />
// Typed views of the WASM codec modules (emscripten builds of CharLS, libjpeg-turbo, OpenJPEG)
// and their lazy loading. The packages ship their .wasm next to the loader: in Node the loader reads
// it from its own folder, in a browser it fetches it relative to the page unless `locateWasm` says
// where it is.

/** Size and sample format of an image in a codec's memory. */
export interface CodecFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

/** An object living in WASM memory; `delete()` frees it and every buffer it handed out. */
interface WasmObject {
  delete(): void;
}

export interface WasmDecoder extends WasmObject {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): CodecFrameInfo;
}

export interface JpegLsEncoder extends WasmObject {
  getDecodedBuffer(info: CodecFrameInfo): Uint8Array;
  setNearLossless(near: number): void;
  /** 0: one scan per component, 1: line interleaved, 2: sample interleaved. */
  setInterleaveMode(mode: number): void;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
}

export interface JpegLsDecoder extends WasmDecoder {
  /** 0: one scan per component (planes out), 1: line interleaved, 2: sample interleaved. */
  getInterleaveMode(): number;
}

export interface CharlsModule {
  JpegLSDecoder: new () => JpegLsDecoder;
  JpegLSEncoder: new () => JpegLsEncoder;
}
export interface LibJpegTurboModule {
  JPEGDecoder: new () => WasmDecoder;
}
export interface OpenJpegModule {
  J2KDecoder: new () => WasmDecoder;
}

/** Where the codecs' `.wasm` files are, for browsers and bundlers that do not serve them next to the script. */
export interface CodecLoadOptions {
  /**
   * Maps a codec's wasm file name (`charlswasm.wasm`, `libjpegturbowasm_decode.wasm`,
   * `openjpegwasm_decode.wasm`) to the URL or path to load it from. Only consulted the first time a
   * codec is loaded.
   */
  locateWasm?: (fileName: string) => string;
}

interface FactoryOptions {
  locateFile?: (path: string, dir: string) => string;
  print: (text: string) => void;
  printErr: (text: string) => void;
}
type Factory<T> = (options: FactoryOptions) => Promise<T>;

// OpenJPEG reports its progress on stdout; a library must not write there.
const quiet = (): void => {};

/**
 * The emscripten factory of a codec module. The packages ship UMD scripts: a bundler or Node gives
 * us `module.exports`, but a browser importing one as a native ES module (an import map, no
 * bundler) gets an empty namespace. There the page loads the script with a classic `<script>` tag,
 * which defines the factory as a global; that global is the fallback.
 */
function factoryOf<T>(module: unknown, specifier: string, globalName: string): Factory<T> {
  const m = module as { default?: unknown };
  if (typeof m.default === 'function') return m.default as Factory<T>;
  if (typeof module === 'function') return module as Factory<T>;
  const global = (globalThis as Record<string, unknown>)[globalName];
  if (typeof global === 'function') return global as Factory<T>;
  throw new Error(
    `${specifier} exported no codec factory: without a bundler, load its script with a classic <script> tag (it defines ${globalName}) before decoding`,
  );
}

// A WASM instance costs tens of milliseconds to compile and holds its own memory, so each codec is
// instantiated once per process and reused; the map only ever gains one settled promise per codec.
const instances = new Map<string, Promise<unknown>>();

interface CodecModule {
  /** Key of the instance cache. */
  name: string;
  /** The package subpath, for messages. */
  specifier: string;
  /** The global a classic `<script>` of the same file defines. */
  globalName: string;
  importer: () => Promise<unknown>;
}

function load<T>(codec: CodecModule, options: CodecLoadOptions): Promise<T> {
  const { name, specifier, globalName, importer } = codec;
  let p = instances.get(name);
  if (!p) {
    const locate = options.locateWasm;
    p = importer().then((m) =>
      factoryOf<T>(
        m,
        specifier,
        globalName,
      )({
        print: quiet,
        printErr: quiet,
        ...(locate ? { locateFile: (path: string) => locate(path) } : {}),
      }),
    );
    // A failed load (missing package, blocked fetch) is retried on the next call.
    p.catch(() => instances.delete(name));
    instances.set(name, p);
  }
  return p as Promise<T>;
}

/** CharLS (JPEG-LS encoder and decoder). */
export function loadCharls(options: CodecLoadOptions = {}): Promise<CharlsModule> {
  return load(
    {
      name: 'charls',
      specifier: '@cornerstonejs/codec-charls/wasmjs',
      globalName: 'CharLSWASM',
      importer: () => import('@cornerstonejs/codec-charls/wasmjs'),
    },
    options,
  );
}

/** libjpeg-turbo decoder (8-bit JPEG baseline/extended). */
export function loadLibJpegTurbo(options: CodecLoadOptions = {}): Promise<LibJpegTurboModule> {
  return load(
    {
      name: 'libjpeg-turbo',
      specifier: '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs',
      globalName: 'libjpegturbowasm_decode',
      importer: () => import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs'),
    },
    options,
  );
}

/** OpenJPEG decoder (JPEG 2000). */
export function loadOpenJpeg(options: CodecLoadOptions = {}): Promise<OpenJpegModule> {
  return load(
    {
      name: 'openjpeg',
      specifier: '@cornerstonejs/codec-openjpeg/decodewasmjs',
      globalName: 'OpenJPEGWASM',
      importer: () => import('@cornerstonejs/codec-openjpeg/decodewasmjs'),
    },
    options,
  );
}

/** Copies what a WASM decoder produced out of its memory, then frees the decoder. */
export function runWasmDecoder(
  decoder: WasmDecoder,
  bitstream: Uint8Array,
  check: (info: CodecFrameInfo) => void,
): { info: CodecFrameInfo; bytes: Uint8Array } {
  try {
    decoder.getEncodedBuffer(bitstream.length).set(bitstream);
    decoder.decode();
    const info = decoder.getFrameInfo();
    check(info);
    // libjpeg-turbo hands out a Uint8ClampedArray; copy as plain bytes before the memory is freed.
    const out = decoder.getDecodedBuffer();
    return { info, bytes: new Uint8Array(out.buffer, out.byteOffset, out.byteLength).slice() };
  } finally {
    decoder.delete();
  }
}
