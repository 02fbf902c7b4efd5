// Per-environment state of the addon (one per main thread or worker_thread): the FaltungError
// class and the buffer pinner handed over by lib/native.ts, and the output-buffer pool. Kept in
// N-API instance data, never in a global, so the addon works in several environments at once and
// is released by each one's cleanup.
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "../kernels/status.h"
#include "../runtime/buffer_pool.h"

namespace faltung::binding {

struct AddonData {
  Napi::FunctionReference error_class;    // lib/errors.ts FaltungError(message, code)
  Napi::FunctionReference network_class;  // the Network wrapper's constructor (network.cc)
  Napi::FunctionReference buffer_pinner;  // lib/native.ts pinBuffer(buffer) -> false if resizable (buffer_guard.h)
  // Shared with every pooled ArrayBuffer's finalizer (output_pool.cc), so the pool lives until the
  // later of this environment's teardown and the last buffer's release.
  std::shared_ptr<BufferPool> output_pool = std::make_shared<BufferPool>();
  bool poison_outputs = false;  // tests: NaN-fill outputs that are not asked to be zeroed
};

// Builds a FaltungError (or a plain Error before lib/native.ts registered the class).
Napi::Error make_faltung_error(Napi::Env env, const std::string& message, const char* code);
Napi::Error make_status_error(Napi::Env env, const char* function_name, Status status);

}  // namespace faltung::binding
