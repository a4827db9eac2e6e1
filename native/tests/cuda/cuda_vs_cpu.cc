// GPU-only check: every fathom::cuda kernel against its fathom::cpu twin on random data, plus
// gemm_tiled vs gemm (cuBLAS when libcublas loads). Prints "N passed, M failed".
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "../kernel_table.h"
#include "core/error.h"
#include "core/step_constants.h"
#include "cpu/kernels.h"
#include "cuda/gemm_tiled.cuh"
#include "cuda/kernels.h"
#include "cuda/row_split_sizes.h"
#include "cuda/runtime.h"
#include "cuda/variants.h"
namespace c = fathom::cuda;
namespace h = fathom::cpu;
static int passed = 0, failed = 0;
static std::mt19937_64 rng(42);
template <typename T>
struct Dev {
  size_t n;
  T* p;
  explicit Dev(const std::vector<T>& v)
      : n(v.size()), p(static_cast<T*>(c::allocate(n * sizeof(T) + 1))) {
    c::copy_to_device(p, v.data(), n * sizeof(T));
  }
  explicit Dev(size_t m) : n(m), p(static_cast<T*>(c::allocate(n * sizeof(T) + 1))) {
    c::memset_zero(p, n * sizeof(T));
  }
  ~Dev() { c::release(p, n * sizeof(T) + 1); }
  std::vector<T> get() const {
    std::vector<T> v(n);
    c::copy_to_host(v.data(), p, n * sizeof(T));
    return v;
  }
};
template <typename T>
std::vector<T> rnd(size_t n, double lo = -1, double hi = 1) {
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<T> v(n);
  for (auto& x : v) x = T(u(rng));
  return v;
}
template <typename T>
void expect(const char* what, const std::vector<T>& got, const std::vector<T>& want, double tol) {
  double worst = 0;
  size_t at = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    double g = double(got[i]), w = double(want[i]);
    if (std::isnan(w) && std::isnan(g)) continue;
    double e = std::fabs(g - w) / (1 + std::fabs(w));
    if (!(e <= worst)) {
      worst = e;
      at = i;
    }
  }
  bool ok = got.size() == want.size() && worst <= tol;
  (ok ? passed : failed)++;
  if (!ok)
    std::printf("FAIL %s: worst rel err %g at %zu (got %g want %g)\n", what, worst, at,
                double(got[at]), double(want[at]));
}
// Bit-for-bit equality: kernels that promise the same operations in the same order.
template <typename T>
void expect_same(const std::string& what, const std::vector<T>& got, const std::vector<T>& want) {
  size_t at = 0;
  while (at < want.size() && at < got.size() && std::memcmp(&got[at], &want[at], sizeof(T)) == 0) {
    ++at;
  }
  const bool ok = got.size() == want.size() && at == want.size();
  (ok ? passed : failed)++;
  if (!ok && at < got.size() && at < want.size()) {
    std::printf("FAIL %s: not bit-identical at %zu (got %.17g want %.17g)\n", what.c_str(), at,
                double(got[at]), double(want[at]));
  } else if (!ok) {
    std::printf("FAIL %s: %zu elements, want %zu\n", what.c_str(), got.size(), want.size());
  }
}
// The two spmm kernels of variants.h on CSR rows of degree 0, 1, 31, 32, 33 and 100 (around the
// row-cached kernel's chunks of 32 pairs) and widths that reach each of its paths: 1 and 3 (fewer
// than 32 lanes per row, lanes past F), 31 to 33 (a lane with no or two slices), 64 / 128 / 256 /
// 640 (float2 / float4 / double2 loads, several slices and walks, a last walk with dead slices),
// 300 (scalar, three walks). Every case runs on X and Y at the allocation's start and with X or Y
// one element further, off the vector alignment (the scalar fallback). Each kernel's result is
// checked against the CPU, and the row-cached kernel's against the per-row kernel's bit for bit;
// Y is filled with NaN before each launch, so an element a kernel leaves unwritten fails.
template <typename T>
void spmm_variants(const char* tn, double tol) {
  struct Restore {
    c::SpmmKernel k = c::spmm_kernel();
    ~Restore() { c::set_spmm_kernel(k); }
  } restore;
  const int rows = 301;
  const int degrees[] = {0, 1, 31, 32, 33, 100, -1};  // -1: 0 to 8 at random
  std::vector<int32_t> rowptr{0}, col;
  for (int r = 0; r < rows; ++r) {
    const int d = degrees[r % 7] >= 0 ? degrees[r % 7] : int(rng() % 9);
    for (int k = 0; k < d; ++k) col.push_back(int32_t(rng() % rows));
    rowptr.push_back(int32_t(col.size()));
  }
  const auto V = rnd<T>(col.size());
  Dev<int32_t> drp(rowptr), dcol(col);
  Dev<T> dv(V), dself(std::vector<T>{T(0.05)});
  const std::pair<c::SpmmKernel, const char*> kernels[] = {
      {c::SpmmKernel::kPerRow, "per-row"}, {c::SpmmKernel::kRowCached, "row-cached"}};
  for (int F : {1, 3, 16, 31, 32, 33, 64, 128, 256, 300, 640}) {
    const size_t n = size_t(rows) * F;
    const auto X = rnd<T>(n + 1), Bias = rnd<T>(size_t(F));
    Dev<T> dx(X), dbias(Bias), dy(n + 1);
    const std::vector<T> nan(n + 1, T(NAN));
    const std::pair<int, int> offsets[] = {{0, 0}, {1, 0}, {0, 1}};  // X's, Y's, in elements
    for (const auto& offset : offsets) {
      const int xo = offset.first, yo = offset.second;
      // One op on both kernels: the CPU's result `want`, then each kernel against it and the
      // row-cached result against the per-row one.
      auto check = [&](const char* op, const std::vector<T>& want, auto&& launch) {
        std::vector<T> got[2];
        for (int i = 0; i < 2; ++i) {
          c::set_spmm_kernel(kernels[i].first);
          c::copy_to_device(dy.p, nan.data(), nan.size() * sizeof(T));
          launch(dx.p + xo, dy.p + yo);
          const auto all = dy.get();
          got[i].assign(all.begin() + yo, all.begin() + yo + std::ptrdiff_t(n));
          const std::string what = std::string(op) + "<" + tn + "> F=" + std::to_string(F) + " x+" +
                                   std::to_string(xo) + " y+" + std::to_string(yo) + " " +
                                   kernels[i].second;
          expect(what.c_str(), got[i], want, tol);
          if (i == 1) expect_same(what + " vs per-row", got[1], got[0]);
        }
      };
      const T* hx = X.data() + xo;
      for (int withv = 0; withv < 2; ++withv) {
        const T* hv = withv ? V.data() : nullptr;
        const T* cv = withv ? dv.p : nullptr;
        for (T self : {T(0.3), T(0)}) {
          std::vector<T> want(n);
          h::spmm<T>(rows, F, rowptr.data(), col.data(), hv, hx, want.data(), T(0.7), self);
          check("spmm", want, [&](const T* x, T* y) {
            c::spmm<T>(rows, F, drp.p, dcol.p, cv, x, y, T(0.7), self);
          });
        }
        {
          // The self term 0.25 + s read on the device (0.3 here), as in spmm.
          std::vector<T> want(n);
          h::spmm<T>(rows, F, rowptr.data(), col.data(), hv, hx, want.data(), T(0.7),
                     T(0.25 + double(T(0.05))));
          check("spmm_self_dev", want, [&](const T* x, T* y) {
            c::spmm_self_dev<T>(rows, F, drp.p, dcol.p, cv, x, y, T(0.7), 0.25, dself.p);
          });
        }
        for (int withb = 0; withb < 2; ++withb)
          for (int act = 0; act < 2; ++act) {
            std::vector<T> want(n);
            h::spmm_bias_act<T>(rows, F, rowptr.data(), col.data(), hv, hx, want.data(), T(0.7),
                                T(0.3), withb ? Bias.data() : nullptr, act != 0);
            check("spmm_bias_act", want, [&](const T* x, T* y) {
              c::spmm_bias_act<T>(rows, F, drp.p, dcol.p, cv, x, y, T(0.7), T(0.3),
                                  withb ? dbias.p : nullptr, act != 0);
            });
          }
      }
    }
  }
}
// The row-cached spmm with long rows split across warps (variants.h, row_split.cuh) on a graph
// with rows of 500 to 5000 entries among short and empty ones, and rows that end one entry past
// a segment boundary, start on one or hold just over two segments (the segment length is 256
// here; with F = 8192 the scratch holds 512 segments, which then grow past 256 entries). Checked
// against the CPU, against the unsplit kernel bit for bit on the short rows, and against a second
// run bit for bit (no atomics). Y is filled with NaN first, so a row left unwritten fails.
template <typename T>
void spmm_split(const char* tn, double tol) {
  struct Restore {
    c::SpmmKernel k = c::spmm_kernel();
    bool split = c::split_rows();
    ~Restore() {
      c::set_spmm_kernel(k);
      c::set_split_rows(split);
    }
  } restore;
  c::set_spmm_kernel(c::SpmmKernel::kRowCached);
  for (int big = 0; big < 2; ++big) {
    const int rows = big ? 1000 : 2000;
    std::vector<int32_t> rowptr{0}, col;
    auto add_row = [&](int d) {
      for (int k = 0; k < d; ++k) col.push_back(int32_t(rng() % rows));
      rowptr.push_back(int32_t(col.size()));
    };
    // Ends at 3 * 256 + 1, then a row starting there, a row of 2 * 256 + 1 and one of 2 * 256.
    for (int d : {10, 759, 255, 1024, 5, 513, 512, 0}) add_row(d);
    while (int(rowptr.size()) <= rows) {
      const int k = int(rng() % 100);
      const int lo = big ? 50 : 0, hi = big ? 250 : 12;  // short rows' degrees
      add_row(k < 3 ? 500 + int(rng() % 4500) : lo + int(rng() % (hi - lo)));
    }
    const auto V = rnd<T>(col.size());
    Dev<int32_t> drp(rowptr), dcol(col);
    Dev<T> dv(V);
    for (int F : big ? std::vector<int>{8192} : std::vector<int>{1, 3, 16, 33, 64, 128, 300}) {
      if (big && sizeof(T) == 8) continue;
      const size_t n = size_t(rows) * F;
      const auto X = rnd<T>(n), Bias = rnd<T>(size_t(F));
      Dev<T> dx(X), dbias(Bias), dy(n);
      const std::vector<T> nan(n, T(NAN));
      auto run = [&](bool split, bool withv, bool fused) {
        c::set_split_rows(split);
        c::copy_to_device(dy.p, nan.data(), n * sizeof(T));
        if (fused) {
          c::spmm_bias_act<T>(rows, F, drp.p, dcol.p, withv ? dv.p : nullptr, dx.p, dy.p, T(0.7),
                              T(0.3), dbias.p, true);
        } else {
          c::spmm<T>(rows, F, drp.p, dcol.p, withv ? dv.p : nullptr, dx.p, dy.p, T(0.7), T(0.3));
        }
        return dy.get();
      };
      for (int withv = big; withv < 2; ++withv)
        for (int fused = 0; fused < 2 - big; ++fused) {
          std::vector<T> want(n);
          const T* hv = withv ? V.data() : nullptr;
          if (fused) {
            h::spmm_bias_act<T>(rows, F, rowptr.data(), col.data(), hv, X.data(), want.data(),
                                T(0.7), T(0.3), Bias.data(), true);
          } else {
            h::spmm<T>(rows, F, rowptr.data(), col.data(), hv, X.data(), want.data(), T(0.7),
                       T(0.3));
          }
          const std::string what = std::string(fused ? "spmm_bias_act" : "spmm") + "<" + tn +
                                   "> split F=" + std::to_string(F) + (withv ? " weighted" : "") +
                                   (big ? " long segments" : "");
          const auto got = run(true, withv, fused);
          expect(what.c_str(), got, want, tol);
          expect_same(what + " run twice", run(true, withv, fused), got);
          // Short rows (at most 512 entries here: 2 * 256) as the unsplit kernel gives them.
          const auto whole = run(false, withv, fused);
          std::vector<T> a, b;
          for (int r = 0; r < rows; ++r) {
            if (rowptr[r + 1] - rowptr[r] > 512) continue;
            a.insert(a.end(), got.begin() + size_t(r) * F, got.begin() + size_t(r + 1) * F);
            b.insert(b.end(), whole.begin() + size_t(r) * F, whole.begin() + size_t(r + 1) * F);
          }
          expect_same(what + " short rows vs unsplit", a, b);
        }
    }
  }
}
template <typename T>
void run_all(const char* tn) {
  const double tol = sizeof(T) == 4 ? 1e-4 : 1e-11;
  auto name = [&](const char* s) {
    static std::string b;
    b = std::string(s) + "<" + tn + ">";
    return b.c_str();
  };
  // gemm, all transposes, ragged sizes, beta 0 and not
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb)
      for (auto [M, N, K] : std::vector<std::tuple<int, int, int>>{
               {1, 1, 1}, {67, 45, 130}, {300, 129, 17}, {64, 64, 0}})
        for (T beta : {T(0), T(0.5)}) {
          auto A = rnd<T>(size_t(M) * K), B = rnd<T>(size_t(K) * N), C0 = rnd<T>(size_t(M) * N);
          auto want = C0;
          h::gemm<T>(ta, tb, M, N, K, T(1.25), A.data(), B.data(), beta, want.data());
          Dev<T> a(A), b(B), cc(C0), ct(C0);
          c::gemm<T>(ta, tb, M, N, K, T(1.25), a.p, b.p, beta, cc.p);
          c::gemm_tiled<T>(ta, tb, M, N, K, T(1.25), a.p, b.p, beta, ct.p);
          expect(name("gemm"), cc.get(), want, tol * 10);
          expect(name("gemm_tiled"), ct.get(), want, tol * 10);
        }
  spmm_variants<T>(tn, tol);
  spmm_split<T>(tn, tol);
  // CSR: random rows incl. empty ones
  const int rows = 1000;
  std::vector<int32_t> rowptr{0}, col;
  for (int r = 0; r < rows; ++r) {
    int d = int(rng() % 9);
    for (int k = 0; k < d; ++k) col.push_back(int32_t(rng() % rows));
    rowptr.push_back(int32_t(col.size()));
  }
  Dev<int32_t> drp(rowptr), dcol(col);
  for (int F : {1, 3, 16, 33, 100}) {
    auto X = rnd<T>(size_t(rows) * F), V = rnd<T>(col.size()), B2 = rnd<T>(size_t(rows) * F);
    Dev<T> dx(X), dv(V), db(B2), dy(size_t(rows) * F), ds(col.size());
    for (int withv = 0; withv < 2; ++withv) {
      std::vector<T> want(size_t(rows) * F);
      h::spmm<T>(rows, F, rowptr.data(), col.data(), withv ? V.data() : nullptr, X.data(),
                 want.data(), T(0.7), T(0.3));
      c::spmm<T>(rows, F, drp.p, dcol.p, withv ? dv.p : nullptr, dx.p, dy.p, T(0.7), T(0.3));
      expect(name("spmm"), dy.get(), want, tol);
    }
    {
      // spmm_self_dev: the self term 0.25 + s read on the device (0.3 here) gives spmm's result.
      std::vector<T> want(size_t(rows) * F);
      h::spmm<T>(rows, F, rowptr.data(), col.data(), nullptr, X.data(), want.data(), T(0.7),
                 T(0.25 + double(T(0.05))));
      Dev<T> dself(std::vector<T>{T(0.05)});
      c::spmm_self_dev<T>(rows, F, drp.p, dcol.p, nullptr, dx.p, dy.p, T(0.7), 0.25, dself.p);
      expect(name("spmm_self_dev"), dy.get(), want, tol);
    }
    // The fused GCN layer: bias and ReLU in spmm's epilogue, with and without the bias.
    auto Bias = rnd<T>(size_t(F));
    Dev<T> dbias(Bias);
    for (int withb = 0; withb < 2; ++withb)
      for (int act = 0; act < 2; ++act) {
        std::vector<T> want(size_t(rows) * F);
        h::spmm_bias_act<T>(rows, F, rowptr.data(), col.data(), V.data(), X.data(), want.data(),
                            T(0.7), T(0.3), withb ? Bias.data() : nullptr, act != 0);
        c::spmm_bias_act<T>(rows, F, drp.p, dcol.p, dv.p, dx.p, dy.p, T(0.7), T(0.3),
                            withb ? dbias.p : nullptr, act != 0);
        expect(name("spmm_bias_act"), dy.get(), want, tol);
      }
    std::vector<T> want(col.size());
    h::sddmm<T>(rows, F, rowptr.data(), col.data(), X.data(), B2.data(), want.data());
    c::sddmm<T>(rows, F, drp.p, dcol.p, dx.p, db.p, ds.p);
    expect(name("sddmm"), ds.get(), want, tol);
  }
  {
    // Softmax aggregation over the CSR (empty rows included) with edge ids in perm (a shuffled
    // 0..nnz-1 with every seventh entry -1, a self loop without edge features), forward and the
    // backward over the transpose built here, with and without edge features.
    const int64_t nnz = int64_t(col.size());
    std::vector<int32_t> perm(nnz);
    for (int64_t k = 0; k < nnz; ++k) perm[k] = int32_t(k);
    std::shuffle(perm.begin(), perm.end(), rng);
    for (int64_t k = 0; k < nnz; k += 7) perm[k] = -1;
    std::vector<int32_t> trp(rows + 1, 0), tcol(nnz), tperm(nnz);
    for (int64_t k = 0; k < nnz; ++k) ++trp[col[k] + 1];
    for (int r = 0; r < rows; ++r) trp[r + 1] += trp[r];
    {
      std::vector<int32_t> next(trp.begin(), trp.end() - 1);
      for (int r = 0; r < rows; ++r) {
        for (int32_t k = rowptr[r]; k < rowptr[r + 1]; ++k) {
          const int32_t at = next[col[k]]++;
          tcol[at] = r;
          tperm[at] = perm[k];
        }
      }
    }
    Dev<int32_t> dperm(perm), dtrp(trp), dtcol(tcol), dtperm(tperm);
    for (int F : {1, 3, 16, 33}) {
      const size_t nf = size_t(rows) * F;
      auto X = rnd<T>(nf), E = rnd<T>(size_t(nnz) * F), G = rnd<T>(nf);
      const std::vector<T> tv{T(1.3)};
      Dev<T> dx(X), de(E), dg(G), dtv(tv), dout(nf), dstats(2 * nf), ddx(nf), dde(size_t(nnz) * F),
          ddt(1), dscr(size_t(h::softmax_aggregate_scratch_size(rows, F)));
      for (int withe = 0; withe < 2; ++withe) {
        const T* he = withe ? E.data() : nullptr;
        const T* ce = withe ? de.p : nullptr;
        std::vector<T> out(nf), stats(2 * nf), gx(nf), ge(size_t(nnz) * F), gt(1),
            scr(size_t(h::softmax_aggregate_scratch_size(rows, F)));
        h::softmax_aggregate_forward<T>(rows, F, rowptr.data(), col.data(), perm.data(), X.data(),
                                        he, tv.data(), T(1e-7), out.data(), stats.data());
        c::softmax_aggregate_forward<T>(rows, F, drp.p, dcol.p, dperm.p, dx.p, ce, dtv.p, T(1e-7),
                                        dout.p, dstats.p);
        expect(name("softmax_aggregate_forward"), dout.get(), out, tol);
        expect(name("softmax_aggregate_stats"), dstats.get(), stats, tol);
        h::softmax_aggregate_backward<T>(rows, rows, F, trp.data(), tcol.data(), tperm.data(),
                                         X.data(), he, tv.data(), T(1e-7), out.data(), stats.data(),
                                         G.data(), gx.data(), withe ? ge.data() : nullptr,
                                         gt.data(), scr.data());
        c::softmax_aggregate_backward<T>(rows, rows, F, dtrp.p, dtcol.p, dtperm.p, dx.p, ce, dtv.p,
                                         T(1e-7), dout.p, dstats.p, dg.p, ddx.p,
                                         withe ? dde.p : nullptr, ddt.p, dscr.p);
        expect(name("softmax_aggregate_dx"), ddx.get(), gx, tol);
        if (withe) expect(name("softmax_aggregate_de"), dde.get(), ge, tol);
        // dt sums rows * F * degree terms: reassociation and exp's last bits add up, so 10 tol.
        expect(name("softmax_aggregate_dt"), ddt.get(), gt, tol * 10);
      }
    }
    // The power mean over the same CSR and messages, p = 1.7 (eps 1e-3 keeps m^(p-1) moderate).
    for (int F : {1, 3, 16, 33}) {
      const size_t nf = size_t(rows) * F;
      auto X = rnd<T>(nf), E = rnd<T>(size_t(nnz) * F), G = rnd<T>(nf);
      const std::vector<T> pv{T(1.7)};
      const int64_t scratch = h::power_aggregate_scratch_size(rows, rows, F);
      Dev<T> dx(X), de(E), dg(G), dpv(pv), dout(nf), dstats(2 * nf), ddx(nf), dde(size_t(nnz) * F),
          ddp(1), dscr(static_cast<size_t>(scratch));
      for (int withe = 0; withe < 2; ++withe) {
        const T* he = withe ? E.data() : nullptr;
        const T* ce = withe ? de.p : nullptr;
        std::vector<T> out(nf), stats(2 * nf), gx(nf), ge(size_t(nnz) * F), gp(1),
            scr(static_cast<size_t>(scratch));
        h::power_aggregate_forward<T>(rows, F, rowptr.data(), col.data(), perm.data(), X.data(), he,
                                      pv.data(), T(1e-3), out.data(), stats.data());
        c::power_aggregate_forward<T>(rows, F, drp.p, dcol.p, dperm.p, dx.p, ce, dpv.p, T(1e-3),
                                      dout.p, dstats.p);
        expect(name("power_aggregate_forward"), dout.get(), out, tol);
        expect(name("power_aggregate_stats"), dstats.get(), stats, tol);
        h::power_aggregate_backward<T>(rows, rows, F, trp.data(), tcol.data(), tperm.data(),
                                       X.data(), he, pv.data(), T(1e-3), out.data(), stats.data(),
                                       G.data(), gx.data(), withe ? ge.data() : nullptr, gp.data(),
                                       scr.data());
        c::power_aggregate_backward<T>(rows, rows, F, dtrp.p, dtcol.p, dtperm.p, dx.p, ce, dpv.p,
                                       T(1e-3), dout.p, dstats.p, dg.p, ddx.p,
                                       withe ? dde.p : nullptr, ddp.p, dscr.p);
        expect(name("power_aggregate_dx"), ddx.get(), gx, tol);
        if (withe) expect(name("power_aggregate_de"), dde.get(), ge, tol);
        // dp sums (rows + nnz) * F terms with logarithms: as dt above, 10 tol.
        expect(name("power_aggregate_dp"), ddp.get(), gp, tol * 10);
      }
    }
  }
  {
    // GAT attention on a block's operator [Nt x Ns] (targets the first sources; Nt = Ns is a
    // graph's square operator): random in-edges per target plus a self loop per target with perm
    // -1, every 13th target without any edge (an empty row) and every 97th with 33 to 99
    // in-edges (more than a warp's worth), edge ids shuffled, the transpose built here. Both
    // kernel variants (variants.h) against the CPU twin, with and without attention dropout, xt
    // one tensor with xs (shared, every source row) or the targets' own rows; the per-node
    // kernels also against the per-head ones.
    const c::GatKernel chosen = c::gat_kernel();
    for (int64_t Nt : {int64_t(300), int64_t(1000)}) {
      const int64_t Ns = 1000;
      std::vector<int32_t> grp{0}, gcol, gperm;
      int32_t next_id = 0;
      for (int64_t i = 0; i < Nt; ++i) {
        if (i % 13 != 3) {
          const int d = i % 97 == 7 ? 33 + int(rng() % 67) : int(rng() % 7);
          for (int k = 0; k < d; ++k) {
            gcol.push_back(int32_t(rng() % Ns));
            gperm.push_back(next_id++);
          }
          gcol.push_back(int32_t(i));
          gperm.push_back(-1);
        }
        grp.push_back(int32_t(gcol.size()));
      }
      std::shuffle(gperm.begin(), gperm.end(), rng);  // ids stay unique; -1 entries move too
      const int64_t nnz = int64_t(gcol.size());
      std::vector<int32_t> trp(Ns + 1, 0), tcol(nnz), tperm(nnz);
      for (int64_t k = 0; k < nnz; ++k) ++trp[gcol[k] + 1];
      for (int64_t r = 0; r < Ns; ++r) trp[r + 1] += trp[r];
      {
        std::vector<int32_t> at(trp.begin(), trp.end() - 1);
        for (int64_t i = 0; i < Nt; ++i) {
          for (int32_t k = grp[i]; k < grp[i + 1]; ++k) {
            const int32_t t = at[gcol[k]]++;
            tcol[t] = int32_t(i);
            tperm[t] = gperm[k];
          }
        }
      }
      Dev<int32_t> drp(grp), dcol(gcol), dperm(gperm), dtrp(trp), dtcol(tcol), dtperm(tperm);
      // (version, H, F): 1 x 33 and 8 x 8 in both versions (GATv2 and F = 33 always run per
      // head); for GATv1 the per-node kernels' limits: H*F = 256 with F = 32 and with F = 1,
      // F = 2, 4, 16, 32 with H*F not a multiple of 32 (10, 12) or below it (32), more than 32
      // heads (64 x 4, and 48 x 1, not a power of two), and shapes that fall back to the per-head
      // kernels (F = 24 not a power of two, H*F = 512).
      const std::vector<std::tuple<int, int64_t, int64_t>> shapes{
          {1, 1, 33}, {1, 8, 8},  {2, 1, 33}, {2, 8, 8},  {1, 8, 32}, {1, 256, 1}, {1, 5, 2},
          {1, 3, 4},  {1, 1, 32}, {1, 2, 16}, {1, 64, 4}, {1, 48, 1}, {1, 4, 24},  {1, 16, 32}};
      for (const auto& [version, H, F] : shapes)
        for (double p : {0.0, 0.3})
          for (int shared = 0; shared < 2; ++shared) {
            const int64_t W = H * F;
            const int64_t xt_rows = shared ? Ns : Nt;
            auto XS = rnd<T>(size_t(Ns * W)), A = rnd<T>(static_cast<size_t>(W)),
                 AD = rnd<T>(static_cast<size_t>(W));
            auto XT = shared ? XS : rnd<T>(size_t(xt_rows * W));
            auto G = rnd<T>(size_t(Nt * W));
            Dev<T> dxs(XS), dxt(XT), da(A), dad(AD), dg(G),
                dscr(size_t(h::gat_scratch_size(Nt, Ns, H, F)));
            const T* xt_h = shared ? XS.data() : XT.data();
            const T* xt_d = shared ? dxs.p : dxt.p;
            const T* ad_h = version == 1 ? AD.data() : nullptr;
            const T* ad_d = version == 1 ? dad.p : nullptr;
            std::vector<T> out(size_t(Nt * W)), stats(size_t(2 * Nt * H)),
                scr(size_t(h::gat_cpu_scratch_size(Nt, Ns, H, F)));
            h::gat_forward<T>(version, Nt, Ns, H, F, grp.data(), gcol.data(), gperm.data(),
                              XS.data(), xt_h, A.data(), ad_h, T(0.2), p, 77, out.data(),
                              stats.data(), scr.data());
            std::vector<T> gxs(size_t(Ns * W), T(0)), gxt(size_t(xt_rows * W), T(0)),
                gas(static_cast<size_t>(W)), gad(static_cast<size_t>(W));
            T* gxt_h = shared ? gxs.data() : gxt.data();
            h::gat_backward<T>(version, Nt, Ns, H, F, grp.data(), gcol.data(), gperm.data(),
                               trp.data(), tcol.data(), tperm.data(), XS.data(), xt_h, A.data(),
                               ad_h, T(0.2), p, 77, out.data(), stats.data(), G.data(), gxs.data(),
                               gxt_h, gas.data(), version == 1 ? gad.data() : nullptr, scr.data());
            // The same forward results into every backward (the CPU's), so only the backward
            // kernels differ.
            Dev<T> dout_h(out), dstats_h(stats);
            // Results per variant: forward out and stats, then dxs, dxt, da_src, da_dst.
            std::vector<T> got[2][6];
            for (int v = 0; v < 2; ++v) {
              c::set_gat_kernel(v == 0 ? c::GatKernel::kPerHead : c::GatKernel::kPerNode);
              const std::string label = std::string(v == 0 ? "per-head" : "per-node") + " v" +
                                        std::to_string(version) + " H=" + std::to_string(H) +
                                        " F=" + std::to_string(F) + " p=" + std::to_string(p) +
                                        " shared=" + std::to_string(shared) +
                                        " Nt=" + std::to_string(Nt) + "<" + tn + ">";
              auto what = [&](const char* s) { return std::string(s) + " " + label; };
              Dev<T> dout(size_t(Nt * W)), dstats(size_t(2 * Nt * H)), ddxs(size_t(Ns * W)),
                  ddxt(size_t(xt_rows * W)), ddas(static_cast<size_t>(W)),
                  ddad(static_cast<size_t>(W));
              c::gat_forward<T>(version, Nt, Ns, H, F, drp.p, dcol.p, dperm.p, dxs.p, xt_d, da.p,
                                ad_d, T(0.2), p, 77, dout.p, dstats.p, dscr.p);
              got[v][0] = dout.get();
              got[v][1] = dstats.get();
              expect(what("gat_forward").c_str(), got[v][0], out, tol);
              expect(what("gat_forward_stats").c_str(), got[v][1], stats, tol);
              T* gxt_d = shared ? ddxs.p : ddxt.p;
              c::gat_backward<T>(version, Nt, Ns, H, F, drp.p, dcol.p, dperm.p, dtrp.p, dtcol.p,
                                 dtperm.p, dxs.p, xt_d, da.p, ad_d, T(0.2), p, 77, dout_h.p,
                                 dstats_h.p, dg.p, ddxs.p, gxt_d, ddas.p,
                                 version == 1 ? ddad.p : nullptr, dscr.p);
              got[v][2] = ddxs.get();
              got[v][3] = ddxt.get();
              got[v][4] = ddas.get();
              got[v][5] = ddad.get();
              expect(what("gat_backward_dxs").c_str(), got[v][2], gxs, tol);
              if (!shared) expect(what("gat_backward_dxt").c_str(), got[v][3], gxt, tol);
              // The attention-vector gradients sum a term per node: 10 tol, as softmax's dt.
              expect(what("gat_backward_da_src").c_str(), got[v][4], gas, tol * 10);
              if (version == 1)
                expect(what("gat_backward_da_dst").c_str(), got[v][5], gad, tol * 10);
              // The seed read on the device (a captured graph's per-step scalar): the same bits.
              const uint64_t seed = 77;
              double bits = 0;
              std::memcpy(&bits, &seed, sizeof seed);
              Dev<double> dbits(std::vector<double>{bits});
              Dev<T> eout(size_t(Nt * W)), estats(size_t(2 * Nt * H)), edxs(size_t(Ns * W)),
                  edxt(size_t(xt_rows * W)), edas(static_cast<size_t>(W)),
                  edad(static_cast<size_t>(W));
              c::gat_forward_dev<T>(version, Nt, Ns, H, F, drp.p, dcol.p, dperm.p, dxs.p, xt_d,
                                    da.p, ad_d, T(0.2), p, dbits.p, eout.p, estats.p, dscr.p);
              expect(what("gat_forward_dev").c_str(), eout.get(), got[v][0], 0);
              expect(what("gat_forward_dev_stats").c_str(), estats.get(), got[v][1], 0);
              c::gat_backward_dev<T>(version, Nt, Ns, H, F, drp.p, dcol.p, dperm.p, dtrp.p, dtcol.p,
                                     dtperm.p, dxs.p, xt_d, da.p, ad_d, T(0.2), p, dbits.p,
                                     dout_h.p, dstats_h.p, dg.p, edxs.p, shared ? edxs.p : edxt.p,
                                     edas.p, version == 1 ? edad.p : nullptr, dscr.p);
              expect(what("gat_backward_dev_dxs").c_str(), edxs.get(), got[v][2], 0);
              expect(what("gat_backward_dev_da_src").c_str(), edas.get(), got[v][4], 0);
            }
            // Per node against per head: the same formulas, and every sum in the same order
            // (softmax denominators and message sums in CSR order, the per-head dot products'
            // shuffle tree restricted to its F lanes), so only floating-point contraction may
            // differ: a tenth of the tolerance against the CPU.
            const char* parts[6] = {"out", "stats", "dxs", "dxt", "da_src", "da_dst"};
            for (int q = 0; q < 6; ++q) {
              const std::string what = std::string("gat per-node vs per-head ") + parts[q] + " v" +
                                       std::to_string(version) + " H=" + std::to_string(H) +
                                       " F=" + std::to_string(F) + "<" + tn + ">";
              expect(what.c_str(), got[1][q], got[0][q], tol / 10);
            }
          }
    }
    c::set_gat_kernel(chosen);
  }
  {
    // Long rows split across warps (row_split.cuh) in the per-node kernels, GATv1: graphs whose
    // targets have up to thousands of in-edges and whose hub sources (0 to 2) have long
    // transposed rows, against the CPU twin; split on and off bit for bit on a graph without long
    // rows. Each case sets the kernel and the split and restores both.
    struct GatGraph {
      int64_t Nt, Ns;
      std::vector<int32_t> rp, col, perm, trp, tcol, tperm;
    };
    // degree(i, entries so far) in-edges per target plus a self loop (perm -1), every 13th target
    // without any; a share `hub` of the columns on sources 0 to 2; edge ids shuffled.
    auto make_graph = [&](int64_t Nt, int64_t Ns, double hub, auto degree) {
      GatGraph g{Nt, Ns, {0}, {}, {}, {}, {}, {}};
      std::uniform_real_distribution<double> u(0, 1);
      int32_t next_id = 0;
      for (int64_t i = 0; i < Nt; ++i) {
        if (i % 13 != 3) {
          for (int d = degree(i, int64_t(g.col.size())); d > 0; --d) {
            g.col.push_back(u(rng) < hub ? int32_t(rng() % 3) : int32_t(rng() % Ns));
            g.perm.push_back(next_id++);
          }
          g.col.push_back(int32_t(i));
          g.perm.push_back(-1);
        }
        g.rp.push_back(int32_t(g.col.size()));
      }
      std::shuffle(g.perm.begin(), g.perm.end(), rng);
      const int64_t nnz = int64_t(g.col.size());
      g.trp.assign(size_t(Ns + 1), 0);
      g.tcol.resize(size_t(nnz));
      g.tperm.resize(size_t(nnz));
      for (int64_t k = 0; k < nnz; ++k) ++g.trp[size_t(g.col[size_t(k)] + 1)];
      for (int64_t r = 0; r < Ns; ++r) g.trp[size_t(r + 1)] += g.trp[size_t(r)];
      std::vector<int32_t> at(g.trp.begin(), g.trp.end() - 1);
      for (int64_t i = 0; i < Nt; ++i) {
        for (int32_t k = g.rp[size_t(i)]; k < g.rp[size_t(i + 1)]; ++k) {
          const int32_t t = at[size_t(g.col[size_t(k)])]++;
          g.tcol[size_t(t)] = int32_t(i);
          g.tperm[size_t(t)] = g.perm[size_t(k)];
        }
      }
      return g;
    };
    // Forward out and stats, then dxs, dxt, da_src and da_dst of the backward on the CPU's
    // forward results (want[0], want[1]); dev: the seed read on the device (gat_*_dev).
    using GatResults = std::vector<std::vector<T>>;
    auto run_gat = [&](const GatGraph& g, int64_t H, int64_t F, double p, bool shared, bool split,
                       bool dev, const GatResults& want) {
      struct Restore {
        c::GatKernel k = c::gat_kernel();
        bool split = c::split_rows();
        ~Restore() {
          c::set_gat_kernel(k);
          c::set_split_rows(split);
        }
      } restore;
      c::set_gat_kernel(c::GatKernel::kPerNode);
      c::set_split_rows(split);
      const int64_t Nt = g.Nt, Ns = g.Ns, W = H * F, xt_rows = shared ? Ns : Nt;
      Dev<int32_t> drp(g.rp), dcol(g.col), dperm(g.perm), dtrp(g.trp), dtcol(g.tcol),
          dtperm(g.tperm);
      Dev<T> dxs(want[6]), dxt(want[7]), da(want[8]), dad(want[9]), dg(want[10]),
          dscr(size_t(h::gat_scratch_size(Nt, Ns, H, F))), dout_h(want[0]), dstats_h(want[1]);
      Dev<T> dout(size_t(Nt * W)), dstats(size_t(2 * Nt * H)), ddxs(size_t(Ns * W)),
          ddxt(size_t(xt_rows * W)), ddas(static_cast<size_t>(W)), ddad(static_cast<size_t>(W));
      const T* xt_d = shared ? dxs.p : dxt.p;
      T* gxt_d = shared ? ddxs.p : ddxt.p;
      const uint64_t seed = 77;
      double bits = 0;
      std::memcpy(&bits, &seed, sizeof seed);
      Dev<double> dbits(std::vector<double>{bits});
      if (dev) {
        c::gat_forward_dev<T>(1, Nt, Ns, H, F, drp.p, dcol.p, dperm.p, dxs.p, xt_d, da.p, dad.p,
                              T(0.2), p, dbits.p, dout.p, dstats.p, dscr.p);
        c::gat_backward_dev<T>(1, Nt, Ns, H, F, drp.p, dcol.p, dperm.p, dtrp.p, dtcol.p, dtperm.p,
                               dxs.p, xt_d, da.p, dad.p, T(0.2), p, dbits.p, dout_h.p, dstats_h.p,
                               dg.p, ddxs.p, gxt_d, ddas.p, ddad.p, dscr.p);
      } else {
        c::gat_forward<T>(1, Nt, Ns, H, F, drp.p, dcol.p, dperm.p, dxs.p, xt_d, da.p, dad.p, T(0.2),
                          p, seed, dout.p, dstats.p, dscr.p);
        c::gat_backward<T>(1, Nt, Ns, H, F, drp.p, dcol.p, dperm.p, dtrp.p, dtcol.p, dtperm.p,
                           dxs.p, xt_d, da.p, dad.p, T(0.2), p, seed, dout_h.p, dstats_h.p, dg.p,
                           ddxs.p, gxt_d, ddas.p, ddad.p, dscr.p);
      }
      return GatResults{dout.get(), dstats.get(), ddxs.get(), ddxt.get(), ddas.get(), ddad.get()};
    };
    // The CPU twin's results as run_gat returns them, then the inputs: xs, xt, a_src, a_dst, grad.
    auto cpu_gat = [&](const GatGraph& g, int64_t H, int64_t F, double p, bool shared) {
      const int64_t Nt = g.Nt, Ns = g.Ns, W = H * F, xt_rows = shared ? Ns : Nt;
      auto XS = rnd<T>(size_t(Ns * W)), A = rnd<T>(static_cast<size_t>(W)),
           AD = rnd<T>(static_cast<size_t>(W)), Gr = rnd<T>(size_t(Nt * W));
      auto XT = shared ? XS : rnd<T>(size_t(xt_rows * W));
      std::vector<T> out(size_t(Nt * W)), stats(size_t(2 * Nt * H)),
          scr(size_t(h::gat_cpu_scratch_size(Nt, Ns, H, F))), gxs(size_t(Ns * W), T(0)),
          gxt(size_t(xt_rows * W), T(0)), gas(static_cast<size_t>(W)), gad(static_cast<size_t>(W));
      h::gat_forward<T>(1, Nt, Ns, H, F, g.rp.data(), g.col.data(), g.perm.data(), XS.data(),
                        XT.data(), A.data(), AD.data(), T(0.2), p, 77, out.data(), stats.data(),
                        scr.data());
      h::gat_backward<T>(1, Nt, Ns, H, F, g.rp.data(), g.col.data(), g.perm.data(), g.trp.data(),
                         g.tcol.data(), g.tperm.data(), XS.data(), XT.data(), A.data(), AD.data(),
                         T(0.2), p, 77, out.data(), stats.data(), Gr.data(), gxs.data(),
                         shared ? gxs.data() : gxt.data(), gas.data(), gad.data(), scr.data());
      return GatResults{out, stats, gxs, gxt, gas, gad, XS, XT, A, AD, Gr};
    };
    const char* parts[6] = {"out", "stats", "dxs", "dxt", "da_src", "da_dst"};
    // Split results against the CPU's, at 10 tol. A long row's sums run in another order than
    // the CPU's single walk (the head, then the segments' partials; the forward's rescaled by
    // exp(m_s − m)), so their roundings no longer cancel: about eps sqrt(n) times the largest
    // running sum, which for a hub's dsum at F = 32 is ~20x the result (1.7e-4 at 2500 entries
    // in a host emulation of these kernels, in float).
    auto check_cpu = [&](const std::string& label, const GatResults& got, const GatResults& want,
                         bool shared) {
      for (int q = 0; q < 6; ++q) {
        if (q == 3 && shared) continue;
        const std::string what = std::string("gat split ") + parts[q] + " " + label;
        expect(what.c_str(), got[size_t(q)], want[size_t(q)], tol * 10);
      }
    };
    // Rows of 600 to 4000 entries, 513 (just over 2 segments of 256), 512 (not split), target 102
    // starting on a segment boundary (no head: target 101 pads), the hubs' transposed rows about
    // 800 entries each; the rest 0 to 7 entries.
    const GatGraph longs = make_graph(2000, 3000, 0.15, [&](int64_t i, int64_t entries) {
      switch (i) {
        case 7:
          return 600;
        case 100:
          return 4000;
        case 101:
          return int((256 - (entries + 1) % 256) % 256);
        case 102:
          return 513;
        case 251:
          return 512;
        case 777:
          return 2500;
        case 1500:
          return 1300;
        default:
          return int(rng() % 8);
      }
    });
    // Segments of 256 entries for every shape here (fewer than 4M entries): target 102 starts on
    // a boundary, and hub 0's transposed row is long.
    const bool long_graph_ok = longs.rp[102] % 256 == 0 && longs.trp[1] - longs.trp[0] > 512;
    (long_graph_ok ? passed : failed)++;
    if (!long_graph_ok) std::printf("FAIL gat split: the long-row graph lacks its cases\n");
    const std::vector<std::pair<int64_t, int64_t>> split_shapes{{8, 8}, {4, 16}, {1, 32}, {8, 32}};
    for (const auto& [H, F] : split_shapes)
      for (double p : {0.0, 0.3})
        for (int shared = 0; shared < 2; ++shared) {
          const std::string label = "H=" + std::to_string(H) + " F=" + std::to_string(F) +
                                    " p=" + std::to_string(p) +
                                    " shared=" + std::to_string(shared) + "<" + tn + ">";
          const GatResults want = cpu_gat(longs, H, F, p, shared != 0);
          const GatResults got = run_gat(longs, H, F, p, shared != 0, true, false, want);
          check_cpu(label, got, want, shared != 0);
          // The seed read on the device: the same bits.
          const GatResults got_dev = run_gat(longs, H, F, p, shared != 0, true, true, want);
          for (int q = 0; q < 6; ++q) {
            expect_same(std::string("gat split dev ") + parts[q] + " " + label, got_dev[size_t(q)],
                        got[size_t(q)]);
          }
        }
    {
      // No row over 2 x 256 entries (rows of 0 to 99, hubs about 130): splitting changes nothing.
      const GatGraph short_rows = make_graph(1000, 1000, 0.1, [&](int64_t i, int64_t) {
        return i % 97 == 7 ? 33 + int(rng() % 67) : int(rng() % 7);
      });
      for (const auto& [H, F] : split_shapes)
        for (int shared = 0; shared < 2; ++shared) {
          const std::string label = "H=" + std::to_string(H) + " F=" + std::to_string(F) +
                                    " shared=" + std::to_string(shared) + "<" + tn + ">";
          const GatResults want = cpu_gat(short_rows, H, F, 0.3, shared != 0);
          const GatResults off = run_gat(short_rows, H, F, 0.3, shared != 0, false, false, want);
          const GatResults on = run_gat(short_rows, H, F, 0.3, shared != 0, true, false, want);
          for (int q = 0; q < 6; ++q) {
            expect_same(std::string("gat split on vs off, no long rows, ") + parts[q] + " " + label,
                        on[size_t(q)], off[size_t(q)]);
          }
        }
    }
    {
      // Over kMinSegment x 16384 entries: segments longer than the minimum (row_split.cuh: len =
      // ceil(nnz / slots), 16384 slots for each pass at 8 heads x 8 channels), rows of 700 to
      // 20000 entries split and the hubs' transposed rows (about 6000 entries) too.
      const GatGraph big = make_graph(100000, 100000, 0.004, [&](int64_t i, int64_t) {
        return i == 11 ? 700 : i == 5000 ? 3000 : i == 77777 ? 20000 : 44 + int(i % 5);
      });
      // The slots of the forward's launch (8 * 8 messages and 2 * 8 statistics a slot).
      const int64_t slots = c::detail::split_slots(8 * 8 + 2 * 8);
      const int64_t len = (int64_t(big.col.size()) + slots - 1) / slots;
      (len > c::detail::kMinSegment ? passed : failed)++;
      if (len <= c::detail::kMinSegment) {
        std::printf("FAIL gat split: segments of %lld entries\n", (long long)len);
      }
      const std::string label =
          "nnz=" + std::to_string(big.col.size()) + " len=" + std::to_string(len) + "<" + tn + ">";
      const GatResults want = cpu_gat(big, 8, 8, 0.3, true);
      check_cpu(label, run_gat(big, 8, 8, 0.3, true, true, false, want), want, true);
    }
  }
  {
    // The CSR read as a dense matrix's nonzeros [rows, rows]: dropout of its values, and of the
    // same values in transposed strides.
    auto V = rnd<T>(col.size());
    Dev<T> dv(V), dout(col.size());
    for (int transposed = 0; transposed < 2; ++transposed) {
      const int64_t sr = transposed ? 1 : rows, sc = transposed ? rows : 1;
      std::vector<T> want(col.size());
      h::csr_dropout<T>(rows, rowptr.data(), col.data(), sr, sc, 0.4, 99, V.data(), want.data());
      c::csr_dropout<T>(rows, drp.p, dcol.p, sr, sc, 0.4, 99, dv.p, dout.p);
      expect(name("csr_dropout"), dout.get(), want, tol);
      // The seed read on the device (a captured graph's per-step scalar): the same values.
      const uint64_t seed = 99;
      double bits = 0;
      std::memcpy(&bits, &seed, sizeof seed);
      Dev<double> dbits(std::vector<double>{bits});
      Dev<T> ddev(col.size());
      c::csr_dropout_dev<T>(rows, drp.p, dcol.p, sr, sc, 0.4, dbits.p, dv.p, ddev.p);
      expect(name("csr_dropout_dev"), ddev.get(), dout.get(), 0);
    }
    const int64_t tr = 77, tc = 131;
    auto X = rnd<T>(size_t(tr * tc));
    Dev<T> dx(X), dt(size_t(tr * tc));
    std::vector<T> want(size_t(tr * tc));
    h::transpose<T>(tr, tc, X.data(), want.data());
    c::transpose<T>(tr, tc, dx.p, dt.p);
    expect(name("transpose"), dt.get(), want, 0);
  }
  // elementwise family
  const int64_t n = 100003;
  auto x = rnd<T>(n), y = rnd<T>(n);
  Dev<T> dx(x), dy(y), dout(n);
  {
    std::vector<T> w(n);
    h::axpby<T>(n, T(2), x.data(), T(-3), y.data(), w.data());
    c::axpby<T>(n, T(2), dx.p, T(-3), dy.p, dout.p);
    expect(name("axpby"), dout.get(), w, 0);
  }
  {
    std::vector<T> w(n);
    h::axpby<T>(n, T(2), x.data(), T(0), nullptr, w.data());
    c::axpby<T>(n, T(2), dx.p, T(0), nullptr, dout.p);
    expect(name("axpby_null"), dout.get(), w, 0);
  }
  {
    std::vector<T> w(n);
    h::mul<T>(n, x.data(), y.data(), w.data());
    c::mul<T>(n, dx.p, dy.p, dout.p);
    expect(name("mul"), dout.get(), w, 0);
  }
  {
    std::vector<T> w(n);
    h::relu<T>(n, x.data(), w.data());
    c::relu<T>(n, dx.p, dout.p);
    expect(name("relu"), dout.get(), w, 0);
  }
  {
    std::vector<T> w(n);
    h::relu_backward<T>(n, x.data(), y.data(), w.data());
    c::relu_backward<T>(n, dx.p, dy.p, dout.p);
    expect(name("relu_backward"), dout.get(), w, 0);
  }
  {
    // One bit per element; n = 100003 leaves the last byte partial (its high bits must be 0).
    const size_t bytes = size_t((n + 7) / 8);
    std::vector<T> w(n);
    std::vector<uint8_t> m(bytes);
    h::relu_mask<T>(n, x.data(), w.data(), m.data());
    Dev<uint8_t> dm{bytes};
    c::relu_mask<T>(n, dx.p, dout.p, dm.p);
    expect(name("relu_mask"), dout.get(), w, 0);
    const bool same_bits = dm.get() == m;
    (same_bits ? passed : failed)++;
    if (!same_bits) std::printf("FAIL relu_mask bits\n");
    h::relu_backward_mask<T>(n, y.data(), m.data(), w.data());
    c::relu_backward_mask<T>(n, dy.p, dm.p, dout.p);
    expect(name("relu_backward_mask"), dout.get(), w, 0);
  }
  {
    std::vector<T> w(n);
    h::fill<T>(n, T(3.5), w.data());
    c::fill<T>(n, T(3.5), dout.p);
    expect(name("fill"), dout.get(), w, 0);
  }
  {
    const int64_t r = 1001, cl = 97;
    auto bias = rnd<T>(cl);
    Dev<T> dbias(bias);
    std::vector<T> w(r * cl);
    h::bias_add<T>(r, cl, x.data(), bias.data(), w.data());
    Dev<T> o(r * cl);
    c::bias_add<T>(r, cl, dx.p, dbias.p, o.p);
    expect(name("bias_add"), o.get(), w, 0);
  }
  {
    std::vector<int32_t> perm(n);
    for (auto& p : perm) p = int32_t(int64_t(rng() % (n + 100)) - 100);
    Dev<int32_t> dp(perm);
    std::vector<T> w(n);
    h::gather<T>(n, perm.data(), x.data(), w.data(), T(-7));
    c::gather<T>(n, dp.p, dx.p, dout.p, T(-7));
    expect(name("gather"), dout.get(), w, 0);
  }
  {
    std::vector<uint8_t> m(n), dm;
    std::vector<T> w(n);
    h::dropout<T>(n, 0.3, 1234, x.data(), w.data(), m.data());
    Dev<uint8_t> ddm{size_t(n)};
    c::dropout<T>(n, 0.3, 1234, dx.p, dout.p, ddm.p);
    expect(name("dropout"), dout.get(), w, 0);
    dm = ddm.get();
    (std::memcmp(dm.data(), m.data(), n) == 0 ? passed : failed)++;
    if (dm != m) std::printf("FAIL dropout mask\n");
    h::masked_scale<T>(n, y.data(), m.data(), T(1 / 0.7), w.data());
    c::masked_scale<T>(n, dy.p, ddm.p, T(1 / 0.7), dout.p);
    expect(name("masked_scale"), dout.get(), w, 0);
  }
  // reductions
  for (int64_t m : {int64_t(0), int64_t(1), int64_t(1000), int64_t(5000001)}) {
    auto v = rnd<T>(m);
    Dev<T> dv(v), s1(1), s2(1);
    T w;
    h::sum<T>(m, v.data(), &w);
    c::sum<T>(m, dv.p, s1.p);
    c::sum<T>(m, dv.p, s2.p);
    expect(name("sum"), s1.get(), std::vector<T>{w}, sizeof(T) == 4 ? 0 : 1e-13);
    expect(name("sum_repeat"), s1.get(), s2.get(), 0);
  }
  for (auto [r, cl] : {std::pair<int64_t, int64_t>{0, 5}, {1, 7}, {100000, 3}, {3000, 257}}) {
    auto v = rnd<T>(r * cl);
    Dev<T> dv(v), o(cl);
    std::vector<T> w(cl);
    h::sum_rows<T>(r, cl, v.data(), w.data());
    c::sum_rows<T>(r, cl, dv.p, o.p);
    expect(name("sum_rows"), o.get(), w, sizeof(T) == 4 ? 0 : 1e-13);
  }
  {
    auto v = x;
    v[5] = NAN;
    v[77] = INFINITY;
    v[n - 1] = -INFINITY;
    Dev<T> dv(v);
    Dev<int64_t> o(1);
    int64_t w;
    h::count_nonfinite<T>(n, v.data(), &w);
    c::count_nonfinite<T>(n, dv.p, o.p);
    expect(name("count_nonfinite"), o.get(), std::vector<int64_t>{w}, 0);
  }
  for (int64_t cl : {1, 5, 40, 1000}) {
    const int64_t r = 777;
    auto v = rnd<T>(r * cl, -3, 3);
    if (cl > 2) {
      v[2 * cl + 1] = NAN;
      v[3 * cl] = v[3 * cl + 1];
    }
    Dev<T> dv(v);
    Dev<int32_t> o(r);
    std::vector<int32_t> w(r);
    h::argmax_rows<T>(r, cl, v.data(), w.data());
    c::argmax_rows<T>(r, cl, dv.p, o.p);
    expect(name("argmax_rows"), o.get(), w, 0);
    std::vector<T> ls(r * cl), lb(r * cl);
    Dev<T> dls(r * cl), dlb(r * cl);
    auto g = rnd<T>(r * cl);
    Dev<T> dg(g);
    auto vv = rnd<T>(r * cl, -20, 20);
    Dev<T> dvv(vv);
    h::log_softmax<T>(r, cl, vv.data(), ls.data());
    c::log_softmax<T>(r, cl, dvv.p, dls.p);
    expect(name("log_softmax"), dls.get(), ls, tol);
    h::log_softmax_backward<T>(r, cl, g.data(), ls.data(), lb.data());
    c::log_softmax_backward<T>(r, cl, dg.p, dls.p, dlb.p);
    expect(name("log_softmax_backward"), dlb.get(), lb, tol);
    std::vector<int32_t> lab(r);
    std::vector<uint8_t> mk(r);
    for (int64_t i = 0; i < r; ++i) {
      mk[i] = rng() % 3 != 0;
      lab[i] = mk[i] ? int32_t(rng() % cl) : -1;
    }
    Dev<int32_t> dlab(lab);
    Dev<uint8_t> dmk(mk);
    Dev<T> dl(1), dd(r * cl);
    for (int usemask = 0; usemask < 2; ++usemask) {
      if (!usemask)
        for (auto& l : lab)
          if (l < 0) l = 0;
      Dev<int32_t> dlab2(lab);
      T wl;
      h::nll_loss<T>(r, cl, ls.data(), lab.data(), usemask ? mk.data() : nullptr, &wl);
      c::nll_loss<T>(r, cl, dls.p, dlab2.p, usemask ? dmk.p : nullptr, dl.p);
      expect(name("nll_loss"), dl.get(), std::vector<T>{wl}, tol);
      std::vector<T> wd(r * cl);
      h::nll_loss_backward<T>(r, cl, T(1.5), lab.data(), usemask ? mk.data() : nullptr, wd.data());
      c::nll_loss_backward<T>(r, cl, T(1.5), dlab2.p, usemask ? dmk.p : nullptr, dd.p);
      expect(name("nll_loss_backward"), dd.get(), wd, 0);
      Dev<T> dg1(std::vector<T>{T(1.5)});
      c::nll_loss_backward_dev<T>(r, cl, dg1.p, dlab2.p, usemask ? dmk.p : nullptr, dd.p);
      expect(name("nll_loss_backward_dev"), dd.get(), wd, 0);
    }
  }
  // layer norm, forward with and without the affine terms and backward: one chunk of rows (50)
  // and several (777) for the parameter gradients, ragged widths, a constant row (var 0)
  for (int64_t r : {int64_t(50), int64_t(777)})
    for (int64_t cl : {1, 7, 32, 100, 1000}) {
      auto v = rnd<T>(r * cl, -3, 3), w = rnd<T>(cl, 0.5, 1.5), b = rnd<T>(cl), g = rnd<T>(r * cl);
      for (int64_t k = 0; k < cl; ++k) v[5 * cl + k] = T(2.5);
      Dev<T> dv(v), dw(w), db(b), dg(g), dy(r * cl), ddx(r * cl), ddw(cl), ddb(cl);
      Dev<double> dm(r), drs(r);
      for (int affine = 0; affine < 2; ++affine) {
        std::vector<T> y(r * cl), dx(r * cl), gw(cl), gb(cl);
        std::vector<double> m(r), rs(r);
        h::layer_norm<T>(r, cl, v.data(), affine ? w.data() : nullptr, affine ? b.data() : nullptr,
                         1e-5, y.data(), m.data(), rs.data());
        c::layer_norm<T>(r, cl, dv.p, affine ? dw.p : nullptr, affine ? db.p : nullptr, 1e-5, dy.p,
                         dm.p, drs.p);
        expect(name("layer_norm"), dy.get(), y, tol);
        expect(name("layer_norm_mean"), dm.get(), m, 1e-12);
        expect(name("layer_norm_rstd"), drs.get(), rs, 1e-12);
        h::layer_norm_backward<T>(r, cl, v.data(), affine ? w.data() : nullptr, m.data(), rs.data(),
                                  g.data(), dx.data(), affine ? gw.data() : nullptr, gb.data());
        c::layer_norm_backward<T>(r, cl, dv.p, affine ? dw.p : nullptr, dm.p, drs.p, dg.p, ddx.p,
                                  affine ? ddw.p : nullptr, ddb.p);
        expect(name("layer_norm_backward_dx"), ddx.get(), dx, tol);
        expect(name("layer_norm_backward_dbias"), ddb.get(), gb, tol);
        if (affine) {
          expect(name("layer_norm_backward_dweight"), ddw.get(), gw, tol);
          // dweight alone (no dx, no dbias) gives the same bits
          Dev<T> only(cl);
          c::layer_norm_backward<T>(r, cl, dv.p, dw.p, dm.p, drs.p, dg.p, nullptr, only.p, nullptr);
          expect(name("layer_norm_backward_dweight_only"), only.get(), ddw.get(), 0);
        }
      }
    }
  // optimizers, 3 steps
  {
    auto p = x, g = y;
    std::vector<T> m(n), v(n);
    Dev<T> dp(p), dg(g), dm{size_t(n)}, dv{size_t(n)};
    for (int s = 1; s <= 3; ++s) {
      h::adam_step<T>(n, p.data(), g.data(), m.data(), v.data(), 1e-2, 0.9, 0.999, 1e-8, 1e-4, s);
      c::adam_step<T>(n, dp.p, dg.p, dm.p, dv.p, 1e-2, 0.9, 0.999, 1e-8, 1e-4, s);
    }
    expect(name("adam_param"), dp.get(), p, sizeof(T) == 4 ? 1e-6 : 1e-14);
    expect(name("adam_v"), dv.get(), v, sizeof(T) == 4 ? 1e-6 : 1e-14);
  }
  for (int nest = 0; nest < 2; ++nest) {
    auto p = x, g = y;
    std::vector<T> b(n);
    Dev<T> dp(p), dg(g), db{size_t(n)};
    for (int s = 0; s < 3; ++s) {
      h::sgd_step<T>(n, p.data(), g.data(), b.data(), 0.1, 0.9, nest ? 0 : 0.1, 1e-4, nest, s == 0);
      c::sgd_step<T>(n, dp.p, dg.p, db.p, 0.1, 0.9, nest ? 0 : 0.1, 1e-4, nest, s == 0);
    }
    expect(name("sgd"), dp.get(), p, sizeof(T) == 4 ? 1e-6 : 1e-14);
  }
  {
    std::vector<int32_t> iv(1000);
    for (auto& i : iv) i = int32_t(rng() % 100000) - 50000;
    Dev<int32_t> di(iv);
    Dev<T> o(1000);
    std::vector<T> w(1000);
    h::cast<int32_t, T>(1000, iv.data(), w.data());
    c::cast<int32_t, T>(1000, di.p, o.p);
    expect(name("cast_i32"), o.get(), w, 0);
  }
  // The device-scalar forms and the per-step-scalar kernels of a captured graph (kernel_list.inc).
  {
    const size_t n = 777;
    auto x = rnd<T>(n), y = rnd<T>(n);
    Dev<T> dx(x), dy(y), o(n);
    std::vector<T> w(n);
    Dev<T> ds(std::vector<T>{T(-0.37)});
    const T s0 = T(-0.37);
    h::fill_scaled<T>(int64_t(n), &s0, 0.25, w.data());
    c::fill_scaled<T>(int64_t(n), ds.p, 0.25, o.p);
    expect(name("fill_scaled"), o.get(), w, 0);
    h::scale_by_scalar<T>(int64_t(n), &s0, 0.3, x.data(), w.data());
    c::scale_by_scalar<T>(int64_t(n), ds.p, 0.3, dx.p, o.p);
    expect(name("scale_by_scalar"), o.get(), w, 0);
    for (double q : {2.5, 0.0}) {
      Dev<double> dq(std::vector<double>{q});
      h::normalize_by_norm<T>(int64_t(n), &q, x.data(), w.data());
      c::normalize_by_norm<T>(int64_t(n), dq.p, dx.p, o.p);
      expect(name("normalize_by_norm"), o.get(), w, 0);
    }
    for (double sig : {1.7, 1e-13}) {
      Dev<double> dsig(std::vector<double>{sig});
      h::scale_by_quotient<T>(int64_t(n), 0.9, &sig, x.data(), w.data());
      c::scale_by_quotient<T>(int64_t(n), 0.9, dsig.p, dx.p, o.p);
      expect(name("scale_by_quotient"), o.get(), w, 0);
      const double dot = 0.6;
      Dev<double> ddot(std::vector<double>{dot});
      h::spectral_backward_combine<T>(int64_t(n), 0.9, &sig, &dot, x.data(), y.data(), w.data());
      c::spectral_backward_combine<T>(int64_t(n), 0.9, dsig.p, ddot.p, dx.p, dy.p, o.p);
      expect(name("spectral_backward_combine"), o.get(), w, 0);
    }
    const uint64_t seed = 0x9e3779b97f4a7c15ull;
    double bits = 0;
    std::memcpy(&bits, &seed, sizeof seed);
    Dev<double> dbits(std::vector<double>{bits});
    std::vector<uint8_t> wm(n);
    Dev<uint8_t> dm(n);
    h::dropout<T>(int64_t(n), 0.3, seed, x.data(), w.data(), wm.data());
    c::dropout_dev<T>(int64_t(n), 0.3, dbits.p, dx.p, o.p, dm.p);
    expect(name("dropout_dev"), o.get(), w, 0);
    expect(name("dropout_dev mask"), dm.get(), wm, 0);
    // Adam and SGD with their per-step constants from device memory against the by-value forms.
    auto g = rnd<T>(n);
    Dev<T> dg(g);
    std::vector<T> p1 = x, m1(n, T(0.1)), v1(n, T(0.2));
    Dev<T> dp(p1), dmm(m1), dvv(v1);
    h::adam_step<T>(int64_t(n), p1.data(), g.data(), m1.data(), v1.data(), 0.01, 0.9, 0.999, 1e-8,
                    1e-4, 7);
    const fathom::AdamStepConstants k = fathom::adam_step_constants(0.01, 0.9, 0.999, 7);
    Dev<double> dk(std::vector<double>{k.step_size, k.bias_correction2_sqrt});
    c::adam_step_dev<T>(int64_t(n), dp.p, dg.p, dmm.p, dvv.p, 0.9, 0.999, 1e-8, 1e-4, dk.p);
    expect(name("adam_step_dev"), dp.get(), p1, sizeof(T) == 4 ? 1e-6 : 0);
    std::vector<T> p2 = x, b2(n, T(0.05));
    Dev<T> dp2(p2), db2(b2);
    h::sgd_step<T>(int64_t(n), p2.data(), g.data(), b2.data(), 0.03, 0.9, 0.0, 0.0, true, false);
    Dev<double> dlr(std::vector<double>{0.03});
    c::sgd_step_dev<T>(int64_t(n), dp2.p, dg.p, db2.p, dlr.p, 0.9, 0.0, 0.0, true, false);
    expect(name("sgd_step_dev"), dp2.get(), p2, sizeof(T) == 4 ? 1e-6 : 0);
  }
}
// Every kernel of core/kernel_list.inc: taking the address of its float and double CUDA instances
// makes this binary's link fail on one that no .cu file instantiates.
void check_kernel_list() {
  std::vector<fathom::test::KernelInstances> table;
#define FATHOM_KERNEL_TABLE_BACKEND fathom::cuda
#include "../kernel_table.inc"
#undef FATHOM_KERNEL_TABLE_BACKEND
  bool ok = !table.empty();
  for (const auto& k : table) ok = ok && k.f32 != nullptr && k.f64 != nullptr && k.f32 != k.f64;
  (ok ? passed : failed)++;
  if (!ok) std::printf("FAIL kernel list: %zu entries\n", table.size());
}
int main() {
  std::string why;
  if (!c::available(&why)) {
    std::printf("no GPU: %s\n0 passed, 0 failed, 1 skipped\n", why.c_str());
    return 0;
  }
  const c::CublasInfo blas = c::cublas_info();
  std::printf("GPU 0: %s, cuBLAS: %s\n", c::device_name(0).c_str(),
              blas.loaded ? (blas.version + " (" + blas.library + ")").c_str()
                          : ("not loaded: " + blas.reason).c_str());
  try {
    run_all<float>("f32");
    run_all<double>("f64");
    check_kernel_list();
    c::synchronize();
    // OOM must throw OutOfMemory and leave the runtime usable.
    try {
      c::allocate(size_t(1) << 50);
      failed++;
      std::printf("FAIL no OOM\n");
    } catch (const fathom::Error& e) {
      (e.kind() == fathom::ErrorKind::OutOfMemory ? passed : failed)++;
      std::printf("OOM: %s\n", e.what());
    }
    {
      Dev<float> after(std::vector<float>{1, 2, 3});
      (after.get()[2] == 3 ? passed : failed)++;
    }
    std::printf("cached %zu bytes\n", c::cached_bytes());
    c::empty_cache();
    (c::cached_bytes() == 0 ? passed : failed)++;
  } catch (const std::exception& e) {
    std::printf("FAIL exception: %s\n", e.what());
    failed++;
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
