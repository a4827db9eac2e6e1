// The host allocator's reuse pool: what it holds in use and cached together stays within the
// high-water mark of blocks in use, exact-size reuse still hits, and large blocks sit on 2 MB
// boundaries (for transparent huge pages). Blocks are never touched, so no memory is faulted in.
#include <cstdint>
#include <vector>

#include "check.h"
#include "cpu/cpu_allocator.h"

namespace {

namespace cpu = fathom::cpu;
constexpr size_t kMB = size_t(1) << 20;

std::vector<void*> take(int count, size_t bytes) {
  std::vector<void*> out;
  for (int i = 0; i < count; ++i) out.push_back(cpu::allocate(bytes));
  return out;
}

void give_back(const std::vector<void*>& blocks, size_t bytes) {
  for (void* p : blocks) cpu::release(p, bytes);
}

TEST(allocator_pool_holds_no_more_than_the_high_water_mark_of_blocks_in_use) {
  cpu::empty_cache();
  // Every earlier test freed its tensors: the figures below are then exact.
  CHECK(cpu::pool_stats().in_use_bytes == 0);
  // 200 MB in use at the peak, then all of it cached.
  give_back(take(10, 20 * kMB), 20 * kMB);
  CHECK(cpu::pool_stats().cached_bytes == static_cast<int64_t>(200 * kMB));
  // Other sizes: each miss first returns cached blocks, so in use + cached stays ≤ 200 MB.
  const auto other = take(5, 30 * kMB);
  CHECK(cpu::pool_stats().cached_bytes + static_cast<int64_t>(150 * kMB) <=
        static_cast<int64_t>(200 * kMB));
  CHECK(cpu::pool_stats().cached_bytes == static_cast<int64_t>(40 * kMB));
  // A size still cached is served from the cache.
  const int64_t hits = cpu::pool_stats().hits;
  void* again = cpu::allocate(20 * kMB);
  CHECK(cpu::pool_stats().hits == hits + 1);
  cpu::release(again, 20 * kMB);
  give_back(other, 30 * kMB);
  cpu::empty_cache();
  CHECK(cpu::pool_stats().cached_bytes == 0);
}

TEST(allocator_places_large_blocks_on_huge_page_boundaries) {
  for (size_t bytes : {8 * kMB, 8 * kMB + 12345, 33 * kMB}) {
    void* p = cpu::allocate(bytes);
    CHECK(reinterpret_cast<uintptr_t>(p) % (2 * kMB) == 0);
    cpu::release(p, bytes);
  }
  void* small = cpu::allocate(100 * 1024);
  CHECK(reinterpret_cast<uintptr_t>(small) % 64 == 0);
  cpu::release(small, 100 * 1024);
  cpu::empty_cache();
}

}  // namespace
