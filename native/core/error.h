// Typed errors. Every message names the op, the argument and the shapes involved, so
// the N-API layer can map kinds to TypeError / RangeError / FathomError without parsing text.
#pragma once
#include <stdexcept>
#include <string>

namespace fathom {

enum class ErrorKind {
  Type,         // wrong dtype or kind of argument  -> TypeError
  Range,        // index / size / value out of range -> RangeError
  Shape,        // incompatible shapes               -> RangeError
  Device,       // mismatched or unavailable device  -> FathomError DEVICE
  OutOfMemory,  // allocation failed                 -> FathomError OUT_OF_MEMORY
  Io,           // file problems                     -> FathomError IO
  Internal      // a bug or a CUDA failure           -> FathomError INTERNAL
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }
  const char* code() const;

 private:
  ErrorKind kind_;
};

// Throws Error(kind, "<op>: <message>").
[[noreturn]] void fail(ErrorKind kind, const std::string& op, const std::string& message);

}  // namespace fathom

#define FATHOM_CHECK(cond, kind, op, msg)              \
  do {                                                 \
    if (!(cond)) ::fathom::fail((kind), (op), (msg));  \
  } while (0)
