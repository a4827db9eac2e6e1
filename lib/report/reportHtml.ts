import type { CellRecord } from '../experiments/cellRecord.js';
import { summaryRow } from '../experiments/summaryCsv.js';
import { provenanceHtml, randomFeatureNote } from './runInfoHtml.js';

export interface ReportSection {
  name: string;
  title: string;
  /** Inline SVG markup (ids already scoped to the chart). */
  svg: string;
}

const TABLE_COLUMNS: [string, string][] = [
  ['id', 'cell'],
  ['feature_source', 'features'],
  ['status', 'status'],
  ['epochs_run', 'epochs'],
  ['final_train_loss', 'final loss'],
  ['final_train_acc', 'train acc'],
  ['best_epoch', 'best epoch'],
  ['best_val_acc', 'best val acc'],
  ['best_test_acc', 'test acc @ best val'],
  ['epochs_to_fit', 'epochs to 99% train'],
  ['kappa_init', 'κ at init'],
  ['wall_s', 'wall s'],
  ['step_ms_median', 'step ms'],
  ['error', 'error'],
];

/**
 * The report page: a heading, the charts as inline SVG, a summary table and the provenance of
 * the cells, with inline CSS only. Charts and the table of cells trained on random features
 * carry a note saying so. A Content-Security-Policy forbids every load, so the page cannot fetch anything.
 *
 * @example
 * writeFileSync('report.html', reportHtml({ title: 'init-speed', records, sections }));
 */
export function reportHtml(o: {
  title: string;
  description?: string;
  records: readonly CellRecord[];
  sections: readonly ReportSection[];
  generatedAt?: string;
}): string {
  const featureNote = randomFeatureNote(o.records);
  const note = featureNote ? `\n<p class="note">${esc(featureNote)}</p>` : '';
  const charts = o.sections.map((s) => `<section class="chart" id="chart-${esc(s.name)}"><h2>${esc(s.title)}</h2>\n${s.svg}${note}\n</section>`).join('\n');
  const head = TABLE_COLUMNS.map(([, label]) => `<th>${esc(label)}</th>`).join('');
  const rows = o.records
    .map((r) => {
      const row = summaryRow(r);
      const cells = TABLE_COLUMNS.map(([key]) => `<td class="${key}">${esc(formatCell(key, row[key]))}</td>`).join('');
      return `<tr class="${r.status}">${cells}</tr>`;
    })
    .join('\n');
  const ok = o.records.filter((r) => r.status === 'ok').length;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(o.title)}</title>
<style>
body { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.1em; margin-top: 2em; }
section.chart { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.85em; margin-top: 1em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: right; }
td.id, td.error, td.status, td.feature_source { text-align: left; }
p.note { background: #fff4d6; border-left: 4px solid #e0a800; padding: 0.4em 0.8em; max-width: 60em; }
section.provenance td { text-align: left; } tr.failed, tr.invalid { background: #fde8e8; }
</style>
</head>
<body>
<h1>${esc(o.title)}</h1>
${o.description ? `<p>${esc(o.description)}</p>\n` : ''}<p>${o.records.length} cells, ${ok} trained, ${o.records.length - ok} failed or invalid.${o.generatedAt ? ` Generated ${esc(o.generatedAt)}.` : ''}</p>
${charts}
<h2>Summary</h2>
<table class="summary">
<thead><tr>${head}</tr></thead>
<tbody>
${rows}
</tbody>
</table>${note}
${provenanceHtml(o.records, esc)}
</body>
</html>
`;
}

function formatCell(key: string, v: string): string {
  if (v === '' || key === 'id' || key === 'error' || key === 'status' || key === 'feature_source') return v;
  const n = Number(v);
  if (!Number.isFinite(n)) return v;
  if (key.endsWith('_acc')) return `${(100 * n).toFixed(1)}%`;
  if (Number.isInteger(n)) return v;
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(4);
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
