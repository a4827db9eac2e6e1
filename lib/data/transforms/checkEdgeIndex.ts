import { FathomError } from '../../errors/FathomError.js';

// The graph transforms are public: they check what they are handed before they sort or index
// with it, so a wrong argument gets a message that names the function, not an out-of-range read.

/**
 * `edgeIndex` must be an Int32Array `[2, E]` (length even); with `numNodes`, a non-negative
 * integer, every id must lie in [0, numNodes).
 *
 * @example
 * checkEdgeIndex('coalesce', edgeIndex, numNodes);
 */
export function checkEdgeIndex(op: string, edgeIndex: unknown, numNodes?: unknown): asserts edgeIndex is Int32Array {
  if (!(edgeIndex instanceof Int32Array)) {
    throw new TypeError(`${op}: edgeIndex must be an Int32Array [2, E] (sources, then targets), got ${describe(edgeIndex)}`);
  }
  if (edgeIndex.length % 2 !== 0) throw new FathomError(`${op}: edgeIndex must hold [2, E] ids, got an odd length ${edgeIndex.length}`, 'SHAPE');
  if (numNodes === undefined) return;
  if (!Number.isSafeInteger(numNodes) || (numNodes as number) < 0) {
    throw new RangeError(`${op}: numNodes must be a non-negative integer, got ${String(numNodes)}`);
  }
  const n = numNodes as number;
  for (let i = 0; i < edgeIndex.length; i++) {
    const v = edgeIndex[i]!;
    if (v < 0 || v >= n) throw new FathomError(`${op}: edgeIndex[${i}] = ${v} is not a node id in [0, ${n})`, 'RANGE');
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  return Array.isArray(v) ? 'an array' : typeof v;
}
