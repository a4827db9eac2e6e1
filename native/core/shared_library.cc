#include "shared_library.h"

#include <dlfcn.h>

#include <cstdlib>

namespace fathom {

OpenedLibrary open_first_library(const char* env, const std::vector<const char*>& names, int flags,
                                 const char* install_hint) {
  std::vector<std::string> candidates;
  if (const char* chosen = std::getenv(env); chosen && *chosen) {
    candidates.emplace_back(chosen);
  } else {
    candidates.assign(names.begin(), names.end());
  }
  OpenedLibrary out;
  for (size_t i = 0; i < candidates.size() && !out.handle; ++i) {
    out.handle = dlopen(candidates[i].c_str(), flags);
    if (out.handle) {
      out.name = candidates[i];
    } else if (i == 0) {
      const char* why = dlerror();
      out.reason = "cannot open " + candidates[i] + (why ? std::string(" (") + why + ")" : "");
    }
  }
  if (out.handle) {
    out.reason.clear();
  } else {
    out.reason += std::string("; ") + install_hint;
  }
  return out;
}

}  // namespace fathom
