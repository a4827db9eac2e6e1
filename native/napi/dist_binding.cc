// N-API entry points of data-parallel training over MPI (native/mpi/mpi_runtime.h): whether MPI
// and NCCL load, init, the in-place collectives on tensors (CUDA tensors through NCCL when the job
// uses it, else through a host copy), and the row exchange of partitioned features.
#include <cmath>
#include <string>
#include <vector>

#include "convert.h"
#include "errors.h"
#include "feature_bindings.h"
#include "mpi/feature_exchange.h"
#include "mpi/mpi_runtime.h"
#include "mpi/nccl_runtime.h"
#include "ops/ops.h"
#include "tensor_handle.h"

namespace fathom::napi {
namespace {

using dist::MpiRuntime;
using dist::NcclRuntime;

// { available, library, reason, nccl: { available, library, version, inUse, reason } }: loads
// libmpi and libnccl on the first call, never initializes MPI.
Napi::Value MpiInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MpiRuntime& mpi = MpiRuntime::instance();
  Napi::Object out = Napi::Object::New(env);
  out.Set("available", mpi.load());
  out.Set("library", mpi.library());
  if (!mpi.loaded()) out.Set("reason", mpi.reason());
  NcclRuntime& nccl = NcclRuntime::instance();
  Napi::Object n = Napi::Object::New(env);
  n.Set("available", nccl.load());
  n.Set("library", nccl.library());
  n.Set("version", nccl.version());
  n.Set("inUse", nccl.in_use());
  if (!nccl.loaded()) n.Set("reason", nccl.reason());
  out.Set("nccl", n);
  return out;
}

Napi::Value DistInit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    MpiRuntime& mpi = MpiRuntime::instance();
    const bool fresh = !mpi.initialized();
    mpi.init();
    if (fresh) NcclRuntime::instance().decide("initDistributed");
    Napi::Object out = Napi::Object::New(env);
    out.Set("rank", mpi.rank());
    out.Set("size", mpi.size());
    return out;
  });
}

// CUDA tensors where the job uses NCCL: each summed in place on the device (scaled before, divided
// after on the device too). False, doing nothing, when the host path is to be taken.
bool reduce_nccl(std::vector<Tensor*>& tensors, bool mean, double scale, const char* op) {
  NcclRuntime& nccl = NcclRuntime::instance();
  if (!nccl.in_use() || tensors.empty()) return false;
  for (Tensor* t : tensors)
    if (t->device() != Device::CUDA) return false;
  const double after = mean ? 1.0 / MpiRuntime::instance().size() : 1.0;
  for (Tensor* t : tensors) {
    if (scale != 1.0) t->copy_from(ops::scale(*t, scale));
    nccl.all_reduce_sum(t->raw(), t->numel(), t->dtype(), op);
    if (after != 1.0) t->copy_from(ops::scale(*t, after));
  }
  return true;
}

// The tensors of one dtype, packed into one host buffer (times `scale`), summed over the ranks in
// one collective (divided by the world size for a mean) and copied back.
template <typename T>
void reduce_packed(std::vector<Tensor*>& tensors, bool mean, double scale, const char* op) {
  if (reduce_nccl(tensors, mean, scale, op)) return;
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
    } else if (NcclRuntime::instance().in_use()) {
      FATHOM_CHECK(root < mpi.size(), ErrorKind::Range, op,
                   "root " + std::to_string(root) + " is not a rank of a world of " +
                       std::to_string(mpi.size()));
      NcclRuntime::instance().broadcast(t.raw(), t.numel(), t.dtype(), static_cast<int>(root), op);
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

// An Int32Array argument, without a copy (the partition book is as long as the graph).
Napi::Int32Array int32_view(const Napi::CallbackInfo& info, size_t index, const char* op,
                            const char* arg) {
  if (index >= info.Length() || !info[index].IsTypedArray() ||
      info[index].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw_type_error(info.Env(), std::string(op) + ": argument " + arg + " must be an Int32Array");
  return info[index].As<Napi::Int32Array>();
}

// distGatherRows(ids, owner, local, rows, width): rows `ids` of the partitioned features
// [ids.length, width], from their owners (feature_exchange.h). A collective under MPI.
Napi::Value DistGatherRows(const Napi::CallbackInfo& info) {
  const char* op = "gather";
  Napi::Env env = info.Env();
  Napi::Int32Array ids = int32_view(info, 0, op, "nodeIds");
  Napi::Int32Array owner = int32_view(info, 1, op, "owner");
  Napi::Int32Array local = int32_view(info, 2, op, "local");
  if (info.Length() < 4 || !info[3].IsTypedArray())
    throw_type_error(env,
                     std::string(op) + ": argument rows must be a Float32Array or Float64Array");
  Napi::TypedArray rows = info[3].As<Napi::TypedArray>();
  const napi_typedarray_type kind = rows.TypedArrayType();
  if (kind != napi_float32_array && kind != napi_float64_array)
    throw_type_error(env,
                     std::string(op) + ": argument rows must be a Float32Array or Float64Array");
  const int64_t width = static_cast<int64_t>(integer_arg(info, 4, op, "width", 0));
  const DType dtype = kind == napi_float32_array ? DType::F32 : DType::F64;
  const int64_t elements = static_cast<int64_t>(rows.ElementLength());
  if (owner.ElementLength() != local.ElementLength() || (width > 0 && elements % width != 0))
    throw_fathom_error(env,
                       std::string(op) + ": the partition book (" +
                           std::to_string(owner.ElementLength()) + " owners, " +
                           std::to_string(local.ElementLength()) + " local rows) or the shard (" +
                           std::to_string(elements) + " values of rows of " +
                           std::to_string(width) + ") does not fit",
                       "SHAPE");
  dist::FeatureShard shard;
  shard.owner = owner.Data();
  shard.local = local.Data();
  shard.num_nodes = static_cast<int64_t>(owner.ElementLength());
  shard.rows = static_cast<const char*>(rows.ArrayBuffer().Data()) + rows.ByteOffset();
  shard.num_local = width > 0 ? elements / width : 0;
  shard.width = width;
  shard.dtype = dtype;
  const int64_t n = static_cast<int64_t>(ids.ElementLength());
  Napi::TypedArray out = kind == napi_float32_array
                             ? Napi::TypedArray(Napi::Float32Array::New(env, n * width))
                             : Napi::TypedArray(Napi::Float64Array::New(env, n * width));
  void* dst = static_cast<char*>(out.ArrayBuffer().Data()) + out.ByteOffset();
  return guarded(env, [&]() -> Napi::Value {
    dist::gather_rows(shard, ids.Data(), n, dst, op);
    return out;
  });
}

Napi::Value DistFinalize(const Napi::CallbackInfo& info) {
  NcclRuntime::instance().finalize();
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
  export_op(env, exports, "distGatherRows", DistGatherRows);
  exports.Set("distAbort", Napi::Function::New(env, DistAbort, "distAbort"));
  exports.Set("distFinalize", Napi::Function::New(env, DistFinalize, "distFinalize"));
}

}  // namespace fathom::napi
