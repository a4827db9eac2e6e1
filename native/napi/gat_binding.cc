// N-API bindings of the GAT attention ops (ops/gat.h).
#include "convert.h"
#include "csr_handle.h"
#include "errors.h"
#include "feature_bindings.h"
#include "ops/gat.h"
#include "tensor_handle.h"

namespace fathom::napi {
namespace {

// Arguments shared by forward and backward: (version, ..., heads, slope, p, seed) at `at`.
ops::GatConfig config(const Napi::CallbackInfo& info, size_t at, const char* op) {
  ops::GatConfig c;
  c.version = static_cast<int>(number_arg(info, 0, op, "version"));
  c.heads = static_cast<int64_t>(integer_arg(info, at, op, "heads", 1));
  c.slope = number_arg(info, at + 1, op, "negativeSlope");
  c.p = number_arg(info, at + 2, op, "dropout");
  c.seed = static_cast<uint64_t>(integer_arg(info, at + 3, op, "seed", 0));
  return c;
}

Napi::Value wrap_optional(Napi::Env env, Tensor t) {
  return t.defined() ? TensorHandle::Wrap(env, std::move(t)) : env.Null();
}

Napi::Value GatAttention(const Napi::CallbackInfo& info) {
  const char* op = "gatAttention";
  const Csr& csr = CsrHandle::From(info, 1, op, "op");
  const Tensor& xs = TensorHandle::From(info, 2, op, "xs");
  const Tensor& xt = TensorHandle::From(info, 3, op, "xt");
  const Tensor& a_src = TensorHandle::From(info, 4, op, "aSrc");
  Tensor a_dst = TensorHandle::FromOptional(info, 5, op, "aDst");
  const ops::GatConfig cfg = config(info, 6, op);
  return guarded(info.Env(), [&]() -> Napi::Value {
    ops::GatResult r = ops::gat_attention(cfg, csr, xs, xt, a_src, a_dst);
    Napi::Array pair = Napi::Array::New(info.Env(), 2);
    pair.Set(0u, TensorHandle::Wrap(info.Env(), std::move(r.out)));
    pair.Set(1u, TensorHandle::Wrap(info.Env(), std::move(r.stats)));
    return pair;
  });
}

Napi::Value GatAttentionBackward(const Napi::CallbackInfo& info) {
  const char* op = "gatAttentionBackward";
  const Csr& csr = CsrHandle::From(info, 1, op, "op");
  const Csr& csr_t = CsrHandle::From(info, 2, op, "opT");
  const Tensor& xs = TensorHandle::From(info, 3, op, "xs");
  const Tensor& xt = TensorHandle::From(info, 4, op, "xt");
  const Tensor& a_src = TensorHandle::From(info, 5, op, "aSrc");
  Tensor a_dst = TensorHandle::FromOptional(info, 6, op, "aDst");
  const ops::GatConfig cfg = config(info, 7, op);
  const Tensor& out = TensorHandle::From(info, 11, op, "out");
  const Tensor& stats = TensorHandle::From(info, 12, op, "stats");
  const Tensor& grad = TensorHandle::From(info, 13, op, "grad");
  const bool shared = bool_arg(info, 14, op, "sharedInput");
  return guarded(info.Env(), [&]() -> Napi::Value {
    ops::GatGrads g = ops::gat_attention_backward(cfg, csr, csr_t, xs, xt, a_src, a_dst, out, stats,
                                                  grad, shared);
    Napi::Array res = Napi::Array::New(info.Env(), 4);
    res.Set(0u, TensorHandle::Wrap(info.Env(), std::move(g.dxs)));
    res.Set(1u, wrap_optional(info.Env(), std::move(g.dxt)));
    res.Set(2u, TensorHandle::Wrap(info.Env(), std::move(g.da_src)));
    res.Set(3u, wrap_optional(info.Env(), std::move(g.da_dst)));
    return res;
  });
}

}  // namespace

void register_gat_ops(Napi::Env env, Napi::Object exports) {
  export_op(env, exports, "gatAttention", GatAttention);
  export_op(env, exports, "gatAttentionBackward", GatAttentionBackward);
}

}  // namespace fathom::napi
