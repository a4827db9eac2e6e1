import type { GraphFindings } from './transforms/inspectGraph.js';
import { requireObject } from '../errors/args.js';

/** What a loader found in its input and what it did about it: printed by `fathom train` and `fathom convert`. */
/** Input formats `loadDataset` reads. */
export type DatasetFormat = 'folder' | 'edge-list' | 'npy' | 'npz' | 'npz-csr' | 'ogb';

export interface LoadReport {
  format: DatasetFormat;
  /** The path that was read. */
  source: string;
  numNodes: number;
  /** Directed edges after the transforms asked for. */
  numEdges: number;
  numFeatures: number;
  numClasses: number;
  /** `'random'`: seeded noise stands in for features the input does not have; `'none'`: left on disk (features 'none'). */
  features: 'file' | 'random' | 'none';
  /** `'none'`: the input has no labels; every node is class 0. */
  labels: 'file' | 'none';
  /** Counts in the graph as read, before any transform. */
  found: GraphFindings;
  /** Transforms applied, in order, with how many edges each changed. */
  applied: string[];
  /** Where the masks came from: files, meta.json, or which random split with which seed. */
  split: string;
  splitSizes: { train: number; val: number; test: number };
  /** Format details the loader detected (delimiter, header, id base, ...). */
  notes: string[];
}

/**
 * The report as a few lines of text.
 *
 * @example
 * for (const line of formatReport(ds.report)) console.error(line);
 */
export function formatReport(r: LoadReport): string[] {
  requireObject('formatReport', 'report', r);
  if (typeof r.found !== 'object' || r.found === null || typeof r.splitSizes !== 'object' || r.splitSizes === null) {
    throw new TypeError('formatReport: report must be a dataset load report (dataset.report)');
  }
  const f = r.found;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const found = [
    plural(f.selfLoops, 'self loop'),
    plural(f.duplicateEdges, 'duplicate edge'),
    plural(f.asymmetricPairs, 'asymmetric pair'),
    plural(f.isolatedNodes, 'isolated node'),
  ];
  if (f.zeroFeatureRows !== null) found.push(plural(f.zeroFeatureRows, 'all-zero feature row'));
  const s = r.splitSizes;
  return [
    `loaded ${r.source} (${[r.format, ...r.notes].join(', ')}): ${plural(r.numNodes, 'node')}, ${plural(r.numEdges, 'edge')}, ` +
      `${plural(r.numFeatures, 'feature')}${r.features === 'random' ? ' (seeded random: the input has none)' : r.features === 'none' ? ' (left on disk)' : ''}, ` +
      `${plural(r.numClasses, 'class').replace('classs', 'classes')}${r.labels === 'none' ? ' (no labels)' : ''}`,
    `found: ${found.join(', ')}`,
    `applied: ${r.applied.length === 0 ? 'nothing' : r.applied.join(', ')}`,
    `split: ${r.split}: ${s.train} train, ${s.val} val, ${s.test} test`,
  ];
}
