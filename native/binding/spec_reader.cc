// Field-by-field reading of spec objects; every failure names the path of the field.
#include "spec_reader.h"

#include <cmath>

#include "args.h"

namespace faltung::binding {

SpecReader::SpecReader(Napi::Env env, const char* function_name, Napi::Value value, std::string path)
    : env_(env), function_name_(function_name), path_(std::move(path)) {
  if (!value.IsObject() || value.IsArray() || value.IsTypedArray() || value.IsFunction()) {
    throw Napi::TypeError::New(env, std::string(function_name) + ": " + path_ + " must be an object, got " +
                                        describe_value(value));
  }
  object_ = value.As<Napi::Object>();
}

void SpecReader::fail_type(const std::string& field, const std::string& expected, const Napi::Value& got) const {
  throw Napi::TypeError::New(env_, std::string(function_name_) + ": " + path_ + "." + field + " must be " +
                                       expected + ", got " + describe_value(got));
}

void SpecReader::fail_range(const std::string& field, const std::string& expected, const std::string& got) const {
  throw Napi::RangeError::New(env_, std::string(function_name_) + ": " + path_ + "." + field + " must be " +
                                        expected + ", got " + got);
}

int64_t SpecReader::integer(const char* key, int64_t min, int64_t max) const {
  Napi::Value v = object_.Get(key);
  const std::string expected = "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  if (!v.IsNumber()) fail_type(key, expected, v);
  const double number = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(number) || number != std::floor(number) || number < static_cast<double>(min) ||
      number > static_cast<double>(max)) {
    fail_range(key, expected, format_number(number));
  }
  return static_cast<int64_t>(number);
}

double SpecReader::number(const char* key, double min, double max) const {
  Napi::Value v = object_.Get(key);
  if (!v.IsNumber()) fail_type(key, "a number", v);
  const double number = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(number) || number < min || number > max) {
    fail_range(key, "a finite number in [" + format_number(min) + ", " + format_number(max) + "]",
               format_number(number));
  }
  return number;
}

bool SpecReader::boolean(const char* key) const {
  Napi::Value v = object_.Get(key);
  if (!v.IsBoolean()) fail_type(key, "a boolean", v);
  return v.As<Napi::Boolean>().Value();
}

std::string SpecReader::string(const char* key) const {
  Napi::Value v = object_.Get(key);
  if (!v.IsString()) fail_type(key, "a string", v);
  return v.As<Napi::String>().Utf8Value();
}

float* SpecReader::f32(const char* key, int64_t expected_length, bool optional) const {
  Napi::Value v = object_.Get(key);
  if (optional && (v.IsNull() || v.IsUndefined())) return nullptr;
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    fail_type(key, optional ? "a Float32Array or null" : "a Float32Array", v);
  }
  Napi::Float32Array array = v.As<Napi::Float32Array>();
  const int64_t length = static_cast<int64_t>(array.ElementLength());
  if (length != expected_length) {
    fail_range(key, "a Float32Array of length " + std::to_string(expected_length), "length " + std::to_string(length));
  }
  return array.Data();
}

int32_t* SpecReader::i32(const char* key, int64_t expected_length) const {
  Napi::Value v = object_.Get(key);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    fail_type(key, "an Int32Array", v);
  }
  Napi::Int32Array array = v.As<Napi::Int32Array>();
  const int64_t length = static_cast<int64_t>(array.ElementLength());
  if (length != expected_length) {
    fail_range(key, "an Int32Array of length " + std::to_string(expected_length), "length " + std::to_string(length));
  }
  return array.Data();
}

SpecReader SpecReader::child(const char* key) const {
  return SpecReader(env_, function_name_, object_.Get(key), path_ + "." + key);
}

uint32_t SpecReader::array_length(const char* key) const {
  Napi::Value v = object_.Get(key);
  if (!v.IsArray()) fail_type(key, "an array", v);
  return v.As<Napi::Array>().Length();
}

SpecReader SpecReader::element(const char* key, uint32_t index) const {
  Napi::Array array = object_.Get(key).As<Napi::Array>();
  return SpecReader(env_, function_name_, array.Get(index), path_ + "." + key + "[" + std::to_string(index) + "]");
}

}  // namespace faltung::binding
