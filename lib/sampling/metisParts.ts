import { native } from '../binding/native.js';
import type { MetisInfo } from '../binding/types.js';
import { FathomError } from '../errors/FathomError.js';

/** METIS's default load imbalance for k-way partitioning: a part holds at most 1.03 × the mean. */
export const METIS_UFACTOR = 30;

/**
 * Whether METIS (libmetis, opened by the addon at run time) is available in this process, which
 * file, and why not. For `fathom info` and for tests that need METIS.
 *
 * @example
 * if (!metisStatus().available) console.log('partitionLoader: method "random" only');
 */
export function metisStatus(): MetisInfo {
  return native().metisInfo();
}

/**
 * Throws FathomError MISSING_MODULE when METIS is not available: "`subject` needs METIS: why, or
 * use `alternative`" (the partition loader's option, or the command line's flag).
 */
export function requireMetis(subject: string, alternative: string): void {
  const info = metisStatus();
  if (!info.available) throw new FathomError(`${subject} needs METIS: ${info.reason ?? 'libmetis did not load'}, or use ${alternative}`, 'MISSING_MODULE');
}

/**
 * METIS's k-way partition of the graph of a CSR (`Graph.csr()`), symmetrized natively (every
 * edge either way, self loops and repeats dropped, as METIS requires), as `numParts` node sets
 * in ascending order (a set may be empty when numParts is near the number of nodes). `seed` is
 * METIS's random seed (reduced mod 2^31); the result is a function of the graph, numParts and
 * seed for one METIS build. Runs on a libuv worker thread: the event loop stays free.
 *
 * @example
 * const parts = await metisParts(graph.csr(), 10, 0);
 */
export async function metisParts(csr: { rowptr: Int32Array; col: Int32Array }, numParts: number, seed: number): Promise<Int32Array[]> {
  const { parts } = await native().metisPartitionAsync(csr.rowptr, csr.col, numParts, seed % 2 ** 31, METIS_UFACTOR);
  return groupByPart(parts, numParts);
}

/** The same partition computed on the calling thread (it blocks the event loop while METIS runs). */
export function metisPartsSync(csr: { rowptr: Int32Array; col: Int32Array }, numParts: number, seed: number): Int32Array[] {
  const { parts } = native().metisPartition(csr.rowptr, csr.col, numParts, seed % 2 ** 31, METIS_UFACTOR);
  return groupByPart(parts, numParts);
}

/** Node sets from a part per node, each in ascending order (a counting sort). */
function groupByPart(assignment: Int32Array, numParts: number): Int32Array[] {
  const sizes = new Int32Array(numParts);
  for (let i = 0; i < assignment.length; i++) sizes[assignment[i]] += 1;
  const parts = Array.from(sizes, (s) => new Int32Array(s));
  const fill = new Int32Array(numParts);
  for (let i = 0; i < assignment.length; i++) {
    const p = assignment[i];
    parts[p][fill[p]++] = i;
  }
  return parts;
}
