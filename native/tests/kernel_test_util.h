// Shared inputs and tolerances for the kernel tests: seeded random arrays and CSR matrices, so
// every run checks the same cases, and per-type tolerances.
#pragma once
#include <cstdint>
#include <random>
#include <vector>

namespace fathom::test {

// Tolerances relative to the magnitude of what was summed. A sum of k terms rounded at unit
// roundoff u carries error <= k*u*sum|terms| (u = 6e-8 for float, 1.1e-16 for double); the test
// sizes keep k*u a few times below these bounds, and any indexing bug is off by O(1).
template <typename T>
struct Tol;
template <>
struct Tol<float> {
  static constexpr double rel = 1e-5;
};
template <>
struct Tol<double> {
  static constexpr double rel = 1e-12;
};

template <typename T>
std::vector<T> random_vector(int64_t n, uint64_t seed, double lo = -1.0, double hi = 1.0) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<T> v(static_cast<size_t>(n));
  for (auto& x : v) x = static_cast<T>(dist(gen));
  return v;
}

template <typename T>
std::vector<double> to_double(const std::vector<T>& v) {
  return std::vector<double>(v.begin(), v.end());
}

struct RandomCsr {
  int64_t rows = 0, cols = 0;
  std::vector<int32_t> rowptr, col;
};

// Row degrees are uniform in [0, max_degree] and every `empty_every`-th row is forced empty, so
// both empty rows and runs of heavier rows occur. Columns may repeat within a row (duplicate
// edges are legal in Fathom's CSR).
inline RandomCsr random_csr(int64_t rows, int64_t cols, int max_degree, uint64_t seed,
                            int64_t empty_every = 5) {
  std::mt19937_64 gen(seed);
  std::uniform_int_distribution<int> degree(0, max_degree);
  std::uniform_int_distribution<int32_t> column(0, static_cast<int32_t>(cols - 1));
  RandomCsr csr;
  csr.rows = rows;
  csr.cols = cols;
  csr.rowptr.push_back(0);
  for (int64_t r = 0; r < rows; ++r) {
    const int d = (empty_every > 0 && r % empty_every == 0) ? 0 : degree(gen);
    for (int k = 0; k < d; ++k) csr.col.push_back(column(gen));
    csr.rowptr.push_back(static_cast<int32_t>(csr.col.size()));
  }
  return csr;
}

}  // namespace fathom::test
