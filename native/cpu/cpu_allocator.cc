#include "cpu_allocator.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "../core/error.h"
#include "../core/op_label.h"

namespace fathom::cpu {
namespace {

// Blocks of at least this size bypass malloc. glibc serves them with mmap at first, but
// every free of an mmapped block raises its mmap threshold, so later ones come from the
// malloc arenas, which keep freed memory and hop between arenas under contention (V8's
// helper threads): a training loop that frees and reallocates the same 1 MB temporaries
// each step then grows RSS by hundreds of MB with live tensor bytes flat
// (scripts/soak.js measured 80 MB -> 2.2 GB over 10,000 small steps).
constexpr size_t kLargeBlock = size_t(64) << 10;
// Freed large blocks kept for reuse, by exact page-rounded size: a training step asks for
// the same sizes every time, so this saves the page faults (and kernel zeroing) of fresh
// mappings. What the pool holds, blocks in use plus cached ones, stays within the high-water
// mark of blocks in use (never below kCacheFloor): a deep model whose step holds 200 MB of
// activations would otherwise map (and fault in) everything beyond a fixed cap afresh every
// step, and a cache bounded apart from what is in use would let resident memory reach twice
// the peak of live tensors (blocks of the backward's sizes sitting cached while the forward's
// are mapped). A miss that would break the bound first returns cached blocks, largest first.
// The cache alone never holds more than a quarter of RAM.
constexpr size_t kCacheFloor = size_t(128) << 20;

struct LargeCache {
  std::mutex mu;
  std::multimap<size_t, void*> blocks;
  size_t bytes = 0;       // held in the cache
  size_t in_use = 0;      // handed out and not yet released
  size_t high_water = 0;  // most ever in use at once
  int64_t hits = 0;
  int64_t misses = 0;
};

LargeCache& cache() {
  static LargeCache* c = new LargeCache();  // never destroyed: used until process exit
  return *c;
}

size_t page_size() {
  static const size_t page = [] {
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? static_cast<size_t>(p) : size_t(4096);
  }();
  return page;
}

// Physical RAM: no single tensor can usefully be larger. Checked up front because with
// Linux overcommit (vm.overcommit_memory = 1, common in containers) a huge request
// succeeds, and the first write (fill, copy) then gets the process OOM-killed instead of
// raising an error the caller can handle.
size_t host_limit() {
  static const size_t limit = [] {
    long pages = sysconf(_SC_PHYS_PAGES);
    long page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return std::numeric_limits<size_t>::max() / 2;
    return static_cast<size_t>(pages) * static_cast<size_t>(page);
  }();
  return limit;
}

[[noreturn]] void out_of_memory(size_t bytes, const std::string& why) {
  fail(ErrorKind::OutOfMemory, OpLabel::current(),
       "could not allocate " + std::to_string(bytes) + " bytes of host memory (" + why + ")");
}

size_t large_size(size_t bytes) { return (bytes + page_size() - 1) / page_size() * page_size(); }

// Bytes the pool may hold, in use and cached together.
size_t pool_budget(const LargeCache& c) { return std::max(kCacheFloor, c.high_water); }

// Takes cached blocks, largest first, until in use plus cached fits the budget; the caller
// unmaps them outside the lock.
std::vector<std::pair<size_t, void*>> evict_over_budget(LargeCache& c) {
  std::vector<std::pair<size_t, void*>> out;
  while (!c.blocks.empty() && c.in_use + c.bytes > pool_budget(c)) {
    auto last = std::prev(c.blocks.end());
    out.emplace_back(last->first, last->second);
    c.bytes -= last->first;
    c.blocks.erase(last);
  }
  return out;
}

// Blocks this large are placed on 2 MB boundaries and offered transparent huge pages: SpMM
// and the GAT passes gather rows at random from feature matrices of hundreds of MB, and with
// 4 KB pages nearly every gather also misses the TLB (2 MB pages cut the page walks 512-fold).
// Where THP is off ("never") the advice is ignored and nothing else changes.
constexpr size_t kHugePage = size_t(2) << 20;
constexpr size_t kHugeBlock = size_t(8) << 20;

// A fresh private mapping of `size` bytes (page-rounded), or nullptr.
void* map_block(size_t size) {
  if (size < kHugeBlock) {
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? nullptr : p;
  }
  // Over-map by one huge page, then trim both ends so the block starts on a 2 MB boundary:
  // release_large unmaps exactly [p, p + size) as for any other block.
  void* raw =
      mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + kHugePage - 1) / kHugePage * kHugePage;
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t end = start + size + kHugePage;
  if (end > aligned + size) munmap(reinterpret_cast<void*>(aligned + size), end - aligned - size);
  void* p = reinterpret_cast<void*>(aligned);
#ifdef MADV_HUGEPAGE
  madvise(p, size, MADV_HUGEPAGE);  // advice only: failure leaves ordinary pages
#endif
  return p;
}

void* allocate_large(size_t bytes) {
  const size_t size = large_size(bytes);
  std::vector<std::pair<size_t, void*>> evicted;
  {
    LargeCache& c = cache();
    std::lock_guard<std::mutex> lock(c.mu);
    c.in_use += size;
    c.high_water = std::max(c.high_water, c.in_use);
    auto it = c.blocks.find(size);
    if (it != c.blocks.end()) {
      void* p = it->second;
      c.blocks.erase(it);
      c.bytes -= size;
      ++c.hits;
      return p;
    }
    ++c.misses;
    evicted = evict_over_budget(c);
  }
  for (const auto& [bytes_, ptr] : evicted) munmap(ptr, bytes_);
  void* p = map_block(size);
  if (p == nullptr) {
    LargeCache& c = cache();
    std::lock_guard<std::mutex> lock(c.mu);
    c.in_use -= size;
    out_of_memory(bytes, "the system refused");
  }
  return p;  // page aligned, so 64-byte aligned
}

void release_large(void* ptr, size_t bytes) {
  const size_t size = large_size(bytes);
  {
    LargeCache& c = cache();
    std::lock_guard<std::mutex> lock(c.mu);
    c.in_use -= size;
    if (c.bytes + size <= host_limit() / 4 && c.in_use + c.bytes + size <= pool_budget(c)) {
      c.blocks.emplace(size, ptr);
      c.bytes += size;
      return;
    }
  }
  munmap(ptr, size);
}

}  // namespace

PoolStats pool_stats() {
  LargeCache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  return PoolStats{c.hits, c.misses, static_cast<int64_t>(c.bytes), static_cast<int64_t>(c.in_use)};
}

void empty_cache() {
  LargeCache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  for (const auto& [size, ptr] : c.blocks) munmap(ptr, size);
  c.blocks.clear();
  c.bytes = 0;
  c.high_water = c.in_use;
}

void* allocate(size_t bytes) {
  // Rounding up to the alignment would wrap around for sizes near SIZE_MAX and return a
  // tiny block; the limit check comes first so that cannot happen.
  if (bytes > host_limit()) {
    out_of_memory(bytes,
                  "more than the " + std::to_string(host_limit()) + " bytes of physical memory");
  }
  if (bytes >= kLargeBlock) return allocate_large(bytes);
  size_t rounded = ((bytes + 63) / 64) * 64;
  if (rounded == 0) rounded = 64;
  void* p = std::aligned_alloc(64, rounded);
  if (p == nullptr) out_of_memory(bytes, "the system refused");
  return p;
}

void release(void* ptr, size_t bytes) {
  if (ptr == nullptr) return;
  if (bytes >= kLargeBlock) {
    release_large(ptr, bytes);
  } else {
    std::free(ptr);
  }
}

}  // namespace fathom::cpu
