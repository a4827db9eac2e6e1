// Long CSR rows split across warps, for power-law graphs (variants.h: FATHOM_CUDA_SPLIT_ROWS).
//
// A kernel that gives each CSR row to one warp (or group of lanes) finishes when its longest row
// does. On an R-MAT graph of 1M nodes and 10M edges the longest row holds 41k entries and the
// 1351 rows over 1024 hold a quarter of them: one warp walks 41k gathers in sequence while the
// rest of the GPU idles. Splitting those rows puts every warp's work within a small multiple of
// the mean.
//
// The split needs no list of long rows and no host copy of the CSR, only the row pointer on the
// device, so it works inside a captured CUDA graph and costs nothing to prepare:
// - The CSR entries are cut into segments of `len` consecutive entries, s covering
//   [s len, (s + 1) len). A row is long when it has more than 2 len entries.
// - A segment kernel gives each segment to a warp: it finds the row that holds the segment's
//   first entry (a binary search of the row pointer) and, when that row is long, computes the
//   row's partial result over the segment's entries in CSR order and stores it in the segment's
//   slot of a scratch buffer. Other segments do nothing.
// - The row kernel then takes a long row r as before, but walks only its head, the entries before
//   its first segment boundary (fewer than len), and adds the partials of the segments that start
//   inside r, in order. Those are exactly the segments whose first entry lies in r, and each
//   holds r's entries up to the next boundary or r's end.
// Every sum runs in a fixed order (the head's, then the segments' in order), so results stay
// deterministic without atomics; a long row's rounding differs from a single walk of it.
//
// len grows with the entry count so that the segments fit a scratch of `cap` slots: len =
// max(kMinSegment, ceil(nnz / cap)). Both kernels derive it from nnz = rowptr[rows], read on the
// device, with the same cap, so the host needs neither nnz nor a synchronization.
#pragma once
#include <cstdint>

#include "common.cuh"
#include "row_split_sizes.h"

namespace fathom::cuda::detail {

// Segment geometry of a CSR with nnz entries and `cap` slots: len entries per segment, segs
// segments, rows of more than 2 len entries split.
struct Segments {
  int64_t len;
  int64_t segs;
  __device__ __forceinline__ bool is_long(int64_t degree) const { return degree > 2 * len; }
  // The first segment that starts inside a row beginning at entry `begin`: its head is
  // [begin, first_segment(begin) * len).
  __device__ __forceinline__ int64_t first_segment(int64_t begin) const {
    return (begin + len - 1) / len;
  }
};

__device__ __forceinline__ Segments segments(const int32_t* __restrict__ rowptr, int64_t rows,
                                             int64_t cap) {
  const int64_t nnz = rowptr[rows];
  int64_t len = (nnz + cap - 1) / cap;
  if (len < kMinSegment) len = kMinSegment;
  return {len, (nnz + len - 1) / len};
}

// The row that holds CSR entry k (0 <= k < nnz): the last r < rows with rowptr[r] <= k. Empty
// rows before it share its rowptr, so the last such r is the non-empty row with
// rowptr[r] <= k < rowptr[r + 1]. Every lane reads the same addresses (one request each step).
__device__ __forceinline__ int64_t row_of_entry(const int32_t* __restrict__ rowptr, int64_t rows,
                                                int64_t k) {
  int64_t lo = 0, hi = rows - 1;
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo + 1) / 2;
    if (rowptr[mid] <= k) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

// What a segment kernel's group does with segment s: the long row r holding its first entry and
// the entries [begin, end) of r it covers; begin == end when the row is short (nothing to do).
struct SegmentWork {
  int64_t row;
  int64_t begin;
  int64_t end;
};

__device__ __forceinline__ SegmentWork segment_work(const Segments& sg,
                                                    const int32_t* __restrict__ rowptr,
                                                    int64_t rows, int64_t s) {
  const int64_t a = s * sg.len;
  const int64_t r = row_of_entry(rowptr, rows, a);
  const int64_t r_end = rowptr[r + 1];
  if (!sg.is_long(r_end - rowptr[r])) return {r, a, a};
  const int64_t b = a + sg.len;
  return {r, a, b < r_end ? b : r_end};
}

}  // namespace fathom::cuda::detail
