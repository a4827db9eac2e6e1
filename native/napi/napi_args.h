// The op table's arguments read from a JavaScript call (the eager path).
#pragma once
#include <napi.h>

#include <string>

#include "table/op_args.h"

namespace fathom::napi {

class NapiArgs final : public table::OpArgs {
 public:
  NapiArgs(const Napi::CallbackInfo& info, const char* op) : info_(info), op_(op) {}

  const Tensor& tensor(size_t i, const char* arg) override;
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
  const char* op() const { return renamed_.empty() ? op_ : renamed_.c_str(); }

  const Napi::CallbackInfo& info_;
  const char* op_;
  std::string renamed_;
};

// Exports every op of the table (but the handle methods) as a function of the addon.
void register_table_ops(Napi::Env env, Napi::Object exports);

// An op's results as JavaScript: undefined, one handle, or an array with null for undefined.
Napi::Value wrap_results(Napi::Env env, table::Returns returns, std::vector<Tensor> results);

}  // namespace fathom::napi
