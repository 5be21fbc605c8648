// The codec packages ship no type declarations; codec-modules.ts types what we use of them.
declare module '@cornerstonejs/codec-charls/wasmjs' {
  const factory: unknown;
  export default factory;
}
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: unknown;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: unknown;
  export default factory;
}
declare module 'jpeg-lossless-decoder-js' {
  /** JPEG Lossless (Process 14) decoder. */
  export class Decoder {
    numComp: number;
    xDim: number;
    yDim: number;
    decode(buffer: ArrayBuffer, offset: number, length: number, numBytes?: number): Uint8Array | Uint16Array;
  }
}
// The full libjpeg-turbo build (with the encoder): tests make reference JPEGs with it.
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs' {
  const factory: unknown;
  export default factory;
}
