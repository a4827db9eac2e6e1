#pragma once
#include "core/tensor.h"

namespace fathom::table {
// `t` on device `d`, always a new tensor (a copy when it is there already).
Tensor clone_to(const Tensor& t, Device d);
}  // namespace fathom::table
