// Argument checking at the N-API boundary: small inline helpers, no macro language.
// TypeScript validates first with friendly messages; these re-checks are cheap and exist because
// native code trusts nothing that crosses N-API. Every failure throws a JS TypeError or
// RangeError naming the function, the parameter, what was expected and what came.
#pragma once

#include <napi.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace faltung::binding {

// Largest element count we accept for one array: keeps every index product inside int64 and
// every byte count inside size_t on 64-bit hosts.
constexpr int64_t kMaxElements = int64_t{1} << 40;

class Args {
 public:
  // Throws TypeError unless exactly `count` arguments came.
  Args(const Napi::CallbackInfo& info, const char* function_name, size_t count);

  Napi::Env env() const { return info_.Env(); }
  const char* function_name() const { return function_name_; }

  // A Float32Array of exactly `expected_length` elements (expected_length < 0: any length).
  float* f32(size_t index, const char* name, int64_t expected_length);
  // Like f32, but null or undefined gives nullptr (an optional input or an unwanted output).
  float* f32_or_null(size_t index, const char* name, int64_t expected_length);
  // A Float64Array of exactly `expected_length` elements (small result arrays).
  double* f64(size_t index, const char* name, int64_t expected_length);
  // Keeps `object` referenced while an async job runs (e.g. the wrapper the job works on).
  void keep(const Napi::Object& object) {
    used_.push_back(object);
    used_names_.push_back(nullptr);
  }
  // Length of the Float32Array at `index` (also type-checks it).
  int64_t f32_length(size_t index, const char* name);
  // An Int32Array of exactly `expected_length` elements.
  int32_t* i32(size_t index, const char* name, int64_t expected_length);
  // An integral number in [min, max].
  int64_t integer(size_t index, const char* name, int64_t min, int64_t max);
  // A finite number (NaN and infinities rejected).
  double number(size_t index, const char* name);
  bool boolean(size_t index, const char* name);
  std::string string(size_t index, const char* name);

  // Objects read so far (typed arrays), kept referenced by async jobs until they finish.
  const std::vector<Napi::Object>& used_objects() const { return used_; }
  // The parameter name of each used object (nullptr for kept objects that are not parameters).
  const std::vector<const char*>& used_names() const { return used_names_; }
  // True when arrays were read and every one is empty: the call has no data to work on.
  bool all_arrays_empty() const;

  [[noreturn]] void type_error(const char* name, const std::string& expected,
                               const Napi::Value& got) const;
  [[noreturn]] void range_error(const char* name, const std::string& expected,
                                const std::string& got) const;

 private:
  Napi::Value at(size_t index) const { return info_[index]; }

  void use(const Napi::Object& array, const char* name) {
    used_.push_back(array);
    used_names_.push_back(name);
  }

  const Napi::CallbackInfo& info_;
  const char* function_name_;
  std::vector<Napi::Object> used_;
  std::vector<const char*> used_names_;
};

// Product of dimensions, or a RangeError if it exceeds kMaxElements (which also rules out
// int64 overflow). `what` names the product in the message.
int64_t checked_product(const Args& args, const char* what, std::initializer_list<int64_t> dims);

// A number as JS would print it ("-1", "0.5", "nan", "inf").
std::string format_number(double number);

// A short description of a JS value's type for error messages ("a string", "a Float64Array").
std::string describe_value(const Napi::Value& value);

}  // namespace faltung::binding
