// Implementation of the boundary checks declared in args.h.
#include "args.h"

#include <cmath>
#include <cstdio>

namespace faltung::binding {

namespace {

// Where a zero-length (or detached) typed array's data points: V8 gives nullptr for those, and
// kernels pass their pointers to memcpy/memset even for zero counts, which requires non-null.
template <typename T>
T* non_null(T* data) {
  alignas(64) static T empty[16] = {};
  return data != nullptr ? data : empty;
}

}  // namespace

std::string format_number(double number) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", number);
  return text;
}

Args::Args(const Napi::CallbackInfo& info, const char* function_name, size_t count)
    : info_(info), function_name_(function_name) {
  if (info.Length() != count) {
    throw Napi::TypeError::New(info.Env(), std::string(function_name) + ": expected " +
                                               std::to_string(count) + " arguments, got " +
                                               std::to_string(info.Length()));
  }
}

void Args::type_error(const char* name, const std::string& expected, const Napi::Value& got) const {
  throw Napi::TypeError::New(env(), std::string(function_name_) + ": " + name + " must be " +
                                        expected + ", got " + describe_value(got));
}

void Args::range_error(const char* name, const std::string& expected, const std::string& got) const {
  throw Napi::RangeError::New(env(), std::string(function_name_) + ": " + name + " must be " +
                                         expected + ", got " + got);
}

float* Args::f32(size_t index, const char* name, int64_t expected_length) {
  const int64_t length = f32_length(index, name);
  if (expected_length >= 0 && length != expected_length) {
    range_error(name, "a Float32Array of length " + std::to_string(expected_length),
                "length " + std::to_string(length));
  }
  Napi::Float32Array array = at(index).As<Napi::Float32Array>();
  use(array, name);
  return non_null(array.Data());
}

float* Args::f32_or_null(size_t index, const char* name, int64_t expected_length) {
  if (at(index).IsNull() || at(index).IsUndefined()) return nullptr;
  return f32(index, name, expected_length);
}

int64_t Args::f32_length(size_t index, const char* name) {
  Napi::Value value = at(index);
  if (!value.IsTypedArray() ||
      value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    type_error(name, "a Float32Array", value);
  }
  return static_cast<int64_t>(value.As<Napi::Float32Array>().ElementLength());
}

int32_t* Args::i32(size_t index, const char* name, int64_t expected_length) {
  Napi::Value value = at(index);
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    type_error(name, "an Int32Array", value);
  }
  Napi::Int32Array array = value.As<Napi::Int32Array>();
  const int64_t length = static_cast<int64_t>(array.ElementLength());
  if (expected_length >= 0 && length != expected_length) {
    range_error(name, "an Int32Array of length " + std::to_string(expected_length),
                "length " + std::to_string(length));
  }
  use(array, name);
  return non_null(array.Data());
}

double* Args::f64(size_t index, const char* name, int64_t expected_length) {
  Napi::Value value = at(index);
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    type_error(name, "a Float64Array", value);
  }
  Napi::Float64Array array = value.As<Napi::Float64Array>();
  const int64_t length = static_cast<int64_t>(array.ElementLength());
  if (expected_length >= 0 && length != expected_length) {
    range_error(name, "a Float64Array of length " + std::to_string(expected_length),
                "length " + std::to_string(length));
  }
  use(array, name);
  return non_null(array.Data());
}

int64_t Args::integer(size_t index, const char* name, int64_t min, int64_t max) {
  Napi::Value value = at(index);
  if (!value.IsNumber()) type_error(name, "an integer", value);
  const double number = value.As<Napi::Number>().DoubleValue();
  const std::string range = "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  if (!std::isfinite(number) || number != std::floor(number) ||
      number < static_cast<double>(min) || number > static_cast<double>(max)) {
    range_error(name, range, format_number(number));
  }
  return static_cast<int64_t>(number);
}

double Args::number(size_t index, const char* name) {
  Napi::Value value = at(index);
  if (!value.IsNumber()) type_error(name, "a number", value);
  const double number = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(number)) range_error(name, "a finite number", format_number(number));
  return number;
}

bool Args::boolean(size_t index, const char* name) {
  Napi::Value value = at(index);
  if (!value.IsBoolean()) type_error(name, "a boolean", value);
  return value.As<Napi::Boolean>().Value();
}

std::string Args::string(size_t index, const char* name) {
  Napi::Value value = at(index);
  if (!value.IsString()) type_error(name, "a string", value);
  return value.As<Napi::String>().Utf8Value();
}

bool Args::all_arrays_empty() const {
  bool any = false;
  for (const Napi::Object& object : used_) {
    if (!object.IsTypedArray()) continue;
    if (object.As<Napi::TypedArray>().ByteLength() != 0) return false;
    any = true;
  }
  return any;
}

int64_t checked_product(const Args& args, const char* what, std::initializer_list<int64_t> dims) {
  int64_t product = 1;
  for (int64_t dim : dims) {
    if (dim < 0) args.range_error(what, "built from non-negative dimensions", std::to_string(dim));
    if (dim != 0 && product > kMaxElements / dim) {
      args.range_error(what, "at most " + std::to_string(kMaxElements) + " elements",
                       "an overflowing size");
    }
    product *= dim;
  }
  return product;
}

std::string describe_value(const Napi::Value& value) {
  switch (value.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "a boolean";
    case napi_number: return "a number";
    case napi_string: return "a string";
    case napi_symbol: return "a symbol";
    case napi_function: return "a function";
    case napi_bigint: return "a bigint";
    case napi_external: return "an external";
    case napi_object:
      if (value.IsTypedArray()) {
        switch (value.As<Napi::TypedArray>().TypedArrayType()) {
          case napi_int8_array: return "an Int8Array";
          case napi_uint8_array: return "a Uint8Array";
          case napi_uint8_clamped_array: return "a Uint8ClampedArray";
          case napi_int16_array: return "an Int16Array";
          case napi_uint16_array: return "a Uint16Array";
          case napi_int32_array: return "an Int32Array";
          case napi_uint32_array: return "a Uint32Array";
          case napi_float32_array: return "a Float32Array";
          case napi_float64_array: return "a Float64Array";
          default: return "a typed array";
        }
      }
      if (value.IsArray()) return "an array";
      return "an object";
  }
  return "an unknown value";
}

}  // namespace faltung::binding
