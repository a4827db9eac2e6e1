import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from './datasetError.js';
import { datasetsDir } from './datasetsDir.js';

/** One line of `datasets/index.json`. */
export interface DatasetSummary {
  name: string;
  numNodes: number;
  /** Directed edge count. */
  numEdges: number;
  numFeatures: number;
  numClasses: number;
  /** False for PubMed, which loads with random features. */
  featuresAvailable: boolean;
  numSplits: number;
  maxDegree: number;
  meanDegree: number;
  /** One human-readable line, e.g. `cora: 2708 nodes, 10556 edges, 1433 features, 7 classes`. */
  summary: string;
  /** The index.json entry as stored. */
  raw: Record<string, unknown>;
}

/**
 * Lists the bundled datasets, in the order of `datasets/index.json`, each
 * with its counts and a one-line summary for `--help` style output.
 *
 * @throws DatasetError (`ENOENT` or `EMETA`) when index.json is missing or malformed.
 * @example
 * ```ts
 * for (const d of listDatasets()) console.log(d.summary);
 * // cora: 2708 nodes, 10556 edges, 1433 features, 7 classes
 * // ...
 * // pubmed: 19717 nodes, 88648 edges, 500 features (random: none shipped), 3 classes
 * ```
 */
export function listDatasets(): DatasetSummary[] {
  const file = join(datasetsDir(), 'index.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DatasetError('ENOENT', `listDatasets: index.json is missing (expected at ${file})`, { path: file, cause: err });
  }
  let list: unknown;
  try {
    list = (JSON.parse(text) as { datasets?: unknown }).datasets;
  } catch (err) {
    throw new DatasetError('EMETA', `listDatasets: ${file} is not valid JSON: ${(err as Error).message}`, {
      path: file,
      cause: err,
    });
  }
  if (!Array.isArray(list)) {
    throw new DatasetError('EMETA', `listDatasets: ${file}: key 'datasets' must be an array`, { path: file });
  }
  return list.map((entry: unknown, i: number) => {
    const d = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const num = (key: string): number => {
      const v = d[key];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new DatasetError('EMETA', `listDatasets: ${file}: key 'datasets[${i}].${key}' must be a number`, { path: file });
      }
      return v;
    };
    if (typeof d.name !== 'string') {
      throw new DatasetError('EMETA', `listDatasets: ${file}: key 'datasets[${i}].name' must be a string`, { path: file });
    }
    const featuresAvailable = d.features_available !== false;
    const s: Omit<DatasetSummary, 'summary'> = {
      name: d.name,
      numNodes: num('num_nodes'),
      numEdges: num('num_edges'),
      numFeatures: num('num_features'),
      numClasses: num('num_classes'),
      featuresAvailable,
      numSplits: typeof d.num_splits === 'number' ? d.num_splits : 1,
      maxDegree: typeof d.max_degree === 'number' ? d.max_degree : Number.NaN,
      meanDegree: typeof d.mean_degree === 'number' ? d.mean_degree : Number.NaN,
      raw: d,
    };
    const features = featuresAvailable ? `${s.numFeatures} features` : `${s.numFeatures} features (random: none shipped)`;
    const splits = s.numSplits > 1 ? `, ${s.numSplits} splits` : '';
    const summary = `${s.name}: ${s.numNodes} nodes, ${s.numEdges} edges, ${features}, ${s.numClasses} classes${splits}`;
    return { ...s, summary };
  });
}
