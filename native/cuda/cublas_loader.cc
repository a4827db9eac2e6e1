// cuBLAS through dlopen (cublas_loader.h). Plain C++: no CUDA or cuBLAS header.
#include "cublas_loader.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "runtime.h"

namespace fathom::cuda::cublas {
namespace {

// The sonames tried, newest first. Both majors export the same entry points with the same ABI.
const char* const kSonames[] = {"libcublas.so.13", "libcublas.so.12", "libcublas.so"};

bool is_dir(const std::string& p) {
  struct stat st {};
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

template <typename F>
bool resolve(void* lib, const char* name, F* out, std::vector<std::string>* missing) {
  *out = reinterpret_cast<F>(dlsym(lib, name));
  if (*out == nullptr) missing->push_back(name);
  return *out != nullptr;
}

// Every entry point gemm.cu calls, or nullptr with the names the library lacks.
Api* bind(void* lib, std::string* why) {
  auto* a = new Api();
  std::vector<std::string> missing;
  resolve(lib, "cublasCreate_v2", &a->create, &missing);
  resolve(lib, "cublasSetStream_v2", &a->set_stream, &missing);
  resolve(lib, "cublasSetMathMode", &a->set_math_mode, &missing);
  resolve(lib, "cublasSetPointerMode_v2", &a->set_pointer_mode, &missing);
  resolve(lib, "cublasSgemm_v2", &a->sgemm, &missing);
  resolve(lib, "cublasDgemm_v2", &a->dgemm, &missing);
  resolve(lib, "cublasGetStatusName", &a->status_name, &missing);
  resolve(lib, "cublasGetStatusString", &a->status_string, &missing);
  if (!missing.empty()) {
    std::string names;
    for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
    *why = "does not export " + names;
    delete a;
    return nullptr;
  }
  // cublasGetProperty(libraryPropertyType: MAJOR_VERSION 0, MINOR_VERSION 1, PATCH_LEVEL 2, int*).
  Status (*property)(int, int*) = nullptr;
  std::vector<std::string> ignored;
  (void)resolve(lib, "cublasSetWorkspace_v2", &a->set_workspace, &ignored);
  if (resolve(lib, "cublasGetProperty", &property, &ignored)) {
    int v[3] = {0, 0, 0};
    bool ok = true;
    for (int i = 0; i < 3; ++i) ok = ok && property(i, &v[i]) == kStatusSuccess;
    if (ok) {
      a->version = std::to_string(v[0]) + "." + std::to_string(v[1]) + "." + std::to_string(v[2]);
    }
  }
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(a->create), &info) != 0 && info.dli_fname != nullptr) {
    a->path = info.dli_fname;
  }
  return a;
}

// "a, b on the library path and in /x, /y" when every folder was searched for the same names (the
// default candidates), else the candidates as they are.
std::string describe(const std::vector<std::string>& paths) {
  std::vector<std::string> dirs;  // "" for a bare name: the library path
  std::vector<std::vector<std::string>> names;
  for (const std::string& p : paths) {
    const size_t slash = p.rfind('/');
    const std::string dir = slash == std::string::npos ? "" : p.substr(0, slash);
    const std::string name = slash == std::string::npos ? p : p.substr(slash + 1);
    if (dirs.empty() || dirs.back() != dir) {
      dirs.push_back(dir);
      names.emplace_back();
    }
    names.back().push_back(name);
  }
  bool same = true;
  for (const auto& n : names) same = same && n == names.front();
  std::string out;
  const std::vector<std::string>& list = same ? names.front() : paths;
  for (size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + list[i];
  if (!same) return out;
  for (size_t i = 0; i < dirs.size(); ++i) {
    out += i == 0 ? " " : " and ";
    out += dirs[i].empty() ? "on the library path" : "in " + dirs[i];
  }
  return out;
}

struct State {
  std::mutex mu;
  bool tried = false;
  const Api* api = nullptr;
  std::string reason;
};

State& state() {
  static State* s = new State();  // never destroyed: GEMMs may run from static destructors
  return *s;
}

}  // namespace

const Api* open_first(const std::vector<std::string>& candidates, std::string* why) {
  std::vector<std::string> not_found;
  std::string errors;
  for (const std::string& c : candidates) {
    (void)dlerror();
    void* lib = dlopen(c.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      const char* e = dlerror();
      const std::string msg = e != nullptr ? e : "dlopen failed";
      if (msg.find("No such file or directory") != std::string::npos) {
        not_found.push_back(c);
      } else {
        errors += (errors.empty() ? "" : "; ") + msg;
      }
      continue;
    }
    std::string lacks;
    if (Api* a = bind(lib, &lacks)) {
      if (a->path.empty()) a->path = c;
      if (why) why->clear();
      return a;
    }
    // Left open: closing a library that ran its initialisers is not always safe.
    errors += (errors.empty() ? "" : "; ") + c + " " + lacks;
  }
  if (why) {
    std::string msg;
    if (!not_found.empty()) msg = "no libcublas found (looked for " + describe(not_found) + ")";
    if (!errors.empty()) msg += (msg.empty() ? "" : "; ") + errors;
    if (msg.empty()) msg = "no libcublas to look for";
    *why = msg;
  }
  return nullptr;
}

std::vector<std::string> default_candidates() {
  const char* env = std::getenv("FATHOM_CUBLAS");
  if (env != nullptr && env[0] != '\0') {
    const std::string v = env;
    if (v == "0" || v == "off" || v == "OFF") return {};
    return {v};
  }
  std::vector<std::string> out(std::begin(kSonames), std::end(kSonames));
  // Toolkits installed from NVIDIA's runfile do not always register their lib64 with ld.so.
  std::vector<std::string> dirs;
  for (const char* var : {"CUDA_HOME", "CUDA_PATH"}) {
    const char* d = std::getenv(var);
    if (d != nullptr && d[0] != '\0') dirs.push_back(std::string(d) + "/lib64");
  }
  dirs.push_back("/usr/local/cuda/lib64");
  std::vector<std::string> seen;
  for (const std::string& d : dirs) {
    bool dup = false;
    for (const auto& s : seen) dup = dup || s == d;
    if (dup || !is_dir(d)) continue;
    seen.push_back(d);
    for (const char* so : kSonames) out.push_back(d + "/" + so);
  }
  return out;
}

const Api* api() {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  if (!s.tried) {
    s.tried = true;
    const std::vector<std::string> candidates = default_candidates();
    if (candidates.empty()) {
      s.reason = "turned off by FATHOM_CUBLAS=" + std::string(std::getenv("FATHOM_CUBLAS"));
    } else {
      s.api = open_first(candidates, &s.reason);
      const char* env = std::getenv("FATHOM_CUBLAS");
      if (s.api == nullptr && env != nullptr && env[0] != '\0') {
        s.reason = "FATHOM_CUBLAS=" + std::string(env) + ": " + s.reason;
      }
    }
  }
  return s.api;
}

std::string unavailable_reason() {
  (void)api();
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  return s.api ? std::string() : s.reason;
}

void disable(const std::string& why) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  s.tried = true;
  s.api = nullptr;
  s.reason = why;
}

}  // namespace fathom::cuda::cublas

namespace fathom::cuda {

CublasInfo cublas_info() {
  CublasInfo info;
  if (const cublas::Api* a = cublas::api()) {
    info.loaded = true;
    info.library = a->path;
    info.version = a->version;
  } else {
    info.reason = cublas::unavailable_reason();
  }
  return info;
}

}  // namespace fathom::cuda
