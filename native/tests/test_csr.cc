// CSR construction, transpose and the aggregation operators of docs/methods.md §1, checked entry by
// entry on hand-written graphs and against dense double references.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "check.h"
#include "core/error.h"
#include "graph/csr.h"

namespace {

using fathom::Csr;
using fathom::DType;
using fathom::ErrorKind;
using fathom::Tensor;

Tensor edges(const std::vector<int32_t>& src, const std::vector<int32_t>& dst) {
  std::vector<int32_t> flat(src);
  flat.insert(flat.end(), dst.begin(), dst.end());
  return Tensor::from_host(flat.data(), {2, static_cast<int64_t>(src.size())}, DType::I32);
}

std::vector<int32_t> ints(const Tensor& t) {
  std::vector<int32_t> v(static_cast<size_t>(t.numel()));
  t.copy_to_host(v.data());
  return v;
}

// The operator as a dense rows x cols matrix (an entry without values weighs 1).
std::vector<double> dense(const Csr& a) {
  std::vector<double> d(static_cast<size_t>(a.rows * a.cols), 0.0);
  const std::vector<int32_t> rowptr = ints(a.rowptr), col = ints(a.col);
  for (int64_t r = 0; r < a.rows; ++r) {
    for (int32_t k = rowptr[r]; k < rowptr[r + 1]; ++k) {
      double w = 1.0;
      if (a.values.defined()) {
        w = a.values.dtype() == DType::F64 ? a.values.data<double>()[k] : a.values.data<float>()[k];
      }
      d[static_cast<size_t>(r * a.cols + col[k])] += w;
    }
  }
  return d;
}

bool rows_sorted(const Csr& a) {
  const std::vector<int32_t> rowptr = ints(a.rowptr), col = ints(a.col);
  for (int64_t r = 0; r < a.rows; ++r) {
    for (int32_t k = rowptr[r] + 1; k < rowptr[r + 1]; ++k) {
      if (col[k - 1] > col[k]) return false;
    }
  }
  return true;
}

void check_same_csr(const Csr& got, const Csr& want) {
  CHECK_EQ(got.rows, want.rows);
  CHECK_EQ(got.cols, want.cols);
  CHECK(ints(got.rowptr) == ints(want.rowptr));
  CHECK(ints(got.col) == ints(want.col));
  CHECK(ints(got.perm) == ints(want.perm));
}

// 5 nodes; node 3 only sends, node 4 is isolated; 0 -> 1 appears twice (e0 and e5).
const std::vector<int32_t> kSrc = {0, 2, 1, 3, 0, 0};
const std::vector<int32_t> kDst = {1, 1, 0, 2, 2, 1};

// Dense A[i][j] = number of edges j -> i.
std::vector<double> dense_adjacency(const std::vector<int32_t>& src,
                                    const std::vector<int32_t>& dst, int64_t n) {
  std::vector<double> a(static_cast<size_t>(n * n), 0.0);
  for (size_t e = 0; e < src.size(); ++e) a[static_cast<size_t>(dst[e] * n + src[e])] += 1.0;
  return a;
}

// D~^-1/2 (A + I) D~^-1/2 with exactly one self loop per node (existing ones collapse to 1).
std::vector<double> dense_gcn(const std::vector<int32_t>& src, const std::vector<int32_t>& dst,
                              int64_t n) {
  std::vector<double> a = dense_adjacency(src, dst, n);
  for (int64_t i = 0; i < n; ++i) a[static_cast<size_t>(i * n + i)] = 1.0;
  std::vector<double> deg(static_cast<size_t>(n), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) deg[i] += a[static_cast<size_t>(i * n + j)];
  }
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) a[static_cast<size_t>(i * n + j)] /= std::sqrt(deg[i] * deg[j]);
  }
  return a;
}

}  // namespace

TEST(csr_from_edge_index_entries) {
  Csr a = fathom::csr_from_edge_index(edges(kSrc, kDst), 5, "Graph");
  CHECK_EQ(a.rows, 5);
  CHECK_EQ(a.cols, 5);
  CHECK_EQ(a.nnz(), 6);
  CHECK(!a.values.defined());
  CHECK(ints(a.rowptr) == std::vector<int32_t>({0, 1, 4, 6, 6, 6}));
  // Row r lists the sources of edges into r, in edge order.
  CHECK(ints(a.col) == std::vector<int32_t>({1, 0, 2, 0, 3, 0}));
  CHECK(ints(a.perm) == std::vector<int32_t>({2, 0, 1, 5, 3, 4}));
  Tensor deg = fathom::csr_row_degrees(a);
  CHECK(deg.dtype() == DType::F64);
  const double want_deg[] = {1, 3, 2, 0, 0};
  CHECK_ALL_CLOSE(deg.data<double>(), want_deg, 5, 0.0, 0.0);
}

TEST(csr_from_edge_index_empty) {
  Csr none = fathom::csr_from_edge_index(edges({}, {}), 0, "Graph");
  CHECK_EQ(none.rows, 0);
  CHECK_EQ(none.nnz(), 0);
  CHECK(ints(none.rowptr) == std::vector<int32_t>({0}));
  Csr lonely = fathom::csr_from_edge_index(edges({}, {}), 3, "Graph");
  CHECK(ints(lonely.rowptr) == std::vector<int32_t>({0, 0, 0, 0}));
  // Three isolated nodes: the gcn operator is the identity.
  Csr p = fathom::csr_operator(lonely, "gcn", DType::F64);
  const double eye[] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  CHECK_ALL_CLOSE(dense(p).data(), eye, 9, 0.0, 0.0);
  CHECK(ints(p.perm) == std::vector<int32_t>({-1, -1, -1}));
}

TEST(csr_transpose_entries) {
  Csr a = fathom::csr_from_edge_index(edges(kSrc, kDst), 5, "Graph");
  Csr t = fathom::csr_transpose(a);
  CHECK(ints(t.rowptr) == std::vector<int32_t>({0, 3, 4, 5, 6, 6}));
  CHECK(ints(t.col) == std::vector<int32_t>({1, 1, 2, 0, 1, 2}));
  CHECK(ints(t.perm) == std::vector<int32_t>({0, 5, 4, 2, 1, 3}));
  // Transposing twice sorts each row by column, ties in edge order.
  Csr tt = fathom::csr_transpose(t);
  CHECK(ints(tt.rowptr) == ints(a.rowptr));
  CHECK(ints(tt.col) == std::vector<int32_t>({1, 0, 0, 2, 0, 3}));
  CHECK(ints(tt.perm) == std::vector<int32_t>({2, 0, 5, 1, 4, 3}));
  check_same_csr(fathom::csr_transpose(tt), t);
}

TEST(csr_transpose_twice_is_identity_on_sorted_rows) {
  // Edges listed by (target, source), so rows are already sorted by column.
  const std::vector<int32_t> src = {1, 3, 0, 0, 2, 3, 1, 2};
  const std::vector<int32_t> dst = {0, 0, 1, 1, 1, 2, 3, 3};
  Csr a = fathom::csr_from_edge_index(edges(src, dst), 4, "Graph");
  check_same_csr(fathom::csr_transpose(fathom::csr_transpose(a)), a);
  // Values follow their entries: the dense transpose of the operator.
  Csr p = fathom::csr_operator(a, "mean", DType::F64);
  Csr pt = fathom::csr_transpose(p);
  CHECK_EQ(pt.rows, p.cols);
  const std::vector<double> d = dense(p), dt = dense(pt);
  for (int64_t i = 0; i < 4; ++i) {
    for (int64_t j = 0; j < 4; ++j) CHECK_EQ(dt[j * 4 + i], d[i * 4 + j]);
  }
  Csr ptt = fathom::csr_transpose(pt);
  check_same_csr(ptt, p);
  CHECK_ALL_CLOSE(ptt.values.data<double>(), p.values.data<double>(), p.nnz(), 0.0, 0.0);
}

TEST(csr_transpose_rectangular) {
  // rows 2, cols 3: entries (0,2) (1,0) (1,2).
  Csr a;
  a.rows = 2;
  a.cols = 3;
  const int32_t rowptr[] = {0, 1, 3}, col[] = {2, 0, 2}, perm[] = {7, 8, 9};
  const float vals[] = {0.5f, 1.5f, 2.5f};
  a.rowptr = Tensor::from_host(rowptr, {3}, DType::I32);
  a.col = Tensor::from_host(col, {3}, DType::I32);
  a.perm = Tensor::from_host(perm, {3}, DType::I32);
  a.values = Tensor::from_host(vals, {3}, DType::F32);
  Csr t = fathom::csr_transpose(a);
  CHECK_EQ(t.rows, 3);
  CHECK_EQ(t.cols, 2);
  CHECK(ints(t.rowptr) == std::vector<int32_t>({0, 1, 1, 3}));
  CHECK(ints(t.col) == std::vector<int32_t>({1, 0, 1}));
  CHECK(ints(t.perm) == std::vector<int32_t>({8, 7, 9}));
  const float want[] = {1.5f, 0.5f, 2.5f};
  CHECK_ALL_CLOSE(t.values.data<float>(), want, 3, 0.0, 0.0);
}

TEST(csr_operator_sum_and_mean) {
  Csr a = fathom::csr_from_edge_index(edges(kSrc, kDst), 5, "Graph");
  const std::vector<double> adj = dense_adjacency(kSrc, kDst, 5);
  Csr s = fathom::csr_operator(a, "sum", DType::F32);
  CHECK(s.values.dtype() == DType::F32);
  CHECK_ALL_CLOSE(dense(s).data(), adj.data(), 25, 0.0, 0.0);
  CHECK(rows_sorted(s));

  Csr m = fathom::csr_operator(a, "mean", DType::F64);
  std::vector<double> want = adj;
  for (int64_t i = 0; i < 5; ++i) {
    double d = 0;
    for (int64_t j = 0; j < 5; ++j) d += adj[i * 5 + j];
    for (int64_t j = 0; j < 5; ++j) want[i * 5 + j] = d > 0 ? adj[i * 5 + j] / d : 0.0;
  }
  CHECK_ALL_CLOSE(dense(m).data(), want.data(), 25, 1e-15, 0.0);
  // The duplicate edge counts twice: row 1 is (2/3 from node 0, 1/3 from node 2).
  CHECK_NEAR(want[1 * 5 + 0], 2.0 / 3.0, 1e-15);
  // Empty rows (nodes 3 and 4 receive nothing) stay empty.
  CHECK(ints(m.rowptr) == std::vector<int32_t>({0, 1, 4, 6, 6, 6}));
  // Rows sorted by column, ties in edge order; perm tracks the edge ids.
  CHECK(ints(m.col) == std::vector<int32_t>({1, 0, 0, 2, 0, 3}));
  CHECK(ints(m.perm) == std::vector<int32_t>({2, 0, 5, 1, 4, 3}));
}

TEST(csr_operator_gcn_matches_dense) {
  Csr a = fathom::csr_from_edge_index(edges(kSrc, kDst), 5, "Graph");
  Csr p = fathom::csr_operator(a, "gcn", DType::F64);
  const std::vector<double> want = dense_gcn(kSrc, kDst, 5);
  CHECK_ALL_CLOSE(dense(p).data(), want.data(), 25, 1e-15, 0.0);
  CHECK_EQ(p.nnz(), 6 + 5);
  CHECK(rows_sorted(p));
  // Row 1: sources 0 (e0), 0 (e5), the added loop, 2 (e1).
  CHECK(ints(p.rowptr) == std::vector<int32_t>({0, 2, 6, 9, 10, 11}));
  CHECK(ints(p.col) == std::vector<int32_t>({0, 1, 0, 0, 1, 2, 0, 2, 3, 3, 4}));
  CHECK(ints(p.perm) == std::vector<int32_t>({-1, 2, 0, 5, -1, 1, 4, -1, 3, -1, -1}));
  // f32 holds the same operator rounded.
  Csr p32 = fathom::csr_operator(a, "gcn", DType::F32);
  CHECK(p32.values.dtype() == DType::F32);
  CHECK_ALL_CLOSE(dense(p32).data(), want.data(), 25, 1e-7, 0.0);
}

TEST(csr_operator_gcn_keeps_existing_self_loop) {
  // Node 2 already has a self loop, listed twice (e2, e4): one entry of weight 1 remains and
  // keeps the first edge id; node 0 gets an added loop.
  const std::vector<int32_t> src = {1, 0, 2, 0, 2, 1};
  const std::vector<int32_t> dst = {0, 2, 2, 1, 2, 2};
  Csr a = fathom::csr_from_edge_index(edges(src, dst), 3, "Graph");
  Csr p = fathom::csr_operator(a, "gcn", DType::F64);
  const std::vector<double> want = dense_gcn(src, dst, 3);
  CHECK_ALL_CLOSE(dense(p).data(), want.data(), 9, 1e-15, 0.0);
  // d~ = (2, 2, 3): the row of node 2 counts 0, its one loop and 1.
  CHECK_NEAR(want[2 * 3 + 2], 1.0 / 3.0, 1e-15);
  CHECK(ints(p.rowptr) == std::vector<int32_t>({0, 2, 4, 7}));
  CHECK(ints(p.col) == std::vector<int32_t>({0, 1, 0, 1, 0, 1, 2}));
  CHECK(ints(p.perm) == std::vector<int32_t>({-1, 0, 3, -1, 1, 5, 2}));
}

TEST(csr_to_cpu_is_identity) {
  Csr a = fathom::csr_operator(fathom::csr_from_edge_index(edges(kSrc, kDst), 5, "Graph"), "gcn",
                               DType::F32);
  Csr b = fathom::csr_to(a, fathom::Device::CPU);
  check_same_csr(b, a);
  CHECK(b.device() == fathom::Device::CPU);
  CHECK_EQ(b.values.raw(), a.values.raw());
}

TEST(csr_validation_errors) {
  const std::vector<float> f = {0, 1, 1, 0};
  Tensor as_float = Tensor::from_host(f.data(), {2, 2}, DType::F32);
  CHECK_FAILS(fathom::csr_from_edge_index(as_float, 2, "Graph"), ErrorKind::Type, "Graph",
              "edgeIndex", "i32");
  CHECK_FAILS(fathom::csr_from_edge_index(Tensor(), 2, "Graph"), ErrorKind::Type, "Graph",
              "edgeIndex");
  const std::vector<int32_t> three(6, 0);
  Tensor rows3 = Tensor::from_host(three.data(), {3, 2}, DType::I32);
  CHECK_FAILS(fathom::csr_from_edge_index(rows3, 2, "Graph"), ErrorKind::Shape, "Graph",
              "edgeIndex", "[2, E]", "[3, 2]");
  Tensor flat = Tensor::from_host(three.data(), {6}, DType::I32);
  CHECK_FAILS(fathom::csr_from_edge_index(flat, 2, "Graph"), ErrorKind::Shape, "edgeIndex");

  CHECK_FAILS(fathom::csr_from_edge_index(edges({0, 1, 2, 3}, {1, 2, 3, 5}), 5, "Graph"),
              ErrorKind::Range, "Graph: edgeIndex[1, 3] = 5 is out of range for num_nodes = 5");
  CHECK_FAILS(fathom::csr_from_edge_index(edges({0, -1}, {1, 0}), 5, "Graph"), ErrorKind::Range,
              "edgeIndex[0, 1] = -1", "num_nodes = 5");
  CHECK_FAILS(fathom::csr_from_edge_index(edges({0}, {1}), -1, "Graph"), ErrorKind::Range, "Graph",
              "num_nodes");
  const int64_t too_many = int64_t{std::numeric_limits<int32_t>::max()} + 1;
  CHECK_FAILS(fathom::csr_from_edge_index(edges({0}, {1}), too_many, "Graph"), ErrorKind::Range,
              "Graph", "num_nodes");

  Csr a = fathom::csr_from_edge_index(edges(kSrc, kDst), 5, "Graph");
  CHECK_FAILS(fathom::csr_operator(a, "max", DType::F32), ErrorKind::Range, "csr_operator", "kind",
              "\"max\"", "\"sum\"", "\"mean\"", "\"gcn\"");
  CHECK_FAILS(fathom::csr_operator(a, "gcn", DType::I32), ErrorKind::Type, "csr_operator", "dtype",
              "i32");
  Csr weighted = fathom::csr_operator(a, "sum", DType::F32);
  CHECK_FAILS(fathom::csr_operator(weighted, "mean", DType::F32), ErrorKind::Type, "csr_operator",
              "adjacency");
  Csr rect = fathom::csr_transpose(fathom::csr_transpose(a));
  rect.cols = 6;
  CHECK_FAILS(fathom::csr_operator(rect, "gcn", DType::F32), ErrorKind::Shape, "csr_operator",
              "gcn", "csr[5 x 6");
  CHECK_FAILS(fathom::csr_transpose(Csr()), ErrorKind::Type, "csr_transpose", "csr");
}
