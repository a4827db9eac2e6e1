// The `fathom` command line as users run it: `node bin/fathom.js …` in a child process.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { REPO_ROOT } from './apiFixtures.js';

export const BIN = join(REPO_ROOT, 'bin', 'fathom.js');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI with `args` (stderr not a terminal, as in CI, no colour) and collects its output;
 * `env` adds variables to the test process's environment. Killed after `timeoutMs`.
 */
export function runCli(args: string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, FORCE_COLOR: '0', ...options.env };
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 110_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
