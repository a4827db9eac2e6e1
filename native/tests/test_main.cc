// Runs every registered TEST (or those whose name contains argv[1]). An exception escaping a
// test counts as a failure of that test, not a crash of the run. The last line is always
// "N passed, M failed"; the exit status is nonzero when M > 0 or when no test matched.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "check.h"

namespace fathom::test {

std::vector<TestCase>& registry() {
  static std::vector<TestCase> tests;
  return tests;
}

int64_t& checks_run() {
  static int64_t n = 0;
  return n;
}

int64_t& checks_failed() {
  static int64_t n = 0;
  return n;
}

void report_failure(const char* file, int line, const std::string& message) {
  ++checks_failed();
  std::fprintf(stderr, "  %s:%d: %s\n", file, line, message.c_str());
}

}  // namespace fathom::test

int main(int argc, char** argv) {
  using namespace fathom::test;
  const char* filter = argc > 1 ? argv[1] : nullptr;
  int passed = 0, failed = 0;
  int64_t total_checks = 0;
  for (const TestCase& t : registry()) {
    if (filter && std::strstr(t.name, filter) == nullptr) continue;
    checks_run() = 0;
    checks_failed() = 0;
    std::string error;
    try {
      t.fn();
    } catch (const std::exception& e) {
      error = std::string("unexpected exception: ") + e.what();
    } catch (...) {
      error = "unexpected non-standard exception";
    }
    if (!error.empty()) report_failure(t.file, 0, error);
    total_checks += checks_run();
    const bool ok = checks_failed() == 0;
    std::printf("[%s] %s (%lld checks, %lld failed)\n", ok ? "PASS" : "FAIL", t.name,
                static_cast<long long>(checks_run()), static_cast<long long>(checks_failed()));
    std::fflush(stdout);
    (ok ? passed : failed)++;
  }
  std::printf("%lld checks\n", static_cast<long long>(total_checks));
  std::printf("%d passed, %d failed\n", passed, failed);
  if (passed + failed == 0) {
    std::fprintf(stderr, "no test matched%s%s\n", filter ? " " : "", filter ? filter : "");
    return 1;
  }
  return failed == 0 ? 0 : 1;
}
