// CSR construction on the host. Every build is a counting sort (O(N + E), stable), so entries
// keep edge order within a row and the result does not depend on thread count.
//
// Row order of operators: csr_operator returns rows sorted by column (ties kept in edge order),
// for every kind. The gcn self loop is therefore not at the end of its row but in column order,
// and sum / mean / gcn of one graph share their layout apart from the added loops.
#include "csr.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace fathom {

namespace {

constexpr int64_t kMaxI32 = std::numeric_limits<int32_t>::max();

std::string csr_brief(const Csr& a) {
  return "csr[" + std::to_string(a.rows) + " x " + std::to_string(a.cols) + ", nnz " +
         std::to_string(a.nnz()) + "]";
}

Tensor i32_tensor(const std::vector<int32_t>& v) {
  return Tensor::from_host(v.data(), {static_cast<int64_t>(v.size())}, DType::I32);
}

// rowptr from per-row counts (counts[r] = entries of row r).
std::vector<int32_t> prefix_sum(const std::vector<int32_t>& counts) {
  std::vector<int32_t> rowptr(counts.size() + 1, 0);
  for (size_t r = 0; r < counts.size(); ++r) rowptr[r + 1] = rowptr[r] + counts[r];
  return rowptr;
}

// A host view of a CSR's arrays (copied when they live on the device).
struct HostCsr {
  std::vector<int32_t> rowptr, col, perm;
  Tensor values;  // CPU, or undefined
};

HostCsr to_host(const Csr& a) {
  HostCsr h;
  h.rowptr.resize(static_cast<size_t>(a.rows + 1));
  h.col.resize(static_cast<size_t>(a.nnz()));
  a.rowptr.copy_to_host(h.rowptr.data());
  if (a.col.defined()) a.col.copy_to_host(h.col.data());
  if (a.perm.defined()) {
    h.perm.resize(static_cast<size_t>(a.perm.numel()));
    a.perm.copy_to_host(h.perm.data());
  }
  if (a.values.defined()) h.values = a.values.to(Device::CPU);
  return h;
}

void require_structure(const Csr& a, const char* op) {
  FATHOM_CHECK(
      a.rowptr.defined() && a.rowptr.dtype() == DType::I32 && a.rowptr.numel() == a.rows + 1,
      ErrorKind::Type, op, "argument csr is not a built CSR (rowptr must be i32 [rows + 1])");
  FATHOM_CHECK(!a.col.defined() || a.col.dtype() == DType::I32, ErrorKind::Type, op,
               "argument csr has col " + a.col.describe() + "; col must be i32");
  FATHOM_CHECK(!a.perm.defined() || a.perm.numel() == a.nnz(), ErrorKind::Shape, op,
               "argument csr has perm " + a.perm.describe() + " for " + csr_brief(a));
  FATHOM_CHECK(!a.values.defined() || a.values.numel() == a.nnz(), ErrorKind::Shape, op,
               "argument csr has values " + a.values.describe() + " for " + csr_brief(a));
}

}  // namespace

namespace {

// CSR by target of edge_index with sources in [0, num_sources) and targets in [0, num_targets);
// `square`: both limits are num_nodes (a graph), else numSources and numTargets (a block).
Csr csr_by_target(const Tensor& edge_index, int64_t num_sources, int64_t num_targets, bool square,
                  const char* op) {
  FATHOM_CHECK(edge_index.defined(), ErrorKind::Type, op, "argument edgeIndex is undefined");
  FATHOM_CHECK(edge_index.dtype() == DType::I32, ErrorKind::Type, op,
               "argument edgeIndex must be i32, got " + edge_index.describe());
  FATHOM_CHECK(edge_index.ndim() == 2 && edge_index.dim(0) == 2, ErrorKind::Shape, op,
               "argument edgeIndex must be [2, E], got " + edge_index.describe());
  FATHOM_CHECK(edge_index.device() == Device::CPU, ErrorKind::Device, op,
               "argument edgeIndex must be on cpu, got " + edge_index.describe());
  const char* names[2] = {square ? "num_nodes" : "numSources", square ? "num_nodes" : "numTargets"};
  const int64_t limits[2] = {num_sources, num_targets};
  for (int r = 0; r < 2; ++r) {
    FATHOM_CHECK(limits[r] >= 0 && limits[r] <= kMaxI32, ErrorKind::Range, op,
                 std::string("argument ") + names[r] + " = " + std::to_string(limits[r]) +
                     " must be in [0, " + std::to_string(kMaxI32) + "]");
  }
  const int64_t E = edge_index.dim(1);
  FATHOM_CHECK(E <= kMaxI32, ErrorKind::Range, op,
               "argument edgeIndex has " + std::to_string(E) + " edges; at most " +
                   std::to_string(kMaxI32) + " fit the i32 CSR");
  const int32_t* src = edge_index.data<int32_t>();
  const int32_t* dst = src + E;
  // Row by row so the first bad index reported is the first in memory order.
  for (int r = 0; r < 2; ++r) {
    const int32_t* idx = r == 0 ? src : dst;
    for (int64_t e = 0; e < E; ++e) {
      FATHOM_CHECK(idx[e] >= 0 && idx[e] < limits[r], ErrorKind::Range, op,
                   "edgeIndex[" + std::to_string(r) + ", " + std::to_string(e) +
                       "] = " + std::to_string(idx[e]) + " is out of range for " + names[r] +
                       " = " + std::to_string(limits[r]));
    }
  }

  const size_t N = static_cast<size_t>(num_targets);
  std::vector<int32_t> counts(N, 0);
  for (int64_t e = 0; e < E; ++e) ++counts[static_cast<size_t>(dst[e])];
  std::vector<int32_t> rowptr = prefix_sum(counts);
  std::vector<int32_t> next(rowptr.begin(), rowptr.end() - 1);
  std::vector<int32_t> col(static_cast<size_t>(E)), perm(static_cast<size_t>(E));
  for (int64_t e = 0; e < E; ++e) {
    const size_t pos = static_cast<size_t>(next[static_cast<size_t>(dst[e])]++);
    col[pos] = src[e];
    perm[pos] = static_cast<int32_t>(e);
  }

  Csr out;
  out.rows = num_targets;
  out.cols = num_sources;
  out.rowptr = i32_tensor(rowptr);
  out.col = i32_tensor(col);
  out.perm = i32_tensor(perm);
  return out;
}

}  // namespace

Csr csr_from_edge_index(const Tensor& edge_index, int64_t num_nodes, const char* op) {
  return csr_by_target(edge_index, num_nodes, num_nodes, true, op);
}

Csr csr_from_bipartite(const Tensor& edge_index, int64_t num_sources, int64_t num_targets,
                       const char* op) {
  return csr_by_target(edge_index, num_sources, num_targets, false, op);
}

Csr csr_transpose(const Csr& a) {
  const char* op = "csr_transpose";
  require_structure(a, op);
  HostCsr h = to_host(a);
  const size_t nnz = h.col.size();
  const size_t elem = h.values.defined() ? dtype_size(h.values.dtype()) : 0;

  std::vector<int32_t> counts(static_cast<size_t>(a.cols), 0);
  for (int32_t c : h.col) {
    FATHOM_CHECK(c >= 0 && c < a.cols, ErrorKind::Range, op,
                 "argument csr has a column " + std::to_string(c) + " outside [0, " +
                     std::to_string(a.cols) + ")");
    ++counts[static_cast<size_t>(c)];
  }
  std::vector<int32_t> rowptr = prefix_sum(counts);
  std::vector<int32_t> next(rowptr.begin(), rowptr.end() - 1);
  std::vector<int32_t> col(nnz), perm(h.perm.empty() ? 0 : nnz);
  Tensor values;
  if (h.values.defined())
    values = Tensor::empty({static_cast<int64_t>(nnz)}, h.values.dtype(), Device::CPU);
  const char* vin = static_cast<const char*>(h.values.raw());
  char* vout = static_cast<char*>(values.raw());
  // Scanning rows in order keeps the transposed rows sorted by their new column index.
  for (int64_t r = 0; r < a.rows; ++r) {
    for (int32_t k = h.rowptr[static_cast<size_t>(r)]; k < h.rowptr[static_cast<size_t>(r) + 1];
         ++k) {
      const size_t pos =
          static_cast<size_t>(next[static_cast<size_t>(h.col[static_cast<size_t>(k)])]++);
      col[pos] = static_cast<int32_t>(r);
      if (!perm.empty()) perm[pos] = h.perm[static_cast<size_t>(k)];
      if (elem) std::memcpy(vout + pos * elem, vin + static_cast<size_t>(k) * elem, elem);
    }
  }

  Csr out;
  out.rows = a.cols;
  out.cols = a.rows;
  out.rowptr = i32_tensor(rowptr);
  out.col = i32_tensor(col);
  if (a.perm.defined()) out.perm = i32_tensor(perm);
  out.values = values;
  return csr_to(out, a.device());
}

Tensor csr_row_degrees(const Csr& a) {
  require_structure(a, "csr_row_degrees");
  std::vector<int32_t> rowptr(static_cast<size_t>(a.rows + 1));
  a.rowptr.copy_to_host(rowptr.data());
  Tensor deg = Tensor::empty({a.rows}, DType::F64, Device::CPU);
  double* d = deg.data<double>();
  for (int64_t r = 0; r < a.rows; ++r) {
    d[r] = static_cast<double>(rowptr[static_cast<size_t>(r) + 1] - rowptr[static_cast<size_t>(r)]);
  }
  return deg;
}

namespace {

// Writes per-entry weights (computed in double) into a new `dtype` tensor.
Tensor values_in(const std::vector<double>& w, DType dtype) {
  const int64_t n = static_cast<int64_t>(w.size());
  Tensor t = Tensor::empty({n}, dtype, Device::CPU);
  if (dtype == DType::F64) {
    if (n) std::memcpy(t.raw(), w.data(), w.size() * sizeof(double));
  } else {
    float* f = t.data<float>();
    for (int64_t i = 0; i < n; ++i) f[i] = static_cast<float>(w[static_cast<size_t>(i)]);
  }
  return t;
}

// A + I with at most one self loop per row, as PyG's add_remaining_self_loops: the first
// existing loop of a row is kept (its edge id stays in perm), further copies of it are dropped,
// and rows without one get an added loop (perm -1) appended at the row's end.
HostCsr with_self_loops(const HostCsr& h, int64_t n, const char* op) {
  HostCsr out;
  out.rowptr.assign(1, 0);
  out.col.reserve(h.col.size() + static_cast<size_t>(n));
  out.perm.reserve(h.col.size() + static_cast<size_t>(n));
  for (int64_t r = 0; r < n; ++r) {
    bool has_loop = false;
    for (int32_t k = h.rowptr[static_cast<size_t>(r)]; k < h.rowptr[static_cast<size_t>(r) + 1];
         ++k) {
      const int32_t c = h.col[static_cast<size_t>(k)];
      if (c == r && has_loop) continue;
      has_loop = has_loop || c == r;
      out.col.push_back(c);
      out.perm.push_back(h.perm.empty() ? -1 : h.perm[static_cast<size_t>(k)]);
    }
    if (!has_loop) {
      out.col.push_back(static_cast<int32_t>(r));
      out.perm.push_back(-1);
    }
    FATHOM_CHECK(
        static_cast<int64_t>(out.col.size()) <= kMaxI32, ErrorKind::Range, op,
        "the operator with self loops has more than " + std::to_string(kMaxI32) + " entries");
    out.rowptr.push_back(static_cast<int32_t>(out.col.size()));
  }
  return out;
}

}  // namespace

Csr csr_operator(const Csr& adjacency, const char* kind, DType dtype) {
  const char* op = "csr_operator";
  require_structure(adjacency, op);
  FATHOM_CHECK(!adjacency.values.defined(), ErrorKind::Type, op,
               "argument adjacency already has values " + adjacency.values.describe() +
                   "; pass the unweighted CSR built from edgeIndex");
  FATHOM_CHECK(is_floating(dtype), ErrorKind::Type, op,
               std::string("argument dtype must be f32 or f64, got ") + dtype_name(dtype));
  const std::string k = kind ? kind : "";
  FATHOM_CHECK(k == "sum" || k == "mean" || k == "gcn" || k == "gin", ErrorKind::Range, op,
               "argument kind = \"" + k + "\" is not one of \"sum\", \"mean\", \"gcn\", \"gin\"");
  FATHOM_CHECK(
      k != "gcn" || adjacency.rows == adjacency.cols, ErrorKind::Shape, op,
      "kind \"gcn\" adds self loops and needs a square adjacency, got " + csr_brief(adjacency));
  // A block's rows are its targets, the first of its sources: target r's loop is column r.
  FATHOM_CHECK(k != "gin" || adjacency.rows <= adjacency.cols, ErrorKind::Shape, op,
               "kind \"gin\" adds a self loop (r, r) to every row and needs rows <= columns "
               "(the targets are the first sources), got " +
                   csr_brief(adjacency));

  HostCsr h = to_host(adjacency);
  if (k == "gcn" || k == "gin") h = with_self_loops(h, adjacency.rows, op);
  const size_t rows = static_cast<size_t>(adjacency.rows);
  auto row_len = [&](size_t r) { return static_cast<double>(h.rowptr[r + 1] - h.rowptr[r]); };

  std::vector<double> w(h.col.size(), 1.0);
  for (size_t r = 0; r < rows; ++r) {
    for (int32_t e = h.rowptr[r]; e < h.rowptr[r + 1]; ++e) {
      const size_t c = static_cast<size_t>(h.col[static_cast<size_t>(e)]);
      if (k == "mean") w[static_cast<size_t>(e)] = 1.0 / row_len(r);
      // d~ counts the row's entries, self loop included, so it is >= 1.
      if (k == "gcn") w[static_cast<size_t>(e)] = 1.0 / std::sqrt(row_len(r) * row_len(c));
    }
  }

  Csr built;
  built.rows = adjacency.rows;
  built.cols = adjacency.cols;
  built.rowptr = i32_tensor(h.rowptr);
  built.col = i32_tensor(h.col);
  built.perm = i32_tensor(h.perm.empty() ? std::vector<int32_t>(h.col.size(), -1) : h.perm);
  built.values = values_in(w, dtype);
  // Two stable counting-sort transposes sort each row by column, keeping ties in edge order.
  return csr_transpose(csr_transpose(built));
}

Csr csr_to(const Csr& a, Device device, bool overlapped) {
  auto move = [&](const Tensor& t) { return overlapped ? t.to_overlapped(device) : t.to(device); };
  Csr out = a;
  if (a.rowptr.defined()) out.rowptr = move(a.rowptr);
  if (a.col.defined()) out.col = move(a.col);
  if (a.values.defined()) out.values = move(a.values);
  if (a.perm.defined()) out.perm = move(a.perm);
  return out;
}

}  // namespace fathom
