// Facts about this build and process that `fathom info` and devices() report.
#pragma once
#include <string>

namespace fathom {

std::string blas_name();  // "OpenBLAS" or "built-in"
int num_threads();
// Sets OpenMP's and OpenBLAS's thread counts together so they never oversubscribe.
void set_num_threads(int n);

// Deterministic mode: results independent of the thread count as well as run to run. GEMM then
// uses the built-in kernel, which splits only the output across threads (OpenBLAS may also
// split the inner sum, whose rounding then depends on the thread count). Off by default.
bool deterministic();
void set_deterministic(bool on);

}  // namespace fathom
