/** Options shared by {@link rmatGraph} and {@link sbmGraph}. */
export interface SyntheticOptions {
  /** Number of nodes N, in [2, 2^30]. */
  numNodes: number;
  /**
   * Number of directed entries E of `edgeIndex` (as in the bundled files:
   * with `symmetric`, each undirected edge counts twice, so E must be even).
   */
  numEdges: number;
  /** Width of the generated features. Default 16. */
  numFeatures?: number;
  /** Number of classes (SBM: blocks). Default 4. */
  numClasses?: number;
  /** Seed: the same seed and options give bit-identical graphs. Default 1. */
  seed?: number;
  /** Store every edge in both directions. */
  symmetric?: boolean;
  /** Fraction of nodes in the training mask. Default 0.6. */
  trainFraction?: number;
  /** Fraction of nodes in the validation mask; the rest is test. Default 0.2. */
  valFraction?: number;
}

/** {@link SyntheticOptions} with defaults filled in and every value checked. */
export type ResolvedSyntheticOptions = Required<SyntheticOptions>;

/**
 * Fills in defaults and validates the options common to the synthetic
 * generators, so each generator can assume sane sizes (and never loops
 * forever trying to avoid a self-loop in a 1-node graph).
 *
 * @param who generator name used in error messages
 * @throws RangeError naming the option, its value and the allowed range.
 * @example
 * ```ts
 * const o = resolveSyntheticOptions('rmatGraph', { numNodes: 1000, numEdges: 8000 }, false);
 * o.numFeatures;   // 16
 * ```
 */
export function resolveSyntheticOptions(who: string, options: SyntheticOptions, defaultSymmetric: boolean): ResolvedSyntheticOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${who}: options { numNodes, numEdges } are required`);
  }
  const int = (key: keyof SyntheticOptions, value: unknown, min: number, max: number): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(`${who}: ${key} must be an integer in [${min}, ${max}], got ${String(value)}`);
    }
    return value;
  };
  const frac = (key: keyof SyntheticOptions, value: unknown): number => {
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
      throw new RangeError(`${who}: ${key} must be a number in [0, 1], got ${String(value)}`);
    }
    return value;
  };
  const numNodes = int('numNodes', options.numNodes, 2, 2 ** 30);
  const symmetric = options.symmetric ?? defaultSymmetric;
  if (typeof symmetric !== 'boolean') throw new TypeError(`${who}: symmetric must be true or false`);
  // Int32Array(2E) must stay addressable: 2E <= 2^31 - 1.
  const numEdges = int('numEdges', options.numEdges, 0, 2 ** 30 - 1);
  if (symmetric && numEdges % 2 !== 0) {
    throw new RangeError(`${who}: numEdges counts directed entries, so it must be even when symmetric is true (got ${numEdges})`);
  }
  const numFeatures = int('numFeatures', options.numFeatures ?? 16, 1, 2 ** 20);
  if (numNodes * numFeatures > 2 ** 31 - 1) {
    throw new RangeError(`${who}: numNodes * numFeatures = ${numNodes * numFeatures} exceeds one Float32Array (2^31 - 1)`);
  }
  const numClasses = int('numClasses', options.numClasses ?? 4, 1, numNodes);
  const seed = options.seed ?? 1;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new RangeError(`${who}: seed must be a finite number, got ${String(seed)}`);
  }
  const trainFraction = frac('trainFraction', options.trainFraction ?? 0.6);
  const valFraction = frac('valFraction', options.valFraction ?? 0.2);
  if (trainFraction + valFraction > 1 + 1e-12) {
    throw new RangeError(`${who}: trainFraction + valFraction must be at most 1, got ${trainFraction + valFraction}`);
  }
  return { numNodes, numEdges, numFeatures, numClasses, seed, symmetric, trainFraction, valFraction };
}
