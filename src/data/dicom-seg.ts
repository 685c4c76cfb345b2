// A label volume on a DICOM CT's grid as a DICOM Segmentation (SEG) object referencing that series, derived with
// dcmjs (normalizers.Normalizer → derivations.Segmentation), so that a viewer or PACS shows it over the CT.
import type { NaturalDataset } from 'dcmjs';
import { derivedUid } from './dicom-write.js';
import { dcmjs, EXPLICIT_LITTLE_ENDIAN, PIXEL_DATA, type DicomSource } from './dicom.js';
import { readInputFile, writeFileAtomic } from './files.js';

export interface SegSegment {
  /** The voxel value of this segment in the label volume. */
  value: number;
  label: string;
  description: string;
  /** Display colour, sRGB 0–255. */
  rgb: readonly [number, number, number];
}

// DICOM CID 7150 "Morphologically Abnormal Structure" and CID 7159 "Lesion" (SNOMED CT).
const CATEGORY = { CodeValue: '49755003', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Morphologically Abnormal Structure' };
const LESION = { CodeValue: '52988006', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Lesion' };

/** A slice's data set, naturalised, with empty pixel data: the SEG needs the headers, and dcmjs would copy the pixels. */
function sliceHeader(file: string): NaturalDataset {
  const { data } = dcmjs();
  const bytes = readInputFile(file);
  const dict = data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer, { untilTag: PIXEL_DATA });
  const ds = data.DicomMetaDictionary.naturalizeDataset(dict.dict);
  ds._meta = data.DicomMetaDictionary.namifyDataset(dict.meta);
  ds.PixelData = new ArrayBuffer(0);
  ds._vrMap = { ...ds._vrMap, PixelData: 'OW' };
  return ds;
}

/**
 * Writes path: a binary DICOM SEG with one segment per entry of segments that has voxels, one frame per
 * (segment, CT slice holding it), each frame referencing its CT slice by SOPInstanceUID. labels is on the
 * series' grid as readDicomSeries lays it out (i = column, j = row, k = slice in source order). Returns the
 * number of frames; with no labelled voxel nothing is written (a SEG needs at least one frame) and 0 is returned.
 */
export function writeDicomSeg(path: string, source: DicomSource, dims: readonly [number, number, number], labels: Uint8Array, segments: readonly SegSegment[]): number {
  const [nx, ny, nz] = dims;
  if (source.files.length !== nz || labels.length !== nx * ny * nz) throw new Error(`${path}: labels of ${dims.join('×')} do not match the ${source.files.length}-slice series ${source.seriesUid}`);
  const plane = nx * ny;
  // Slices holding each segment.
  const slices = segments.map((s) => Array.from({ length: nz }, (_, k) => k).filter((k) => labels.subarray(k * plane, (k + 1) * plane).includes(s.value)));
  const frames = slices.reduce((n, ks) => n + ks.length, 0);
  if (frames === 0) return 0;
  const lib = dcmjs();
  const multiframe = lib.normalizers.Normalizer.normalizeToDataset(source.files.map(sliceHeader));
  if (!multiframe) throw new Error(`${path}: dcmjs cannot derive a segmentation from series ${source.seriesUid}`);
  // The normaliser orders frames its own way: find each slice's frame by its SOPInstanceUID.
  const refs = (multiframe.ReferencedSeriesSequence.ReferencedInstanceSequence as { ReferencedSOPInstanceUID: string }[]).map((r) => r.ReferencedSOPInstanceUID);
  const frameOf = source.sopInstanceUids.map((uid) => refs.indexOf(uid) + 1);
  const seg = new lib.derivations.Segmentation([multiframe], {
    includeSliceSpacing: true,
    SeriesDescription: 'hsa lesions',
    SeriesNumber: '901',
    Manufacturer: 'hide-and-seek',
    ManufacturerModelName: 'Hide-and-Seek Attribution',
    SeriesInstanceUID: derivedUid(source.seriesUid, 'hsa-seg-series', path),
    SOPInstanceUID: derivedUid(source.seriesUid, 'hsa-seg', path),
  });
  seg.setNumberOfFrames(frames);
  segments.forEach((s, n) => {
    const ks = slices[n]!;
    if (ks.length === 0) return;
    const pixels = new Uint8Array(ks.length * plane);
    // Frame pixel (row j, column i) is voxel (i, j, k): the same offset within the slice.
    ks.forEach((k, f) => {
      for (let p = 0; p < plane; p++) if (labels[k * plane + p] === s.value) pixels[f * plane + p] = 1;
    });
    seg.addSegment({
      SegmentLabel: s.label,
      SegmentDescription: s.description,
      SegmentAlgorithmType: 'AUTOMATIC',
      SegmentAlgorithmName: 'Hide-and-Seek Attribution',
      SegmentedPropertyCategoryCodeSequence: CATEGORY,
      SegmentedPropertyTypeCodeSequence: LESION,
      RecommendedDisplayCIELabValue: lib.data.Colors.rgb2DICOMLAB(s.rgb.map((c) => c / 255)).map(Math.round),
    }, pixels, ks.map((k) => frameOf[k]!));
  });
  seg.bitPackPixelData();
  seg.dataset._meta = { ...seg.dataset._meta, TransferSyntaxUID: { vr: 'UI', Value: [EXPLICIT_LITTLE_ENDIAN] } };
  writeFileAtomic(path, new Uint8Array(lib.data.datasetToDict(seg.dataset).write()));
  return frames;
}
