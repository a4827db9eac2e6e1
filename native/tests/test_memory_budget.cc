// The memory budget (core/memory_stats.h): allocations that together pass the limit fail with
// OutOfMemory naming the op, the request, the live bytes and the limit, and count nothing; freeing
// makes room again; and threads allocating at once never take the live bytes past the limit.
#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "check.h"
#include "core/memory_stats.h"
#include "core/op_label.h"
#include "core/tensor.h"

namespace {

using fathom::Device;
using fathom::DType;
using fathom::ErrorKind;
using fathom::MemoryStats;
using fathom::Tensor;

// Sets the CPU limit to `live + extra` bytes for the scope, then restores the previous one.
class ScopedLimit {
 public:
  explicit ScopedLimit(int64_t extra) : saved_(MemoryStats::limit(Device::CPU)) {
    MemoryStats::set_limit(Device::CPU, MemoryStats::get(Device::CPU).live_bytes + extra);
  }
  ~ScopedLimit() { MemoryStats::set_limit(Device::CPU, saved_); }

 private:
  int64_t saved_;
};

TEST(memory_budget_refuses_cumulative_allocations_past_the_limit_and_recovers) {
  const fathom::DeviceMemory before = MemoryStats::get(Device::CPU);
  ScopedLimit limit(3000);
  const int64_t max = MemoryStats::limit(Device::CPU);
  fathom::OpLabel label("fill");
  Tensor a = Tensor::empty({250}, DType::F32, Device::CPU);  // 1000 bytes
  Tensor b = Tensor::empty({250}, DType::F32, Device::CPU);
  const std::string live = std::to_string(before.live_bytes + 2000) + " bytes are live";
  const std::string cap = "the memory limit is " + std::to_string(max) + " bytes";
  CHECK_FAILS(Tensor::empty({500}, DType::F32, Device::CPU), ErrorKind::OutOfMemory,
              "fill: could not allocate 2000 bytes on cpu", live.c_str(), cap.c_str());
  // The refused request is not counted.
  CHECK_EQ(MemoryStats::get(Device::CPU).live_bytes, before.live_bytes + 2000);
  CHECK_EQ(MemoryStats::get(Device::CPU).live_tensors, before.live_tensors + 2);
  // Exactly up to the limit is allowed; after a free the same request fits.
  Tensor c = Tensor::empty({250}, DType::F32, Device::CPU);
  CHECK_EQ(MemoryStats::get(Device::CPU).live_bytes, max);
  a = Tensor();
  b = Tensor();
  Tensor d = Tensor::empty({500}, DType::F32, Device::CPU);
  CHECK_EQ(MemoryStats::get(Device::CPU).live_bytes, before.live_bytes + 3000);
}

TEST(memory_budget_names_alloc_where_no_op_is_labelled) {
  ScopedLimit limit(0);
  CHECK_FAILS(Tensor::empty({1}, DType::U8, Device::CPU), ErrorKind::OutOfMemory,
              "alloc: could not allocate 1 bytes on cpu");
  // Empty tensors take no budget.
  Tensor empty = Tensor::empty({0}, DType::F32, Device::CPU);
  CHECK(empty.defined());
}

TEST(memory_budget_holds_when_threads_allocate_at_once) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 2000;
  constexpr int64_t kBytes = 4096;
  const int64_t base = MemoryStats::get(Device::CPU).live_bytes;
  ScopedLimit limit(3 * kBytes);  // room for 3 of the 8 threads' tensors at a time
  MemoryStats::reset_peak(Device::CPU);
  std::atomic<int64_t> made{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRounds; ++i) {
        try {
          Tensor x = Tensor::empty({kBytes}, DType::U8, Device::CPU);
          x.data<uint8_t>()[0] = 1;
          made.fetch_add(1);
        } catch (const fathom::Error& e) {
          if (e.kind() == ErrorKind::OutOfMemory) refused.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK_EQ(made.load() + refused.load(), int64_t{kThreads} * kRounds);
  CHECK(made.load() > 0);
  // Never more than three at once, and every one freed.
  CHECK(MemoryStats::get(Device::CPU).peak_bytes <= base + 3 * kBytes);
  CHECK_EQ(MemoryStats::get(Device::CPU).live_bytes, base);
}

TEST(memory_budget_default_is_a_share_of_physical_memory) {
  const int64_t d = MemoryStats::default_limit(Device::CPU);
  CHECK(d > 0);
  CHECK(d < fathom::kNoMemoryLimit);
}

}  // namespace
