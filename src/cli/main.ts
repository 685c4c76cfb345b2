// The `hsa` command line: one subcommand per job, registered by the files in ./commands.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { register as registerInfo } from './commands/info.js';
import { register as registerPhantom } from './commands/phantom.js';
import { register as registerPrepare } from './commands/prepare.js';
import { register as registerTrainDae } from './commands/train-dae.js';
import { register as registerReconstruct } from './commands/reconstruct.js';
import { register as registerConvert } from './commands/convert.js';
import { register as registerTrainClassifier } from './commands/train-classifier.js';
import { register as registerSegment } from './commands/segment.js';
import { register as registerEvaluate } from './commands/evaluate.js';
import { register as registerReport } from './commands/report.js';
import { register as registerView } from './commands/view.js';
import { register as registerDemo } from './commands/demo.js';
import { register as registerTrainCnn } from './commands/train-cnn.js';
import { register as registerBaseline } from './commands/baseline.js';
import { register as registerBenchmark } from './commands/benchmark.js';
import { register as registerCheckModel } from './commands/check-model.js';
import { register as registerWorker } from './commands/worker.js';

/** package.json's version; the same relative path from src/cli and dist/cli. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export function buildProgram(): Command {
  const program = new Command('hsa')
    .version(packageVersion())
    .description('Hide-and-Seek Attribution: weakly supervised segmentation of lytic and blastic vertebral metastases in CT')
    .showHelpAfterError()
    .exitOverride();
  const commands = [
    registerInfo, registerPhantom, registerPrepare, registerTrainDae, registerReconstruct, registerConvert,
    registerTrainClassifier, registerSegment, registerEvaluate, registerReport, registerView, registerDemo,
    registerTrainCnn, registerBaseline, registerBenchmark, registerCheckModel, registerWorker,
  ];
  for (const register of commands) register(program);
  return program;
}

/** Runs the CLI; user errors print one clear line and exit non-zero. */
export async function run(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode;
      return;
    }
    console.error(`hsa: ${(e as Error).message}`);
    if (process.env.HSA_DEBUG) console.error((e as Error).stack);
    process.exitCode = 1;
  }
}
