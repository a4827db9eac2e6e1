// The op the calling thread is running, named by errors raised far below the op's own checks:
// an allocation past the memory budget names the JS op that asked for it ("fill", "matmul").
// The N-API layer labels every call; "alloc" where no label is set (a kernel's worker thread,
// the native tests).
#pragma once

namespace fathom {

class OpLabel {
 public:
  explicit OpLabel(const char* op);
  ~OpLabel();
  OpLabel(const OpLabel&) = delete;
  OpLabel& operator=(const OpLabel&) = delete;

  static const char* current();

 private:
  const char* previous_;
};

}  // namespace fathom
