#include "napi_args.h"

#include "convert.h"
#include "core/op_label.h"
#include "csr_handle.h"
#include "errors.h"
#include "table/op_table.h"
#include "tensor_handle.h"

namespace fathom::napi {

const Tensor& NapiArgs::tensor(size_t i, const char* arg) {
  return TensorHandle::From(info_, i, op(), arg);
}
Tensor& NapiArgs::mutable_tensor(size_t i, const char* arg) {
  return TensorHandle::FromMutable(info_, i, op(), arg);
}
Tensor NapiArgs::optional_tensor(size_t i, const char* arg) {
  return TensorHandle::FromOptional(info_, i, op(), arg);
}
const Csr& NapiArgs::csr(size_t i, const char* arg) { return CsrHandle::From(info_, i, op(), arg); }
double NapiArgs::number(size_t i, const char* arg) { return number_arg(info_, i, op(), arg); }
double NapiArgs::integer(size_t i, const char* arg, double min) {
  return integer_arg(info_, i, op(), arg, min);
}
bool NapiArgs::flag(size_t i, const char* arg) { return bool_arg(info_, i, op(), arg); }
std::string NapiArgs::text(size_t i, const char* arg) { return string_arg(info_, i, op(), arg); }
bool NapiArgs::present(size_t i) { return i < info_.Length() && !info_[i].IsUndefined(); }
DType NapiArgs::dtype(size_t i) { return dtype_arg(info_, i, op()); }
Device NapiArgs::device(size_t i) { return device_arg(info_, i, op()); }
Shape NapiArgs::shape(size_t i) { return shape_arg(info_, i, op()); }

Napi::Value wrap_results(Napi::Env env, table::Returns returns, std::vector<Tensor> results) {
  switch (returns) {
    case table::Returns::Nothing:
      return env.Undefined();
    case table::Returns::One:
      return TensorHandle::Wrap(env, std::move(results.at(0)));
    case table::Returns::Tuple:
      break;
  }
  Napi::Array out = Napi::Array::New(env, results.size());
  for (uint32_t k = 0; k < results.size(); ++k) {
    Tensor& t = results[k];
    out.Set(k, t.defined() ? Napi::Value(TensorHandle::Wrap(env, std::move(t)))
                           : Napi::Value(env.Null()));
  }
  return out;
}

namespace {

Napi::Value call(const Napi::CallbackInfo& info, const table::OpDef& def) {
  const char* op = def.label != nullptr ? def.label : def.name;
  OpLabel scope(op);
  NapiArgs args(info, op);
  return guarded(info.Env(), [&]() { return wrap_results(info.Env(), def.returns, def.fn(args)); });
}

}  // namespace

void register_table_ops(Napi::Env env, Napi::Object exports) {
  // The names a compiled plan can replay (handle methods included), for the tracer.
  Napi::Array names = Napi::Array::New(env);
  for (const table::OpDef& d : table::op_table()) names.Set(names.Length(), d.name);
  exports.Set("tableOps", names);
  for (const table::OpDef& d : table::op_table()) {
    if (d.method) continue;
    const table::OpDef* def = &d;
    exports.Set(d.name, Napi::Function::New(
                            env, [def](const Napi::CallbackInfo& info) { return call(info, *def); },
                            d.name));
  }
}

}  // namespace fathom::napi
