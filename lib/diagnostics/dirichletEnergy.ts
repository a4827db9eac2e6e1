import { tidy } from '../autograd/scope.js';
import { native } from '../binding/native.js';
import { requireInstance } from '../errors/args.js';
import { Graph } from '../graph/Graph.js';
import { Tensor } from '../tensor/Tensor.js';

/** The Dirichlet energy of docs/methods.md §4, raw and of X/‖X‖_F. */
export interface DirichletEnergy {
  /** E(X) = ½ Σ_ij Ã_ij ‖x_i/√d̃_i − x_j/√d̃_j‖². */
  energy: number;
  /** E(X/‖X‖_F) = E(X)/‖X‖²_F (0 when X = 0). */
  normalized: number;
}

/**
 * Dirichlet energy of X [N, n] under the graph's gcn operator with self loops, in float64 on
 * X's device. The edge form is used (no cancellation when X is nearly smooth); it equals
 * tr(Xᵀ(I − P)X) when every node has as many in- as out-edges (undirected graphs); on a
 * directed graph it is the energy of the in-edge form.
 *
 * @example
 * const { normalized } = dirichletEnergy(h, data.graph);   // → 0 as the features over-smooth
 */
export function dirichletEnergy(x: Tensor, graph: Graph): DirichletEnergy {
  const op = 'dirichletEnergy';
  requireInstance(op, 'x', x, Tensor, 'a Tensor');
  requireInstance(op, 'graph', graph, Graph, 'a Graph');
  if (x.disposed) throw new TypeError(`${op}: argument x (${x.describe()}) was disposed`);
  if (x.shape.length !== 2) throw new RangeError(`${op}: argument x must be 2-D [N, n], got ${x.describe()}`);
  if (x.dtype !== 'f32' && x.dtype !== 'f64') throw new TypeError(`${op}: argument x must be f32 or f64, got ${x.describe()}`);
  if (x.shape[0] !== graph.numNodes) throw new RangeError(`${op}: argument x ${x.describe()} must have one row per node (${graph.numNodes})`);
  const csr = graph.operator('gcn', { dtype: x.dtype, device: x.device }).forward(op);
  const [energy, sq] = tidy(() => [new Tensor(native().dirichletEnergy(csr, x.handle(op))).item(), new Tensor(native().sumSquares(x.handle(op), null)).item()]);
  return { energy, normalized: sq > 0 ? energy / sq : 0 };
}
