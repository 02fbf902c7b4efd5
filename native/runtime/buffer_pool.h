// A pool of 64-byte-aligned blocks for op outputs, so their pages are touched once and then reused
// (first touch of a fresh page costs ~70x a rewrite); pure C++, no N-API (binding/output_pool.cc).
// Deliberately no size classes beyond a 4 KiB round-up and no per-thread caches: CNN sizes repeat.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <vector>

namespace faltung {

struct BufferPoolLimits {
  // Most bytes kept on the free lists; a release beyond it frees the oldest free blocks first.
  size_t max_free_bytes = size_t{256} << 20;
  // Most bytes handed out and not yet released; acquire refuses beyond it (the caller then
  // allocates elsewhere), so memory stays bounded while releases are delayed.
  size_t max_outstanding_bytes = size_t{512} << 20;
  // Most bytes of new blocks allocated since the last release (one block is always allowed). In a
  // stretch with no releases (synchronous JS: releases come on the event loop) each new block is
  // fresh pages, no faster than the caller's own allocator, which can reuse memory within the
  // stretch; so past this the pool refuses until something comes back. Sized above the ~64 MB of
  // external memory at which V8 collects, so an event loop's working set fits.
  size_t max_growth_between_releases = size_t{128} << 20;
};

struct BufferPoolStats {
  size_t free_bytes = 0;         // held on the free lists
  size_t outstanding_bytes = 0;  // handed out, not released
  size_t free_blocks = 0;
  uint64_t hits = 0;     // acquires served from a free list
  uint64_t misses = 0;   // acquires that allocated a new block
  uint64_t refused = 0;  // acquires refused (a cap, or the allocation failed)
  size_t growth_since_release = 0;  // bytes of new blocks since the last release
};

struct PoolBlock {
  void* data = nullptr;  // nullptr: refused
  size_t capacity = 0;   // bytes; pass it back to release()
};

class BufferPool {
 public:
  static constexpr size_t kAlignment = 64;
  static constexpr size_t kGranule = 4096;

  explicit BufferPool(BufferPoolLimits limits = {}) : limits_(limits) {}
  ~BufferPool();  // frees the free lists; blocks still out are the holders' to release first
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  // A block of at least `bytes` (rounded up to 4 KiB), 64-byte aligned, contents unspecified;
  // {nullptr, 0} when a cap would be passed or memory ran out. bytes == 0 gets a one-granule block.
  PoolBlock acquire(size_t bytes);
  // Returns a block from acquire(); it is kept for reuse or freed, per the free cap. Never throws.
  void release(PoolBlock block) noexcept;

  BufferPoolStats stats() const;
  BufferPoolLimits limits() const;
  // New caps apply from the next call; free blocks over the new free cap are freed now.
  void set_limits(BufferPoolLimits limits);

  // Rounds `bytes` up to the granule, or 0 if that overflows.
  static size_t round_up(size_t bytes);

 private:
  struct FreeBlock {
    void* data;
    size_t capacity;
  };
  using AgeList = std::list<FreeBlock>;  // oldest release first

  // Frees the oldest free blocks until free_bytes_ + incoming <= the free cap. Caller holds mutex_.
  void trim_locked(size_t incoming);
  void erase_from_bucket_locked(AgeList::iterator where);

  mutable std::mutex mutex_;  // guards everything below; taken for microseconds per call
  BufferPoolLimits limits_;
  AgeList by_age_;
  // Exact capacity -> its free blocks, most recently released last (their pages are the warmest).
  std::map<size_t, std::vector<AgeList::iterator>> by_size_;
  BufferPoolStats stats_;
};

}  // namespace faltung
