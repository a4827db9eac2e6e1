import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { loadDataset } from '../data/loadDataset.js';
import type { FeatureSource } from '../data/types.js';
import { resolveDevice } from '../runtime/devices.js';
import { provenance } from '../runtime/provenance.js';
import type { EpochReport } from '../train/fit.js';
import { NodeData } from '../data/NodeData.js';
import { allLabelsSplit } from '../data/allLabelsSplit.js';
import { requireObject } from '../errors/args.js';
import { appendCell, readCells, type CellRecord } from './cellRecord.js';
import { runCell } from './runCell.js';
import { expandSweep, type SweepCell } from './sweepCells.js';
import { parseSweepConfig, type SweepConfig } from './sweepConfig.js';
import { summaryCsv } from './summaryCsv.js';

export interface SweepHooks {
  signal?: AbortSignal;
  /** Called before each cell that runs (cells already in cells.jsonl are not announced). */
  onCellStart?: (cell: SweepCell, index: number, total: number) => void;
  onEpoch?: (cell: SweepCell, report: EpochReport) => void;
  onCellEnd?: (record: CellRecord, index: number, total: number) => void;
}

export interface SweepOutcome {
  runDir: string;
  total: number;
  /** Cells found in cells.jsonl and not run again. */
  skipped: number;
  ran: number;
  failed: number;
  /** Lines of cells.jsonl that did not parse (a crash mid-write). */
  brokenLines: number;
}

/**
 * Runs every cell of a sweep not yet in `RUN_DIR/cells.jsonl`, appending one line per cell and
 * rewriting `RUN_DIR/summary.csv` after each, so an interrupted sweep leaves both consistent and
 * resumes where it stopped. Each line records the dataset's feature source and the provenance
 * (Fathom's version and commit, device, threads, BLAS). `RUN_DIR` is `config.outDir`, relative
 * to `baseDir`. The config is validated (parsed or not, as parseSweepConfig takes it).
 *
 * @example
 * const outcome = await runSweep(parseSweepConfig(json), { baseDir: 'experiments/init-speed' });
 */
export async function runSweep(input: unknown, options: { baseDir: string } & SweepHooks): Promise<SweepOutcome> {
  requireObject('runSweep', 'options', options);
  if (typeof options.baseDir !== 'string') throw new TypeError(`runSweep: argument options.baseDir must be a folder path, got ${typeof options.baseDir}`);
  const config = parseSweepConfig(input);
  const cells = expandSweep(config);
  const runDir = resolve(options.baseDir, config.outDir);
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, 'sweep.resolved.json'), `${JSON.stringify(config, null, 2)}\n`);
  const cellsPath = join(runDir, 'cells.jsonl');
  const { records, skippedLines } = readCells(cellsPath);
  const done = new Set(records.map((r) => r.id));
  const todo = cells.filter((c) => !done.has(c.id));
  const device = resolveDevice(config.device);
  const datasets = new Map<string, { data: NodeData; featureSource: FeatureSource }>();
  // Read once: every cell this invocation runs shares the build, the device and the threads.
  const runInfo = provenance(device);
  const outcome: SweepOutcome = { runDir, total: cells.length, skipped: cells.length - todo.length, ran: 0, failed: 0, brokenLines: skippedLines };
  writeSummary(runDir, cells, records, config);
  try {
    for (const [i, cell] of todo.entries()) {
      options.signal?.throwIfAborted();
      options.onCellStart?.(cell, outcome.skipped + i, cells.length);
      const loaded = cell.invalid ? null : dataFor(cell.params.dataset, config, device, datasets);
      const record = await runCell(cell, config, loaded?.data ?? null, device, {
        signal: options.signal,
        onEpoch: (r) => options.onEpoch?.(cell, r),
      });
      record.featureSource = loaded?.featureSource ?? null;
      record.provenance = runInfo;
      appendCell(cellsPath, record);
      records.push(record);
      outcome.ran++;
      if (record.status !== 'ok') outcome.failed++;
      writeSummary(runDir, cells, records, config);
      options.onCellEnd?.(record, outcome.skipped + i, cells.length);
    }
  } finally {
    for (const d of datasets.values()) d.data.dispose();
  }
  return outcome;
}

function dataFor(
  name: string,
  config: SweepConfig,
  device: ReturnType<typeof resolveDevice>,
  cache: Map<string, { data: NodeData; featureSource: FeatureSource }>,
): { data: NodeData; featureSource: FeatureSource } {
  let d = cache.get(name);
  if (!d) {
    const loaded = loadDataset(name, { normalizeFeatures: config.normalizeFeatures });
    const ds = config.fitAllLabels ? allLabelsSplit(loaded) : loaded;
    d = { data: NodeData.from(ds, { device }), featureSource: ds.featureSource };
    cache.set(name, d);
  }
  return d;
}

function writeSummary(runDir: string, cells: SweepCell[], records: CellRecord[], config: SweepConfig): void {
  // Rows in the config's cell order; records of cells no longer in the config go last.
  const order = new Map(cells.map((c, i) => [c.id, i]));
  const sorted = [...records].sort((a, b) => (order.get(a.id) ?? Infinity) - (order.get(b.id) ?? Infinity));
  writeFileSync(join(runDir, 'summary.csv'), summaryCsv(sorted, config.summaryEpochs));
}
