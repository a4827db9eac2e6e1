// countNonfinite, the op that answers a number; every op that answers tensors is in the op
// table (native/table, exported by napi_args.cc).
#pragma once
#include <napi.h>

namespace fathom::napi {
void register_ops(Napi::Env env, Napi::Object exports);
}
