// Running a kernel call synchronously or off the event loop, from one job struct.
// A binding parses its arguments into a plain job (pointers and dimensions, no N-API values) on
// the main thread. Sync: run it now. Async: an AsyncWorker runs it on the libuv pool; the JS
// typed arrays it points into stay referenced until it finishes, and the Promise settles after.
#pragma once

#include <napi.h>

#include <utility>
#include <vector>

#include "../kernels/status.h"
#include "addon_data.h"
#include "args.h"

namespace faltung::binding {

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

  void Execute() override { status_ = job_.run(); }  // never touches N-API values

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

// Runs `job` now (returns undefined, throws a FaltungError on failure) or queues it (returns a
// Promise) depending on `async`.
template <typename Job>
Napi::Value run_job(const Args& args, Job job, bool async) {
  Napi::Env env = args.env();
  if (!async) {
    const Status status = job.run();
    if (status != Status::ok) throw make_status_error(env, args.function_name(), status);
    return env.Undefined();
  }
  auto* worker = new JobWorker<Job>(env, args.function_name(), std::move(job), args.used_objects());
  Napi::Promise promise = worker->promise();
  worker->Queue();  // the worker deletes itself after OnOK
  return promise;
}

}  // namespace faltung::binding
