// Per-thread scratch: thread_local so persistent pool workers and libuv threads keep theirs.
#include "scratch.h"

#include <cstdlib>
#include <new>

namespace faltung {
namespace {

struct ScratchBuffer {
  float* data = nullptr;
  size_t capacity = 0;
  ~ScratchBuffer() { std::free(data); }
};

thread_local ScratchBuffer buffers[static_cast<int>(ScratchSlot::count)];

}  // namespace

float* thread_scratch(ScratchSlot slot, size_t floats) {
  ScratchBuffer& buffer = buffers[static_cast<int>(slot)];
  if (floats <= buffer.capacity) return buffer.data;
  // Grow by half again so a slowly rising size does not reallocate every call.
  size_t capacity = floats + floats / 2 + 16;
  size_t bytes = ((capacity * sizeof(float)) + 63) / 64 * 64;
  void* fresh = std::aligned_alloc(64, bytes);
  if (fresh == nullptr) return nullptr;
  std::free(buffer.data);
  buffer.data = static_cast<float*>(fresh);
  buffer.capacity = bytes / sizeof(float);
  return buffer.data;
}

}  // namespace faltung
