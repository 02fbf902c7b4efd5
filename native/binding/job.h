// Running a kernel call synchronously or off the event loop, from one job struct.
// A binding parses its arguments into a plain job (pointers and dimensions, no N-API values) on
// the main thread. Sync: run it now. Async: an AsyncWorker runs it on the libuv pool; the JS
// typed arrays it points into stay referenced, and pinned (buffer_guard.h: never detached or
// shrunk), until it finishes, and the Promise settles after.
#pragma once

#include <napi.h>

#include <new>
#include <stdexcept>
#include <utility>
#include <vector>

#include "../kernels/status.h"
#include "addon_data.h"
#include "args.h"
#include "buffer_guard.h"

namespace faltung::binding {

// Runs a job body, turning an allocation failure (std::bad_alloc, or a size no container can hold)
// into Status::out_of_memory: an exception must never leave a worker thread or cross N-API.
template <typename Body>
Status guarded_run(Body&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return Status::out_of_memory;
  } catch (const std::length_error&) {
    return Status::out_of_memory;
  }
}

template <typename Job>  // Job: Status run();
class JobWorker final : public Napi::AsyncWorker {
 public:
  JobWorker(Napi::Env env, const char* function_name, Job job, const std::vector<Napi::Object>& keep)
      : Napi::AsyncWorker(env, function_name),
        function_name_(function_name),
        job_(std::move(job)),
        deferred_(Napi::Promise::Deferred::New(env)) {
    for (const Napi::Object& object : keep) kept_.push_back(Napi::Persistent(object));
  }

  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override { status_ = guarded_run([this] { return job_.run(); }); }  // never touches N-API values

  void OnOK() override {
    Napi::Env env = Env();
    if (status_ == Status::ok) {
      deferred_.Resolve(env.Undefined());
    } else {
      deferred_.Reject(make_status_error(env, function_name_, status_).Value());
    }
    kept_.clear();
  }

 private:
  const char* function_name_;
  Job job_;
  Napi::Promise::Deferred deferred_;
  std::vector<Napi::ObjectReference> kept_;
  Status status_ = Status::ok;
};

// What a call with no data returns: undefined, or a Promise already resolved.
inline Napi::Value nothing_to_do(Napi::Env env, bool async) {
  if (!async) return env.Undefined();
  Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);
  deferred.Resolve(env.Undefined());
  return deferred.Promise();
}

// Runs `job` now (returns undefined, throws a FaltungError on failure) or queues it (returns a
// Promise) depending on `async`. A call whose arrays are all empty runs nothing: its dimensions
// are then backed by no data, and a kernel looping over them (dense with N = 2^40, I = U = 0)
// would spin for hours doing nothing.
template <typename Job>
Napi::Value run_job(const Args& args, Job job, bool async) {
  Napi::Env env = args.env();
  if (args.all_arrays_empty()) return nothing_to_do(env, async);
  if (!async) {
    const Status status = guarded_run([&job] { return job.run(); });
    if (status != Status::ok) throw make_status_error(env, args.function_name(), status);
    return env.Undefined();
  }
  pin_used_arrays(args);  // may throw (a resizable buffer) before anything is queued
  auto* worker = new JobWorker<Job>(env, args.function_name(), std::move(job), args.used_objects());
  Napi::Promise promise = worker->promise();
  worker->Queue();  // the worker deletes itself after OnOK
  return promise;
}

}  // namespace faltung::binding
