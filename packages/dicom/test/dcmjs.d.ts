// dcmjs ships no types; tests use only this corner of it.
declare module 'dcmjs' {
  interface DicomElementJson {
    vr: string;
    Value?: unknown[];
  }
  interface DicomDict {
    meta: Record<string, DicomElementJson>;
    dict: Record<string, DicomElementJson>;
  }
  const dcmjs: {
    data: {
      DicomMessage: {
        readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): DicomDict;
      };
      DicomMetaDictionary: {
        naturalizeDataset(dict: Record<string, DicomElementJson>): Record<string, unknown>;
      };
    };
  };
  export default dcmjs;
}
