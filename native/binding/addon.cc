// The addon's exports table. Context-aware: state lives in per-environment instance data, so the
// addon loads in the main thread and in any number of worker_threads at once.
#include <napi.h>

#include "addon_data.h"
#include "groups.h"

namespace faltung::binding {

Napi::Error make_faltung_error(Napi::Env env, const std::string& message, const char* code) {
  AddonData* data = env.GetInstanceData<AddonData>();
  if (data != nullptr && !data->error_class.IsEmpty()) {
    Napi::Object error = data->error_class.New({Napi::String::New(env, message),
                                                Napi::String::New(env, code)});
    return Napi::Error(env, error);
  }
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  return error;
}

Napi::Error make_status_error(Napi::Env env, const char* function_name, Status status) {
  return make_faltung_error(env, std::string(function_name) + ": " + status_message(status),
                            status_code(status));
}

namespace {

Napi::Value set_error_class(const Napi::CallbackInfo& info) {
  if (info.Length() != 1 || !info[0].IsFunction()) {
    throw Napi::TypeError::New(info.Env(), "setErrorClass: expected one constructor function");
  }
  info.Env().GetInstanceData<AddonData>()->error_class =
      Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

// setBufferPinner(pin): the function buffer_guard.cc calls on the buffer of each array that native
// code holds past a call; it returns false for a resizable buffer.
Napi::Value set_buffer_pinner(const Napi::CallbackInfo& info) {
  if (info.Length() != 1 || !info[0].IsFunction()) {
    throw Napi::TypeError::New(info.Env(), "setBufferPinner: expected one function");
  }
  info.Env().GetInstanceData<AddonData>()->buffer_pinner =
      Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

Napi::Object init_exports(Napi::Env env, Napi::Object exports) {
  // N-API deletes the instance data (and its references) when this environment shuts down.
  env.SetInstanceData<AddonData>(new AddonData());
  exports.Set("setErrorClass", Napi::Function::New(env, set_error_class, "setErrorClass"));
  exports.Set("setBufferPinner", Napi::Function::New(env, set_buffer_pinner, "setBufferPinner"));
  register_backend(env, exports);
  register_gemm(env, exports);
  register_conv(env, exports);
  register_pool(env, exports);
  register_elementwise(env, exports);
  register_training(env, exports);
  register_dense(env, exports);
  register_network(env, exports);
  register_audio(env, exports);
  register_output_pool(env, exports);
  return exports;
}

}  // namespace

Napi::Object init(Napi::Env env, Napi::Object exports) { return init_exports(env, exports); }

}  // namespace faltung::binding

// NODE_API_MODULE pastes the name into an identifier, so it needs an unqualified function.
static Napi::Object init_faltung(Napi::Env env, Napi::Object exports) {
  return faltung::binding::init(env, exports);
}

NODE_API_MODULE(faltung, init_faltung)
