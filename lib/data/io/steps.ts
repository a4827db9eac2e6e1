import { promisify } from 'node:util';
import { gunzip, gunzipSync, gzip, gzipSync, inflateRaw, inflateRawSync, type ZlibOptions } from 'node:zlib';

/**
 * What a reader asks its runner for: `undefined` is a checkpoint (the async runner yields to
 * the event loop and checks the AbortSignal there), a zlib request is answered with the
 * output buffer (in place by the sync runner, on libuv's thread pool by the async one).
 */
export type Step = undefined | { op: ZlibOp; data: Buffer; options: ZlibOptions };

/** The zlib work a reader or writer hands to its runner. */
export type ZlibOp = 'gunzip' | 'inflateRaw' | 'gzip';

/** A reader written once as a generator and driven by {@link runSync} or {@link runAsync}. */
export type Steps<T> = Generator<Step, T, Buffer | undefined>;

/** Rows of text parsed between two checkpoints: a few MB of text, a few ms of work. */
export const ROWS_PER_STEP = 1 << 16;

/** Runs zlib on `data` through the runner: gunzip or raw inflate (within `options.maxOutputLength`), or gzip. */
export function* inflateStep(op: ZlibOp, data: Buffer, options: ZlibOptions): Steps<Buffer> {
  return (yield { op, data, options }) as Buffer;
}

/** Drives a reader to its end on the calling thread: what `loadDataset` does. */
export function runSync<T>(steps: Steps<T>): T {
  let r = steps.next();
  while (!r.done) {
    const s = r.value;
    let out: Buffer | undefined;
    try {
      out = s === undefined ? undefined : SYNC[s.op](s.data, s.options);
    } catch (err) {
      r = steps.throw(err);
      continue;
    }
    r = steps.next(out);
  }
  return r.value;
}

const SYNC = { gunzip: gunzipSync, inflateRaw: inflateRawSync, gzip: gzipSync };
const ASYNC = { gunzip: promisify(gunzip), inflateRaw: promisify(inflateRaw), gzip: promisify(gzip) };
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Drives a reader without blocking the event loop: it yields with `setImmediate` at every
 * checkpoint, inflates on the thread pool, and stops at the first checkpoint after `signal`
 * aborts, rejecting with the signal's reason (the generator is closed, so nothing is kept).
 *
 * @example
 * const ds = await runAsync(loadSteps('cora', {}), controller.signal);
 */
export async function runAsync<T>(steps: Steps<T>, signal?: AbortSignal): Promise<T> {
  let input: Buffer | undefined;
  let failure: { error: unknown } | null = null;
  for (;;) {
    signal?.throwIfAborted();
    let r: IteratorResult<Step, T>;
    try {
      r = failure ? steps.throw(failure.error) : steps.next(input);
    } catch (err) {
      steps.return(undefined as T);
      throw err;
    }
    failure = null;
    input = undefined;
    if (r.done) return r.value;
    const s = r.value;
    try {
      if (s === undefined) await nextTurn();
      else input = await ASYNC[s.op](s.data, s.options);
    } catch (err) {
      // Inflate errors go back into the reader, which turns them into its own DatasetError.
      failure = { error: err };
    }
    if (signal?.aborted) {
      steps.return(undefined as T);
      signal.throwIfAborted();
    }
  }
}
