// symmetric_eigenvalues(): LAPACK's dsyevd (eigenvalues only: Householder tridiagonalization,
// then the root-free QL/QR of dsterf). The diagnostics call it on a layer's n×n Gram once per
// layer per record, where the plain-TS reduction costs about a millisecond at n = 64.
#include "symmetric_eigenvalues.h"

#include <algorithm>
#include <climits>
#include <vector>

#include "../core/runtime_info.h"

#ifdef FATHOM_HAVE_LAPACK
extern "C" void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda,
                        double* w, double* work, const int* lwork, int* iwork, const int* liwork,
                        int* info);
#endif

namespace fathom::cpu {

bool lapack_eigenvalues_available() {
#ifdef FATHOM_HAVE_LAPACK
  return !deterministic();
#else
  return false;
#endif
}

bool symmetric_eigenvalues(int64_t n, double* a, double* w) {
  if (!lapack_eigenvalues_available() || n < 0 || n > INT_MAX / 2) return false;
  if (n == 0) return true;
#ifdef FATHOM_HAVE_LAPACK
  const int dim = static_cast<int>(n);
  // Row-major a is column-major aᵀ = a; 'U' of the column-major view is the row-major lower
  // triangle.
  const char jobz = 'N', uplo = 'U';
  int lwork = dim > 1 ? 2 * dim + 1 : 1, liwork = 1, info = 0;
  std::vector<double> work(static_cast<size_t>(lwork));
  std::vector<int> iwork(static_cast<size_t>(liwork));
  dsyevd_(&jobz, &uplo, &dim, a, &dim, w, work.data(), &lwork, iwork.data(), &liwork, &info);
  if (info != 0) return false;
  std::reverse(w, w + n);  // LAPACK returns them ascending
  return true;
#else
  (void)a;
  (void)w;
  return false;
#endif
}

}  // namespace fathom::cpu
