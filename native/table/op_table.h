// Every op that takes and returns tensors, by its JavaScript name: the binding exports them all
// and a compiled plan looks its steps up here. One file per family adds its ops.
#pragma once
#include <string>
#include <vector>

#include "op_args.h"

namespace fathom::table {

const std::vector<OpDef>& op_table();
// nullptr when no op has that name.
const OpDef* find_op(const std::string& name);

// The families (one .cc each).
void add_tensor_ops(std::vector<OpDef>& ops);
void add_handle_ops(std::vector<OpDef>& ops);
void add_aggr_ops(std::vector<OpDef>& ops);
void add_edge_ops(std::vector<OpDef>& ops);
void add_gat_ops(std::vector<OpDef>& ops);
void add_norm_ops(std::vector<OpDef>& ops);
void add_sparse_feature_ops(std::vector<OpDef>& ops);

}  // namespace fathom::table
