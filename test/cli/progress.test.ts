// The ETA of segment's progress bar: the whole run's average rate, shown as a short duration.
import { describe, expect, it, vi } from 'vitest';
import { formatDuration, progressBar } from '../../src/cli/options.js';
import { withStopSignals } from '../../src/cli/commands/segment-run.js';

describe('formatDuration', () => {
  it('writes seconds, minutes and hours', () => {
    expect(formatDuration(44.6)).toBe('45s');
    expect(formatDuration(21 * 60 + 5)).toBe('21m05s');
    expect(formatDuration(3 * 3600 + 15 * 60 + 59)).toBe('3h15m');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('-');
    expect(formatDuration(-1)).toBe('-');
  });
});

describe('the segment meter', () => {
  it('extrapolates the average rate since the first value, not the latest burst', async () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const shown = await withStopSignals('stopping', async (_signal, meter) => {
        const out = [meter(10, 100)]; // reused by --continue: no rate yet
        vi.setSystemTime(10 * 60_000);
        out.push(meter(30, 100)); // 20 vertebrae in 10 min: 2/min, 70 left → 35 min
        vi.setSystemTime(10 * 60_000 + 1000);
        out.push(meter(46, 100)); // a fast burst moves the average only a little: 36 in 601 s
        return out;
      });
      expect(shown[0]).toEqual({ rate: '-', left: '-' });
      expect(shown[1]).toEqual({ rate: '2.00', left: '35m00s' });
      expect(shown[2]).toEqual({ rate: '3.59', left: '15m02s' });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('the progress bar', () => {
  it('shows the ETA it is given, not its own', () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    try {
      const bar = progressBar('segment', '{done}/{total} vertebrae | ETA {left}');
      bar.update(30, 100, { done: '30.0', left: '35m00s' });
      bar.stop();
    } finally {
      spy.mockRestore();
    }
    expect(written.join('')).toContain('30.0/100 vertebrae | ETA 35m00s');
  });
});
