// What a report says about its cells beyond the numbers: single-seed groups drawn without a
// band, random-feature groups flagged, and the provenance of every cell.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import type { CellRecord } from '../../lib/experiments/cellRecord.js';
import { buildReport } from '../../lib/report/buildReport.js';
import { chartSpecs } from '../../lib/report/chartSpecs.js';
import { renderChart } from '../../lib/report/renderChart.js';
import type { Provenance } from '../../lib/runtime/provenance.js';
import { syntheticCells } from '../helpers/syntheticCells.js';

const tmp = mkdtempSync(join(tmpdir(), 'fathom-report-info-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const PROVENANCE: Provenance = {
  fathom_version: '9.8.7',
  git_commit: '0123456789abcdef0123456789abcdef01234567',
  device: 'cpu',
  gpu: null,
  threads: 6,
  blas: 'OpenBLAS (OpenMP)',
  cuda_gemm: null,
  deterministic: false,
};

/** Rendered SVG of one chart: its error-band paths (vega labels each "errorband") and its legend. */
async function chart(records: CellRecord[], name: string) {
  const c = chartSpecs(records).find((s) => s.name === name)!;
  const { svg } = await renderChart(c.spec);
  return { title: c.title, svg, bands: (svg.match(/aria-roledescription="errorband"/g) ?? []).length };
}

function runDir(name: string, records: CellRecord[]): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cells.jsonl'), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return dir;
}

describe('seeds behind the points against depth', () => {
  it('draws groups of one seed without a band and labels them "1 seed: no spread"', async () => {
    const records = syntheticCells({ seeds: [0] });
    for (const name of ['accuracy-vs-depth', 'loss-vs-depth']) {
      const c = await chart(records, name);
      expect(c.bands).toBe(0);
      expect(c.svg).toContain('plain (1 seed: no spread)');
      expect(c.svg).toContain('residual (1 seed: no spread)');
      expect(c.title).toContain('1 seed: no spread');
      expect(c.title).not.toContain('±');
    }
  });

  it('keeps the ± sd band where a group has several seeds', async () => {
    const c = await chart(syntheticCells({ seeds: [0, 1] }), 'accuracy-vs-depth');
    // Two methods × two depths, one band segment per point.
    expect(c.bands).toBeGreaterThan(0);
    expect(c.svg).not.toContain('no spread');
    expect(c.title).toContain('mean ± sd over seeds');
  });

  it('names the depths where only part of a group has one seed', async () => {
    const records = syntheticCells({ methods: ['plain'], depths: [4, 8], seeds: [0, 1] }).filter((r) => !(r.params.depth === 8 && r.params.seed === 1));
    const c = await chart(records, 'accuracy-vs-depth');
    expect(c.svg).toContain('plain (1 seed at depth 8: no spread)');
    expect(c.title).toContain('points from one seed have no band');
    expect(c.bands).toBeGreaterThan(0);
  });
});

describe('feature source and provenance in the report', () => {
  it('notes under every chart and the table which groups trained on random features', async () => {
    const cells = syntheticCells({ depths: [4], seeds: [0, 1] }).map((r) => ({
      ...r,
      id: r.id.replace('cora', 'pubmed'),
      params: { ...r.params, dataset: 'pubmed' },
      featureSource: 'random' as const,
      provenance: PROVENANCE,
    }));
    const dir = runDir('random', cells);
    const { html, charts } = await buildReport(dir);
    const page = readFileSync(html, 'utf8');
    const note = 'Random features: pubmed (plain, residual) trained on seeded random features (seed 42';
    // One note per chart and one under the summary table.
    expect(page.split(note).length - 1).toBe(charts.length + 1);
    expect(page).toMatch(/<td class="feature_source">random<\/td>/);
  });

  it('shows each distinct provenance with its cell count, and old cells as not recorded', async () => {
    const [a, b, c] = syntheticCells({ methods: ['plain'], depths: [4, 8], seeds: [0, 1] });
    const dir = runDir('provenance', [
      { ...a, featureSource: 'file', provenance: PROVENANCE },
      { ...b, featureSource: 'file', provenance: PROVENANCE },
      { ...c, featureSource: 'file', provenance: { ...PROVENANCE, threads: 1 } },
      syntheticCells({ methods: ['plain'], depths: [8], seeds: [1] })[0],
    ]);
    const page = readFileSync((await buildReport(dir)).html, 'utf8');
    const block = page.slice(page.indexOf('<section class="provenance"'));
    expect(block).toContain('<h2>Provenance</h2>');
    expect(block).toContain(`<tr><td>2</td><td>9.8.7</td><td>${PROVENANCE.git_commit}</td><td>cpu</td><td>-</td><td>6</td><td>OpenBLAS (OpenMP)</td>`);
    expect(block).toContain('<tr><td>1</td><td>9.8.7</td>');
    expect(block).toContain('<td>1</td><td>OpenBLAS (OpenMP)</td>');
    expect(block).toMatch(/<tr><td>1<\/td><td colspan="8">not recorded/);
    expect(page).not.toContain('Random features');
  });
});
