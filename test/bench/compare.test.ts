// Smoke test of the comparison runner: one repeat of two cases on tiny graphs, in a child
// process as users run it. Not a timing test: it only checks that both sides ran (PyTorch
// when installed) and that the JSON report has what bench/README.md reads from it.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { REPO_ROOT, ensureDistBuilt } from '../helpers/apiFixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'fathom-bench-'));
beforeAll(() => ensureDistBuilt());
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function runCompare(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, OMP_NUM_THREADS: '1', FATHOM_BENCH_CACHE: join(tmp, 'graphs') };
    execFile(process.execPath, [join(REPO_ROOT, 'bench', 'compare.bench.mjs'), ...args], { env, timeout: 100_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr });
    });
  });
}

describe('compare.bench.mjs', () => {
  it('runs SpMM and a GCN step for Fathom (and PyTorch when installed) and writes medians, ratios and the floor', async () => {
    const out = join(tmp, 'compare.json');
    const r = await runCompare([
      '--threads',
      '1',
      '--repeats',
      '1',
      '--rounds',
      '1',
      '--warmup',
      '0',
      '--cases',
      'spmm-rmat,gcn-cora',
      '--nodes',
      '500',
      '--edges',
      '4000',
      '--bandwidth-n',
      '1000000',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.machine.threads).toBe(1);
    expect(report.idle_rss_mb.node_bare_mb).toBeGreaterThan(0);
    expect(report.bandwidth.gbytes_per_s).toBeGreaterThan(0);
    const spmm = report.cases['spmm-rmat'];
    expect(spmm.fathom.median_ms).toBeGreaterThan(0);
    expect(spmm.fathom.peak_rss_mb).toBeGreaterThan(0);
    expect(spmm.floor.fathom_fraction_of_floor).toBeGreaterThan(0);
    const gcn = report.cases['gcn-cora'];
    expect(gcn.fathom.repeats).toBe(1);
    if (report.machine.torch) {
      // Same operator on both sides: the sums of |P X| agree to float32 rounding.
      expect(spmm.torch.checksum).toBeCloseTo(spmm.fathom.checksum, 0);
      expect(gcn.time_ratio_fathom_over_torch).toBeGreaterThan(0);
      expect(gcn.peak_rss_ratio_fathom_over_torch).toBeGreaterThan(0);
    } else {
      expect(gcn.torch).toBeNull();
    }
  });
});
