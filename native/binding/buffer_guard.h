// Keeping typed-array memory valid while native code holds raw pointers into it past the call
// that passed it: async jobs (until they finish) and the Network's weights (for its lifetime).
// Deliberately no copies: lib/native.ts hands over a pinner that marks a buffer untransferable
// (a postMessage / structuredClone transfer then copies instead of detaching) and reports whether
// it is resizable (those are refused: they could shrink under native code).
#pragma once

#include <napi.h>

#include <string>

namespace faltung::binding {

class Args;

// Pins `array`'s buffer, or throws a TypeError naming `function_name` and `name` if it is a
// resizable ArrayBuffer. Without a registered pinner (the raw addon) it does nothing.
void pin_typed_array(Napi::Env env, const char* function_name, const std::string& name, const Napi::TypedArray& array);

// pin_typed_array for every typed array `args` has read (an async job is about to use them).
void pin_used_arrays(const Args& args);

}  // namespace faltung::binding
