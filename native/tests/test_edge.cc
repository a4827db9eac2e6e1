// Edge softmax kernels against a naive double-precision softmax and central finite differences,
// and the transpose index against csr_transpose's own value order.
#include <cmath>
#include <vector>

#include "check.h"
#include "core/error.h"
#include "cpu/kernels.h"
#include "graph/csr.h"
#include "kernel_test_util.h"
#include "ops/edge_ops.h"

namespace {

using fathom::test::random_csr;
using fathom::test::random_vector;
using fathom::test::RandomCsr;

std::vector<double> softmax_reference(const RandomCsr& a, int64_t H, const std::vector<double>& z) {
  std::vector<double> out(z.size(), 0.0);
  for (int64_t r = 0; r < a.rows; ++r) {
    for (int64_t h = 0; h < H; ++h) {
      double s = 0.0;
      for (int32_t k = a.rowptr[r]; k < a.rowptr[r + 1]; ++k) s += std::exp(z[k * H + h]);
      for (int32_t k = a.rowptr[r]; k < a.rowptr[r + 1]; ++k)
        out[k * H + h] = std::exp(z[k * H + h]) / s;
    }
  }
  return out;
}

template <typename T>
void check_forward(int64_t rows, int64_t H, uint64_t seed) {
  const RandomCsr a = random_csr(rows, rows, 6, seed);
  const int64_t nnz = static_cast<int64_t>(a.col.size());
  const auto z = random_vector<T>(nnz * H, seed + 1, -3.0, 3.0);
  std::vector<T> alpha(z.size(), T(-7));
  fathom::cpu::edge_softmax<T>(rows, H, a.rowptr.data(), z.data(), alpha.data());
  const auto want = softmax_reference(a, H, std::vector<double>(z.begin(), z.end()));
  // Weights lie in (0, 1]: an absolute tolerance of a few ulps of 1 per operation in the row.
  CHECK_ALL_CLOSE(alpha.data(), want.data(), nnz * H, 0.0, sizeof(T) == 4 ? 1e-6 : 1e-14);
}

}  // namespace

TEST(edge_softmax_matches_a_plain_row_softmax) {
  check_forward<double>(37, 1, 3);
  check_forward<double>(37, 4, 5);
  check_forward<float>(200, 2, 7);
}

TEST(edge_softmax_is_finite_for_huge_logits) {
  const RandomCsr a = random_csr(20, 20, 5, 9);
  const int64_t nnz = static_cast<int64_t>(a.col.size());
  std::vector<double> z(static_cast<size_t>(nnz));
  for (int64_t k = 0; k < nnz; ++k) z[k] = 1000.0 + static_cast<double>(k % 3);
  std::vector<double> alpha(z.size());
  fathom::cpu::edge_softmax<double>(20, 1, a.rowptr.data(), z.data(), alpha.data());
  for (int64_t r = 0; r < 20; ++r) {
    double s = 0.0;
    for (int32_t k = a.rowptr[r]; k < a.rowptr[r + 1]; ++k) s += alpha[k];
    if (a.rowptr[r] != a.rowptr[r + 1]) CHECK_NEAR(s, 1.0, 1e-14);
  }
}

TEST(edge_softmax_backward_matches_finite_differences) {
  const int64_t rows = 15, H = 2;
  const RandomCsr a = random_csr(rows, rows, 5, 21);
  const int64_t n = static_cast<int64_t>(a.col.size()) * H;
  auto z = random_vector<double>(n, 22, -2.0, 2.0);
  const auto g = random_vector<double>(n, 23);
  std::vector<double> alpha(z.size()), dz(z.size());
  fathom::cpu::edge_softmax<double>(rows, H, a.rowptr.data(), z.data(), alpha.data());
  fathom::cpu::edge_softmax_backward<double>(rows, H, a.rowptr.data(), alpha.data(), g.data(),
                                             dz.data());
  auto loss = [&]() {
    std::vector<double> y(z.size());
    fathom::cpu::edge_softmax<double>(rows, H, a.rowptr.data(), z.data(), y.data());
    double s = 0.0;
    for (int64_t i = 0; i < n; ++i) s += y[i] * g[i];
    return s;
  };
  const double h = 1e-6;
  std::vector<double> fd(z.size());
  for (int64_t i = 0; i < n; ++i) {
    const double keep = z[i];
    z[i] = keep + h;
    const double up = loss();
    z[i] = keep - h;
    const double down = loss();
    z[i] = keep;
    fd[i] = (up - down) / (2 * h);
  }
  // Truncation O(h²) and rounding O(ε/h) ≈ 1e-10 per component.
  CHECK_ALL_CLOSE(dz.data(), fd.data(), n, 0.0, 1e-8);
}

TEST(edge_transpose_index_reorders_values_as_csr_transpose_does) {
  const std::vector<int32_t> flat = {0, 1, 1, 2, 3, 3, 4, 1, 0, 2, 1, 4, 0, 4, 1, 3};
  const fathom::Tensor edges = fathom::Tensor::from_host(flat.data(), {2, 8}, fathom::DType::I32);
  const fathom::Csr adj = fathom::csr_from_edge_index(edges, 5, "test");
  const fathom::Csr op = fathom::csr_operator(adj, "mean", fathom::DType::F64);
  const fathom::Csr t = fathom::csr_transpose(op);
  const fathom::Tensor moved =
      fathom::ops::edge_gather(op.values, fathom::ops::csr_transpose_index(op));
  const int64_t nnz = op.nnz();
  std::vector<double> got(static_cast<size_t>(nnz)), want(static_cast<size_t>(nnz));
  moved.copy_to_host(got.data());
  t.values.copy_to_host(want.data());
  CHECK_ALL_CLOSE(got.data(), want.data(), nnz, 0.0, 0.0);
}

TEST(edge_ops_reject_bad_shapes) {
  const std::vector<int32_t> flat = {0, 1, 1, 0};
  const fathom::Tensor edges = fathom::Tensor::from_host(flat.data(), {2, 2}, fathom::DType::I32);
  const fathom::Csr adj = fathom::csr_from_edge_index(edges, 2, "test");
  const std::vector<double> three = {1, 2, 3};
  const fathom::Tensor bad = fathom::Tensor::from_host(three.data(), {3}, fathom::DType::F64);
  CHECK_THROWS(fathom::ops::edge_softmax(adj, bad), fathom::Error);
  const std::vector<int32_t> idx = {0, 5, 1};
  const fathom::Tensor index = fathom::Tensor::from_host(idx.data(), {3}, fathom::DType::I32);
  CHECK_THROWS(fathom::ops::edge_gather(bad, index), fathom::Error);
}
