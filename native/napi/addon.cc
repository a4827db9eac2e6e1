// Module entry: registers the handle classes, the ops and the process-level queries.
#include <napi.h>

#include <cmath>
#include <cstdio>
#include <limits>

#include "convert.h"
#include "core/memory_stats.h"
#include "core/runtime_info.h"
#include "cpu/cpu_allocator.h"
#include "csr_handle.h"
#include "cuda/runtime.h"
#include "errors.h"
#include "feature_bindings.h"
#include "napi_args.h"
#include "ops_binding.h"
#include "plan_handle.h"
#include "tensor_handle.h"

namespace fathom::napi {
namespace {

// Byte limits cross to JS as numbers, "no limit" as Infinity.
double limit_value(int64_t bytes) {
  return bytes == kNoMemoryLimit ? std::numeric_limits<double>::infinity()
                                 : static_cast<double>(bytes);
}

Napi::Value Memory(const Napi::CallbackInfo& info) {
  Napi::Object out = Napi::Object::New(info.Env());
  for (Device d : {Device::CPU, Device::CUDA}) {
    DeviceMemory m = MemoryStats::get(d);
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("tensors", static_cast<double>(m.live_tensors));
    o.Set("bytes", static_cast<double>(m.live_bytes));
    o.Set("peakBytes", static_cast<double>(m.peak_bytes));
    o.Set("limit", limit_value(m.limit_bytes));
    if (d == Device::CUDA) o.Set("cachedBytes", static_cast<double>(cuda::cached_bytes()));
    if (d == Device::CPU) {
      const cpu::PoolStats pool = cpu::pool_stats();
      o.Set("cachedBytes", static_cast<double>(pool.cached_bytes));
      o.Set("poolHits", static_cast<double>(pool.hits));
      o.Set("poolMisses", static_cast<double>(pool.misses));
    }
    out.Set(device_name(d), o);
  }
  return out;
}

Napi::Value ResetPeakMemory(const Napi::CallbackInfo& info) {
  MemoryStats::reset_peak(Device::CPU);
  MemoryStats::reset_peak(Device::CUDA);
  return info.Env().Undefined();
}

// setMemoryLimit(device, bytes): an integer >= 0, or Infinity for no limit.
Napi::Value SetMemoryLimit(const Napi::CallbackInfo& info) {
  const char* op = "setMemoryLimit";
  Device d = device_arg(info, 0, op);
  double bytes = number_arg(info, 1, op, "bytes");
  if (!(bytes >= 0) || (std::isfinite(bytes) && std::floor(bytes) != bytes)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", bytes);
    throw_fathom_error(info.Env(),
                       std::string(op) + ": the " + device_name(d) +
                           " limit must be a whole number of bytes >= 0 or Infinity, got " + buf,
                       "RANGE");
  }
  // 2^63 bytes and more are no limit at all.
  MemoryStats::set_limit(d, bytes >= 9.2e18 ? kNoMemoryLimit : static_cast<int64_t>(bytes));
  return info.Env().Undefined();
}

Napi::Value GetMemoryLimit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    Napi::Object out = Napi::Object::New(env);
    for (Device d : {Device::CPU, Device::CUDA})
      out.Set(device_name(d), limit_value(MemoryStats::limit(d)));
    return out;
  });
}

Napi::Value Devices(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    Napi::Object out = Napi::Object::New(env);
    Napi::Object cpu = Napi::Object::New(env);
    cpu.Set("available", true);
    cpu.Set("threads", num_threads());
    cpu.Set("blas", blas_name());
    cpu.Set("deterministic", deterministic());
    out.Set("cpu", cpu);
    Napi::Object gpu = Napi::Object::New(env);
    std::string why;
    bool ok = cuda::available(&why);
    gpu.Set("compiled", cuda::compiled());
    gpu.Set("available", ok);
    // cuBLAS is opened at run time: whether it loaded, which file, or why not.
    const cuda::CublasInfo blas = cuda::cublas_info();
    gpu.Set("cublas", blas.loaded);
    if (blas.loaded) {
      gpu.Set("cublasLibrary", blas.library);
      gpu.Set("cublasVersion", blas.version);
    } else {
      gpu.Set("cublasReason", blas.reason);
    }
    if (!ok) gpu.Set("reason", why);
    const cuda::Probe probe = cuda::probe();
    Napi::Object facts = Napi::Object::New(env);
    facts.Set("error", probe.error);
    facts.Set("errorName", probe.error_name);
    facts.Set("driverVersion", probe.driver_version);
    facts.Set("runtimeVersion", probe.runtime_version);
    facts.Set("deviceCount", probe.device_count);
    gpu.Set("probe", facts);
    Napi::Array list = Napi::Array::New(env);
    for (int i = 0; ok && i < cuda::device_count(); ++i) {
      Napi::Object d = Napi::Object::New(env);
      d.Set("index", i);
      d.Set("name", cuda::device_name(i));
      d.Set("totalMemory", static_cast<double>(cuda::device_total_memory(i)));
      list.Set(static_cast<uint32_t>(i), d);
    }
    gpu.Set("devices", list);
    out.Set("cuda", gpu);
    return out;
  });
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber())
    throw_type_error(info.Env(), "setNumThreads: argument n must be a number");
  int n = info[0].As<Napi::Number>().Int32Value();
  if (n < 1 || n > 1024)
    throw_fathom_error(info.Env(),
                       "setNumThreads: n must be in [1, 1024], got " + std::to_string(n), "RANGE");
  set_num_threads(n);
  return info.Env().Undefined();
}

Napi::Value SetDeterministic(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsBoolean())
    throw_type_error(info.Env(), "setDeterministic: argument on must be a boolean");
  set_deterministic(info[0].As<Napi::Boolean>().Value());
  return info.Env().Undefined();
}

Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsFunction())
    throw_type_error(info.Env(), "setErrorClass: argument must be a class");
  set_error_class(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

Napi::Value EmptyCache(const Napi::CallbackInfo& info) {
  cuda::empty_cache();
  cpu::empty_cache();
  return info.Env().Undefined();
}

Napi::Value Synchronize(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&]() -> Napi::Value {
    cuda::synchronize();
    return info.Env().Undefined();
  });
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("TensorHandle", TensorHandle::Init(env));
  exports.Set("CsrHandle", CsrHandle::Init(env));
  register_table_ops(env, exports);
  register_ops(env, exports);
  register_csr_functions(env, exports);
  register_sparse_feature_ops(env, exports);
  register_diag_ops(env, exports);
  register_sampling(env, exports);
  register_plan(env, exports);
  register_distributed(env, exports);
  register_metis(env, exports);
  register_overlapped_copies(env, exports);
  exports.Set("memory", Napi::Function::New(env, Memory, "memory"));
  exports.Set("resetPeakMemory", Napi::Function::New(env, ResetPeakMemory, "resetPeakMemory"));
  exports.Set("setMemoryLimit", Napi::Function::New(env, SetMemoryLimit, "setMemoryLimit"));
  exports.Set("getMemoryLimit", Napi::Function::New(env, GetMemoryLimit, "getMemoryLimit"));
  exports.Set("devices", Napi::Function::New(env, Devices, "devices"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("setDeterministic", Napi::Function::New(env, SetDeterministic, "setDeterministic"));
  exports.Set("setErrorClass", Napi::Function::New(env, SetErrorClass, "setErrorClass"));
  exports.Set("emptyCache", Napi::Function::New(env, EmptyCache, "emptyCache"));
  exports.Set("synchronize", Napi::Function::New(env, Synchronize, "synchronize"));
  exports.Set("cudaCompiled", Napi::Boolean::New(env, cuda::compiled()));
  return exports;
}

}  // namespace
}  // namespace fathom::napi

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  return fathom::napi::Init(env, exports);
}

NODE_API_MODULE(fathom, InitModule)
