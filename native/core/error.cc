#include "error.h"

namespace fathom {

const char* Error::code() const {
  switch (kind_) {
    case ErrorKind::Type:
      return "TYPE";
    case ErrorKind::Range:
      return "RANGE";
    case ErrorKind::Shape:
      return "SHAPE";
    case ErrorKind::Device:
      return "DEVICE";
    case ErrorKind::OutOfMemory:
      return "OUT_OF_MEMORY";
    case ErrorKind::Io:
      return "IO";
    case ErrorKind::Distributed:
      return "DISTRIBUTED";
    case ErrorKind::Numeric:
      return "NUMERIC";
    case ErrorKind::Internal:
      return "INTERNAL";
  }
  return "INTERNAL";
}

void fail(ErrorKind kind, const std::string& op, const std::string& message) {
  throw Error(kind, op + ": " + message);
}

}  // namespace fathom
