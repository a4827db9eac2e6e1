/**
 * Error codes carried by {@link FathomError} (docs/errors.md lists which layer raises each):
 * - `TYPE`: a tensor of the wrong dtype (f32 where i32 labels belong, f32 mixed with f64);
 * - `SHAPE`: a tensor of the wrong rank or sizes, or operands whose shapes do not fit;
 * - `RANGE`: a numeric argument or option value outside what the op accepts (dropout p = 1, a
 *   non-finite coefficient, a label ≥ C, an unknown option value);
 * - `DEVICE`: tensors on different devices, or a device that is not available;
 * - `OUT_OF_MEMORY`, `IO`, `INTERNAL`, `NOT_BUILT`, `ABORTED`, `NUMERIC`: the run itself failed;
 * - `MISSING_MODULE`: an optional package or library a feature needs is not installed (the report's
 *   charts, METIS for partition batches);
 * - `DISTRIBUTED`: MPI is missing or not initialized, or a data-parallel run cannot go on.
 */
export type FathomErrorCode =
  | 'TYPE'
  | 'SHAPE'
  | 'RANGE'
  | 'DEVICE'
  | 'OUT_OF_MEMORY'
  | 'IO'
  | 'INTERNAL'
  | 'NOT_BUILT'
  | 'ABORTED'
  | 'NUMERIC'
  | 'MISSING_MODULE'
  | 'DISTRIBUTED';

/**
 * Every failure Fathom detects in the values it is given or meets while running: a tensor's
 * dtype, shape or device, a numeric argument out of range (the op checks, made by the native
 * core), and device, memory, I/O and internal failures. `code` says which. An argument of the
 * wrong JavaScript type (not a Tensor, not a number) or a disposed tensor is a TypeError instead.
 *
 * @example
 * try { big.to('cuda'); } catch (e) { if (e instanceof FathomError && e.code === 'OUT_OF_MEMORY') retrySmaller(); }
 */
export class FathomError extends Error {
  readonly code: FathomErrorCode;

  constructor(message: string, code: FathomErrorCode = 'INTERNAL') {
    super(message);
    this.name = 'FathomError';
    this.code = code;
  }
}
