import type { Command } from 'commander';
import * as torch from '../../tensor/index.js';

/** `hsa info`: what the engine runs on — a first check that the install works. */
export function register(program: Command): void {
  program
    .command('info')
    .description('show the tensor engine: libtorch version, threads, CUDA, and a quick self-check')
    .action(() => {
      // 3x3 ones over 4x4 ones, zero padding: 4 corners x 4 + 8 edges x 6 + 4 inner x 9 = 100
      const check = torch.tidy(() => torch.conv2d(torch.ones([1, 1, 4, 4]), torch.ones([1, 1, 3, 3]), undefined, 1, 1).sum().item());
      console.log(`libtorch ${torch.torchVersion()}`);
      console.log(`threads  ${torch.getNumThreads()} (HSA_NUM_THREADS overrides)`);
      console.log(`cuda     ${torch.cuda.isAvailable() ? `${torch.cuda.deviceCount()} device(s)` : 'not available'}`);
      console.log(`check    conv2d ${check === 100 ? 'ok' : `WRONG (${check})`}`);
      if (check !== 100) process.exitCode = 1;
    });
}
