// A minimal self-registering test harness for the native core (no external dependencies).
//
//   TEST(gemm_matches_reference) { CHECK(x == 1); CHECK_NEAR(got, want, 1e-12); }
//
// A failed check reports file:line and the values, and the test goes on (so one run shows every
// mismatch); test_main.cc prints "N passed, M failed" last and exits nonzero on any failure.
#pragma once
#include <cmath>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"

namespace fathom::test {

struct TestCase {
  const char* name;
  const char* file;
  void (*fn)();
};

std::vector<TestCase>& registry();
struct Registrar {
  Registrar(const char* name, const char* file, void (*fn)()) {
    registry().push_back({name, file, fn});
  }
};

// Counts for the test that is running; test_main.cc resets them per test.
int64_t& checks_run();
int64_t& checks_failed();
void report_failure(const char* file, int line, const std::string& message);

inline void record(bool ok, const char* file, int line, const std::string& message) {
  ++checks_run();
  if (!ok) report_failure(file, line, message);
}

template <typename T>
std::string show(const T& v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

// |got - want| <= tol, with NaN never near anything (a NaN result must fail the check).
inline bool near(double got, double want, double tol) {
  if (std::isnan(got) || std::isnan(want)) return false;
  if (got == want) return true;  // equal infinities
  return std::fabs(got - want) <= tol;
}

// Element-wise |got[i] - want[i]| <= atol + rtol * |want[i]|; reports how many elements fail and
// the worst one, rather than flooding the log with one line per element.
template <typename G, typename W>
void check_all_close(const char* file, int line, const char* what, const G* got, const W* want,
                     int64_t n, double rtol, double atol) {
  int64_t bad = 0, worst = -1;
  double worst_excess = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double g = static_cast<double>(got[i]), w = static_cast<double>(want[i]);
    const double tol = atol + rtol * std::fabs(w);
    if (near(g, w, tol)) continue;
    ++bad;
    const double excess = std::isnan(g - w) ? INFINITY : std::fabs(g - w) - tol;
    if (worst < 0 || excess > worst_excess) worst = i, worst_excess = excess;
  }
  std::string msg;
  if (bad) {
    msg = std::string(what) + ": " + show(bad) + " of " + show(n) + " elements differ; worst [" +
          show(worst) + "] got " + show(static_cast<double>(got[worst])) + " want " +
          show(static_cast<double>(want[worst])) + " (rtol " + show(rtol) + ", atol " + show(atol) +
          ")";
  }
  record(bad == 0, file, line, msg);
}

}  // namespace fathom::test

#define FATHOM_TEST_CAT2(a, b) a##b
#define FATHOM_TEST_CAT(a, b) FATHOM_TEST_CAT2(a, b)

#define TEST(name)                                                          \
  static void FATHOM_TEST_CAT(fathom_test_, name)();                        \
  static ::fathom::test::Registrar FATHOM_TEST_CAT(fathom_test_reg_, name)( \
      #name, __FILE__, &FATHOM_TEST_CAT(fathom_test_, name));               \
  static void FATHOM_TEST_CAT(fathom_test_, name)()

#define CHECK(cond) \
  ::fathom::test::record(static_cast<bool>(cond), __FILE__, __LINE__, "CHECK(" #cond ")")

#define CHECK_EQ(a, b)                                                                      \
  do {                                                                                      \
    const auto& fathom_a_ = (a);                                                            \
    const auto& fathom_b_ = (b);                                                            \
    ::fathom::test::record(fathom_a_ == fathom_b_, __FILE__, __LINE__,                      \
                           "CHECK_EQ(" #a ", " #b "): " + ::fathom::test::show(fathom_a_) + \
                               " != " + ::fathom::test::show(fathom_b_));                   \
  } while (0)

// Absolute tolerance: |a - b| <= tol.
#define CHECK_NEAR(a, b, tol)                                                                 \
  do {                                                                                        \
    const double fathom_a_ = static_cast<double>(a);                                          \
    const double fathom_b_ = static_cast<double>(b);                                          \
    const double fathom_t_ = static_cast<double>(tol);                                        \
    ::fathom::test::record(                                                                   \
        ::fathom::test::near(fathom_a_, fathom_b_, fathom_t_), __FILE__, __LINE__,            \
        "CHECK_NEAR(" #a ", " #b ", " #tol "): " + ::fathom::test::show(fathom_a_) + " vs " + \
            ::fathom::test::show(fathom_b_) + ", diff " +                                     \
            ::fathom::test::show(std::fabs(fathom_a_ - fathom_b_)));                          \
  } while (0)

// Arrays: |got[i] - want[i]| <= atol + rtol * |want[i]| for i < n.
#define CHECK_ALL_CLOSE(got, want, n, rtol, atol) \
  ::fathom::test::check_all_close(__FILE__, __LINE__, #got " vs " #want, got, want, n, rtol, atol)

// The statement must throw an exception of type E (e.g. fathom::Error).
#define CHECK_THROWS(stmt, E)                                                     \
  do {                                                                            \
    bool fathom_threw_ = false;                                                   \
    try {                                                                         \
      stmt;                                                                       \
    } catch (const E&) {                                                          \
      fathom_threw_ = true;                                                       \
    } catch (...) {                                                               \
    }                                                                             \
    ::fathom::test::record(fathom_threw_, __FILE__, __LINE__,                     \
                           "CHECK_THROWS(" #stmt ", " #E "): did not throw " #E); \
  } while (0)

namespace fathom::test {

// Why an error does not match (empty when it does): its kind and the needles its message holds.
inline std::string check_error(const fathom::Error& e, fathom::ErrorKind kind,
                               std::initializer_list<const char*> needles) {
  const std::string msg = e.what();
  if (e.kind() != kind) return std::string("wrong kind ") + e.code() + " for \"" + msg + "\"";
  for (const char* n : needles) {
    if (msg.find(n) == std::string::npos) return "\"" + msg + "\" lacks \"" + n + "\"";
  }
  return "";
}

}  // namespace fathom::test

// Records that `stmt` throws fathom::Error of `kind` whose message holds every needle.
#define CHECK_FAILS(stmt, kind, ...)                                             \
  do {                                                                           \
    std::string fathom_why_ = "did not throw";                                   \
    try {                                                                        \
      stmt;                                                                      \
    } catch (const fathom::Error& e) {                                           \
      fathom_why_ = ::fathom::test::check_error(e, kind, {__VA_ARGS__});         \
    } catch (const std::exception& e) {                                          \
      fathom_why_ = std::string("threw a non-fathom exception: ") + e.what();    \
    }                                                                            \
    ::fathom::test::record(fathom_why_.empty(), __FILE__, __LINE__,              \
                           "CHECK_FAILS(" #stmt ", " #kind "): " + fathom_why_); \
  } while (0)
