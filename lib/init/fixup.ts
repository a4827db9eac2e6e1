/**
 * The `fixup` residual branch scale of docs/methods.md §2.1/§3: β_L = β/√L for a stack of L residual
 * blocks, which keeps the final-layer feature scale and correlation independent of  depth. The optional zero-initialization of each branch's last weight is ResGCN's `zeroInitBranch`
 * option (with it every block starts as the identity).
 *
 * @example
 * const betaL = fixupScale(64);        // 0.125
 */
export function fixupScale(depth: number, beta = 1): number {
  if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`fixupScale: depth must be a positive integer, got ${depth}`);
  if (!(beta >= 0 && Number.isFinite(beta))) throw new RangeError(`fixupScale: beta must be a finite number >= 0, got ${beta}`);
  return beta / Math.sqrt(depth);
}
