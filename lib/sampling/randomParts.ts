import { Rng } from '../random/rng.js';

/**
 * Nodes 0 … numNodes − 1 split into `numParts` random parts of near-equal size (the first
 * numNodes mod numParts parts have one node more), each in ascending order: a Fisher–Yates
 * shuffle drawn from `rngSeed`, cut into consecutive runs. RevGNN's random partition.
 *
 * @example
 * const parts = randomParts(10, 3, 0); // three Int32Arrays of 4, 3 and 3 nodes
 */
export function randomParts(numNodes: number, numParts: number, rngSeed: number): Int32Array[] {
  const perm = new Int32Array(numNodes);
  for (let i = 0; i < numNodes; i++) perm[i] = i;
  const rng = new Rng(rngSeed);
  for (let i = numNodes - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  const base = Math.floor(numNodes / numParts);
  const extra = numNodes % numParts;
  const parts: Int32Array[] = [];
  let at = 0;
  for (let p = 0; p < numParts; p++) {
    const size = base + (p < extra ? 1 : 0);
    parts.push(perm.slice(at, at + size).sort());
    at += size;
  }
  return parts;
}

/** `parts` in an order drawn from `rngSeed` (a Fisher–Yates shuffle of the array, not of its parts' nodes). */
export function shuffledParts(parts: Int32Array[], rngSeed: number): Int32Array[] {
  const out = parts.slice();
  const rng = new Rng(rngSeed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}
