import { requireObject } from '../errors/args.js';
import { runAsync } from './io/steps.js';
import { loadSteps } from './loadDataset.js';
import type { LoadDatasetOptions } from './loadOptions.js';
import type { Dataset } from './types.js';

/** Options of {@link loadDatasetAsync}: those of `loadDataset`, and a signal that stops the load. */
export interface LoadDatasetAsyncOptions extends LoadDatasetOptions {
  /** Aborting rejects the load with `signal.reason` at its next checkpoint (within a few MB of work). */
  signal?: AbortSignal;
}

/**
 * `loadDataset` without blocking the event loop: the same readers and checks, and the same
 * result bit for bit, but it yields to the event loop between files and every few MB of text,
 * inflates gzip and zip entries on libuv's thread pool (still stopping at the declared size),
 * reports through `onProgress`, and rejects with `signal.reason` when `signal` aborts.
 *
 * @throws The errors of `loadDataset` (as a rejection), or the signal's reason.
 * @example
 * ```ts
 * const controller = new AbortController();
 * process.once('SIGINT', () => controller.abort(new Error('interrupted')));
 * const ds = await loadDatasetAsync('./ogbn_arxiv', { undirected: true, signal: controller.signal, onProgress: console.error });
 * ```
 */
export async function loadDatasetAsync(nameOrPath: string, options: LoadDatasetAsyncOptions = {}): Promise<Dataset> {
  requireObject('loadDatasetAsync', 'options', options);
  const { signal, ...rest } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`loadDatasetAsync: options.signal must be an AbortSignal, got ${typeof signal}`);
  }
  return runAsync(loadSteps(nameOrPath, rest), signal);
}
