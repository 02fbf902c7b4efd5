// Runs every registered native test on every ISA path this CPU supports; prints one closing line
// "N passed, N failed" that CI reads, and exits non-zero on any failure.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "../runtime/isa.h"
#include "check.h"

namespace faltung::testing {

namespace {
int failures_in_current_test = 0;
}

std::vector<TestCase>& registry() {
  static std::vector<TestCase> tests;
  return tests;
}

void record_failure(const std::string& message) {
  ++failures_in_current_test;
  if (failures_in_current_test <= 5) std::fprintf(stderr, "    FAIL: %s\n", message.c_str());
}

bool expect_close(const float* actual, const double* expected, int64_t count, double atol, double rtol,
                  const std::string& context) {
  int reported = 0;
  bool ok = true;
  for (int64_t index = 0; index < count; ++index) {
    const double tolerance = std::fmax(atol, rtol * std::fabs(expected[index]));
    const double error = std::fabs(static_cast<double>(actual[index]) - expected[index]);
    if (!(error <= tolerance)) {  // also catches NaN
      ok = false;
      if (reported++ < 3) {
        char text[256];
        std::snprintf(text, sizeof text, "%s: index %lld of %lld: got %.9g, expected %.9g (tolerance %.3g)",
                      context.c_str(), static_cast<long long>(index), static_cast<long long>(count),
                      actual[index], expected[index], tolerance);
        record_failure(text);
      }
    }
  }
  return ok;
}

}  // namespace faltung::testing

int main(int argc, char** argv) {
  using namespace faltung;
  using namespace faltung::testing;
  const char* filter = argc > 1 ? argv[1] : nullptr;
  int passed = 0;
  int failed = 0;
  for (int isa_index = 0; isa_index < kIsaCount; ++isa_index) {
    const Isa isa = static_cast<Isa>(isa_index);
    if (!set_active_isa(isa)) continue;
    for (const TestCase& test : registry()) {
      if (filter != nullptr && std::strstr(test.name, filter) == nullptr) continue;
      failures_in_current_test = 0;
      test.body();
      const bool ok = failures_in_current_test == 0;
      std::printf("%s %s [%s]\n", ok ? "ok  " : "FAIL", test.name, isa_name(isa));
      (ok ? passed : failed) += 1;
    }
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
