import { keep } from '../autograd/scope.js';
import { axpby, mul, scale } from '../functional/arithmetic.js';
import { biasAdd } from '../functional/biasAdd.js';
import { edgeSoftmax } from '../functional/edgeSoftmax.js';
import { matmul } from '../functional/matmul.js';
import { propagate } from '../functional/propagate.js';
import { propagateWeighted } from '../functional/propagateWeighted.js';
import { Graph } from '../graph/Graph.js';
import { glorotUniform } from '../init/glorot.js';
import { gnnHe } from '../init/gnnHe.js';
import { orthogonal } from '../init/orthogonal.js';
import type { Rng } from '../random/rng.js';
import { Tensor } from '../tensor/Tensor.js';
import type { Device, DType } from '../tensor/dtype.js';
import { dense, GraphConv, type NodeFeatures } from './GraphConv.js';
import { layerRng, type LayerOptions } from './layerOptions.js';
import type { Parameter } from './Parameter.js';

/** The aggregation of one SKP term (docs/methods.md §2.3). */
export type SKPTerm = 'gcn' | 'identity' | 'mean' | 'gcn2' | 'sum' | 'gin' | 'learnable-mean' | 'softmax';
export const SKP_TERMS: readonly SKPTerm[] = ['gcn', 'identity', 'mean', 'gcn2', 'sum', 'gin', 'learnable-mean', 'softmax'];

const SKP_INITS: readonly string[] = ['glorot', 'orthogonal', 'gnn-he'];

export interface SKPConvOptions extends LayerOptions {
  /** One aggregation per term; K = terms.length ≥ 1 (default ['gcn', 'identity']: distinct from step 0). */
  terms?: readonly SKPTerm[];
  /** The graph the learnable terms ('learnable-mean', 'softmax') are tied to; required for them. */
  graph?: Graph;
  /**
   * Weight initializer per term (default 'glorot'). 'gnn-he' draws every W_k from
   * N(0, 2/(K·inChannels)): He on the fan-in of the concatenated terms [Agg_1(X) … Agg_K(X)],
   * so that a K-term layer after a ReLU starts with the variance of a one-term He layer.
   */
  init?: 'glorot' | 'orthogonal' | 'gnn-he';
  /** Explicit initial weights, one [out·in] array per term (overrides init). */
  weights?: readonly ArrayLike<number>[];
  /** Divide the sum by K (default: true when every term is 'softmax', the softmax-SKP average). */
  average?: boolean;
}

/**
 * Sum-of-Kronecker-products layer X' = Σ_{k=1}^{K} Agg_k(X) W_kᵀ (+ b), docs/methods.md §2.3.
 * Fixed terms use the graph's cached operators ('gcn2' = P² is P applied twice);
 * 'learnable-mean' multiplies per-edge weights (initialized to 1) by 1/d_i, so it starts as
 * D⁻¹A; 'softmax' aggregates over N(i) ∪ {i} with α = per-node softmax of learnable edge logits
 * (initialized to 0: uniform weights). Learnable terms belong to the graph given at
 * construction and refuse any other. Bias is off by default, as in the source's SKP layers.
 *
 * @example
 * using conv = new SKPConv(64, 64, { terms: ['gcn', 'identity'], seed: 0 });
 * const h = relu(conv.forward(x, graph));
 */
export class SKPConv extends GraphConv {
  readonly terms: readonly SKPTerm[];
  readonly weights: Parameter[] = [];
  /** Per-term edge parameter (learnable terms), else null. */
  readonly edgeParams: (Parameter | null)[] = [];
  readonly bias: Parameter | null;
  readonly average: boolean;
  #graph: Graph | null;
  #invDegree: Tensor | null = null;

  constructor(inChannels: number, outChannels: number, options: SKPConvOptions = {}) {
    super('SKPConv', inChannels, outChannels, options);
    const terms = options.terms ?? ['gcn', 'identity'];
    if (!Array.isArray(terms) || terms.length < 1) throw new RangeError(`SKPConv: terms must list K ≥ 1 aggregations, got ${JSON.stringify(terms)}`);
    for (const t of terms) {
      if (!SKP_TERMS.includes(t)) throw new RangeError(`SKPConv: unknown term kind '${String(t)}' (one of ${SKP_TERMS.join(', ')})`);
    }
    const learnable = terms.some((t) => t === 'learnable-mean' || t === 'softmax');
    if (learnable && !(options.graph instanceof Graph)) {
      throw new TypeError("SKPConv: terms 'learnable-mean' and 'softmax' need options.graph, the graph their edge parameters belong to");
    }
    this.terms = [...terms];
    this.#graph = learnable ? options.graph! : null;
    this.average = options.average ?? terms.every((t) => t === 'softmax');
    const rng = layerRng(options);
    if (options.weights && options.weights.length !== terms.length) {
      throw new RangeError(`SKPConv: weights has ${options.weights.length} arrays for K = ${terms.length} terms`);
    }
    if (options.init !== undefined && !SKP_INITS.includes(options.init)) {
      throw new RangeError(`SKPConv: init must be one of ${SKP_INITS.join(', ')}, got ${JSON.stringify(options.init)}`);
    }
    const init = (r: Rng) => {
      if (options.init === 'orthogonal') return orthogonal(outChannels, inChannels, r);
      // C/fanIn with C = 2/K and fanIn = inChannels is 2/(K·inChannels), the concatenated fan-in.
      if (options.init === 'gnn-he') return gnnHe(outChannels, inChannels, r, { cW: 2 / terms.length });
      return glorotUniform(outChannels, inChannels, r);
    };
    let bias: Parameter | null = null;
    this.build(() => {
      terms.forEach((term, k) => {
        this.weights.push(this.param(`weight${k}`, [outChannels, inChannels], init, rng, options.weights?.[k]));
        let edge: Parameter | null = null;
        if (term === 'learnable-mean' || term === 'softmax') {
          const nnz = this.operator(this.#graph!, term === 'softmax' ? 'gin' : 'sum').nnz;
          edge = this.param(`edge${k}`, [nnz], () => new Float64Array(nnz).fill(term === 'softmax' ? 0 : 1), rng);
        }
        this.edgeParams.push(edge);
      });
      if (options.bias) bias = this.param('bias', [outChannels], () => new Float64Array(outChannels), rng);
    });
    this.bias = bias;
  }

  get K(): number {
    return this.terms.length;
  }

  protected conv(x: NodeFeatures, graph: Graph): Tensor {
    if (this.#graph && graph !== this.#graph) {
      throw new RangeError(
        `SKPConv.forward: this layer's learnable edge weights belong to another graph (${this.#graph.numNodes} nodes, ${this.#graph.numEdges} edges); got one with ${graph.numNodes} nodes, ${graph.numEdges} edges`,
      );
    }
    let out: Tensor | null = null;
    this.terms.forEach((term, k) => {
      const w = this.weights[k];
      const y =
        this.outChannels <= this.inChannels
          ? this.aggregate(term, k, matmul(x, w, { transB: true }), graph)
          : matmul(this.aggregate(term, k, dense(x), graph), w, { transB: true });
      out = out ? axpby(1, out, 1, y) : y;
    });
    let y = this.average && this.K > 1 ? scale(out!, 1 / this.K) : out!;
    if (this.bias) y = biasAdd(y, this.bias);
    return y;
  }

  private aggregate(term: SKPTerm, k: number, h: Tensor, graph: Graph): Tensor {
    const opts = { dtype: this.weights[k].dtype, device: this.weights[k].device };
    switch (term) {
      case 'identity':
        return h;
      case 'gcn2': {
        const p = graph.operator('gcn', opts);
        return propagate(p, propagate(p, h));
      }
      case 'learnable-mean': {
        const op = graph.operator('sum', opts);
        return propagateWeighted(op, h, mul(this.edgeParams[k]!, this.invDegree(graph, opts)));
      }
      case 'softmax': {
        const op = graph.operator('gin', opts);
        return propagateWeighted(op, h, edgeSoftmax(op, this.edgeParams[k]!));
      }
      default:
        return propagate(graph.operator(term, opts), h);
    }
  }

  /** 1/d_i for every entry of the sum operator (the mean operator's values, same entry order). */
  private invDegree(graph: Graph, opts: { dtype: DType; device: Device }): Tensor {
    if (!this.#invDegree || this.#invDegree.disposed) {
      const arrays = graph.operator('mean', opts).forward('SKPConv').arrays();
      arrays.rowptr.dispose();
      arrays.col.dispose();
      arrays.perm.dispose();
      this.#invDegree = keep(new Tensor(arrays.values!));
    }
    return this.#invDegree;
  }

  override dispose(): void {
    this.#invDegree?.dispose();
    this.#invDegree = null;
    super.dispose();
  }
}
