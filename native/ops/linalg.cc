// Dense matrix products.
#include "dispatch.h"
#include "ops.h"

namespace fathom::ops {
using namespace detail;

Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b) {
  const char* op = "matmul";
  require_floating(op, "a", a);
  require_floating(op, "b", b);
  require_ndim(op, "a", a, 2);
  require_ndim(op, "b", b, 2);
  require_same_device(op, "a", a, "b", b);
  require_same_dtype(op, "a", a, "b", b);
  const int64_t M = trans_a ? a.dim(1) : a.dim(0);
  const int64_t K = trans_a ? a.dim(0) : a.dim(1);
  const int64_t Kb = trans_b ? b.dim(1) : b.dim(0);
  const int64_t N = trans_b ? b.dim(0) : b.dim(1);
  auto flag = [](bool t) { return t ? "true" : "false"; };
  FATHOM_CHECK(K == Kb, ErrorKind::Shape, op,
               std::string("inner dimensions differ: a is ") + brief(a) + " (transA=" +
                   flag(trans_a) + "), b is " + brief(b) + " (transB=" + flag(trans_b) + ")");
  // Zeroed, so K = 0 gives zeros and a kernel that reads C under beta = 0 reads no garbage.
  Tensor c = Tensor::zeros({M, N}, a.dtype(), a.device());
  if (M == 0 || N == 0 || K == 0) return c;
  with_float(op, "a", a, [&](auto tag) {
    using T = decltype(tag);
    FATHOM_LAUNCH(op, a.device(),
                  gemm<T>(trans_a, trans_b, M, N, K, T(1), ptr<T>(a), ptr<T>(b), T(0), ptr<T>(c)));
  });
  return c;
}

}  // namespace fathom::ops
