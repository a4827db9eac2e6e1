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

 private:
  const Arg& at(size_t i, ArgKind kind, const char* arg);
  const Arg& at(size_t i, ArgKind kind, ArgKind alt, const char* arg);
  const char* op() const { return renamed_.empty() ? op_ : renamed_.c_str(); }

  const Step& step_;
  std::vector<Tensor>& slots_;
  const Inputs& in_;
  const char* op_;
  std::string renamed_;
};

}  // namespace fathom::plan
