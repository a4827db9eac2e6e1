// Opening an optional shared library at run time (MPI, METIS): the addon builds and runs
// without it, and uses it where the machine has it.
#pragma once
#include <string>
#include <vector>

namespace fathom {

struct OpenedLibrary {
  void* handle = nullptr;  // dlopen's handle; nullptr when none opened
  std::string name;        // the name that opened
  std::string reason;      // why none opened (empty when one did)
};

// dlopen of `env`'s value when that variable is set and not empty (the one library to use),
// else of the first of `names` that opens, with dlopen `flags`. The reason names the first
// candidate's dlerror and ends with `install_hint`.
OpenedLibrary open_first_library(const char* env, const std::vector<const char*>& names, int flags,
                                 const char* install_hint);

}  // namespace fathom
