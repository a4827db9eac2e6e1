import { native } from '../binding/native.js';
import { FathomError } from '../errors/FathomError.js';
import { Tensor } from '../tensor/Tensor.js';
import { currentWorld } from './runtime.js';

export interface AllReduceOptions {
  /** 'sum' (default) or 'mean' (the sum divided by worldSize()). */
  op?: 'sum' | 'mean';
}

/**
 * Sums (or averages) `tensor` element-wise over every rank, IN PLACE: afterwards each rank's
 * tensor holds the same result. Returns the tensor itself, for chaining. f32 and f64, on any
 * device (a CUDA tensor goes through a host copy). Every rank must call it, in the same order,
 * with tensors of the same shape and dtype. In a world of one it leaves the values as they are.
 *
 * @throws FathomError 'DISTRIBUTED' before initDistributed(); 'TYPE' for another dtype or a disposed tensor.
 * @example
 * initDistributed();
 * using g = Tensor.from([rank(), 1]);
 * allReduce(g, { op: 'sum' }); // every rank: [0 + 1 + … + (N − 1), N]
 */
export function allReduce(tensor: Tensor, options: AllReduceOptions = {}): Tensor {
  const op = 'allReduce';
  const world = currentWorld(op);
  checkTensor(op, tensor, ['f32', 'f64']);
  if (typeof options !== 'object' || options === null) throw new TypeError(`${op}: argument options must be an object`);
  const how = options.op ?? 'sum';
  if (how !== 'sum' && how !== 'mean') throw new FathomError(`${op}: options.op must be 'sum' or 'mean', got ${String(how)}`, 'RANGE');
  if (world.mpi) native().distAllReduce(how === 'mean', 1, tensor.handle(op));
  return tensor;
}

/**
 * Copies rank `root`'s values into `tensor` on every rank, in place, and returns it. Any dtype
 * and device; every rank passes a tensor of the same shape and dtype.
 *
 * @throws FathomError 'DISTRIBUTED' before initDistributed(); 'RANGE' when root is not a rank; 'TYPE' for a disposed tensor.
 * @example
 * for (const p of model.parameters()) broadcast(p, 0); // every rank starts from rank 0's weights
 */
export function broadcast(tensor: Tensor, root = 0): Tensor {
  const op = 'broadcast';
  const world = currentWorld(op);
  checkTensor(op, tensor, null);
  if (!Number.isInteger(root) || root < 0 || root >= world.worldSize) {
    throw new FathomError(`${op}: root must be a rank in [0, ${world.worldSize}), got ${String(root)}`, 'RANGE');
  }
  if (world.mpi) native().distBroadcast(tensor.handle(op), root);
  return tensor;
}

/**
 * Waits until every rank has reached it.
 *
 * @example
 * barrier(); // every rank has written its shard
 */
export function barrier(): void {
  if (currentWorld('barrier').mpi) native().distBarrier();
}

/**
 * @internal Sums `tensors` (each times `scale`) over the ranks in place, in one collective per
 * dtype: data-parallel training's gradient exchange.
 */
export function allReduceScaled(tensors: readonly Tensor[], scale: number): void {
  const op = 'allReduce';
  const world = currentWorld(op);
  for (const t of tensors) checkTensor(op, t, ['f32', 'f64']);
  if (world.mpi) native().distAllReduce(false, scale, ...tensors.map((t) => t.handle(op)));
  else if (scale !== 1) throw new FathomError(`${op}: a scaled sum needs MPI (a world of one has nothing to weigh)`, 'DISTRIBUTED');
}

/** @internal Rank `root`'s bytes on every rank (the others pass null): length first, then the bytes. */
export function broadcastBytes(bytes: Uint8Array | null, root = 0): Uint8Array {
  const world = currentWorld('broadcast');
  if (!world.mpi) {
    if (!bytes) throw new FathomError('broadcast: rank 0 of a world of one has no bytes to send', 'DISTRIBUTED');
    return bytes;
  }
  const mine = world.rank === root;
  using length = Tensor.from(new Float64Array([mine ? bytes!.length : 0]));
  broadcast(length, root);
  const n = length.toArray()[0]!;
  using buffer = Tensor.from(mine ? bytes! : new Uint8Array(n), [n]);
  broadcast(buffer, root);
  return buffer.toArray() as Uint8Array;
}

function checkTensor(op: string, tensor: Tensor, dtypes: readonly string[] | null): void {
  if (!(tensor instanceof Tensor)) throw new TypeError(`${op}: argument tensor must be a Tensor`);
  if (tensor.disposed) throw new FathomError(`${op}: the tensor ${tensor.describe()} was disposed`, 'TYPE');
  if (dtypes && !dtypes.includes(tensor.dtype)) {
    throw new FathomError(`${op}: tensor must be ${dtypes.join(' or ')}, got ${tensor.describe()}`, 'TYPE');
  }
}
