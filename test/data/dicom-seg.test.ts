import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dcmjs from 'dcmjs';
import { describe, expect, it } from 'vitest';
import { readDicomSeries } from '../../src/data/dicom.js';
import { writeDicomSeg } from '../../src/data/dicom-seg.js';
import { writeDicomSeries } from '../../src/data/dicom-write.js';
import { axisAlignedGeometry } from '../../src/data/nifti.js';

const DIMS: [number, number, number] = [6, 5, 4];
const SEGMENTS = [
  { value: 1, label: 'lytic', description: 'lytic lesion', rgb: [235, 50, 40] as [number, number, number] },
  { value: 2, label: 'blastic', description: 'blastic lesion', rgb: [40, 120, 255] as [number, number, number] },
];

function read(file: string): Record<string, any> {
  const b = readFileSync(file);
  const d = dcmjs.data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer);
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(d.dict);
}
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent'); // the implicit-VR slices' pixel data (read as OW)
const list = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

function series() {
  const dir = mkdtempSync(join(tmpdir(), 'hsa-seg-'));
  const data = new Float32Array(DIMS[0] * DIMS[1] * DIMS[2]).map((_, p) => p);
  writeDicomSeries(join(dir, 'ct'), { dims: DIMS, data, geometry: axisAlignedGeometry([0.7, 0.8, 2], [5, -3, 40]) }, { seed: 'seg', implicitVr: true });
  return { dir, ct: readDicomSeries(join(dir, 'ct')) };
}

describe('DICOM SEG of lesions on a DICOM CT', () => {
  it('writes one frame per segment and slice, each referencing its CT slice, readable back by dcmjs', () => {
    const { dir, ct } = series();
    const plane = DIMS[0] * DIMS[1];
    const labels = new Uint8Array(plane * DIMS[2]);
    labels[plane * 1 + 7] = 1; // slice 1, voxel (1, 1)
    labels[plane * 2 + 3] = 1;
    labels[plane * 2 + 4] = 2;
    labels[plane * 3 + 29] = 2; // slice 3, voxel (5, 4)
    const out = join(dir, 'lesions.dcm');
    expect(writeDicomSeg(out, ct.dicom, ct.dims, labels, SEGMENTS)).toBe(4);

    const seg = read(out);
    expect(seg.Modality).toBe('SEG');
    expect(seg.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.66.4');
    expect([seg.Rows, seg.Columns, seg.NumberOfFrames]).toEqual([5, 6, 4]);
    expect(seg.SegmentSequence.map((s: any) => s.SegmentLabel)).toEqual(['lytic', 'blastic']);
    expect(seg.StudyInstanceUID).toBe(ct.dicom.studyUid);
    expect(seg.FrameOfReferenceUID).toBe(ct.dicom.frameOfReferenceUid);
    const refSeries = list(seg.ReferencedSeriesSequence)[0];
    expect(refSeries.SeriesInstanceUID).toBe(ct.dicom.seriesUid);
    // The series' own UIDs, read from its files (slice-000k.dcm holds slice k - 1).
    const sop = [1, 2, 3, 4].map((n) => read(join(dir, 'ct', `slice-000${n}.dcm`)).SOPInstanceUID as string);
    expect(list(refSeries.ReferencedInstanceSequence).map((r: any) => r.ReferencedSOPInstanceUID).sort()).toEqual([...sop].sort());

    // Frames: segment number and source slice; bit-packed pixels, first pixel in the lowest bit.
    const bits = new Uint8Array(seg.PixelData[0] as ArrayBuffer);
    const pixel = (f: number, p: number) => (bits[(f * plane + p) >> 3]! >> ((f * plane + p) & 7)) & 1;
    const frames = list(seg.PerFrameFunctionalGroupsSequence).map((g: any, f: number) => {
      const uid = list(list(g.DerivationImageSequence)[0].SourceImageSequence)[0].ReferencedSOPInstanceUID;
      const k = sop.indexOf(uid);
      const set = Array.from({ length: plane }, (_, p) => p).filter((p) => pixel(f, p) === 1);
      expect(list(g.PlanePositionSequence)[0].ImagePositionPatient.map(Number)).toEqual([-5, 3, 40 + 2 * k]);
      return { segment: list(g.SegmentIdentificationSequence)[0].ReferencedSegmentNumber, k, set };
    });
    expect(frames).toEqual([
      { segment: 1, k: 1, set: [7] },
      { segment: 1, k: 2, set: [3] },
      { segment: 2, k: 2, set: [4] },
      { segment: 2, k: 3, set: [29] },
    ]);
  });

  it('writes nothing when no voxel is labelled, and refuses labels of another size', () => {
    const { dir, ct } = series();
    const out = join(dir, 'none.dcm');
    expect(writeDicomSeg(out, ct.dicom, ct.dims, new Uint8Array(DIMS[0] * DIMS[1] * DIMS[2]), SEGMENTS)).toBe(0);
    expect(existsSync(out)).toBe(false);
    expect(() => writeDicomSeg(out, ct.dicom, [6, 5, 3], new Uint8Array(90), SEGMENTS)).toThrow(`${out}: labels of 6×5×3 do not match the 4-slice series`);
  });
});
