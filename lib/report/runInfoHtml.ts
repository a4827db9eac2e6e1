import { RANDOM_FEATURE_SEED } from '../data/loadDataset.js';
import type { CellRecord } from '../experiments/cellRecord.js';
import type { Provenance } from '../runtime/provenance.js';

/**
 * The note a report puts under every chart and table that shows cells trained on seeded
 * random features (a dataset without a feature file, PubMed): which groups (dataset, methods)
 * they are and what their numbers mean. Null when no cell has random features.
 *
 * @example
 * randomFeatureNote(records); // 'Random features: pubmed (gcn, res-gcn) trained on seeded random features …'
 */
export function randomFeatureNote(records: readonly CellRecord[]): string | null {
  const groups = new Map<string, Set<string>>();
  for (const r of records) {
    if (r.featureSource !== 'random') continue;
    const methods = groups.get(r.params.dataset) ?? new Set<string>();
    methods.add(r.params.method);
    groups.set(r.params.dataset, methods);
  }
  if (groups.size === 0) return null;
  const list = [...groups].map(([dataset, methods]) => `${dataset} (${[...methods].join(', ')})`).join('; ');
  return (
    `Random features: ${list} trained on seeded random features (seed ${RANDOM_FEATURE_SEED}; the dataset ships no feature file). ` +
    'Their accuracy reflects the graph structure alone and is not comparable with published results.'
  );
}

const FIELDS: [keyof Provenance, string][] = [
  ['fathom_version', 'Fathom'],
  ['git_commit', 'commit'],
  ['device', 'device'],
  ['gpu', 'GPU'],
  ['threads', 'CPU threads'],
  ['blas', 'BLAS'],
  ['cuda_gemm', 'CUDA GEMM'],
  ['deterministic', 'deterministic'],
];

/**
 * The report's provenance block: one row per distinct provenance among the cells (a sweep
 * resumed on another machine or build has several), with the number of cells each produced,
 * and a row for cells that recorded none (files written before Fathom recorded it).
 */
export function provenanceHtml(records: readonly CellRecord[], esc: (s: string) => string): string {
  const counts = new Map<string, { p: Provenance | undefined; n: number }>();
  for (const r of records) {
    const k = r.provenance ? JSON.stringify(FIELDS.map(([f]) => r.provenance![f])) : '';
    const c = counts.get(k) ?? { p: r.provenance, n: 0 };
    c.n++;
    counts.set(k, c);
  }
  const head = `<tr><th>cells</th>${FIELDS.map(([, label]) => `<th>${esc(label)}</th>`).join('')}</tr>`;
  const rows = [...counts.values()].map(({ p, n }) => {
    const cells = p
      ? FIELDS.map(([f]) => `<td>${esc(p[f] === null || p[f] === undefined ? '-' : String(p[f]))}</td>`).join('')
      : `<td colspan="${FIELDS.length}">not recorded (written before Fathom recorded provenance)</td>`;
    return `<tr><td>${n}</td>${cells}</tr>`;
  });
  return `<section class="provenance" id="provenance">\n<h2>Provenance</h2>\n<table>\n<thead>${head}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>\n</section>`;
}
