#include "feature_bindings.h"

namespace fathom::napi {

void register_norm_ops(Napi::Env, Napi::Object) {}

}  // namespace fathom::napi
