// Backend control: which ISA path and how many threads the kernels use, and how we were built.
#include <string>

#include "../runtime/cpu_features.h"
#include "../runtime/isa.h"
#include "../runtime/thread_pool.h"
#include "args.h"
#include "groups.h"

namespace faltung::binding {
namespace {

std::string compiler_name() {
#if defined(__clang__)
  return std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  return "gcc " + std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
         std::to_string(__GNUC_PATCHLEVEL__);
#elif defined(_MSC_VER)
  return "msvc " + std::to_string(_MSC_VER);
#else
  return "unknown";
#endif
}

Napi::Value backend_info(const Napi::CallbackInfo& info) {
  Args args(info, "backendInfo", 0);
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  result.Set("isa", isa_name(active_isa()));
  result.Set("bestIsa", isa_name(best_supported_isa()));
  Napi::Array supported = Napi::Array::New(env);
  uint32_t count = 0;
  for (int index = 0; index < kIsaCount; ++index) {
    if (isa_supported(static_cast<Isa>(index))) {
      supported.Set(count++, isa_name(static_cast<Isa>(index)));
    }
  }
  result.Set("supportedIsas", supported);
  result.Set("threads", num_threads());
  result.Set("compiler", compiler_name());
#if defined(NDEBUG)
  result.Set("buildType", "release");
#else
  result.Set("buildType", "debug");
#endif
#if defined(FALTUNG_BUILD_SYSTEM)
  result.Set("buildSystem", FALTUNG_BUILD_SYSTEM);
#else
  result.Set("buildSystem", "unknown");
#endif
#if defined(__SANITIZE_ADDRESS__)
  result.Set("sanitizers", "address");
#else
  result.Set("sanitizers", "none");
#endif
  return result;
}

Napi::Value set_isa(const Napi::CallbackInfo& info) {
  Args args(info, "setIsa", 1);
  const std::string name = args.string(0, "isa");
  Isa isa;
  if (!parse_isa(name.c_str(), &isa)) {
    args.range_error("isa", "one of 'scalar', 'neon', 'avx2', 'avx512'", "'" + name + "'");
  }
  if (!set_active_isa(isa)) {
    args.range_error("isa", std::string("an ISA this CPU supports (best: ") +
                                isa_name(best_supported_isa()) + ")",
                     "'" + name + "'");
  }
  return info.Env().Undefined();
}

Napi::Value set_num_threads_binding(const Napi::CallbackInfo& info) {
  Args args(info, "setNumThreads", 1);
  set_num_threads(static_cast<int>(args.integer(0, "count", 1, 256)));
  return info.Env().Undefined();
}

Napi::Value get_num_threads_binding(const Napi::CallbackInfo& info) {
  Args args(info, "getNumThreads", 0);
  return Napi::Number::New(info.Env(), num_threads());
}

}  // namespace

void register_backend(Napi::Env env, Napi::Object exports) {
  exports.Set("backendInfo", Napi::Function::New(env, backend_info, "backendInfo"));
  exports.Set("setIsa", Napi::Function::New(env, set_isa, "setIsa"));
  exports.Set("setNumThreads", Napi::Function::New(env, set_num_threads_binding, "setNumThreads"));
  exports.Set("getNumThreads", Napi::Function::New(env, get_num_threads_binding, "getNumThreads"));
}

}  // namespace faltung::binding
