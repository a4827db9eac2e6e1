import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../lib/random/rng.js';
import { REPO_ROOT } from '../helpers/apiFixtures.js';
import { BIN } from '../helpers/runCli.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fathom-convert-int-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('fathom convert and Ctrl-C', () => {
  it('stops reading on SIGINT, exits 1 with "interrupted" and writes no output folder', async () => {
    const rng = new Rng(11);
    const lines: string[] = [];
    for (let e = 0; e < 1_500_000; e++) lines.push(`${rng.nextInt(300_000)},${rng.nextInt(300_000)}`);
    const input = join(tmp, 'edges.csv.gz');
    writeFileSync(input, gzipSync(`${lines.join('\n')}\n`));
    const out = join(tmp, 'out');

    const child = spawn(process.execPath, [BIN, 'convert', input, out], { cwd: REPO_ROOT, env: { ...process.env, FORCE_COLOR: '0' } });
    let stderr = '';
    let signalled = false;
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      // convert catches Ctrl-C from before it prints the "reading" line, before the first byte is read.
      if (!signalled && stderr.includes('convert: reading')) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(signalled).toBe(true);
    expect(stderr).toContain('fathom: interrupted');
    expect(status).toBe(1);
    expect(existsSync(out)).toBe(false);
  });
});
