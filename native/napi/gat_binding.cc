#include "feature_bindings.h"

namespace fathom::napi {

void register_gat_ops(Napi::Env, Napi::Object) {}

}  // namespace fathom::napi
