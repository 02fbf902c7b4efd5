// Per-environment state of the addon (one per main thread or worker_thread): the FaltungError
// class and the buffer pinner handed over by lib/native.ts. Kept in N-API instance data, never in
// a global, so the addon works in several environments at once and is released by each one's cleanup.
#pragma once

#include <napi.h>

#include <string>

#include "../kernels/status.h"

namespace faltung::binding {

struct AddonData {
  Napi::FunctionReference error_class;    // lib/errors.ts FaltungError(message, code)
  Napi::FunctionReference network_class;  // the Network wrapper's constructor (network.cc)
  Napi::FunctionReference buffer_pinner;  // lib/native.ts pinBuffer(buffer) -> false if resizable (buffer_guard.h)
};

// Builds a FaltungError (or a plain Error before lib/native.ts registered the class).
Napi::Error make_faltung_error(Napi::Env env, const std::string& message, const char* code);
Napi::Error make_status_error(Napi::Env env, const char* function_name, Status status);

}  // namespace faltung::binding
