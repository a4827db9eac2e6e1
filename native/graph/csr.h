// Compressed sparse rows of a graph operator. Row r holds the in-neighbours of node r
// (edges j -> r), so SpMM over it aggregates messages; the transposed CSR (rows = sources)
// serves the backward pass without atomics.
#pragma once
#include <cstdint>

#include "../core/tensor.h"

namespace fathom {

struct Csr {
  int64_t rows = 0;
  int64_t cols = 0;
  Tensor rowptr;  // i32 [rows + 1]
  Tensor col;     // i32 [nnz]
  Tensor values;  // float [nnz], or undefined for an unweighted operator
  Tensor perm;  // i32 [nnz]: the edge id (column of edgeIndex) of each entry, -1 for an added self
                // loop

  int64_t nnz() const { return col.defined() ? col.numel() : 0; }
  Device device() const { return rowptr.device(); }
};

// CSR by target from edge_index (i32 [2, E], CPU): entry (dst, src) for each edge src -> dst.
// Entries of a row keep edge order. Every index is validated against num_nodes; a bad one throws
// Error(Range) naming the position and value. Duplicate edges are kept (they count twice).
Csr csr_from_edge_index(const Tensor& edge_index, int64_t num_nodes, const char* op);

// The rectangular CSR [num_targets x num_sources] of a bipartite edge_index (i32 [2, E], CPU):
// row 0 holds source ids in [0, num_sources), row 1 target ids in [0, num_targets) (a sampled
// block). Same order and validation as csr_from_edge_index.
Csr csr_from_bipartite(const Tensor& edge_index, int64_t num_sources, int64_t num_targets,
                       const char* op);

// The transpose: rows become columns; values follow their entries; perm follows too.
Csr csr_transpose(const Csr& a);

// In-degree per node (row lengths), as f64 [rows], CPU.
Tensor csr_row_degrees(const Csr& a);

// Operators of docs/methods.md §1 built from an unweighted CSR by target (CPU):
//   "sum"  A,  "mean"  D^-1 A (empty rows stay 0),
//   "gcn"  D~^-1/2 (A + I) D~^-1/2 with one self loop per node (an existing self loop is kept
//          with weight 1 and no second one is added, as PyG's add_remaining_self_loops does).
//   "gin"  A + I, unweighted, with the same one self loop per node (GIN's operator, and the
//          neighbourhood N(i) ∪ {i} that GAT attends over). It also takes a bipartite block's
//          CSR (rows <= columns, the targets the first sources): row r gets its loop at column r.
// Values are in `dtype` (f32 or f64).
Csr csr_operator(const Csr& adjacency, const char* kind, DType dtype);

// The nonzeros of a dense 2-D float matrix x [rows, cols] (any device) as a CSR with values in
// x's dtype, on x's device; perm numbers the entries 0 .. nnz-1. Rows keep column order.
Csr csr_from_dense(const Tensor& x, const char* op);

// Moves all arrays to `device`.
// overlapped: a CPU CSR's arrays go to CUDA through Tensor::to_overlapped.
Csr csr_to(const Csr& a, Device device, bool overlapped = false);

}  // namespace fathom
