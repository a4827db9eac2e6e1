// Typed errors. Every message names the op, the argument and the shapes involved. The N-API
// layer turns every kind into a JS FathomError whose `code` is the kind's code below, so one
// failure reaches JS as one class and one code whichever op finds it (docs/errors.md).
#pragma once
#include <stdexcept>
#include <string>

namespace fathom {

enum class ErrorKind {
  Type,         // wrong dtype (or kind of native argument)          -> FathomError TYPE
  Range,        // a numeric argument or index out of its range      -> FathomError RANGE
  Shape,        // wrong rank or sizes, operands whose shapes differ -> FathomError SHAPE
  Device,       // mismatched or unavailable device                  -> FathomError DEVICE
  OutOfMemory,  // allocation failed                                 -> FathomError OUT_OF_MEMORY
  Io,           // file problems                                     -> FathomError IO
  Distributed,  // MPI missing, not initialized, or a collective failed -> FathomError DISTRIBUTED
  Numeric,      // a value the op cannot work with (a zero spectral norm) -> FathomError NUMERIC
  Internal      // a bug or a CUDA failure                           -> FathomError INTERNAL
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

#define FATHOM_CHECK(cond, kind, op, msg)             \
  do {                                                \
    if (!(cond)) ::fathom::fail((kind), (op), (msg)); \
  } while (0)
