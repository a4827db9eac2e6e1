#include "op_table.h"

#include <unordered_map>

namespace fathom::table {

const std::vector<OpDef>& op_table() {
  static const std::vector<OpDef> ops = [] {
    std::vector<OpDef> all;
    add_tensor_ops(all);
    add_handle_ops(all);
    add_aggr_ops(all);
    add_edge_ops(all);
    add_gat_ops(all);
    add_norm_ops(all);
    add_sparse_feature_ops(all);
    return all;
  }();
  return ops;
}

const OpDef* find_op(const std::string& name) {
  static const std::unordered_map<std::string, const OpDef*> by_name = [] {
    std::unordered_map<std::string, const OpDef*> m;
    for (const OpDef& d : op_table()) m.emplace(d.name, &d);
    return m;
  }();
  auto it = by_name.find(name);
  return it == by_name.end() ? nullptr : it->second;
}

}  // namespace fathom::table
