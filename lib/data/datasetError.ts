/**
 * Why a dataset could not be loaded.
 *
 * - `ENOENT`: a folder or file is missing (same code as Node's fs errors, so
 *   callers that already handle those keep working)
 * - `EMETA`: `meta.json` is not valid JSON or a key has a bad value
 * - `EGZIP`: a `.gz` file is truncated or corrupt
 * - `ESIZE`: a file decompresses to the wrong number of bytes for its shape
 * - `ECHECKSUM`: a `.gz` file's sha256 differs from `meta.json`
 * - `EDATA`: array contents are invalid (index or label out of range, mask not 0/1, NaN feature,
 *   an empty train or validation split)
 * - `EFORMAT`: no loader accepts the input, or a file is malformed for its format (the message
 *   names the file, the line for text formats, and the problem)
 * - `EFILE`: a path is not a regular file (a FIFO, a device) or a symlink that leaves the dataset folder
 * - `ELIMIT`: declared sizes exceed the memory budget, or meta.json exceeds the JSON size or depth limits
 */
export type DatasetErrorCode = 'ENOENT' | 'EMETA' | 'EGZIP' | 'ESIZE' | 'ECHECKSUM' | 'EDATA' | 'EFORMAT' | 'EFILE' | 'ELIMIT';

/**
 * Error thrown by {@link loadDataset} for missing or invalid data. The message
 * always names the dataset and file; `code` lets callers branch without
 * parsing it.
 *
 * @example
 * ```ts
 * try {
 *   loadDataset('./my-graph');
 * } catch (err) {
 *   if (err instanceof DatasetError && err.code === 'ENOENT') console.error(err.message);
 *   else throw err;
 * }
 * ```
 */
export class DatasetError extends Error {
  readonly code: DatasetErrorCode;
  /** Absolute path of the file or folder at fault, when there is one. */
  readonly path: string | undefined;

  constructor(code: DatasetErrorCode, message: string, options?: { path?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DatasetError';
    this.code = code;
    this.path = options?.path;
  }
}
