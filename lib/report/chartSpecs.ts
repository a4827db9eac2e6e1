import type { CellRecord } from '../experiments/cellRecord.js';
import { groupBySeeds, spreadPhrase } from './seedGroups.js';

/** A Vega-Lite spec (kept loose: the report builds them as plain objects). */
export type VlSpec = Record<string, unknown>;

/** One chart of the report: a file name (no extension), a heading and its spec. */
export interface ChartSpec {
  name: string;
  title: string;
  spec: VlSpec;
}

/** Metrics spanning orders of magnitude: drawn on a log axis when every value is positive. */
const LOG_METRICS = new Set([
  'featureScale',
  'featureMu',
  'dirichlet',
  'dirichletNormalized',
  'gradFeatureNorm',
  'gradFeatureMu',
  'gradWeightNorm',
  'relativeChange',
  'gatBalanceMax',
  'gatBalanceMean',
  'gatBalanceDrift',
  'sigmaRatio',
  'featureMuNormalized',
  'gradFeatureMuNormalized',
]);
/** Model-level metrics (the same on every layer's row): drawn against depth, not per layer. */
const MODEL_METRICS = new Set(['kappa', 'lossStar']);
const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';
const CONFIG = { font: FONT, background: 'white', view: { stroke: '#ddd' }, legend: { labelLimit: 260 } };

/**
 * The report's charts for a set of cell records: training loss and accuracy against epoch, one
 * profile per diagnostic metric (metric against layer at the first and last recorded epoch),
 * and test accuracy and final training loss against depth (mean ± standard deviation over
 * seeds; a point from one seed has no band, and its method's legend label says so). Faceted by
 * depth (profiles, curves) and dataset where there are several.
 *
 * @example
 * const charts = chartSpecs(readCells('results/cells.jsonl').records);
 */
export function chartSpecs(records: readonly CellRecord[]): ChartSpec[] {
  const ok = records.filter((r) => r.history.length > 0);
  const manyDatasets = new Set(records.map((r) => r.params.dataset)).size > 1;
  const charts: ChartSpec[] = [];
  const curves = ok.flatMap((r) => r.history.map((h) => ({ ...base(r), ...h })));
  if (curves.length > 0) {
    const lossLog = curves.every((c) => c.trainLoss !== null && c.trainLoss > 0);
    // A diverging cell would squash every other curve: the axis stops at 3× the largest
    // first-epoch loss and the lines are clipped there.
    const firstLosses = ok.map((r) => r.history[0].trainLoss).filter((l): l is number => l !== null && Number.isFinite(l));
    const cap = firstLosses.length > 0 ? 3 * Math.max(...firstLosses) : undefined;
    const clipped = cap !== undefined && curves.some((c) => c.trainLoss === null || c.trainLoss > cap);
    const lossScale = { ...(lossLog ? { type: 'log' } : { zero: false }), ...(clipped ? { domainMax: cap } : {}) };
    charts.push({
      name: 'training-loss',
      title: `Training loss against epoch (one line per cell)${clipped ? `; clipped at ${cap!.toPrecision(3)}` : ''}`,
      spec: faceted(curves, manyDatasets, true, {
        mark: { type: 'line', strokeWidth: 1.2, clip: true },
        encoding: {
          x: { ...q('epoch', 'epoch'), axis: { format: 'd', tickMinStep: 1 } },
          y: { ...q('trainLoss', 'training loss'), scale: lossScale },
          color: nominal('method'),
          detail: nominal('id'),
        },
      }),
    });
    charts.push({
      name: 'accuracy',
      title: 'Training (solid) and test (dashed) accuracy against epoch',
      spec: faceted(curves, manyDatasets, true, {
        transform: [{ fold: ['trainAcc', 'testAcc'], as: ['split', 'accuracy'] }],
        mark: { type: 'line', strokeWidth: 1.2 },
        encoding: {
          x: { ...q('epoch', 'epoch'), axis: { format: 'd', tickMinStep: 1 } },
          y: { ...q('accuracy', 'accuracy'), scale: { domain: [0, 1] } },
          color: nominal('method'),
          strokeDash: {
            field: 'split',
            type: 'nominal',
            sort: ['trainAcc', 'testAcc'],
            legend: { title: 'split', symbolType: 'stroke', symbolStrokeWidth: 1.5, encode: { symbols: { update: { stroke: { value: '#555' } } } } },
          },
          detail: nominal('id'),
        },
      }),
    });
  }
  for (const metric of diagnosticMetrics(records).filter((m) => !MODEL_METRICS.has(m))) {
    const all = records.flatMap((r) => profileRows(r, metric));
    if (all.length === 0) continue;
    // On a log axis zeros (a drift at initialization, an unmoved layer) are left out, and said so.
    const log = LOG_METRICS.has(metric) && all.some((row) => (row.value as number) > 0);
    const rows = log ? all.filter((row) => (row.value as number) > 0) : all;
    const dropped = all.length - rows.length;
    charts.push({
      name: `profile-${metric}`,
      title: `${metric} per layer (solid: last recorded epoch, dashed: first)${dropped ? `; ${dropped} values ≤ 0 not drawn on the log axis` : ''}`,
      spec: faceted(markSingles(rows), manyDatasets, true, {
        encoding: {
          x: { ...q('layer', 'layer'), axis: { format: 'd', tickMinStep: 1 } },
          y: { ...q('value', metric), scale: log ? { type: 'log' } : { zero: false } },
          color: nominal('method'),
        },
        layer: [
          {
            mark: { type: 'line', strokeWidth: 1.4 },
            encoding: {
              strokeDash: {
                field: 'when',
                type: 'nominal',
                sort: ['last', 'first'],
                legend: {
                  title: 'recorded epoch',
                  symbolType: 'stroke',
                  symbolStrokeWidth: 1.5,
                  encode: { symbols: { update: { stroke: { value: '#555' } } } },
                },
              },
              detail: nominal('series'),
            },
          },
          // A line of one point draws nothing: one-layer series (and shallow stacks) get points.
          { transform: [{ filter: 'datum.showPoint' }], mark: { type: 'point', filled: true, size: 16 } },
        ],
      }),
    });
  }
  const finals = records
    .filter((r) => r.status === 'ok' && r.best && r.final)
    .map((r) => ({ ...base(r), testAcc: r.best!.testAcc, trainLoss: r.final!.trainLoss }));
  if (finals.length > 0) {
    const byDepth = groupBySeeds(finals);
    charts.push({
      name: 'accuracy-vs-depth',
      title: `Test accuracy (at the best validation epoch) against depth: ${spreadPhrase(byDepth.spread)}`,
      spec: versusDepth(byDepth.rows, 'testAcc', 'test accuracy', manyDatasets, false),
    });
    const lossLog = finals.every((f) => f.trainLoss !== null && f.trainLoss > 0);
    // κ at initialization holds for every cell that got that far, failed ones included.
    const kappas = records.flatMap((r) => {
      const k = r.diagnostics?.[0]?.layers[0]?.kappa;
      return typeof k === 'number' ? [{ ...base(r), kappa: k }] : [];
    });
    if (kappas.length > 0) {
      const log = kappas.every((k) => k.kappa > 0);
      const kappaByDepth = groupBySeeds(kappas);
      charts.push({
        name: 'kappa-vs-depth',
        title: `Linear-rate constant κ = 4λσ² at initialization against depth: ${spreadPhrase(kappaByDepth.spread)}`,
        spec: versusDepth(kappaByDepth.rows, 'kappa', 'κ at init', manyDatasets, log),
      });
    }
    charts.push({
      name: 'loss-vs-depth',
      title: `Final training loss against depth: ${spreadPhrase(byDepth.spread)}`,
      spec: versusDepth(byDepth.rows, 'trainLoss', 'final training loss', manyDatasets, lossLog),
    });
  }
  return charts;
}

/** The diagnostic metrics present in the records, in first-seen order. */
export function diagnosticMetrics(records: readonly CellRecord[]): string[] {
  const seen = new Set<string>();
  for (const r of records)
    for (const d of r.diagnostics ?? [])
      for (const l of d.layers) for (const [k, v] of Object.entries(l)) if (k !== 'layer' && typeof v === 'number') seen.add(k);
  return [...seen];
}

function base(r: CellRecord) {
  return { id: r.id, method: r.params.method, dataset: r.params.dataset, depth: r.params.depth, seed: r.params.seed };
}

function profileRows(r: CellRecord, metric: string): Record<string, unknown>[] {
  const snaps = r.diagnostics ?? [];
  if (snaps.length === 0) return [];
  const picks =
    snaps.length > 1
      ? ([
          ['first', snaps[0]],
          ['last', snaps[snaps.length - 1]],
        ] as const)
      : ([['last', snaps[0]]] as const);
  return picks.flatMap(([when, s]) =>
    s.layers
      .filter((l) => typeof l[metric] === 'number' && Number.isFinite(l[metric]))
      .map((l) => ({ ...base(r), when, epoch: s.epoch, series: `${r.id} ${when}`, layer: l.layer, value: l[metric] })),
  );
}

/** Mean against depth, one line per method, a ± sd band only where a point has several seeds (rows from groupBySeeds). */
function versusDepth(rows: Record<string, unknown>[], field: string, title: string, manyDatasets: boolean, log: boolean): VlSpec {
  const depths = [...new Set(rows.map((r) => r.depth as number))].sort((a, b) => a - b);
  const x = {
    field: 'depth',
    type: 'quantitative',
    title: 'depth',
    scale: depths.length > 2 ? { type: 'log', base: 2 } : { zero: false },
    axis: { values: depths, format: 'd' },
  };
  const y = { field, type: 'quantitative', title, scale: log ? { type: 'log' } : { zero: false } };
  const color = { field: 'group', type: 'nominal', title: 'method' };
  return faceted(rows, manyDatasets, false, {
    layer: [
      { transform: [{ filter: 'datum.seeds > 1' }], mark: { type: 'errorband', extent: 'stdev', opacity: 0.2 }, encoding: { x, y, color } },
      { mark: { type: 'line', point: true }, encoding: { x, y: { ...y, aggregate: 'mean' }, color } },
    ],
  });
}

function faceted(values: Record<string, unknown>[], byDataset: boolean, byDepth: boolean, inner: VlSpec): VlSpec {
  const depths = byDepth ? [...new Set(values.map((v) => v.depth as number))].sort((a, b) => a - b) : [];
  const facet: Record<string, unknown> = {};
  if (depths.length > 1) facet.column = { field: 'depth', type: 'ordinal', sort: depths, header: { labelExpr: "'depth ' + datum.value", title: null } };
  if (byDataset) facet.row = { field: 'dataset', type: 'nominal', header: { title: null } };
  // Headless text measurement underestimates bold legend titles: room on the right keeps them whole.
  const top = { data: { values }, config: CONFIG, padding: { left: 5, top: 5, bottom: 5, right: 40 } };
  if (Object.keys(facet).length === 0) return { ...top, width: 420, height: 240, ...inner };
  return { ...top, facet, spec: { width: 220, height: 180, ...inner }, resolve: { scale: { x: 'independent' } } };
}

/** Flags the rows to draw as points: every row of a one-point series, and all rows of shallow stacks. */
function markSingles(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  const counts = new Map<unknown, number>();
  for (const r of rows) counts.set(r.series, (counts.get(r.series) ?? 0) + 1);
  return rows.map((r) => ({ ...r, showPoint: counts.get(r.series) === 1 || (r.depth as number) <= 16 }));
}

function q(field: string, title: string) {
  return { field, type: 'quantitative', title };
}

function nominal(field: string) {
  return { field, type: 'nominal', ...(field === 'id' || field === 'series' ? {} : { title: field }) };
}
