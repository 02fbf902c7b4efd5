// Reads a plain JS object (a network spec) field by field with the same checks as Args, naming
// the full path of a bad field ("createNetwork: spec.layers[2].kernel must be ...").
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

namespace faltung::binding {

class SpecReader {
 public:
  SpecReader(Napi::Env env, const char* function_name, Napi::Value value, std::string path);

  const std::string& path() const { return path_; }
  Napi::Object object() const { return object_; }

  int64_t integer(const char* key, int64_t min, int64_t max) const;
  double number(const char* key, double min, double max) const;
  bool boolean(const char* key) const;
  std::string string(const char* key) const;
  // A Float32Array of `expected_length` elements; with `optional`, null/undefined give nullptr.
  float* f32(const char* key, int64_t expected_length, bool optional) const;
  int32_t* i32(const char* key, int64_t expected_length) const;
  Napi::Value value(const char* key) const { return object_.Get(key); }
  // The value at `key` as the object of a nested reader.
  SpecReader child(const char* key) const;
  uint32_t array_length(const char* key) const;
  SpecReader element(const char* key, uint32_t index) const;

  [[noreturn]] void fail_type(const std::string& field, const std::string& expected, const Napi::Value& got) const;
  [[noreturn]] void fail_range(const std::string& field, const std::string& expected, const std::string& got) const;

 private:
  Napi::Env env_;
  const char* function_name_;
  Napi::Object object_;
  std::string path_;
};

}  // namespace faltung::binding
