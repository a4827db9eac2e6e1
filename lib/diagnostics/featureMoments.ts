import { tidy } from '../autograd/scope.js';
import { native } from '../binding/native.js';
import { requireInstance } from '../errors/args.js';
import { Tensor } from '../tensor/Tensor.js';

/** The float64 moments of a matrix Z [N, n] that every per-layer diagnostic is computed from. */
export interface FeatureMoments {
  rows: number;
  cols: number;
  /** ‖Z‖²_F, summed directly. */
  sumSquares: number;
  /** Rows with a nonzero norm (the rows that have a direction, for the mean cosine). */
  nonzeroRows: number;
  /** μ(Z)² = Σ_i ‖z_i − m‖², from centered rows (no cancellation when the spread is tiny). */
  centeredSumSquares: number;
  /** Column means m. */
  mean: Float64Array;
  /** Σ_i z_i/‖z_i‖ over the nonzero rows. */
  unitSum: Float64Array;
  /** (Z − 1mᵀ)ᵀ(Z − 1mᵀ), n×n row-major; null unless asked for. */
  centeredGram: Float64Array | null;
}

/**
 * One native pass over Z [N, n] (f32 or f64, CPU or CUDA) that accumulates in float64 what
 * scale, μ, mean cosine, over-correlation and the singular values need, and copies those few
 * numbers (O(n²), not O(N·n)) to the host. `gram` adds the n×n centered Gram (a GEMM, the one
 * O(N·n²) step; leave it off when neither rank nor over-correlation is wanted).
 *
 * @example
 * const m = featureMoments(z, { gram: true });
 * const mu = Math.sqrt(m.centeredSumSquares);
 */
export function featureMoments(z: Tensor, options: { gram?: boolean } = {}): FeatureMoments {
  const op = 'featureMoments';
  requireInstance(op, 'z', z, Tensor, 'a Tensor');
  if (z.disposed) throw new TypeError(`${op}: argument z (${z.describe()}) was disposed`);
  if (z.shape.length !== 2) throw new RangeError(`${op}: argument z must be 2-D [N, n], got ${z.describe()}`);
  if (z.dtype !== 'f32' && z.dtype !== 'f64') throw new TypeError(`${op}: argument z must be f32 or f64, got ${z.describe()}`);
  if (options === null || typeof options !== 'object') throw new TypeError(`${op}: argument options must be an object`);
  const gram = options.gram ?? false;
  const [rows, cols] = z.shape;
  const raw = tidy(() => new Tensor(native().featureMoments(z.handle(op), gram)).toArray()) as Float64Array;
  return {
    rows,
    cols,
    sumSquares: raw[0],
    nonzeroRows: raw[1],
    centeredSumSquares: raw[2],
    mean: raw.slice(3, 3 + cols),
    unitSum: raw.slice(3 + cols, 3 + 2 * cols),
    centeredGram: gram ? raw.slice(3 + 2 * cols) : null,
  };
}
