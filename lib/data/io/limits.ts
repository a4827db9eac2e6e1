import { constants as bufferConstants } from 'node:buffer';
import { totalmem } from 'node:os';
import { DatasetError } from '../datasetError.js';

/** Share of the machine's memory a dataset may claim by default. */
export const DEFAULT_MEMORY_SHARE = 0.5;
/** meta.json larger than this is refused before it is parsed (the bundled ones are ~5 KB). */
export const MAX_JSON_BYTES = 4 * 2 ** 20;
/** Deepest nesting of objects and arrays accepted in meta.json (the bundled ones nest 4 deep). */
export const MAX_JSON_DEPTH = 64;

/** How much a load may allocate. */
export interface LoadLimits {
  /** Bytes the arrays a dataset declares may take, all together. */
  maxBytes: number;
}

/**
 * The budget of a load: `maxBytes` when given, otherwise half of `os.totalmem()`, never more
 * than the largest Buffer Node can hold times four (an edge list, features, labels and masks).
 *
 * @example
 * resolveLimits(undefined).maxBytes; // half the machine's memory
 * resolveLimits(2 ** 30).maxBytes;   // 1 GiB
 */
export function resolveLimits(maxBytes: number | undefined): LoadLimits {
  if (maxBytes === undefined) return { maxBytes: Math.floor(DEFAULT_MEMORY_SHARE * totalmem()) };
  if (typeof maxBytes !== 'number' || !Number.isFinite(maxBytes) || maxBytes <= 0) {
    throw new RangeError(`loadDataset: maxBytes must be a positive number of bytes, got ${String(maxBytes)}`);
  }
  return { maxBytes: Math.floor(maxBytes) };
}

/** Human-readable byte count for messages (`1.5 GB`). */
export function formatBytes(bytes: number): string {
  if (bytes < 1e3) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let v = bytes / 1e3;
  let u = 0;
  while (v >= 1e3 && u < units.length - 1) {
    v /= 1e3;
    u++;
  }
  return `${v.toPrecision(3)} ${units[u]}`;
}

/**
 * Refuses a load whose declared arrays would exceed the budget, before anything is allocated.
 * `parts` lists what the bytes are for, so the message says which declaration is too big.
 *
 * @example
 * checkBudget('big/meta.json', { 'features (num_nodes x num_features x 4)': 4e11 }, limits);
 */
export function checkBudget(label: string, parts: Record<string, number>, limits: LoadLimits, path?: string): void {
  let total = 0;
  for (const v of Object.values(parts)) total += Number.isFinite(v) && v > 0 ? v : v === 0 ? 0 : Number.POSITIVE_INFINITY;
  if (total <= limits.maxBytes) {
    for (const [what, v] of Object.entries(parts)) {
      if (v > bufferConstants.MAX_LENGTH) {
        throw new DatasetError('ELIMIT', `loadDataset: ${label}: ${what} needs ${formatBytes(v)}, more than the largest array Node can hold`, { path });
      }
    }
    return;
  }
  const detail = Object.entries(parts)
    .filter(([, v]) => v > 0)
    .map(([what, v]) => `${what} ${formatBytes(v)}`)
    .join(', ');
  throw new DatasetError(
    'ELIMIT',
    `loadDataset: ${label} declares ${formatBytes(total)} of arrays (${detail}), over the memory budget of ${formatBytes(limits.maxBytes)}; ` +
      'raise it with the maxBytes option (fathom: --max-memory) if the machine really has the memory',
    { path },
  );
}
