// The JS handle of a native CSR operator (graph/csr.h).
#pragma once
#include <napi.h>

#include "graph/csr.h"

namespace fathom::napi {

class CsrHandle : public Napi::ObjectWrap<CsrHandle> {
 public:
  static Napi::Function Init(Napi::Env env);
  static Napi::Object Wrap(Napi::Env env, Csr csr);
  static const Csr& From(const Napi::CallbackInfo& info, size_t index, const char* op,
                         const char* arg);

  explicit CsrHandle(const Napi::CallbackInfo& info);
  // The handle behind a JS value (nullptr when it is not one), and its operator while it is not
  // disposed (nullptr after): how a compiled plan reads its inputs at every run.
  static CsrHandle* Unwrapped(Napi::Env env, Napi::Value value);
  const Csr* live() { return disposed_ ? nullptr : &csr_; }

 private:
  const Csr& csr(const char* op) const;
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value Disposed(const Napi::CallbackInfo& info);
  Napi::Value Info(const Napi::CallbackInfo& info);
  Napi::Value Arrays(const Napi::CallbackInfo& info);

  Csr csr_;
  bool disposed_ = false;
};

// Module functions: csrFromEdgeIndex(edgeIndex: Tensor i32 [2,E], numNodes),
// csrFromBipartite(edgeIndex, numSources, numTargets), csrTranspose(csr),
// csrOperator(csr, kind, dtype), csrTo(csr, device), csrDegrees(csr) -> Tensor f64.
void register_csr_functions(Napi::Env env, Napi::Object exports);

}  // namespace fathom::napi
