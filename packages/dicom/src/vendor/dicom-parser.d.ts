// dicom-parser's own declarations (MIT, https://github.com/cornerstonejs/dicomParser), as a module and
// without Node's `Buffer`: dicom-parser is bundled into this package's build, and a browser-only
// TypeScript project (no @types/node) must compile against these types. Resolved through the
// `paths` entry in tsconfig.build.json.

export type ByteArray = Uint8Array;

export interface Fragment {
  offset: number;
  position: number;
  length: number;
}

export interface Element {
  tag: string;
  vr?: string;
  length: number;
  dataOffset: number;
  items?: Element[];
  dataSet?: DataSet;
  parser?: ByteArrayParser;
  hadUndefinedLength?: boolean;

  encapsulatedPixelData?: boolean;
  basicOffsetTable?: number[];
  fragments?: Fragment[];
}

export interface DataSet {
  byteArray: ByteArray;
  byteArrayParser: ByteArrayParser;
  /**
   * Access element with the DICOM tag in the format xGGGGEEEE.
   */
  elements: {
    [tag: string]: Element;
  };
  warnings: string[];

  /**
   * Finds the element for tag and returns an unsigned int 16 if it exists and has data. Use this function for VR type US.
   */
  uint16: (tag: string, index?: number) => number | undefined;

  /**
   * Finds the element for tag and returns a signed int 16 if it exists and has data. Use this function for VR type SS.
   */
  int16: (tag: string, index?: number) => number | undefined;

  /**
   * Finds the element for tag and returns an unsigned int 32 if it exists and has data. Use this function for VR type UL.
   */
  uint32: (tag: string, index?: number) => number | undefined;

  /**
   * Finds the element for tag and returns a signed int 32 if it exists and has data. Use this function for VR type SL.
   */
  int32: (tag: string, index?: number) => number | undefined;

  /**
   * Finds the element for tag and returns a 32 bit floating point number if it exists and has data. Use this function for VR type FL.
   */
  float: (tag: string, index?: number) => number | undefined;

  /**
   * Finds the element for tag and returns a 64 bit floating point number if it exists and has data. Use this function for VR type FD.
   */
  double: (tag: string, index?: number) => number | undefined;

  /**
   * Returns the actual Value Multiplicity of an element - the number of values in a multi-valued element.
   */
  numStringValues: (tag: string) => number | undefined;

  /**
   * Finds the element for tag and returns a string if it exists and has data. Use this function for VR types AE, CS, SH, and LO.
   */
  string: (tag: string, index?: number) => string | undefined;

  /**
   * Finds the element for tag and returns a string with the leading spaces preserved and trailing spaces removed if it exists and has data. Use this function for VR types UT, ST, and LT.
   */
  text: (tag: string, index?: number) => string | undefined;

  /**
   * Finds the element for tag and parses a string to a float if it exists and has data. Use this function for VR type DS.
   */
  floatString: (tag: string, index?: number) => number | undefined;

  /**
   * Finds the element for tag and parses a string to an integer if it exists and has data. Use this function for VR type IS.
   */
  intString: (tag: string, index?: number) => number | undefined;

  /**
   * Finds the element for tag and parses an element tag according to the 'AT' VR definition if it exists and has data. Use this function for VR type AT.
   */
  attributeTag: (tag: string) => string | undefined;
}

export declare class ByteStream {
  byteArray: ByteArray;
  byteArrayParser: ByteArrayParser;
  position: number;
  warnings: string[];

  constructor(byteArrayParser: ByteArrayParser, byteArray: ByteArray, position: number);
  seek: (offset: number) => void;
  readByteStream: (numBytes: number) => ByteStream;
  readUint16: () => number;
  readUint32: () => number;
  readFixedString: (length: number) => string;
}

export interface ByteArrayParser {
  readUint16: (byteArray: ByteArray, position: number) => number;
  readInt16: (byteArray: ByteArray, position: number) => number;
  readUint32: (byteArray: ByteArray, position: number) => number;
  readInt32: (byteArray: ByteArray, position: number) => number;
  readFloat: (byteArray: ByteArray, position: number) => number;
  readDouble: (byteArray: ByteArray, position: number) => number;
}

export interface ParseDicomOptions {
  TransferSyntaxUID?: string;
  untilTag?: string;
  vrCallback?: (tag: string) => void;
  inflater?: (arr: Uint8Array, position: number) => void;
}

export declare function parseDicom(arr: Uint8Array, option?: ParseDicomOptions): DataSet;

export declare function isStringVr(vr: string): boolean;
export declare function isPrivateTag(tag: string): boolean;
export declare function parsePN(personName: string): {
  familyName?: string;
  givenName?: string;
  middleName?: string;
  prefix?: string;
  suffix?: string;
};
export declare function parseTM(
  time: string,
  validate?: boolean,
): {
  hours: number;
  minutes?: number;
  seconds?: number;
  fractionalSeconds?: number;
};
export declare function parseDA(
  date: string,
  validate?: boolean,
): {
  year: number;
  month: number;
  day: number;
};
export declare function explicitElementToString(dataSet: DataSet, element: Element): string;
declare type explicitDataSetToJSType = string | { dataOffset: number; length: number };
export declare function explicitDataSetToJS(
  dataSet: DataSet,
  options?: { omitPrivateAttibutes: boolean; maxElementLength: number },
): explicitDataSetToJSType | explicitDataSetToJSType[];
export declare function createJPEGBasicOffsetTable(
  dataSet: DataSet,
  pixelDataElement: Element,
  fragments?: Fragment[],
): number[];
export declare function parseDicomDataSetExplicit(
  dataSet: DataSet,
  byteStream: ByteStream,
  maxPosition?: number,
  options?: { untilTag: string },
): void;
declare type vrCallback = (tag: string) => string;
export declare function parseDicomDataSetImplicit(
  dataSet: DataSet,
  byteStream: ByteStream,
  maxPosition?: number,
  options?: { untilTag: string; vrCallback?: vrCallback },
): void;
export declare function readFixedString(byteArray: ByteArray, position: number, length: number): string;
export declare function alloc(byteArray: ByteArray, length: number): ByteArray;
export declare const version: string;
export declare const bigEndianByteArrayParser: ByteArrayParser;
export declare function sharedCopy(byteArray: ByteArray, byteOffset: number, length: number): ByteArray;
export declare function findAndSetUNElementLength(byteStream: ByteStream, element: Element): void;
export declare function findEndOfEncapsulatedElement(
  byteStream: ByteStream,
  element: Element,
  warnings?: string[],
): void;
export declare function findItemDelimitationItemAndSetElementLength(
  byteStream: ByteStream,
  element: Element,
): void;
export declare const littleEndianByteArrayParser: ByteArrayParser;
export declare function readDicomElementExplicit(
  byteStream: ByteStream,
  warnings?: string[],
  untilTag?: string,
): Element;
export declare function readDicomElementImplicit(
  byteStream: ByteStream,
  untilTag?: string,
  vrCallback?: vrCallback,
): Element;
export declare function readEncapsulatedImageFrame(
  dataSet: DataSet,
  pixelDataElement: Element,
  frameIndex: number,
  basicOffsetTable?: number[],
  fragments?: Fragment[],
): ByteArray;
export declare function readEncapsulatedPixelData(
  dataSet: DataSet,
  pixelDataElement: Element,
  frame: number,
): ByteArray;
export declare function readEncapsulatedPixelDataFromFragments(
  dataSet: DataSet,
  pixelDataElement: Element,
  startFragmentIndex: number,
  numFragments?: number,
  fragments?: Fragment[],
): ByteArray;
export declare function readPart10Header(byteArray: ByteArray, options?: { untilTag: string }): DataSet;
export declare function readSequenceItemsExplicit(
  byteStream: ByteStream,
  element: Element,
  warnings?: string[],
): void;
export declare function readSequenceItemsImplicit(
  byteStream: ByteStream,
  element: Element,
  vrCallback?: vrCallback,
): void;
export declare function readSequenceItem(
  byteStream: ByteStream,
): Pick<Element, 'tag' | 'length' | 'dataOffset'>;
export declare function readTag(byteStream: ByteStream): string;
