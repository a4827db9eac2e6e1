// Smoke test of the side-by-side GPU comparison, run on the CPU (--device cpu) as a user would on
// a machine without a GPU: every side that is installed runs every case on identical graphs, and
// the JSON has what bench/README.md reads from it. Not a timing test.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { REPO_ROOT, ensureDistBuilt } from '../helpers/apiFixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'fathom-bench-cuda-'));
beforeAll(() => ensureDistBuilt());
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function runCompare(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, OMP_NUM_THREADS: '1', FATHOM_BENCH_CACHE: join(tmp, 'graphs') };
    const script = join(REPO_ROOT, 'bench', 'compare-cuda.bench.mjs');
    execFile(process.execPath, [script, '--device', 'cpu', ...args], { env, timeout: 110_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr });
    });
  });
}

const python = process.env.FATHOM_BENCH_PYTHON ?? '/usr/bin/python3';

describe('compare-cuda.bench.mjs', () => {
  it('runs SpMM and a GCN step on every side that is installed and writes medians, ratios and the checksum agreement', async () => {
    const out = join(tmp, 'compare-cuda.json');
    const small = ['--nodes', '600', '--edges', '5000', '--repeats', '1', '--warmup', '0'];
    const r = await runCompare(['--graphs', 'uniform-1m,rmat-1m', '--cases', 'spmm:64,spmm:128,gcn', '--python', python, ...small, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.finished).toBe(true);
    expect(report.method.synchronized).toBe(true);
    expect(report.graphs['uniform-1m'].spec.rmat).toMatchObject({ nodes: 600, edges: 5000, a: 0.25, b: 0.25, c: 0.25 });
    for (const graph of ['uniform-1m', 'rmat-1m']) {
      const spmm = report.cases[`${graph}/spmm:128`];
      expect(spmm.fathom.features).toBe(128);
      expect(spmm.fathom.median_ms).toBeGreaterThan(0);
      expect(spmm.fathom.device_peak_mb).toBeGreaterThan(0);
      const gcn = report.cases[`${graph}/gcn`];
      expect(gcn.fathom.times_ms).toHaveLength(1);
      expect(Number.isFinite(gcn.fathom.loss_first)).toBe(true);
      if (report.torch) {
        // The same operator and the same X on both sides: sums of |P X| agree to f32 rounding.
        expect(spmm.checksum_rel_diff_fathom_vs_torch).toBeLessThan(1e-5);
        expect(gcn.time_ratio_fathom_over_torch).toBeGreaterThan(0);
      }
      if (!report.torch_geometric) expect(gcn.pyg?.error ?? 'skipped').toMatch(/skipped|not importable/);
    }
  });

  it('runs the candidate-kernel side on the cases of --new-cases only, with the candidates switched on in its environment', async () => {
    const out = join(tmp, 'candidates.json');
    const small = ['--nodes', '600', '--edges', '5000', '--repeats', '1', '--warmup', '0'];
    const r = await runCompare([
      '--graphs',
      'rmat-1m',
      '--sides',
      'fathom,fathom-new',
      '--cases',
      'spmm:64,gcn',
      '--new-cases',
      'spmm:64',
      ...small,
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.method.fathom_new).toContain('"FATHOM_CUDA_SPMM":"row-cached"');
    expect(report.method.fathom_new).toContain('"FATHOM_CUDA_SPLIT_ROWS":"1"');
    const spmm = report.cases['rmat-1m/spmm:64'];
    // On the CPU the switches change nothing: the same product, the same checksum.
    expect(spmm['fathom-new'].checksum).toBe(spmm.fathom.checksum);
    expect(spmm.time_ratio_new_over_fathom).toBeGreaterThan(0);
    const gcn = report.cases['rmat-1m/gcn'];
    expect(gcn['fathom-new']).toBeNull();
    expect(gcn.time_ratio_new_over_fathom).toBeNull();
    expect(report.children.filter((c: { side: string }) => c.side === 'fathom-new')).toHaveLength(1);
  });

  it('starts no child after --deadline-s and says so', async () => {
    const out = join(tmp, 'deadline.json');
    const r = await runCompare(['--graphs', 'rmat-1m', '--sides', 'fathom', '--nodes', '600', '--edges', '5000', '--deadline-s', '0.001', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.graphs['rmat-1m'].error).toMatch(/^not run: the 0.001 s deadline was spent/);
    expect(report.cases).toEqual({});
  });
});
