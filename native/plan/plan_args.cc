#include "plan_args.h"

#include <cmath>

#include "core/error.h"

namespace fathom::plan {
namespace {

const char* kind_name(ArgKind k) {
  switch (k) {
    case ArgKind::Slot:
    case ArgKind::External:
      return "a tensor";
    case ArgKind::Csr:
      return "a graph operator";
    case ArgKind::Number:
    case ArgKind::Dynamic:
      return "a number";
    case ArgKind::Flag:
      return "a boolean";
    case ArgKind::Text:
      return "a string";
    case ArgKind::Shape:
      return "a shape";
    case ArgKind::Null:
      return "null";
  }
  return "?";
}

}  // namespace

const Arg& PlanArgs::at(size_t i, ArgKind kind, ArgKind alt, const char* arg) {
  if (i < step_.args.size()) {
    const Arg& a = step_.args[i];
    if (a.kind == kind || a.kind == alt) return a;
  }
  const ArgKind got = i < step_.args.size() ? step_.args[i].kind : ArgKind::Null;
  fail(ErrorKind::Type, op(),
       std::string("argument ") + arg + " of the compiled step is " + kind_name(got) + ", not " +
           kind_name(kind));
}

const Arg& PlanArgs::at(size_t i, ArgKind kind, const char* arg) { return at(i, kind, kind, arg); }

Tensor& PlanArgs::mutable_tensor(size_t i, const char* arg) {
  const Arg& a = at(i, ArgKind::Slot, ArgKind::External, arg);
  if (a.kind == ArgKind::External) {
    Tensor* t = in_.externals[static_cast<size_t>(a.index)];
    FATHOM_CHECK(t != nullptr, ErrorKind::Type, op(),
                 std::string("argument ") + arg + " (input " + std::to_string(a.index) +
                     " of the compiled step) was disposed");
    return *t;
  }
  Tensor& t = slots_[static_cast<size_t>(a.index)];
  FATHOM_CHECK(t.defined(), ErrorKind::Internal, op(),
               std::string("argument ") + arg + " reads slot " + std::to_string(a.index) +
                   " of the compiled step after it was released");
  return t;
}

Tensor PlanArgs::optional_tensor(size_t i, const char* arg) {
  if (!present(i) || step_.args[i].kind == ArgKind::Null) return Tensor();
  return mutable_tensor(i, arg);
}

const Csr& PlanArgs::csr(size_t i, const char* arg) {
  const Csr* c = in_.csrs[static_cast<size_t>(at(i, ArgKind::Csr, arg).index)];
  FATHOM_CHECK(c != nullptr, ErrorKind::Type, op(),
               std::string("argument ") + arg + ": the graph operator was disposed");
  return *c;
}

double PlanArgs::number(size_t i, const char* arg) {
  const Arg& a = at(i, ArgKind::Number, ArgKind::Dynamic, arg);
  if (a.kind == ArgKind::Number) return a.number;
  if (sink_ != nullptr && dynamic_read_ == nullptr) dynamic_read_ = arg;
  return in_.dynamic[static_cast<size_t>(a.index)];
}

const double* PlanArgs::step_scalars(size_t count, StepScalarFill fill) {
  if (sink_ == nullptr) return nullptr;
  FATHOM_CHECK(sink_->used + count <= sink_->capacity, ErrorKind::Range, op(),
               "the per-step scalars of the captured step need more than " +
                   std::to_string(sink_->capacity) + " values");
  StepScalars s;
  s.step = sink_->step;
  s.offset = sink_->used;
  s.count = count;
  s.fill = fill;
  sink_->scalars.push_back(s);
  sink_->used += count;
  asked_scalars_ = true;
  return sink_->device + s.offset;
}

void PlanArgs::check_captured() const {
  FATHOM_CHECK(dynamic_read_ == nullptr || asked_scalars_, ErrorKind::Device, op(),
               std::string("reads its per-step argument ") + (dynamic_read_ ? dynamic_read_ : "?") +
                   " on the host, so it cannot run inside a CUDA graph");
}

double PlanArgs::integer(size_t i, const char* arg, double min) {
  const double v = number(i, arg);
  FATHOM_CHECK(v == std::floor(v) && v >= min && v <= 9007199254740991.0, ErrorKind::Range, op(),
               std::string(arg) + " must be an integer in [" + std::to_string(min) +
                   ", 2^53 - 1], got " + std::to_string(v));
  return v;
}

bool PlanArgs::flag(size_t i, const char* arg) { return at(i, ArgKind::Flag, arg).flag; }

std::string PlanArgs::text(size_t i, const char* arg) { return at(i, ArgKind::Text, arg).text; }

bool PlanArgs::present(size_t i) {
  return i < step_.args.size() && step_.args[i].kind != ArgKind::Null;
}

DType PlanArgs::dtype(size_t i) {
  DType t;
  const std::string& name = at(i, ArgKind::Text, "dtype").text;
  FATHOM_CHECK(dtype_from_name(name.c_str(), &t), ErrorKind::Range, op(),
               "dtype '" + name + "' is not one of f32, f64, i32, u8");
  return t;
}

Device PlanArgs::device(size_t i) {
  Device d;
  const std::string& name = at(i, ArgKind::Text, "device").text;
  FATHOM_CHECK(device_from_name(name.c_str(), &d), ErrorKind::Range, op(),
               "device '" + name + "' is not one of cpu, cuda");
  return d;
}

Shape PlanArgs::shape(size_t i) { return at(i, ArgKind::Shape, "shape").shape; }

}  // namespace fathom::plan
