import { appendFileSync, existsSync, readFileSync } from 'node:fs';

import type { FeatureSource } from '../data/types.js';
import type { Provenance } from '../runtime/provenance.js';
import type { CellParams } from './sweepCells.js';

/**
 * One layer's diagnostics as stored (see LayerDiagnostics in lib/diagnostics/metrics): `layer`
 * (0-based) and named metrics, null where a value was not finite.
 */
export type LayerRow = { layer: number } & Record<string, number | null | undefined>;

/** Diagnostics taken at one epoch (0: at initialization). */
export interface DiagnosticsSnapshot {
  epoch: number;
  layers: LayerRow[];
}

export interface EpochRow {
  epoch: number;
  /** null where the value was not finite (JSON has no NaN). */
  trainLoss: number | null;
  trainAcc: number;
  valAcc: number;
  testAcc: number;
}

export interface CellMetrics {
  epoch: number;
  trainLoss: number | null;
  trainAcc: number;
  valAcc: number;
  testAcc: number;
}

/** One line of `cells.jsonl`: everything about one finished (or failed) cell. */
export interface CellRecord {
  id: string;
  params: CellParams;
  status: 'ok' | 'failed' | 'invalid';
  error?: string;
  epochsRun: number;
  /** The last epoch run, and the best-validation epoch (the Planetoid protocol's test accuracy). */
  final?: CellMetrics;
  best?: CellMetrics;
  history: EpochRow[];
  diagnostics: DiagnosticsSnapshot[];
  wallMs: number;
  stepMsMedian: number | null;
  finishedAt: string;
  /**
   * Where the dataset's features came from ('random': seeded noise, the dataset ships none);
   * null for an invalid cell (no data loaded). Absent in files written before Fathom recorded it.
   */
  featureSource?: FeatureSource | null;
  /** What produced the cell (see Provenance). Absent in files written before Fathom recorded it. */
  provenance?: Provenance;
}

/**
 * Reads `cells.jsonl`. A line that does not parse (a run killed mid-write leaves at most the
 * last one) is skipped: its cell counts as not done and runs again.
 *
 * @example
 * const done = new Set(readCells('results/cells.jsonl').records.map((r) => r.id));
 */
export function readCells(path: string): { records: CellRecord[]; skippedLines: number } {
  if (typeof path !== 'string') throw new TypeError(`readCells: argument path must be a file path, got ${path === null ? 'null' : typeof path}`);
  if (!existsSync(path)) return { records: [], skippedLines: 0 };
  const records = new Map<string, CellRecord>();
  let skippedLines = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const r = JSON.parse(line) as CellRecord;
      if (typeof r?.id !== 'string' || typeof r.params !== 'object') throw new Error('not a cell');
      dropMalformedRunInfo(r);
      // A cell run again (after a failed line) replaces the earlier record.
      records.set(r.id, r);
    } catch {
      skippedLines++;
    }
  }
  return { records: [...records.values()], skippedLines };
}

/**
 * The run information fields are optional (older files lack them); a malformed one is dropped,
 * not the line, so that the cell is not run again for a field the report only displays.
 */
function dropMalformedRunInfo(r: CellRecord): void {
  if (r.featureSource !== undefined && r.featureSource !== null && r.featureSource !== 'file' && r.featureSource !== 'random') delete r.featureSource;
  const p = r.provenance as unknown;
  if (p !== undefined && (typeof p !== 'object' || p === null || typeof (p as Provenance).fathom_version !== 'string')) delete r.provenance;
}

/**
 * Appends one record as one line. The line is written with a single synchronous call, and a
 * newline goes first when the file does not end with one, so a half-written line left by a
 * crash never swallows the next record.
 */
export function appendCell(path: string, record: CellRecord): void {
  let prefix = '';
  if (existsSync(path)) {
    const text = readFileSync(path);
    if (text.length > 0 && text[text.length - 1] !== 0x0a) prefix = '\n';
  }
  appendFileSync(path, `${prefix}${JSON.stringify(record, finiteOrNull)}\n`);
}

function finiteOrNull(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}
