// Each exported group adds its functions to the exports object. addon.cc lists them all.
#pragma once

#include <napi.h>

namespace faltung::binding {

void register_backend(Napi::Env env, Napi::Object exports);
void register_gemm(Napi::Env env, Napi::Object exports);
void register_conv(Napi::Env env, Napi::Object exports);
void register_pool(Napi::Env env, Napi::Object exports);
void register_elementwise(Napi::Env env, Napi::Object exports);
void register_training(Napi::Env env, Napi::Object exports);
void register_dense(Napi::Env env, Napi::Object exports);
void register_network(Napi::Env env, Napi::Object exports);
void register_audio(Napi::Env env, Napi::Object exports);
void register_output_pool(Napi::Env env, Napi::Object exports);

}  // namespace faltung::binding
