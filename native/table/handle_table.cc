// The tensor-handle methods a training step calls (clone, to, reshape, copyFrom), as ops a plan
// can replay; the binding keeps them as methods of TensorHandle, which run these same functions.
#include "handle_table.h"

#include "op_table.h"

namespace fathom::table {

Tensor clone_to(const Tensor& t, Device d) { return t.device() == d ? t.clone() : t.to(d); }

namespace {

using Out = std::vector<Tensor>;

Out clone(OpArgs& a) { return {a.tensor(0, "this").clone()}; }
Out to(OpArgs& a) { return {clone_to(a.tensor(0, "this"), a.device(1))}; }
Out reshape(OpArgs& a) { return {a.tensor(0, "this").reshape(a.shape(1))}; }

Out copy_from(OpArgs& a) {
  a.mutable_tensor(0, "this").copy_from(a.tensor(1, "source"));
  return {};
}

}  // namespace

void add_handle_ops(std::vector<OpDef>& ops) {
  ops.insert(ops.end(), {
                            {"clone", clone, Returns::One, nullptr, true},
                            {"to", to, Returns::One, nullptr, true},
                            {"reshape", reshape, Returns::One, nullptr, true},
                            {"copyFrom", copy_from, Returns::Nothing, nullptr, true},
                        });
}

}  // namespace fathom::table
