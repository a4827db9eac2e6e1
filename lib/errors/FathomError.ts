/** Error codes carried by {@link FathomError}. */
export type FathomErrorCode = 'DEVICE' | 'OUT_OF_MEMORY' | 'IO' | 'INTERNAL' | 'NOT_BUILT' | 'ABORTED' | 'NUMERIC';

/**
 * Errors that are neither a wrong argument type (TypeError) nor a value out of range
 * (RangeError): device problems, out-of-memory, I/O, internal failures.
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
