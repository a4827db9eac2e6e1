// cells.jsonl lines gained featureSource and provenance; files written before still load, and
// a malformed value of either costs the field, not the cell.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { readCells } from '../../lib/experiments/cellRecord.js';
import { summaryColumns, summaryRow } from '../../lib/experiments/summaryCsv.js';
import { syntheticCells } from '../helpers/syntheticCells.js';

const tmp = mkdtempSync(join(tmpdir(), 'fathom-cells-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const PROVENANCE = {
  fathom_version: '0.1.0',
  git_commit: null,
  device: 'cpu',
  gpu: null,
  threads: 4,
  blas: 'OpenBLAS (OpenMP)',
  cuda_gemm: null,
  deterministic: false,
};

describe('cells.jsonl run information', () => {
  it('loads lines written before the fields existed, and leaves the CSV column empty', () => {
    const path = join(tmp, 'old.jsonl');
    const old = syntheticCells({ depths: [4], seeds: [0] });
    writeFileSync(path, old.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const { records, skippedLines } = readCells(path);
    expect(skippedLines).toBe(0);
    expect(records).toEqual(old);
    expect(records[0].featureSource).toBeUndefined();
    expect(summaryColumns()).toContain('feature_source');
    expect(summaryRow(records[0]).feature_source).toBe('');
  });

  it('keeps well-formed fields and drops malformed ones without dropping the cell', () => {
    const [a, b, c] = syntheticCells({ methods: ['plain'], depths: [4, 8], seeds: [0, 1] });
    const lines = [
      { ...a, featureSource: 'random', provenance: PROVENANCE },
      { ...b, featureSource: 'noise', provenance: 'yesterday' },
      { ...c, featureSource: null, provenance: { threads: 2 } },
    ];
    const path = join(tmp, 'mixed.jsonl');
    writeFileSync(path, lines.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const { records, skippedLines } = readCells(path);
    expect(skippedLines).toBe(0);
    expect(records.map((r) => r.id)).toEqual([a.id, b.id, c.id]);
    expect(records[0]).toMatchObject({ featureSource: 'random', provenance: PROVENANCE });
    expect(summaryRow(records[0]).feature_source).toBe('random');
    expect('featureSource' in records[1]).toBe(false);
    expect('provenance' in records[1]).toBe(false);
    expect(records[2].featureSource).toBeNull();
    expect('provenance' in records[2]).toBe(false);
  });
});
