#include "feature_bindings.h"

namespace fathom::napi {

void register_edge_ops(Napi::Env, Napi::Object) {}

}  // namespace fathom::napi
