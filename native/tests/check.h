// A very small test harness for the native unit tests: registration, float comparisons with the
// house tolerance max(abs, rel*|ref|), and failure messages that name indices and sizes.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace faltung::testing {

struct TestCase {
  const char* name;
  void (*body)();
};

std::vector<TestCase>& registry();
void record_failure(const std::string& message);

struct Registration {
  Registration(const char* name, void (*body)()) { registry().push_back({name, body}); }
};

// Compares `count` values; reports the first few mismatches with their index and `context`.
// Returns true when all are within max(atol, rtol * |expected|).
bool expect_close(const float* actual, const double* expected, int64_t count, double atol, double rtol,
                  const std::string& context);

inline void expect_true(bool condition, const std::string& message) {
  if (!condition) record_failure(message);
}

// Deterministic uniform values in [-1, 1) (xorshift), so failures reproduce.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  float uniform() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return static_cast<float>((state_ >> 40) * (1.0 / (1ull << 24)) * 2.0 - 1.0);
  }
  int64_t below(int64_t bound) { return static_cast<int64_t>((uniform() + 1.0f) * 0.5f * bound) % bound; }
  std::vector<float> vector(int64_t count) {
    std::vector<float> values(static_cast<size_t>(count));
    for (float& value : values) value = uniform();
    return values;
  }

 private:
  uint64_t state_;
};

}  // namespace faltung::testing

// Defines and registers a test function. The one macro of the harness: registration needs a
// static object per test, and spelling that out each time hides the test's name.
#define FALTUNG_TEST(name)                                                         \
  static void name();                                                              \
  static ::faltung::testing::Registration name##_registration(#name, &name);       \
  static void name()
