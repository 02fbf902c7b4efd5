// The one way kernels report failure: a status code returned up to the binding, which turns it
// into a FaltungError. Kernels never throw across N-API, print, or exit.
#pragma once

namespace faltung {

enum class Status : int {
  ok = 0,
  out_of_memory = 1,     // a workspace allocation failed
  invalid_argument = 2,  // a precondition the binding should have caught; a bug if it happens
  invalid_data = 3,      // data values out of their domain (e.g. a class label >= classes)
  busy = 4,              // the object is in use by another (async) call
};

inline const char* status_code(Status status) {
  switch (status) {
    case Status::ok: return "OK";
    case Status::out_of_memory: return "FALTUNG_OUT_OF_MEMORY";
    case Status::invalid_argument: return "FALTUNG_INVALID_ARGUMENT";
    case Status::invalid_data: return "FALTUNG_INVALID_DATA";
    case Status::busy: return "FALTUNG_BUSY";
  }
  return "FALTUNG_UNKNOWN";
}

inline const char* status_message(Status status) {
  switch (status) {
    case Status::ok: return "ok";
    case Status::out_of_memory: return "out of memory while allocating kernel workspace";
    case Status::invalid_argument: return "invalid argument reached a native kernel";
    case Status::invalid_data: return "data out of range (for example a class label >= the number of classes)";
    case Status::busy: return "already running another call; await it first";
  }
  return "unknown native error";
}

}  // namespace faltung
