// The kernel list (core/kernel_list.inc) is instantiated for float and double on the CPU: this
// file takes the address of every entry's two instances, so a missing one fails the link.
#include <set>
#include <string>
#include <vector>

#include "check.h"
#include "cpu/kernels.h"
#include "kernel_table.h"

namespace {

std::vector<fathom::test::KernelInstances> cpu_kernels() {
  std::vector<fathom::test::KernelInstances> table;
#define FATHOM_KERNEL_TABLE_BACKEND fathom::cpu
#include "kernel_table.inc"
#undef FATHOM_KERNEL_TABLE_BACKEND
  return table;
}

}  // namespace

TEST(kernel_list_is_instantiated) {
  const auto table = cpu_kernels();
  CHECK(!table.empty());
  std::set<std::string> names;
  for (const auto& k : table) {
    CHECK(names.insert(k.name).second);  // one entry per kernel
    CHECK(std::string(k.family).size() > 0);
    CHECK(k.f32 != nullptr && k.f64 != nullptr && k.f32 != k.f64);
  }
  CHECK(names.count("relu_mask") == 1 && names.count("gat_backward") == 1);
}
