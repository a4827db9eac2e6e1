// GAT attention: argument checks, output allocation and dispatch (docs/methods.md §2.2).
#include "gat.h"

#include <cmath>

#include "dispatch.h"

namespace fathom::ops {
using namespace detail;

namespace {

// The CSR by target: Nt rows (targets) by Ns columns (sources, the rows of xs), with edge ids.
void require_neighbourhood(const char* op, const char* name, const Csr& csr, const Tensor& xs) {
  require_csr(op, name, csr);
  FATHOM_CHECK(
      csr.perm.defined() && csr.perm.dtype() == DType::I32 && csr.perm.numel() == csr.nnz(),
      ErrorKind::Type, op,
      arg(name) + " has no i32 perm of nnz entries (build it with csr_operator)");
  require_csr_device(op, csr, "xs", xs);
  FATHOM_CHECK(xs.dim(0) == csr.cols, ErrorKind::Shape, op,
               arg("xs") + " is " + brief(xs) + " but " + arg(name) + " is " + csr_brief(csr) +
                   "; xs needs one row per source (" + std::to_string(csr.cols) +
                   "), a column of " + name);
}

// xt: the target rows (Nt = rows of op), or every source row when the targets are the first
// sources (a sampled block whose layer shares one projection).
void require_targets(const char* op, const Csr& csr, const Tensor& xs, const Tensor& xt) {
  require_defined(op, "xt", xt);
  require_same_device(op, "xs", xs, "xt", xt);
  require_same_dtype(op, "xs", xs, "xt", xt);
  const int64_t Nt = csr.rows, Ns = csr.cols;
  const bool rows_ok = xt.ndim() == 2 && (xt.dim(0) == Nt || (Nt <= Ns && xt.dim(0) == Ns));
  FATHOM_CHECK(rows_ok && xt.dim(1) == xs.dim(1), ErrorKind::Shape, op,
               arg("xt") + " is " + brief(xt) + " but op is " + csr_brief(csr) + " and xs " +
                   brief(xs) + "; xt needs one row per target, a row of op (" + std::to_string(Nt) +
                   "), or one per source (" + std::to_string(Ns) +
                   ", the targets first), and xs's width");
}

void require_attention_vector(const char* op, const char* name, const Tensor& a, const Tensor& xs) {
  require_defined(op, name, a);
  require_same_device(op, "xs", xs, name, a);
  require_same_dtype(op, "xs", xs, name, a);
  FATHOM_CHECK(a.ndim() == 1 && a.dim(0) == xs.dim(1), ErrorKind::Shape, op,
               arg(name) + " is " + brief(a) + " but xs is " + brief(xs) + "; it must be [" +
                   std::to_string(xs.dim(1)) + "] (heads × channels)");
}

// The checks shared by forward and backward; returns F (channels per head).
int64_t check_common(const char* op, const GatConfig& cfg, const Csr& csr, const Tensor& xs,
                     const Tensor& xt, const Tensor& a_src, const Tensor& a_dst) {
  FATHOM_CHECK(cfg.version == 1 || cfg.version == 2, ErrorKind::Range, op,
               "argument version must be 1 or 2, got " + std::to_string(cfg.version));
  require_floating(op, "xs", xs);
  require_ndim(op, "xs", xs, 2);
  FATHOM_CHECK(cfg.heads >= 1 && xs.dim(1) % cfg.heads == 0, ErrorKind::Range, op,
               "argument heads = " + std::to_string(cfg.heads) + " must be >= 1 and divide the " +
                   "width of xs " + brief(xs));
  require_finite(op, "negativeSlope", cfg.slope);
  // The one op-level check of the attention-dropout probability.
  require_drop_probability(op, "dropout", cfg.p);
  require_neighbourhood(op, "op", csr, xs);
  require_targets(op, csr, xs, xt);
  require_attention_vector(op, "aSrc", a_src, xs);
  if (cfg.version == 1) {
    require_attention_vector(op, "aDst", a_dst, xs);
  } else {
    FATHOM_CHECK(
        !a_dst.defined(), ErrorKind::Range, op,
        "argument aDst must be null for GATv2 (one attention vector a), got " + brief(a_dst));
  }
  return xs.dim(1) / cfg.heads;
}

}  // namespace

GatResult gat_attention(const GatConfig& cfg, const Csr& csr, const Tensor& xs, const Tensor& xt,
                        const Tensor& a_src, const Tensor& a_dst) {
  const char* op = "gatAttention";
  const int64_t F = check_common(op, cfg, csr, xs, xt, a_src, a_dst);
  const int64_t Nt = csr.rows, Ns = csr.cols, H = cfg.heads;
  GatResult r{Tensor::zeros({Nt, H * F}, xs.dtype(), xs.device()),
              Tensor::zeros({2, Nt, H}, xs.dtype(), xs.device())};
  if (Nt == 0 || F == 0) return r;
  with_float(op, "xs", xs, [&](auto tag) {
    using T = decltype(tag);
    // The forward reads the per-node scores only: (Ns + Nt) * H of gat_scratch_size.
    Tensor scratch = Tensor::empty({(Ns + Nt) * H}, xs.dtype(), xs.device());
    const T* ad = cfg.version == 1 ? ptr<T>(a_dst) : nullptr;
    if (cfg.seed_dev != nullptr) {
      FATHOM_LAUNCH(
          op, xs.device(),
          gat_forward_dev<T>(cfg.version, Nt, Ns, H, F, ptr<int32_t>(csr.rowptr),
                             ptr<int32_t>(csr.col), ptr<int32_t>(csr.perm), ptr<T>(xs), ptr<T>(xt),
                             ptr<T>(a_src), ad, T(cfg.slope), cfg.p, cfg.seed_dev, ptr<T>(r.out),
                             ptr<T>(r.stats), ptr<T>(scratch)));
    } else {
      FATHOM_LAUNCH(op, xs.device(),
                    gat_forward<T>(cfg.version, Nt, Ns, H, F, ptr<int32_t>(csr.rowptr),
                                   ptr<int32_t>(csr.col), ptr<int32_t>(csr.perm), ptr<T>(xs),
                                   ptr<T>(xt), ptr<T>(a_src), ad, T(cfg.slope), cfg.p, cfg.seed,
                                   ptr<T>(r.out), ptr<T>(r.stats), ptr<T>(scratch)));
    }
  });
  return r;
}

GatGrads gat_attention_backward(const GatConfig& cfg, const Csr& csr, const Csr& csr_t,
                                const Tensor& xs, const Tensor& xt, const Tensor& a_src,
                                const Tensor& a_dst, const Tensor& out, const Tensor& stats,
                                const Tensor& grad, bool shared_input) {
  const char* op = "gatAttentionBackward";
  const int64_t F = check_common(op, cfg, csr, xs, xt, a_src, a_dst);
  require_csr(op, "opT", csr_t);
  FATHOM_CHECK(csr_t.rows == csr.cols && csr_t.cols == csr.rows && csr_t.nnz() == csr.nnz(),
               ErrorKind::Shape, op,
               arg("opT") + " is " + csr_brief(csr_t) + " but op is " + csr_brief(csr) +
                   "; pass the transpose of op");
  FATHOM_CHECK(
      csr_t.perm.defined() && csr_t.perm.dtype() == DType::I32 && csr_t.perm.numel() == csr.nnz(),
      ErrorKind::Type, op, arg("opT") + " has no i32 perm of nnz entries (csr_transpose of op)");
  require_csr_device(op, csr_t, "xs", xs);
  const int64_t Nt = csr.rows, Ns = csr.cols, H = cfg.heads;
  const Shape rows_shape{Nt, H * F};
  for (const auto& [name, t] :
       {std::pair<const char*, const Tensor*>{"out", &out}, {"grad", &grad}}) {
    require_defined(op, name, *t);
    require_same_device(op, "xs", xs, name, *t);
    require_same_dtype(op, "xs", xs, name, *t);
    FATHOM_CHECK(t->shape() == rows_shape, ErrorKind::Shape, op,
                 arg(name) + " is " + brief(*t) + " but op is " + csr_brief(csr) +
                     "; it must be [" + std::to_string(Nt) + ", " + std::to_string(H * F) +
                     "], one row per target");
  }
  require_defined(op, "stats", stats);
  require_same_device(op, "xs", xs, "stats", stats);
  require_same_dtype(op, "xs", xs, "stats", stats);
  FATHOM_CHECK(stats.shape() == Shape({2, Nt, H}), ErrorKind::Shape, op,
               arg("stats") + " is " + brief(stats) + " but must be [2, " + std::to_string(Nt) +
                   ", " + std::to_string(H) + "]");
  // One tensor as xs and xt (GATv1, shared GATv2 weights): the kernel sums both gradients in
  // one buffer, returned as dxs with dxt undefined, instead of two the caller adds.
  const bool shared = shared_input;
  FATHOM_CHECK(
      !shared || xs.raw() == xt.raw(), ErrorKind::Range, op,
      "sharedInput is true but " + arg("xs") + " and " + arg("xt") + " are different tensors");
  // dxt is xt's shape: rows past the targets (xt holding every source) stay zero.
  GatGrads g{Tensor::zeros(xs.shape(), xs.dtype(), xs.device()),
             shared ? Tensor() : Tensor::zeros(xt.shape(), xs.dtype(), xs.device()),
             Tensor::zeros({H * F}, xs.dtype(), xs.device()), Tensor()};
  if (cfg.version == 1) g.da_dst = Tensor::zeros({H * F}, xs.dtype(), xs.device());
  if (Nt == 0 || F == 0) return g;  // no target: every gradient is zero
  with_float(op, "xs", xs, [&](auto tag) {
    using T = decltype(tag);
    const int64_t scratch_size = xs.device() == Device::CPU
                                     ? cpu::gat_cpu_scratch_size(Nt, Ns, H, F)
                                     : cpu::gat_scratch_size(Nt, Ns, H, F);
    Tensor scratch = Tensor::empty({scratch_size}, xs.dtype(), xs.device());
    const bool v1 = cfg.version == 1;
    const T* ad = v1 ? ptr<T>(a_dst) : nullptr;
    T* dxt = ptr<T>(shared ? g.dxs : g.dxt);
    T* dad = v1 ? ptr<T>(g.da_dst) : nullptr;
    if (cfg.seed_dev != nullptr) {
      FATHOM_LAUNCH(op, xs.device(),
                    gat_backward_dev<T>(
                        cfg.version, Nt, Ns, H, F, ptr<int32_t>(csr.rowptr), ptr<int32_t>(csr.col),
                        ptr<int32_t>(csr.perm), ptr<int32_t>(csr_t.rowptr), ptr<int32_t>(csr_t.col),
                        ptr<int32_t>(csr_t.perm), ptr<T>(xs), ptr<T>(xt), ptr<T>(a_src), ad,
                        T(cfg.slope), cfg.p, cfg.seed_dev, ptr<T>(out), ptr<T>(stats), ptr<T>(grad),
                        ptr<T>(g.dxs), dxt, ptr<T>(g.da_src), dad, ptr<T>(scratch)));
    } else {
      FATHOM_LAUNCH(op, xs.device(),
                    gat_backward<T>(
                        cfg.version, Nt, Ns, H, F, ptr<int32_t>(csr.rowptr), ptr<int32_t>(csr.col),
                        ptr<int32_t>(csr.perm), ptr<int32_t>(csr_t.rowptr), ptr<int32_t>(csr_t.col),
                        ptr<int32_t>(csr_t.perm), ptr<T>(xs), ptr<T>(xt), ptr<T>(a_src), ad,
                        T(cfg.slope), cfg.p, cfg.seed, ptr<T>(out), ptr<T>(stats), ptr<T>(grad),
                        ptr<T>(g.dxs), dxt, ptr<T>(g.da_src), dad, ptr<T>(scratch)));
    }
  });
  return g;
}

}  // namespace fathom::ops
