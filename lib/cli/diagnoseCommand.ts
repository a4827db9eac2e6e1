import { Command, InvalidArgumentError } from 'commander';

import { DIAGNOSTIC_METRICS, type DiagnosticMetric, type LayerDiagnostics } from '../diagnostics/metrics.js';
import { runDiagnoseJob, type DiagnoseJobOptions } from './diagnoseJob.js';
import { addModelOptions } from './modelOptions.js';
import { deprecatedFlag } from './deprecatedFlag.js';
import { checkOutputs } from './outputPaths.js';
import { integer, real } from './parseOptions.js';
import { emitSummary } from './summaryOutput.js';
import { table } from './table.js';
import { featureSourceLabel } from './trainTable.js';
import { TRAIN_DEFAULTS } from './trainJob.js';

// The printed columns (the JSON has every metric): heading and metric.
const COLUMNS: readonly [string, DiagnosticMetric][] = [
  ['scale', 'featureScale'],
  ['μ/‖Z‖', 'featureMuNormalized'],
  ['cos', 'meanCosine'],
  ['E/‖Z‖²', 'dirichletNormalized'],
  ['corr', 'overCorrelation'],
  ['rank', 'numericalRank'],
  ['erank', 'effectiveRank'],
  ['σ2/σ1', 'sigmaRatio'],
  ['‖∂Z‖', 'gradFeatureNorm'],
  ['μ(∂Z)/‖∂Z‖', 'gradFeatureMuNormalized'],
  ['‖∂W‖', 'gradWeightNorm'],
  ['Δθ/θ', 'relativeChange'],
  ['max|c|', 'gatBalanceMax'],
  ['κ', 'kappa'],
];

function metricList(v: string): DiagnosticMetric[] {
  const list = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const m of list) {
    if (!DIAGNOSTIC_METRICS.includes(m as DiagnosticMetric)) throw new InvalidArgumentError(`unknown metric '${m}'; known: ${DIAGNOSTIC_METRICS.join(', ')}`);
  }
  return list as DiagnosticMetric[];
}

function format(v: number | undefined): string {
  if (v === undefined) return '';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toPrecision(4);
}

/** The per-layer table of one record: only the columns some row has, every `stride`-th layer. */
export function layerTable(layers: readonly LayerDiagnostics[], stride = 1): string {
  const cols = COLUMNS.filter(([, m]) => layers.some((r) => r[m] !== undefined));
  const shown = layers.filter((_, i) => i % stride === 0 || i === layers.length - 1);
  return table([['layer', ...cols.map(([h]) => h)], ...shown.map((r) => [String(r.layer), ...cols.map(([, m]) => format(r[m]))])], { header: true });
}

/** `fathom diagnose`: per-layer diagnostics (docs/methods.md §4) at initialization and after training. */
export function diagnoseCommand(): Command {
  const command = new Command('diagnose').description('per-layer diagnostics of a model at initialization and, with --epochs, after training');
  return addModelOptions(command, TRAIN_DEFAULTS)
    .option('--epochs <n>', 'train this many epochs (Adam) and diagnose again (0: initialization only)', integer(0), 0)
    .option('--lr <x>', "learning rate (default: the model's own, else 0.01)", real(0, 10))
    .option('--weight-decay <x>', "L2 weight decay (default: the model's own, else 5e-4)", real(0, 1))
    .option('--metrics <list>', `comma-separated metrics (default all): ${DIAGNOSTIC_METRICS.join(', ')}`, metricList)
    .option('--stride <k>', 'print every k-th layer (and the last); the JSON has all', integer(1), 1)
    .option('--json <file|->', 'write every metric of every layer, the setting and provenance as JSON to a file, or - for stdout')
    .option('--out <file>', 'deprecated: the same as --json FILE')
    .action(async (o: DiagnoseJobOptions & { stride: number; json?: string; out?: string }) => {
      if (o.out !== undefined) {
        if (o.json !== undefined) throw new InvalidArgumentError('diagnose: give --json only (--out is its deprecated spelling)');
        deprecatedFlag('diagnose', '--out FILE', '--json FILE (the same JSON)');
      }
      const json = o.json ?? o.out;
      const flag = o.out === undefined ? '--json' : '--out';
      checkOutputs('diagnose', { files: { [flag]: json } });
      const t0 = performance.now();
      const summary = await runDiagnoseJob(o);
      const text = summary.records.map((rec) => {
        const when = rec.epoch === 0 ? 'at initialization' : `after ${rec.epoch} epochs`;
        return `${summary.model} × ${summary.layers} on ${summary.dataset}, ${when}\n${layerTable(rec.layers, o.stride)}\n`;
      });
      if (summary.feature_source === 'random') process.stderr.write(`fathom diagnose: ${summary.dataset} features: ${featureSourceLabel('random')}\n`);
      process.stderr.write(`diagnose: ${((performance.now() - t0) / 1000).toFixed(2)} s\n`);
      emitSummary({ text: text.join(''), summary, json, command: 'diagnose', flag });
    });
}
