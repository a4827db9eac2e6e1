/**
 * Runs `work` with an AbortSignal that Ctrl-C (SIGINT) aborts with `Error('interrupted')`, so a
 * long load or training run stops at its next checkpoint and the command exits through its
 * normal error path. The handler is removed when `work` settles.
 *
 * @example
 * const ds = await withInterrupt((signal) => loadDatasetAsync(input, { signal }));
 */
export async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
