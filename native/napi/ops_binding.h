// Registers every op of ops/ops.h on the module exports under its camelCase name.
#pragma once
#include <napi.h>

namespace fathom::napi {
void register_ops(Napi::Env env, Napi::Object exports);
}
