// A checkout whose native addon is not built: a copy of src/ without build/ beside it. Help, version and
// commands without tensor work must run; a command that needs the engine says in one line how to build it.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const copy = mkdtempSync(join(tmpdir(), 'hsa-no-addon-'));
cpSync(join(repo, 'src'), join(copy, 'src'), { recursive: true });
cpSync(join(repo, 'package.json'), join(copy, 'package.json'));
mkdirSync(join(copy, 'test/helpers'), { recursive: true });
cpSync(join(repo, 'test/helpers/hsa-cli.ts'), join(copy, 'test/helpers/hsa-cli.ts'));
symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

function hsa(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(copy, 'test/helpers/hsa-cli.ts'), ...args], { cwd: repo, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('hsa without the native addon', () => {
  it('prints its version (package.json) and help', () => {
    const { version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
    expect(hsa('--version')).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
    const help = hsa('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: hsa \[options\] \[command\]/);
    expect(help.stdout).toContain('segment [options]');
    expect(hsa('segment', '--help').status).toBe(0);
  });

  it('names the missing addon in one line for a command that needs it', () => {
    const r = hsa('info');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`hsa: the libtorch addon is not built (${join(copy, 'build/Release/hsa_torch.node')} is missing): run \`npm run build\` or \`bash scripts/setup.sh\`\n`);
  });
});
