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
      /** Elements by tag → keyword-named values (sequences as arrays of such objects). */
      naturalizeDataset(dataset: DicomDataset): NaturalDataset;
      /** Elements by tag → the same elements by keyword. */
      namifyDataset(dataset: DicomDataset): Record<string, DicomElement>;
    };
    /** A naturalised data set (with `_meta`) as a Part-10 file's DicomDict. */
    datasetToDict(dataset: NaturalDataset): DicomDict;
    Colors: {
      /** sRGB in 0–1 → DICOM CIELab scaled to 0–65535. */
      rgb2DICOMLAB(rgb: number[]): number[];
    };
  };

  /** A data set by keyword ({ Rows: 512, PerFrameFunctionalGroupsSequence: [...] }). */
  export type NaturalDataset = Record<string, any>;

  export const normalizers: {
    Normalizer: {
      /** Single-frame slices of one series → one multi-frame data set (frames sorted along the slice normal). */
      normalizeToDataset(datasets: NaturalDataset[]): NaturalDataset | undefined;
    };
  };

  export const derivations: {
    /** A DICOM SEG derived from a normalised multi-frame data set. */
    Segmentation: new (datasets: NaturalDataset[], options?: Record<string, unknown>) => {
      dataset: NaturalDataset;
      setNumberOfFrames(frames: number): void;
      /** pixels: frames × rows × columns of 0/1; frameNumbers: the source frames (1-based) they lie on. */
      addSegment(segment: Record<string, unknown>, pixels: Uint8Array, frameNumbers: number[]): void;
      bitPackPixelData(): void;
    };
  };

  /** loglevel's logger. */
  export const log: {
    getLogger(name: string): { setLevel(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent'): void };
  };
}
