// Native functions of the edge op family (native/table/edge_table.cc).
import type { CsrHandle, TensorHandle } from './handles.js';

export interface EdgeBinding {
  /** Softmax over each CSR row's entries, per head: logits [nnz] or [nnz, H]. */
  edgeSoftmax(op: CsrHandle, logits: TensorHandle): TensorHandle;
  /** dlogits = α ⊙ (g − rowsum(α ⊙ g)), shaped like α. */
  edgeSoftmaxBackward(op: CsrHandle, alpha: TensorHandle, grad: TensorHandle): TensorHandle;
  /** i32 [nnz]: entry k of the transposed CSR came from entry index[k] of `op`. */
  csrTransposeIndex(op: CsrHandle): TensorHandle;
  /** out[k] = values[index[k]] (1-D). */
  edgeGather(values: TensorHandle, index: TensorHandle): TensorHandle;
  /** Rows `index` (i32, every id in range) of x [N, F], on x's device: a mini-batch's feature rows. */
  gatherRows(x: TensorHandle, index: TensorHandle): TensorHandle;
}
