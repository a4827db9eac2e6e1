// Per-environment state of the addon. Every JS environment (the main thread, each
// worker_threads Worker) has its own heap, so a constructor or class reference made in one
// is meaningless in another: a process-wide static would hand worker B the TensorHandle
// class of worker A (and dangle once A exits). Node frees this with the environment.
#pragma once
#include <napi.h>

namespace fathom::napi {

struct EnvData {
  Napi::FunctionReference tensor_handle;   // TensorHandle constructor
  Napi::FunctionReference csr_handle;      // CsrHandle constructor
  Napi::FunctionReference sampler_handle;  // SamplerHandle constructor
  Napi::FunctionReference plan_handle;     // PlanHandle constructor
  Napi::FunctionReference error_class;     // FathomError subclass registered by lib/
};

// The calling environment's data, created on first use.
inline EnvData& env_data(Napi::Env env) {
  EnvData* d = env.GetInstanceData<EnvData>();
  if (d == nullptr) {
    d = new EnvData();
    env.SetInstanceData(d);
  }
  return *d;
}

}  // namespace fathom::napi
