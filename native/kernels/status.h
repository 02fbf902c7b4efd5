// The one way kernels report failure: a status code returned up to the binding, which turns it
// into a FaltungError. Kernels never throw across N-API, print, or exit.
#pragma once

namespace faltung {

enum class Status : int {
  ok = 0,
  out_of_memory = 1,     // a workspace allocation failed
  invalid_argument = 2,  // a precondition the binding should have caught; a bug if it happens
};

inline const char* status_code(Status status) {
  switch (status) {
    case Status::ok: return "OK";
    case Status::out_of_memory: return "FALTUNG_OUT_OF_MEMORY";
    case Status::invalid_argument: return "FALTUNG_INVALID_ARGUMENT";
  }
  return "FALTUNG_UNKNOWN";
}

inline const char* status_message(Status status) {
  switch (status) {
    case Status::ok: return "ok";
    case Status::out_of_memory: return "out of memory while allocating kernel workspace";
    case Status::invalid_argument: return "invalid argument reached a native kernel";
  }
  return "unknown native error";
}

}  // namespace faltung
