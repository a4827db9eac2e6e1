// The JS handle of a compiled plan (plan/plan.h): compilePlan(spec) builds one from a traced
// step, run(scalars) replays it in one call.
#pragma once
#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "plan/plan.h"

namespace fathom::napi {

class CsrHandle;
class TensorHandle;

class PlanHandle : public Napi::ObjectWrap<PlanHandle> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit PlanHandle(const Napi::CallbackInfo& info);

 private:
  Napi::Value Run(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value NumSteps(const Napi::CallbackInfo& info);
  Napi::Value CudaGraph(const Napi::CallbackInfo& info);
  // Whether an input (tensor or graph operator) was disposed since the plan was made.
  Napi::Value Stale(const Napi::CallbackInfo& info);
  Napi::Value CudaGraphReason(const Napi::CallbackInfo& info);
  // What in inputs_ (just filled from the handles) was disposed, or "" when nothing was.
  std::string first_disposed() const;

  std::unique_ptr<plan::Plan> plan_;
  // The caller's handles the plan reads at every run, kept alive by the references.
  std::vector<TensorHandle*> externals_;
  std::vector<CsrHandle*> csrs_;
  std::vector<Napi::ObjectReference> refs_;
  plan::Inputs inputs_;
};

// compilePlan(spec) -> PlanHandle; see lib/compile/planSpec.ts for the spec.
void register_plan(Napi::Env env, Napi::Object exports);

}  // namespace fathom::napi
