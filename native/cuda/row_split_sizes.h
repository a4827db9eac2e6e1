// The sizes of the long-row split (row_split.cuh) that the host needs: the segment length's floor
// and the scratch slots a split launch allocates. Plain C++, so host code (the GPU tests) sizes
// its cases with the kernels' own numbers.
#pragma once
#include <algorithm>
#include <cstdint>

namespace fathom::cuda::detail {

// Entries per segment at least; a row is split only above twice the segment length.
constexpr int64_t kMinSegment = 256;
// Scratch slots: at most this many segments, and at most kSplitScratch elements of T in all.
constexpr int64_t kMaxSegments = 16384;
constexpr int64_t kSplitScratch = int64_t{1} << 22;

// The segment slots for rows `width` elements wide (a partial result per slot): the scratch a
// split call needs is split_slots(width) * width elements.
inline int64_t split_slots(int64_t width) {
  const int64_t by_size = kSplitScratch / std::max<int64_t>(1, width);
  return std::max<int64_t>(64, std::min(kMaxSegments, by_size));
}

}  // namespace fathom::cuda::detail
