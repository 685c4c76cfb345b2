// The ETA of segment's progress bar: the run's average rate since its first value, shown as a short duration.
import { describe, expect, it, vi } from 'vitest';
import { formatDuration, progressBar, runMeter, SEGMENT_PROGRESS } from '../../src/cli/options.js';

describe('formatDuration', () => {
  it('writes seconds, minutes and hours', () => {
    expect(formatDuration(44.6)).toBe('45s');
    expect(formatDuration(21 * 60 + 5)).toBe('21m05s');
    expect(formatDuration(3 * 3600 + 15 * 60 + 59)).toBe('3h15m');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('-');
    expect(formatDuration(-1)).toBe('-');
  });
});

describe('runMeter', () => {
  it('extrapolates the average rate since the first value, not the latest burst', () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const meter = runMeter();
      vi.setSystemTime(5 * 60_000); // time before the first value (loading, queueing) is not this run's rate
      const shown = [meter(10, 100)]; // reused by --continue: no rate yet
      vi.setSystemTime(15 * 60_000);
      shown.push(meter(30, 100)); // 20 vertebrae in 10 min: 2/min, 70 left → 35 min
      vi.setSystemTime(15 * 60_000 + 2000);
      shown.push(meter(46, 100)); // the average, 36 in 602 s (3.588/min; 54 left → 903 s), not the burst's 8/s
      expect(shown).toEqual([{ rate: '-', left: '-' }, { rate: '2.00', left: '35m00s' }, { rate: '3.59', left: '15m03s' }]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('the segment progress bar', () => {
  it('shows the meter, not cli-progress\'s own ETA', () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    try {
      const bar = progressBar('segment', SEGMENT_PROGRESS);
      bar.update(30, 100, { done: '30.0', rate: '2.00', left: '35m00s' });
      bar.stop();
    } finally {
      spy.mockRestore();
    }
    expect(written.join('')).toContain('30.0/100 vertebrae | 2.00 vertebrae/min | ETA 35m00s');
  });
});
