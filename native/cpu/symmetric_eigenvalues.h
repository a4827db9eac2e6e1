// Eigenvalues of a small dense symmetric matrix on the host, through LAPACK where the build found
// it.
#pragma once
#include <cstdint>

namespace fathom::cpu {

// True when symmetric_eigenvalues() can run: the BLAS library exports LAPACK's dsyevd_
// (FATHOM_HAVE_LAPACK) and deterministic mode is off (LAPACK's blocked reduction calls BLAS
// level-2/3 kernels whose threading may change the last bits with the thread count).
bool lapack_eigenvalues_available();

// Eigenvalues of the symmetric n×n matrix a (row-major; only one triangle is read), descending,
// into w (n values). a is overwritten. Returns false where LAPACK is not available or fails.
bool symmetric_eigenvalues(int64_t n, double* a, double* w);

}  // namespace fathom::cpu
