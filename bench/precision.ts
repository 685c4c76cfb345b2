// BENCH_PRECISION (fp32 default, or bf16) of the benchmarks, checked.
import { PRECISIONS, type Precision } from '../src/model/precision.js';

export function benchPrecision(): Precision {
  const p = process.env.BENCH_PRECISION ?? 'fp32';
  if (!PRECISIONS.includes(p as Precision)) throw new Error(`BENCH_PRECISION must be one of ${PRECISIONS.join(', ')}, got '${p}'`);
  return p as Precision;
}
