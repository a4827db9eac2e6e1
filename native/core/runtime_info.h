// Facts about this build and process that `fathom info` and devices() report.
#pragma once
#include <string>

namespace fathom {

std::string blas_name();  // "OpenBLAS" or "built-in"
int num_threads();
// Sets OpenMP's and OpenBLAS's thread counts together so they never oversubscribe.
void set_num_threads(int n);

}  // namespace fathom
