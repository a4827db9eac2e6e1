// N-API entry points of data-parallel training over MPI (native/mpi/mpi_runtime.h): whether MPI
// loads, init, and the in-place collectives on tensors. CUDA tensors go through a host copy.
#include <cmath>
#include <string>
#include <vector>

#include "convert.h"
#include "errors.h"
#include "feature_bindings.h"
#include "mpi/mpi_runtime.h"
#include "tensor_handle.h"

namespace fathom::napi {
namespace {

using dist::MpiRuntime;

// { available, library, reason }: loads libmpi on the first call, never initializes MPI.
Napi::Value MpiInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MpiRuntime& mpi = MpiRuntime::instance();
  Napi::Object out = Napi::Object::New(env);
  out.Set("available", mpi.load());
  out.Set("library", mpi.library());
  if (!mpi.loaded()) out.Set("reason", mpi.reason());
  return out;
}

Napi::Value DistInit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    MpiRuntime& mpi = MpiRuntime::instance();
    mpi.init();
    Napi::Object out = Napi::Object::New(env);
    out.Set("rank", mpi.rank());
    out.Set("size", mpi.size());
    return out;
  });
}

// The tensors of one dtype, packed into one host buffer (times `scale`), summed over the ranks in
// one collective (divided by the world size for a mean) and copied back.
template <typename T>
void reduce_packed(std::vector<Tensor*>& tensors, bool mean, double scale, const char* op) {
  int64_t total = 0;
  for (Tensor* t : tensors) total += t->numel();
  if (total == 0) return;
  std::vector<T> buf(static_cast<size_t>(total));
  int64_t at = 0;
  for (Tensor* t : tensors) {
    t->copy_to_host(buf.data() + at);
    at += t->numel();
  }
  if (scale != 1.0)
    for (T& v : buf) v = static_cast<T>(v * scale);
  MpiRuntime& mpi = MpiRuntime::instance();
  mpi.all_reduce_sum(buf.data(), total, dtype_of<T>::value, op);
  if (mean) {
    const T n = static_cast<T>(mpi.size());
    for (T& v : buf) v /= n;
  }
  at = 0;
  for (Tensor* t : tensors) {
    t->copy_from(Tensor::from_host(buf.data() + at, t->shape(), t->dtype()));
    at += t->numel();
  }
}

// distAllReduce(mean, scale, ...tensors): in place; f32 and f64 tensors (each dtype packed apart).
Napi::Value DistAllReduce(const Napi::CallbackInfo& info) {
  const char* op = "allReduce";
  const bool mean = bool_arg(info, 0, op, "mean");
  const double scale = number_arg(info, 1, op, "scale");
  std::vector<Tensor*> f32, f64;
  for (size_t i = 2; i < info.Length(); ++i) {
    Tensor& t = TensorHandle::FromMutable(info, i, op, "tensor");
    if (t.dtype() == DType::F32) {
      f32.push_back(&t);
    } else if (t.dtype() == DType::F64) {
      f64.push_back(&t);
    } else {
      throw_fathom_error(
          info.Env(), std::string(op) + ": tensor must be f32 or f64, got " + t.describe(), "TYPE");
    }
  }
  return guarded(info.Env(), [&]() -> Napi::Value {
    reduce_packed<float>(f32, mean, scale, op);
    reduce_packed<double>(f64, mean, scale, op);
    return info.Env().Undefined();
  });
}

// distBroadcast(tensor, root): rank root's values into every rank's tensor, in place.
Napi::Value DistBroadcast(const Napi::CallbackInfo& info) {
  const char* op = "broadcast";
  Tensor& t = TensorHandle::FromMutable(info, 0, op, "tensor");
  const double root = integer_arg(info, 1, op, "root", 0);
  return guarded(info.Env(), [&]() -> Napi::Value {
    MpiRuntime& mpi = MpiRuntime::instance();
    if (t.device() == Device::CPU) {
      mpi.broadcast(t.raw(), t.numel(), t.dtype(), static_cast<int>(root), op);
    } else {
      std::vector<unsigned char> host(t.nbytes());
      t.copy_to_host(host.data());
      mpi.broadcast(host.data(), t.numel(), t.dtype(), static_cast<int>(root), op);
      t.copy_from(Tensor::from_host(host.data(), t.shape(), t.dtype()));
    }
    return info.Env().Undefined();
  });
}

Napi::Value DistBarrier(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&]() -> Napi::Value {
    MpiRuntime::instance().barrier("barrier");
    return info.Env().Undefined();
  });
}

// distAbort(code): ends every rank of the job (MPI_Abort), or this process without MPI.
Napi::Value DistAbort(const Napi::CallbackInfo& info) {
  const double code = integer_arg(info, 0, "abortDistributed", "code", 0);
  MpiRuntime::instance().abort(static_cast<int>(std::fmin(code, 255)));
}

Napi::Value DistFinalize(const Napi::CallbackInfo& info) {
  MpiRuntime::instance().finalize();
  return info.Env().Undefined();
}

}  // namespace

void register_distributed(Napi::Env env, Napi::Object exports) {
  exports.Set("mpiInfo", Napi::Function::New(env, MpiInfo, "mpiInfo"));
  export_op(env, exports, "distInit", DistInit);
  export_op(env, exports, "distAllReduce", DistAllReduce);
  export_op(env, exports, "distBroadcast", DistBroadcast);
  export_op(env, exports, "distBarrier", DistBarrier);
  exports.Set("distAbort", Napi::Function::New(env, DistAbort, "distAbort"));
  exports.Set("distFinalize", Napi::Function::New(env, DistFinalize, "distFinalize"));
}

}  // namespace fathom::napi
