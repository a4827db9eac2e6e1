import { type Command, InvalidArgumentError, Option } from 'commander';

import { loadDatasetAsync } from '../data/loadDatasetAsync.js';
import { formatReport } from '../data/loadReport.js';
import type { LoadDatasetOptions, RandomSplit } from '../data/loadOptions.js';
import type { Dataset } from '../data/types.js';
import { integer, oneOf } from './parseOptions.js';

/** The parsed values of the flags {@link addDatasetOptions} adds. */
export interface DatasetFlags {
  features?: string;
  labels?: string;
  trainMask?: string;
  valMask?: string;
  testMask?: string;
  randomSplit?: RandomSplit;
  splitSeed?: number;
  indexBase?: '0' | '1' | 'auto';
  header?: boolean;
  undirected?: boolean;
  removeSelfLoops?: boolean;
  coalesce?: boolean;
  ogbSplit?: string;
  maxMemory?: number;
  normalizeFeatures?: boolean;
}

/** Keys of the parsed options that belong to the dataset, not to the model. */
export const DATASET_FLAG_KEYS: readonly string[] = [
  'features',
  'labels',
  'trainMask',
  'valMask',
  'testMask',
  'randomSplit',
  'splitSeed',
  'indexBase',
  'header',
  'undirected',
  'removeSelfLoops',
  'coalesce',
  'ogbSplit',
  'maxMemory',
];

/** `fractions:0.6,0.2` or `planetoid:20,500,1000`. */
function splitSpec(v: string): RandomSplit {
  const m = /^(fractions|planetoid):([\d.,\s]+)$/.exec(v.trim());
  const nums = m ? m[2]!.split(',').map((s) => Number(s.trim())) : [];
  if (m?.[1] === 'fractions' && nums.length === 2 && nums.every((x) => x >= 0 && x <= 1) && nums[0]! + nums[1]! <= 1) {
    return { kind: 'fractions', train: nums[0]!, val: nums[1]! };
  }
  if (m?.[1] === 'planetoid' && nums.length === 3 && nums.every((x) => Number.isSafeInteger(x) && x >= 0)) {
    return { kind: 'planetoid', perClass: nums[0]!, numVal: nums[1]!, numTest: nums[2]! };
  }
  throw new InvalidArgumentError(
    `expected fractions:TRAIN,VAL (e.g. fractions:0.6,0.2) or planetoid:PER_CLASS,VAL,TEST (e.g. planetoid:20,500,1000), got '${v}'`,
  );
}

/** `4G`, `512M`, `1e9`: a byte count. */
function byteSize(v: string): number {
  const m = /^(\d+(?:\.\d+)?(?:e\d+)?)\s*([kKmMgGtT]?)i?[bB]?$/.exec(v.trim());
  const scale = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[(m?.[2] ?? '').toLowerCase()];
  const n = m ? Number(m[1]) * scale! : Number.NaN;
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a size such as 4G, 512M or 1e9 (bytes), got '${v}'`);
  return n;
}

/**
 * Adds the flags that say how to read a dataset (`fathom train`, `fathom convert`): node files
 * for edge lists, mask files or a random split, id base, header, PyG-style transforms, the
 * OGB split and the memory budget. See docs/datasets.md.
 *
 * @example
 * addDatasetOptions(new Command('convert'));
 */
export function addDatasetOptions(command: Command): Command {
  return command
    .option('--features <file>', 'node features for an edge list: .npy (N, F) or CSV/TSV, one row per node')
    .option('--labels <file>', 'node labels: .npy (N,) or CSV/TSV (one label per line, or id,label)')
    .option('--train-mask <file>', 'train mask: .npy of bools, or CSV of N 0/1 lines or of node ids')
    .option('--val-mask <file>', 'validation mask (same forms)')
    .option('--test-mask <file>', 'test mask (same forms)')
    .option('--random-split <spec>', 'draw masks: fractions:0.6,0.2 or planetoid:20,500,1000 (default for inputs without masks: fractions:0.6,0.2)', splitSpec)
    .option('--split-seed <n>', 'seed of --random-split', integer(0, 2 ** 32 - 1))
    .addOption(
      new Option('--index-base <base>', 'integer ids of an edge list start at 0 or 1 (default: detected)').argParser(oneOf(['0', '1', 'auto'] as const)),
    )
    .option('--header', 'text files start with a header line (default: detected)')
    .option('--no-header', 'text files have no header line')
    .option('--undirected', 'add every reverse edge, then coalesce (PyG ToUndirected)')
    .option('--remove-self-loops', 'drop edges (i, i)')
    .option('--coalesce', 'sort edges and drop duplicates')
    .option('--ogb-split <name>', 'split folder of an OGB dataset (default: the first under split/)')
    .option('--max-memory <size>', 'memory budget for the declared arrays, e.g. 8G (default: half the machine)', byteSize);
}

/**
 * The dataset flags that were given (JSON-safe): what a checkpoint records so that `fathom
 * predict` reads the dataset as training read it.
 */
export function datasetFlagsOf(o: DatasetFlags): Partial<DatasetFlags> {
  const flags: Record<string, unknown> = {};
  for (const key of DATASET_FLAG_KEYS) {
    const v = (o as Record<string, unknown>)[key];
    if (v !== undefined) flags[key] = v;
  }
  return flags as Partial<DatasetFlags>;
}

/** The `loadDataset` options that the flags (and `--no-normalize-features`) ask for. */
export function loadOptionsOf(f: DatasetFlags): LoadDatasetOptions {
  const split = f.randomSplit ?? (f.splitSeed !== undefined ? { kind: 'fractions', train: 0.6, val: 0.2 } : undefined);
  return {
    normalizeFeatures: f.normalizeFeatures ?? false,
    featuresFile: f.features,
    labelsFile: f.labels,
    trainMaskFile: f.trainMask,
    valMaskFile: f.valMask,
    testMaskFile: f.testMask,
    randomSplit: split && { ...split, seed: f.splitSeed ?? 0 },
    indexBase: f.indexBase === undefined || f.indexBase === 'auto' ? 'auto' : (Number(f.indexBase) as 0 | 1),
    header: f.header ?? 'auto',
    undirected: f.undirected ?? false,
    removeSelfLoops: f.removeSelfLoops ?? false,
    coalesce: f.coalesce ?? false,
    ogbSplit: f.ogbSplit,
    maxBytes: f.maxMemory,
  };
}

/**
 * Loads `--dataset` with the dataset flags; `log` gets status lines while a large input is
 * read, and `signal` stops the load. A dataset without labels is refused: there is nothing to train on.
 *
 * @example
 * const ds = await loadCliDataset(options, (line) => process.stderr.write(`${line}\n`), signal);
 */
export async function loadCliDataset(
  o: DatasetFlags & { dataset: string; featureMode?: 'none' },
  log?: (line: string) => void,
  signal?: AbortSignal,
): Promise<Dataset> {
  const ds = await loadDatasetAsync(o.dataset, { ...loadOptionsOf(o), ...(o.featureMode ? { features: o.featureMode } : {}), onProgress: log, signal });
  if (ds.report.labels === 'none') {
    throw new InvalidArgumentError(`${o.dataset} has no labels to train on; pass --labels FILE`);
  }
  return ds;
}

/**
 * Writes the loader's report (what it found, what it applied, the split) to `log`, one line
 * each: commands call it once their flags have all been checked, just before the work starts.
 *
 * @example
 * logLoadReport(ds, (line) => process.stderr.write(`${line}\n`));
 */
export function logLoadReport(ds: Dataset, log?: (line: string) => void): void {
  if (log) for (const line of formatReport(ds.report)) log(line);
}
