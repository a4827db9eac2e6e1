// The op table's arguments read from a plan's recorded step (the compiled path).
#pragma once
#include <string>
#include <vector>

#include "plan.h"

namespace fathom::plan {

class PlanArgs final : public table::OpArgs {
 public:
  PlanArgs(const Step& step, std::vector<Tensor>& slots, const Inputs& in, const char* op)
      : step_(step), slots_(slots), in_(in), op_(op) {}

  const Tensor& tensor(size_t i, const char* arg) override { return mutable_tensor(i, arg); }
  Tensor& mutable_tensor(size_t i, const char* arg) override;
  Tensor optional_tensor(size_t i, const char* arg) override;
  const Csr& csr(size_t i, const char* arg) override;
  double number(size_t i, const char* arg) override;
  double integer(size_t i, const char* arg, double min) override;
  bool flag(size_t i, const char* arg) override;
  std::string text(size_t i, const char* arg) override;
  bool present(size_t i) override;
  DType dtype(size_t i) override;
  Device device(size_t i) override;
  Shape shape(size_t i) override;
  void name_op(const std::string& op) override { renamed_ = op; }
  const double* step_scalars(size_t count, StepScalarFill fill) override;

  // Capture mode (plan.cc): per-step scalars go to the sink; a per-step argument read without
  // step_scalars is remembered for check_captured().
  void capture_into(CaptureSink* sink) { sink_ = sink; }
  // After the op ran while capturing: throws when it read a per-step argument by value.
  void check_captured() const;

 private:
  const Arg& at(size_t i, ArgKind kind, const char* arg);
  const Arg& at(size_t i, ArgKind kind, ArgKind alt, const char* arg);
  const char* op() const { return renamed_.empty() ? op_ : renamed_.c_str(); }

  const Step& step_;
  std::vector<Tensor>& slots_;
  const Inputs& in_;
  const char* op_;
  std::string renamed_;
  CaptureSink* sink_ = nullptr;
  const char* dynamic_read_ = nullptr;  // a per-step argument read by value while capturing
  bool asked_scalars_ = false;
};

}  // namespace fathom::plan
