// `hsa report`: one self-contained HTML file of a segment output (and its evaluation), viewable offline.
import type { Command } from 'commander';
import { writeReport, type ReportOptions } from '../../report/write-report.js';

export function register(program: Command): void {
  program
    .command('report')
    .description('write one self-contained HTML report (opens offline) of a segment output folder: metrics table, one sortable row per vertebra with its figure')
    .requiredOption('--seg <dir>', 'output folder of hsa segment')
    .option('--eval <dir>', 'output folder of hsa evaluate --out for the same vertebrae (adds metrics and per-vertebra errors)')
    .requiredOption('--out <file>', 'the HTML file to write (a new file; written atomically)')
    .option('--notice <text>', 'a caveat shown at the top of the report')
    .option('--title <text>', 'the report title')
    .action((o: ReportOptions) => {
      const { cases, bytes } = writeReport(o);
      process.stderr.write(`report: ${cases} vertebrae, ${(bytes / 1024).toFixed(0)} KiB, written to ${o.out}\n`);
    });
}
