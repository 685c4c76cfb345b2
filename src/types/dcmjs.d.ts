// The part of dcmjs (untyped JavaScript) that src/data/dicom*.ts uses.
declare module 'dcmjs' {
  /** One data element: its VR and values (strings, numbers, or ArrayBuffers for OB/OW). */
  export interface DicomElement {
    vr?: string;
    Value?: unknown[];
  }
  /** Elements by tag, as 8 hex digits ("00200032"). */
  export type DicomDataset = Record<string, DicomElement>;

  export class DicomDict {
    constructor(meta: DicomDataset);
    meta: DicomDataset;
    dict: DicomDataset;
    write(): ArrayBuffer;
  }

  export const data: {
    DicomDict: typeof DicomDict;
    DicomMessage: {
      readFile(buffer: ArrayBuffer, options?: { ignoreErrors?: boolean; untilTag?: string | null; includeUntilTagValue?: boolean; noCopy?: boolean }): DicomDict;
    };
    DicomMetaDictionary: {
      /** Keyword-named values ({ Rows: 512 }) → elements by tag; `_vrMap` names the VR of OB-or-OW elements. */
      denaturalizeDataset(dataset: Record<string, unknown>): DicomDataset;
    };
  };

  /** loglevel's logger. */
  export const log: {
    getLogger(name: string): { setLevel(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent'): void };
  };
}
