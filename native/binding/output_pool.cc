// allocateOutput(length, zeroed): a Float32Array over a block of this environment's BufferPool that
// goes back to the pool when the array is collected; internal: outputPoolStats, setOutputPoolLimits,
// setOutputPoolPoison. Deliberately never the only way: whenever the pool refuses, V8 allocates.
#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <new>

#include "addon_data.h"
#include "args.h"
#include "groups.h"

namespace faltung::binding {
namespace {

// lib's MAX_ELEMENTS: every op output is checked against it before it is allocated.
constexpr int64_t kMaxOutputElements = 2147483647;
// Byte limits are JS numbers: integers up to 2^53 - 1.
constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;

// Largest pooled output. Node 20 builds external ArrayBuffers as Buffers and refuses those over
// buffer.constants.MAX_LENGTH (4 GiB) after calling the finalizer; staying far below keeps clear of
// that path, and outputs this big are dominated by their compute, not by page faults.
constexpr size_t kMaxPooledBytes = size_t{1} << 30;

// Lifetime: Node runs an external ArrayBuffer's finalizer on the event loop after V8 frees its
// backing store, or from the environment's cleanup hook at exit (after detaching the buffer). Each
// finalizer holds a shared_ptr to the pool, so whichever comes last, the environment's teardown or
// the last finalizer, frees the pool. Pooled buffers are pinned (marked untransferable): a transfer
// must copy them, never move memory the pool will hand out again. The pool refuses (and V8
// allocates) past its caps, e.g. in a synchronous loop, which gets no block back until it yields.
// The finalize hint of one pooled ArrayBuffer.
struct PooledBuffer {
  std::shared_ptr<BufferPool> pool;
  PoolBlock block;
};

// The hint being handed to napi_create_external_arraybuffer on this thread, and whether Node ran
// its finalizer during the call (some failure paths do, others leave the block with the caller).
thread_local const PooledBuffer* creating = nullptr;
thread_local bool finalized_while_creating = false;

void return_to_pool(napi_env /*env*/, void* /*data*/, void* hint) {
  std::unique_ptr<PooledBuffer> buffer(static_cast<PooledBuffer*>(hint));
  if (buffer.get() == creating) finalized_while_creating = true;
  buffer->pool->release(buffer->block);  // noexcept; may free the pool if it was the last holder
}

// A pinned ArrayBuffer of `bytes` over pooled memory, or nullptr when the pool or Node refuses.
napi_value pooled_array_buffer(Napi::Env env, AddonData* data, size_t bytes) {
  // Without the pinner (the raw addon, before lib/native.ts set it up) nothing could stop a
  // transfer from moving pooled memory to another thread: no pooling then.
  if (data->buffer_pinner.IsEmpty() || bytes > kMaxPooledBytes) return nullptr;
  const PoolBlock block = data->output_pool->acquire(bytes);
  if (block.data == nullptr) return nullptr;
  auto* hint = new (std::nothrow) PooledBuffer{data->output_pool, block};
  if (hint == nullptr) {
    data->output_pool->release(block);
    return nullptr;
  }
  napi_value buffer = nullptr;
  creating = hint;
  finalized_while_creating = false;
  const napi_status status =
      napi_create_external_arraybuffer(env, block.data, bytes, return_to_pool, hint, &buffer);
  creating = nullptr;
  if (status != napi_ok) {
    // e.g. napi_no_external_buffers_allowed (a V8 sandbox): then the block is still ours.
    if (!finalized_while_creating) {
      data->output_pool->release(block);
      delete hint;
    }
    // The fallback must start without the failed call's exception.
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
      napi_value ignored;
      napi_get_and_clear_last_exception(env, &ignored);
    }
    return nullptr;
  }
  // From here on the finalizer owns the block. pinBuffer returns false only for resizable
  // buffers, which this is not; if user code broke it and it throws, the exception propagates
  // and the array is simply collected, its block coming back.
  data->buffer_pinner.Call({Napi::Value(env, buffer)});
  return buffer;
}

Napi::Value allocate_output(const Napi::CallbackInfo& info) {
  Args args(info, "allocateOutput", 2);
  const int64_t length = args.integer(0, "length", 0, kMaxOutputElements);
  const bool zeroed = args.boolean(1, "zeroed");
  Napi::Env env = info.Env();
  AddonData* data = env.GetInstanceData<AddonData>();
  const size_t bytes = static_cast<size_t>(length) * sizeof(float);

  napi_value pooled = length > 0 ? pooled_array_buffer(env, data, bytes) : nullptr;
  Napi::ArrayBuffer buffer;
  if (pooled != nullptr) {
    buffer = Napi::ArrayBuffer(env, pooled);
    if (zeroed) std::memset(buffer.Data(), 0, bytes);
  } else {
    buffer = Napi::ArrayBuffer::New(env, bytes);  // V8's own memory, zero-filled, freed by its GC
  }
  if (!zeroed && data->poison_outputs && length > 0) {
    std::fill_n(static_cast<float*>(buffer.Data()), static_cast<size_t>(length),
                std::numeric_limits<float>::quiet_NaN());
  }
  return Napi::Float32Array::New(env, static_cast<size_t>(length), buffer, 0);
}

Napi::Value output_pool_stats(const Napi::CallbackInfo& info) {
  Args args(info, "outputPoolStats", 0);
  Napi::Env env = info.Env();
  const BufferPool& pool = *env.GetInstanceData<AddonData>()->output_pool;
  const BufferPoolStats stats = pool.stats();
  const BufferPoolLimits limits = pool.limits();
  Napi::Object result = Napi::Object::New(env);
  result.Set("freeBytes", static_cast<double>(stats.free_bytes));
  result.Set("outstandingBytes", static_cast<double>(stats.outstanding_bytes));
  result.Set("freeBlocks", static_cast<double>(stats.free_blocks));
  result.Set("hits", static_cast<double>(stats.hits));
  result.Set("misses", static_cast<double>(stats.misses));
  result.Set("refused", static_cast<double>(stats.refused));
  result.Set("maxFreeBytes", static_cast<double>(limits.max_free_bytes));
  result.Set("growthSinceRelease", static_cast<double>(stats.growth_since_release));
  result.Set("maxOutstandingBytes", static_cast<double>(limits.max_outstanding_bytes));
  result.Set("maxGrowthBytes", static_cast<double>(limits.max_growth_between_releases));
  return result;
}

Napi::Value set_output_pool_limits(const Napi::CallbackInfo& info) {
  Args args(info, "setOutputPoolLimits", 3);
  BufferPoolLimits limits;
  limits.max_free_bytes = static_cast<size_t>(args.integer(0, "maxFreeBytes", 0, kMaxSafeInteger));
  limits.max_outstanding_bytes =
      static_cast<size_t>(args.integer(1, "maxOutstandingBytes", 0, kMaxSafeInteger));
  limits.max_growth_between_releases =
      static_cast<size_t>(args.integer(2, "maxGrowthBytes", 0, kMaxSafeInteger));
  info.Env().GetInstanceData<AddonData>()->output_pool->set_limits(limits);
  return info.Env().Undefined();
}

Napi::Value set_output_pool_poison(const Napi::CallbackInfo& info) {
  Args args(info, "setOutputPoolPoison", 1);
  info.Env().GetInstanceData<AddonData>()->poison_outputs = args.boolean(0, "on");
  return info.Env().Undefined();
}

}  // namespace

void register_output_pool(Napi::Env env, Napi::Object exports) {
  exports.Set("allocateOutput", Napi::Function::New(env, allocate_output, "allocateOutput"));
  exports.Set("outputPoolStats", Napi::Function::New(env, output_pool_stats, "outputPoolStats"));
  exports.Set("setOutputPoolLimits", Napi::Function::New(env, set_output_pool_limits, "setOutputPoolLimits"));
  exports.Set("setOutputPoolPoison", Napi::Function::New(env, set_output_pool_poison, "setOutputPoolPoison"));
}

}  // namespace faltung::binding
