declare module 'upng-js' {
  interface DecodedPng {
    width: number;
    height: number;
    depth: number;
    ctype: number;
    data: Uint8Array;
    tabs: Record<string, unknown>;
    frames: unknown[];
  }
  function decode(buffer: ArrayBuffer | Uint8Array): DecodedPng;
  function encode(
    frames: ArrayBuffer[],
    width: number,
    height: number,
    colours: number,
    delays?: number[],
    forbidPalette?: boolean,
  ): ArrayBuffer;
  function toRGBA8(image: DecodedPng): ArrayBuffer[];
  const UPNG: { decode: typeof decode; encode: typeof encode; toRGBA8: typeof toRGBA8 };
  export default UPNG;
}
