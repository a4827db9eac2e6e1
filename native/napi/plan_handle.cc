#include "plan_handle.h"

#include <string>

#include "csr_handle.h"
#include "env_data.h"
#include "errors.h"
#include "table/op_table.h"
#include "tensor_handle.h"

namespace fathom::napi {
namespace {

constexpr const char* kOp = "compilePlan";

[[noreturn]] void bad_spec(Napi::Env env, const std::string& what) {
  throw_type_error(env, std::string(kOp) + ": " + what);
}

Napi::Array array_field(Napi::Env env, Napi::Object o, const char* name) {
  Napi::Value v = o.Get(name);
  if (!v.IsArray()) bad_spec(env, std::string("spec.") + name + " must be an array");
  return v.As<Napi::Array>();
}

int64_t int_field(Napi::Env env, Napi::Object o, const char* name) {
  Napi::Value v = o.Get(name);
  if (!v.IsNumber()) bad_spec(env, std::string("spec.") + name + " must be a number");
  return v.As<Napi::Number>().Int64Value();
}

std::vector<int64_t> ints(Napi::Env env, Napi::Value v, const std::string& what) {
  if (!v.IsArray()) bad_spec(env, what + " must be an array of integers");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value x = a.Get(i);
    if (!x.IsNumber()) bad_spec(env, what + " must be an array of integers");
    out[i] = x.As<Napi::Number>().Int64Value();
  }
  return out;
}

// An argument is [kind, value] with kind the index of plan::ArgKind.
plan::Arg parse_arg(Napi::Env env, Napi::Value v, const std::string& where) {
  if (!v.IsArray() || v.As<Napi::Array>().Length() != 2 ||
      !v.As<Napi::Array>().Get(0u).IsNumber()) {
    bad_spec(env, where + " must be a [kind, value] pair");
  }
  Napi::Array pair = v.As<Napi::Array>();
  const int kind = pair.Get(0u).As<Napi::Number>().Int32Value();
  if (kind < 0 || kind > static_cast<int>(plan::ArgKind::Null)) {
    bad_spec(env, where + " has an unknown kind " + std::to_string(kind));
  }
  Napi::Value value = pair.Get(1u);
  plan::Arg a;
  a.kind = static_cast<plan::ArgKind>(kind);
  switch (a.kind) {
    case plan::ArgKind::Slot:
    case plan::ArgKind::External:
    case plan::ArgKind::Csr:
    case plan::ArgKind::Dynamic:
    case plan::ArgKind::Number:
      if (!value.IsNumber()) bad_spec(env, where + " needs a number");
      a.number = value.As<Napi::Number>().DoubleValue();
      a.index = value.As<Napi::Number>().Int64Value();
      return a;
    case plan::ArgKind::Flag:
      if (!value.IsBoolean()) bad_spec(env, where + " needs a boolean");
      a.flag = value.As<Napi::Boolean>().Value();
      return a;
    case plan::ArgKind::Text:
      if (!value.IsString()) bad_spec(env, where + " needs a string");
      a.text = value.As<Napi::String>().Utf8Value();
      return a;
    case plan::ArgKind::Shape:
      a.shape = ints(env, value, where);
      return a;
    case plan::ArgKind::Null:
      break;
  }
  return a;
}

plan::Step parse_step(Napi::Env env, Napi::Value v, uint32_t index) {
  const std::string where = "spec.steps[" + std::to_string(index) + "]";
  if (!v.IsObject()) bad_spec(env, where + " must be an object");
  Napi::Object o = v.As<Napi::Object>();
  Napi::Value name = o.Get("op");
  if (!name.IsString()) bad_spec(env, where + ".op must be a string");
  plan::Step step;
  step.op = table::find_op(name.As<Napi::String>().Utf8Value());
  if (step.op == nullptr)
    bad_spec(env,
             where + ".op '" + name.As<Napi::String>().Utf8Value() + "' is not an op of the table");
  Napi::Array args = array_field(env, o, "args");
  for (uint32_t k = 0; k < args.Length(); ++k) {
    step.args.push_back(parse_arg(env, args.Get(k), where + ".args[" + std::to_string(k) + "]"));
  }
  step.outs = ints(env, o.Get("outs"), where + ".outs");
  return step;
}

Napi::FunctionReference& constructor(Napi::Env env) { return env_data(env).plan_handle; }

}  // namespace

Napi::Function PlanHandle::Init(Napi::Env env) {
  Napi::Function ctor = DefineClass(
      env, "PlanHandle",
      {InstanceMethod("run", &PlanHandle::Run), InstanceMethod("dispose", &PlanHandle::Dispose),
       InstanceAccessor("numSteps", &PlanHandle::NumSteps, nullptr),
       InstanceAccessor("stale", &PlanHandle::Stale, nullptr),
       InstanceAccessor("cudaGraph", &PlanHandle::CudaGraph, nullptr),
       InstanceAccessor("cudaGraphReason", &PlanHandle::CudaGraphReason, nullptr)});
  constructor(env) = Napi::Persistent(ctor);
  return ctor;
}

// new PlanHandle(spec): spec = { steps: [{ op, args: [kind, value][], outs }], numSlots,
// externals: TensorHandle[], csrs: CsrHandle[], numDynamic, outputs: slot[], cudaGraph?: boolean }.
PlanHandle::PlanHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PlanHandle>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) bad_spec(env, "argument spec must be an object");
  Napi::Object spec = info[0].As<Napi::Object>();
  Napi::Array ext = array_field(env, spec, "externals");
  for (uint32_t i = 0; i < ext.Length(); ++i) {
    TensorHandle* h = TensorHandle::Unwrapped(env, ext.Get(i));
    if (h == nullptr) bad_spec(env, "spec.externals[" + std::to_string(i) + "] must be a Tensor");
    externals_.push_back(h);
    refs_.push_back(Napi::Persistent(ext.Get(i).As<Napi::Object>()));
  }
  Napi::Array csrs = array_field(env, spec, "csrs");
  for (uint32_t i = 0; i < csrs.Length(); ++i) {
    CsrHandle* h = CsrHandle::Unwrapped(env, csrs.Get(i));
    if (h == nullptr)
      bad_spec(env, "spec.csrs[" + std::to_string(i) + "] must be a graph operator");
    csrs_.push_back(h);
    refs_.push_back(Napi::Persistent(csrs.Get(i).As<Napi::Object>()));
  }
  Napi::Array steps = array_field(env, spec, "steps");
  std::vector<plan::Step> parsed;
  parsed.reserve(steps.Length());
  for (uint32_t i = 0; i < steps.Length(); ++i) parsed.push_back(parse_step(env, steps.Get(i), i));
  const int64_t num_slots = int_field(env, spec, "numSlots");
  const int64_t num_dynamic = int_field(env, spec, "numDynamic");
  std::vector<int64_t> outputs = ints(env, spec.Get("outputs"), "spec.outputs");
  guarded(env, [&]() -> Napi::Value {
    plan_ = std::make_unique<plan::Plan>(
        std::move(parsed), num_slots, static_cast<int64_t>(externals_.size()),
        static_cast<int64_t>(csrs_.size()), num_dynamic, std::move(outputs));
    return env.Undefined();
  });
  Napi::Value graph = spec.Get("cudaGraph");
  if (!graph.IsUndefined() && !graph.IsBoolean()) bad_spec(env, "spec.cudaGraph must be a boolean");
  if (graph.IsBoolean() && plan_) plan_->set_cuda_graph(graph.As<Napi::Boolean>().Value());
  inputs_.externals.resize(externals_.size());
  inputs_.csrs.resize(csrs_.size());
  inputs_.dynamic.resize(static_cast<size_t>(num_dynamic));
}

// run(scalars: Float64Array) -> TensorHandle[] (the outputs)
Napi::Value PlanHandle::Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!plan_) throw_type_error(env, "compiledStep: the plan was disposed");
  if (info.Length() < 1 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throw_type_error(env, "compiledStep: argument scalars must be a Float64Array");
  }
  Napi::Float64Array scalars = info[0].As<Napi::Float64Array>();
  if (scalars.ElementLength() != inputs_.dynamic.size()) {
    throw_fathom_error(env,
                       "compiledStep: " + std::to_string(scalars.ElementLength()) +
                           " scalars given, the plan takes " +
                           std::to_string(inputs_.dynamic.size()),
                       "RANGE");
  }
  for (size_t i = 0; i < inputs_.dynamic.size(); ++i) inputs_.dynamic[i] = scalars[i];
  for (size_t i = 0; i < externals_.size(); ++i) inputs_.externals[i] = externals_[i]->live();
  for (size_t i = 0; i < csrs_.size(); ++i) inputs_.csrs[i] = csrs_[i]->live();
  // Before any step: a disposed input found midway would leave weights half updated.
  const std::string disposed = first_disposed();
  if (!disposed.empty()) {
    throw_fathom_error(env, "compiledStep: " + disposed + " of the compiled step was disposed",
                       "TYPE");
  }
  return guarded(env, [&]() -> Napi::Value {
    std::vector<Tensor> out = plan_->run(inputs_);
    Napi::Array result = Napi::Array::New(env, out.size());
    for (uint32_t k = 0; k < out.size(); ++k)
      result.Set(k, TensorHandle::Wrap(env, std::move(out[k])));
    return result;
  });
}

Napi::Value PlanHandle::Dispose(const Napi::CallbackInfo& info) {
  plan_.reset();
  externals_.clear();
  csrs_.clear();
  refs_.clear();
  inputs_ = plan::Inputs();
  return info.Env().Undefined();
}

std::string PlanHandle::first_disposed() const {
  for (size_t i = 0; i < inputs_.externals.size(); ++i)
    if (inputs_.externals[i] == nullptr) return "input " + std::to_string(i) + " (a tensor)";
  for (size_t i = 0; i < inputs_.csrs.size(); ++i)
    if (inputs_.csrs[i] == nullptr) return "graph operator " + std::to_string(i);
  return "";
}

Napi::Value PlanHandle::Stale(const Napi::CallbackInfo& info) {
  bool stale = false;
  for (TensorHandle* h : externals_) stale = stale || h->live() == nullptr;
  for (CsrHandle* h : csrs_) stale = stale || h->live() == nullptr;
  return Napi::Boolean::New(info.Env(), stale);
}

Napi::Value PlanHandle::NumSteps(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), plan_ ? static_cast<double>(plan_->num_steps()) : 0.0);
}

// Whether a captured CUDA graph serves the runs (plan::Plan::set_cuda_graph).
Napi::Value PlanHandle::CudaGraph(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), plan_ && plan_->cuda_graph_active());
}

// Why CUDA graphs are off for this plan, or null.
Napi::Value PlanHandle::CudaGraphReason(const Napi::CallbackInfo& info) {
  if (!plan_ || plan_->cuda_graph_reason().empty()) return info.Env().Null();
  return Napi::String::New(info.Env(), plan_->cuda_graph_reason());
}

void register_plan(Napi::Env env, Napi::Object exports) {
  exports.Set("PlanHandle", PlanHandle::Init(env));
}

}  // namespace fathom::napi
