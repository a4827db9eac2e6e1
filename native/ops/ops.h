// The tensor-level op set: validation (dtypes, shapes, devices, index ranges), output
// allocation and dispatch to the CPU or CUDA kernels. Everything the N-API layer calls.
// Every error names the op, the argument and the shapes (core/error.h).
#pragma once
#include <cstdint>
#include <utility>

#include "../core/tensor.h"
#include "../graph/csr.h"

namespace fathom::ops {

// op(a) @ op(b); 2-D float tensors of one dtype on one device.
Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b);

// alpha * A X + self_scale * X where A is `csr` (its own values, or `edge_values` [nnz] when
// defined, which must then have X's dtype). X: [csr.cols, F]. Result [csr.rows, F]. `op` names
// the caller in error messages (propagate, propagateWeighted, matmul): several JS ops are SpMMs.
Tensor spmm(const Csr& csr, const Tensor& edge_values, const Tensor& x, double alpha,
            double self_scale, const char* op = "spmm");
// spmm whose self term is self_base + s for a one-element float tensor s (GIN's 1 + eps), read by
// the op. The device form (scalar_on_device) needs a square operator whatever s holds and leaves
// a non-finite self term to show in the result; the host form rejects it (RANGE).
Tensor spmm_self_tensor(const Csr& csr, const Tensor& x, double alpha, double self_base,
                        const Tensor& s, const char* op);

// The GCN layer in one pass: act(alpha * A X + self_scale * X + bias) with A = `csr` (its own
// values), bias [F] optional (undefined: none), act = ReLU when `relu`, else the identity.
// Equals spmm, bias_add and relu composed, to the bit.
Tensor propagate_bias_act(const Csr& csr, const Tensor& x, const Tensor& bias, double alpha,
                          double self_scale, bool relu);

struct PropagateBiasActGrads {
  Tensor dx, dbias;  // undefined where not asked for
};

// Backward of propagate_bias_act from the upstream grad and the forward output y alone:
// g' = relu ? grad * [y > 0] : grad, dbias = column sums of g', dx = alpha Aᵀ g' + self_scale g'
// with csr_t = Aᵀ (the operator's transposed CSR).
PropagateBiasActGrads propagate_bias_act_backward(const Csr& csr_t, const Tensor& grad,
                                                  const Tensor& y, double alpha, double self_scale,
                                                  bool relu, bool want_x, bool want_bias);

// Dense dropout restricted to the stored entries of `csr`, a dense matrix's nonzeros
// (csr_from_dense), or of its transpose when `transposed`: the values dense dropout of the matrix
// at the same seed gives at those positions. Returns new values [nnz] in the CSR's dtype.
// seed_dev: the seed's bytes on the device (a captured CUDA graph's per-step scalar) or null.
Tensor csr_dropout(const Csr& csr, double p, uint64_t seed, bool transposed,
                   const double* seed_dev = nullptr);

// xᵀ for a 2-D tensor, contiguous.
Tensor transpose(const Tensor& x);

// Per stored entry k: dot(a[row_k], b[col_k]). a: [rows, F], b: [cols, F]. Result [nnz].
Tensor sddmm(const Csr& csr, const Tensor& a, const Tensor& b);

// out = alpha * x + beta * y (same shape, dtype, device).
Tensor axpby(double alpha, const Tensor& x, double beta, const Tensor& y);
Tensor add(const Tensor& x, const Tensor& y);
Tensor sub(const Tensor& x, const Tensor& y);
Tensor scale(const Tensor& x, double alpha);
Tensor mul(const Tensor& x, const Tensor& y);
// In place: x += alpha * y (gradient accumulation).
void add_(Tensor& x, const Tensor& y, double alpha);

// x [R, C] + bias [C]
Tensor bias_add(const Tensor& x, const Tensor& bias);
// Column sums of [R, C] -> [C].
Tensor sum_rows(const Tensor& x);

Tensor relu(const Tensor& x);
Tensor relu_backward(const Tensor& grad, const Tensor& y);
// relu with its backward mask packed as bits: returns (out, mask u8 [(numel + 7) / 8]), bit
// (i % 8) of byte i / 8 set where x[i] > 0. The mask is 1/32 (f32) or 1/64 (f64) of the output,
// so a caller that does not otherwise keep the output can free it and keep only the bits.
std::pair<Tensor, Tensor> relu_mask(const Tensor& x);
// grad where the mask bit is set, else 0; mask must have (grad.numel + 7) / 8 bytes.
Tensor relu_backward_mask(const Tensor& grad, const Tensor& mask);

// p in [0, 1). Returns (out, mask u8 same shape).
// seed_dev (a compiled step's CUDA graph): the seed's bytes in device memory, read by the kernel
// in place of `seed`, which then only passes validation.
std::pair<Tensor, Tensor> dropout(const Tensor& x, double p, uint64_t seed,
                                  const double* seed_dev = nullptr);
Tensor dropout_backward(const Tensor& grad, const Tensor& mask, double p);

// Row-wise over a 2-D tensor.
Tensor log_softmax(const Tensor& x);
Tensor log_softmax_backward(const Tensor& grad, const Tensor& y);

// Mean negative log-likelihood over masked rows. logp [R, C]; labels i32 [R] in [0, C) for
// masked rows (validated); mask u8 [R] or undefined. Returns a 0-d tensor.
Tensor nll_loss(const Tensor& logp, const Tensor& labels, const Tensor& mask);
// grad: the upstream scalar gradient.
Tensor nll_loss_backward(double grad, const Tensor& logp, const Tensor& labels, const Tensor& mask);
// The same with the upstream gradient as a one-element float tensor, read by the op: the caller
// never reads it on the host, so a compiled step holds no host read.
Tensor nll_loss_backward(const Tensor& grad, const Tensor& logp, const Tensor& labels,
                         const Tensor& mask);

// 0-d results.
Tensor sum(const Tensor& x);
Tensor mean(const Tensor& x);

// Whether an op whose scalar is the one-element tensor `s` (nllLossBackward's gradient,
// expandScalar, scaleBy, spmmSelfTensor, the spectral ops' sigma and norms) reads it on the device
// instead of copying it to the host: always for CUDA tensors, so a CUDA step never waits inside
// an op (and can be captured as a CUDA graph); for CPU tensors only while force_device_scalars is
// on, which the native tests use to check the device forms against the host forms bit for bit.
bool scalar_on_device(const Tensor& s);
void force_device_scalars(bool on);

// The value of a one-element float tensor `s` (argument `arg` of `op`), read by the op so that
// the caller never reads it on the host (a compiled step holds no host read).
double scalar_value(const Tensor& s, const char* op, const char* arg);
// A tensor of `shape` filled with factor·s (the gradient of sum and mean), s's dtype and device.
Tensor expand_scalar(const Tensor& s, const Shape& shape, double factor);
// factor·s·x for a one-element float tensor s (scaleByScalar).
Tensor scale_by(const Tensor& x, const Tensor& s, double factor);

Tensor argmax_rows(const Tensor& x);  // i32 [R]
Tensor fill(const Shape& shape, DType dtype, Device device, double value);
Tensor cast(const Tensor& x, DType dtype);
int64_t count_nonfinite(const Tensor& x);

struct AdamOptions {
  double lr, beta1, beta2, eps, weight_decay;
  int64_t step;  // 1-based, after increment
};
// consts_dev (a compiled step's CUDA graph): adam_step_constants of the step in device memory,
// read by the kernel in place of those of o.lr and o.step (which are still validated).
void adam_step(Tensor& param, const Tensor& grad, Tensor& m, Tensor& v, const AdamOptions& o,
               const double* consts_dev = nullptr);

struct SgdOptions {
  double lr, momentum, dampening, weight_decay;
  bool nesterov, first;
};
// lr_dev (a compiled step's CUDA graph): the step's learning rate in device memory.
void sgd_step(Tensor& param, const Tensor& grad, Tensor& buf, const SgdOptions& o,
              const double* lr_dev = nullptr);

}  // namespace fathom::ops
