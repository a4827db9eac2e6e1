import { Rng } from '../random/rng.js';
import type { RandomSplit } from './loadOptions.js';
import { requireObject } from '../errors/args.js';

/** Train/val/test masks and a description of how they were drawn. */
export interface SplitMasks {
  train: Uint8Array;
  val: Uint8Array;
  test: Uint8Array;
  description: string;
}

/**
 * Draws seeded train/val/test masks: by fractions of shuffled nodes, or Planetoid's way
 * (`perClass` train nodes of each class, then `numVal` validation and `numTest` test nodes of
 * the rest, as PyG's `Planetoid(split='random')`). Classes with fewer than `perClass` nodes
 * give all they have.
 *
 * @example
 * randomSplit({ kind: 'planetoid', perClass: 20, numVal: 500, numTest: 1000, seed: 0 }, y, 7);
 * randomSplit({ kind: 'fractions', train: 0.6, val: 0.2 }, y, 7);
 */
export function randomSplit(spec: RandomSplit, y: Int32Array, numClasses: number): SplitMasks {
  requireObject('randomSplit', 'spec', spec);
  if (!(y instanceof Int32Array)) throw new TypeError('randomSplit: y must be an Int32Array of labels');
  if (!Number.isSafeInteger(numClasses) || numClasses < 1)
    throw new RangeError(`randomSplit: numClasses must be a positive integer, got ${String(numClasses)}`);
  const n = y.length;
  const seed = spec.seed ?? 0;
  const rng = new Rng(seed);
  const train = new Uint8Array(n);
  const val = new Uint8Array(n);
  const test = new Uint8Array(n);
  const order = rng.permutation(n);
  if (spec.kind === 'fractions') {
    const { train: ft, val: fv } = spec;
    if (!(ft >= 0 && fv >= 0 && ft + fv <= 1)) {
      throw new RangeError(`loadDataset: randomSplit fractions must be ≥ 0 with train + val ≤ 1, got train ${ft}, val ${fv}`);
    }
    const nTrain = Math.round(ft * n);
    const nVal = Math.min(n - nTrain, Math.round(fv * n));
    for (let i = 0; i < n; i++) (i < nTrain ? train : i < nTrain + nVal ? val : test)[order[i]!] = 1;
    const pct = (f: number): string => String(Math.round(f * 1000) / 1000);
    return { train, val, test, description: `random fractions ${pct(ft)}/${pct(fv)}/${pct(1 - ft - fv)} (seed ${seed})` };
  }
  const { perClass, numVal, numTest } = spec;
  for (const [k, v] of Object.entries({ perClass, numVal, numTest })) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`loadDataset: randomSplit ${k} must be a non-negative integer, got ${v}`);
  }
  const taken = new Int32Array(numClasses);
  for (const v of order) {
    if (taken[y[v]!]! < perClass) {
      taken[y[v]!]!++;
      train[v] = 1;
    }
  }
  let nVal = 0;
  let nTest = 0;
  for (const v of order) {
    if (train[v]) continue;
    if (nVal < numVal) {
      val[v] = 1;
      nVal++;
    } else if (nTest < numTest) {
      test[v] = 1;
      nTest++;
    }
  }
  return { train, val, test, description: `random Planetoid split, ${perClass} per class / ${numVal} val / ${numTest} test (seed ${seed})` };
}
