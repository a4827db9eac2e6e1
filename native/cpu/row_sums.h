// Column sums of a row-major matrix in two phases, so that a caller producing the rows a chunk
// at a time (the GAT backward's per-node terms) gets the same bits as sum_rows over the whole
// matrix without holding it: blocks of kRowSumBlock rows are summed in double, then the block
// partials are combined in block order.
#pragma once
#include <cstdint>

namespace fathom::cpu {

constexpr int64_t kRowSumBlock = 256;

// Adds the column sums of each block of kRowSumBlock rows of x [rows, cols] to partial
// [ceil(rows / kRowSumBlock), cols] (zero-initialized by the caller). A chunk starting at a
// multiple of kRowSumBlock writes its blocks at partial + (start / kRowSumBlock) * cols.
template <typename T>
void row_block_sums(int64_t rows, int64_t cols, const T* x, double* partial);

// out[c] = the sum over blocks, in block order, of partial[b, c].
template <typename T>
void finish_row_sums(int64_t blocks, int64_t cols, const double* partial, T* out);

}  // namespace fathom::cpu
