// Internal to native/ops: the dtype switch, the device switch and the argument checks every op
// shares. Checks throw before any allocation or launch, so a kernel never sees a bad argument,
// and each message names the op, the argument and what was found, e.g.
//   "add: argument y is f32[3] on cuda but x is f32[3] on cpu; both must be on one device".
// The op names are the JS API's (biasAdd, nllLoss): these messages are what a user reads.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "../core/error.h"
#include "../core/tensor.h"
#include "../cpu/kernels.h"
#include "../graph/csr.h"
#ifdef FATHOM_WITH_CUDA
#include "../cuda/kernels.h"
#endif

namespace fathom::ops::detail {

// "f32[3, 4]": the device is left out where it is not what the message is about.
inline std::string brief(const Tensor& t) { return dtype_name(t.dtype()) + shape_str(t.shape()); }

// Shortest text that reads back as v ("0.1", "1e+10"), unlike std::to_string's "%f".
inline std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  if (std::strtod(buf, nullptr) != v) std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

inline std::string arg(const char* name) { return std::string("argument ") + name; }

// "csr[2708 x 2708, nnz 13264]"
inline std::string csr_brief(const Csr& csr) {
  return "csr[" + std::to_string(csr.rows) + " x " + std::to_string(csr.cols) + ", nnz " +
         std::to_string(csr.nnz()) + "]";
}

[[noreturn]] inline void no_cuda(const char* op) {
  fail(ErrorKind::Device, op,
       "a tensor is on cuda but this build of Fathom has no CUDA backend (built without a CUDA "
       "compiler or with FATHOM_CUDA=OFF)");
}

// Calls f(T{}) with T = float or double after t's dtype; anything else is a Type error.
template <typename F>
decltype(auto) with_float(const char* op, const char* name, const Tensor& t, F&& f) {
  switch (t.dtype()) {
    case DType::F32:
      return f(float{});
    case DType::F64:
      return f(double{});
    default:
      break;
  }
  fail(ErrorKind::Type, op, arg(name) + " must be f32 or f64, got " + brief(t));
}

inline void require_defined(const char* op, const char* name, const Tensor& t) {
  FATHOM_CHECK(t.defined(), ErrorKind::Type, op, arg(name) + " is an undefined tensor");
}

inline void require_floating(const char* op, const char* name, const Tensor& t) {
  require_defined(op, name, t);
  FATHOM_CHECK(is_floating(t.dtype()), ErrorKind::Type, op,
               arg(name) + " must be f32 or f64, got " + brief(t));
}

inline void require_dtype(const char* op, const char* name, const Tensor& t, DType want) {
  require_defined(op, name, t);
  FATHOM_CHECK(t.dtype() == want, ErrorKind::Type, op,
               arg(name) + " must be " + dtype_name(want) + ", got " + brief(t));
}

inline void require_ndim(const char* op, const char* name, const Tensor& t, int ndim) {
  FATHOM_CHECK(t.ndim() == ndim, ErrorKind::Shape, op,
               arg(name) + " must be " + std::to_string(ndim) + "-D, got " + brief(t));
}

// `name` is checked against the reference argument `ref_name`.
inline void require_same_dtype(const char* op, const char* ref_name, const Tensor& ref,
                               const char* name, const Tensor& t) {
  FATHOM_CHECK(t.dtype() == ref.dtype(), ErrorKind::Type, op,
               arg(name) + " is " + brief(t) + " but " + ref_name + " is " + brief(ref) +
                   "; both must have one dtype");
}

inline void require_same_device(const char* op, const char* ref_name, const Tensor& ref,
                                const char* name, const Tensor& t) {
  FATHOM_CHECK(t.device() == ref.device(), ErrorKind::Device, op,
               arg(name) + " is " + t.describe() + " but " + ref_name + " is " + ref.describe() +
                   "; both must be on one device");
}

// A dense operand against the device of a CSR operator's arrays.
inline void require_csr_device(const char* op, const Csr& csr, const char* name, const Tensor& t) {
  FATHOM_CHECK(csr.device() == t.device(), ErrorKind::Device, op,
               arg(name) + " is " + t.describe() + " but the operator " + csr_brief(csr) +
                   " is on " + device_name(csr.device()) + "; both must be on one device");
}

// A finite scalar argument (a coefficient, a slope): NaN and infinities fail.
inline void require_finite(const char* op, const char* name, double v) {
  FATHOM_CHECK(std::isfinite(v), ErrorKind::Range, op,
               arg(name) + " = " + num(v) + " must be finite");
}

// A probability of dropping, in [0, 1): p = 1 would divide by zero in the 1/(1-p) rescale, and
// NaN fails both comparisons.
inline void require_drop_probability(const char* op, const char* name, double p) {
  FATHOM_CHECK(p >= 0.0 && p < 1.0, ErrorKind::Range, op,
               arg(name) + " = " + num(p) + " must be in [0, 1)");
}

inline void require_same_shape(const char* op, const char* ref_name, const Tensor& ref,
                               const char* name, const Tensor& t) {
  FATHOM_CHECK(t.shape() == ref.shape(), ErrorKind::Shape, op,
               arg(name) + " is " + brief(t) + " but " + ref_name + " is " + brief(ref) +
                   "; the shapes must be equal");
}

// A floating tensor with ref's dtype, device and shape (the operands of elementwise ops).
inline void require_like(const char* op, const char* ref_name, const Tensor& ref, const char* name,
                         const Tensor& t) {
  require_defined(op, name, t);
  require_same_device(op, ref_name, ref, name, t);
  require_same_dtype(op, ref_name, ref, name, t);
  require_same_shape(op, ref_name, ref, name, t);
}

// The arrays of a CSR live on one device and are i32; values and sizes are checked per op.
inline void require_csr(const char* op, const char* name, const Csr& csr) {
  FATHOM_CHECK(csr.rowptr.defined() && csr.col.defined(), ErrorKind::Type, op,
               arg(name) + " is an empty CSR (no rowptr / col arrays)");
  FATHOM_CHECK(csr.rowptr.dtype() == DType::I32 && csr.col.dtype() == DType::I32, ErrorKind::Type,
               op,
               arg(name) + " must have i32 rowptr and col, got rowptr " + brief(csr.rowptr) +
                   ", col " + brief(csr.col));
  FATHOM_CHECK(csr.rowptr.ndim() == 1 && csr.rowptr.numel() == csr.rows + 1, ErrorKind::Shape, op,
               arg(name) + " has rowptr " + brief(csr.rowptr) + " for " + std::to_string(csr.rows) +
                   " rows (expected " + std::to_string(csr.rows + 1) + " entries)");
  FATHOM_CHECK(csr.col.device() == csr.rowptr.device(), ErrorKind::Device, op,
               arg(name) + " has col on " + device_name(csr.col.device()) + " but rowptr on " +
                   device_name(csr.rowptr.device()));
}

template <typename T>
T* ptr(const Tensor& t) {
  return static_cast<T*>(t.raw());
}

}  // namespace fathom::ops::detail

// Runs a kernel call on the backend of `device`: FATHOM_LAUNCH(op, dev, gemm<T>(...)) calls
// fathom::cpu::gemm<T>(...) or fathom::cuda::gemm<T>(...). A macro rather than a function
// because the two backends are namespaces, not types. Without the CUDA backend a cuda tensor
// cannot exist, but the switch still answers with a Device error rather than a silent CPU call.
#ifdef FATHOM_WITH_CUDA
#define FATHOM_LAUNCH(op, device, ...)        \
  do {                                        \
    if ((device) == ::fathom::Device::CUDA) { \
      ::fathom::cuda::__VA_ARGS__;            \
    } else {                                  \
      ::fathom::cpu::__VA_ARGS__;             \
    }                                         \
  } while (0)
#else
#define FATHOM_LAUNCH(op, device, ...)        \
  do {                                        \
    if ((device) == ::fathom::Device::CUDA) { \
      ::fathom::ops::detail::no_cuda(op);     \
    }                                         \
    ::fathom::cpu::__VA_ARGS__;               \
  } while (0)
#endif
