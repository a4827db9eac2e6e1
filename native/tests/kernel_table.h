// Every kernel of core/kernel_list.inc with the addresses of its float and double instantiations
// in one backend, so that the test binary that builds the table links against each of them: an
// entry whose family no source file of that backend instantiates fails the link, naming it.
//
//   std::vector<fathom::test::KernelInstances> table;
//   #define FATHOM_KERNEL_TABLE_BACKEND fathom::cpu
//   #include "kernel_table.inc"  // inside a function: one row per entry appended to `table`
//   #undef FATHOM_KERNEL_TABLE_BACKEND
#pragma once
#include <vector>

namespace fathom::test {

struct KernelInstances {
  const char* family;
  const char* name;
  void (*f32)();
  void (*f64)();
};

}  // namespace fathom::test
