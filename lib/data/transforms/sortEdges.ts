/**
 * LSD radix sort of the pairs (src[i], dst[i]) by (source, target), result in
 * src/dst; tmpSrc/tmpDst are scratch of the same length. Digits are at most
 * 11 bits so each pass scatters into <= 2048 buckets: a single counting sort
 * over N buckets would miss the cache on nearly every write for large N.
 */
export function sortBySourceTarget(src: Int32Array, dst: Int32Array, tmpSrc: Int32Array, tmpDst: Int32Array, n: number): void {
  const keyBits = Math.max(1, Math.ceil(Math.log2(n)));
  const passesPerKey = Math.ceil(keyBits / 11);
  const digitBits = Math.ceil(keyBits / passesPerKey);
  const count = new Int32Array((1 << digitBits) + 1);
  let inS = src;
  let inD = dst;
  let outS = tmpSrc;
  let outD = tmpDst;
  // Least significant first: target digits, then source digits; every pass is stable.
  for (let pass = 0; pass < 2 * passesPerKey; pass++) {
    const byTarget = pass < passesPerKey;
    const key = byTarget ? inD : inS;
    const shift = (pass % passesPerKey) * digitBits;
    const mask = (1 << digitBits) - 1;
    count.fill(0);
    for (let i = 0; i < key.length; i++) count[((key[i]! >>> shift) & mask) + 1]!++;
    for (let d = 0; d < mask + 1; d++) count[d + 1]! += count[d]!;
    for (let i = 0; i < key.length; i++) {
      const p = count[(key[i]! >>> shift) & mask]!++;
      outS[p] = inS[i]!;
      outD[p] = inD[i]!;
    }
    [inS, outS] = [outS, inS];
    [inD, outD] = [outD, inD];
  }
  // 2 * passesPerKey passes is even, so the result is back in src/dst.
}

/**
 * The edges of a `[2, E]` edge index sorted by (source, target), as a new `[2, E]` array.
 *
 * @example
 * sortEdges(Int32Array.of(1, 0, 0, 1), 2); // Int32Array [0, 1, 1, 0]: edges (0,1), (1,0)
 */
export function sortEdges(edgeIndex: Int32Array, numNodes: number): Int32Array {
  const e = edgeIndex.length / 2;
  const out = Int32Array.from(edgeIndex);
  if (e > 1) sortBySourceTarget(out.subarray(0, e), out.subarray(e), new Int32Array(e), new Int32Array(e), numNodes);
  return out;
}
