#include "op_label.h"

namespace fathom {
namespace {
thread_local const char* g_current = nullptr;
}  // namespace

OpLabel::OpLabel(const char* op) : previous_(g_current) { g_current = op; }

OpLabel::~OpLabel() { g_current = previous_; }

const char* OpLabel::current() { return g_current != nullptr ? g_current : "alloc"; }

}  // namespace fathom
