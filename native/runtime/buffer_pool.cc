// Implementation of buffer_pool.h: an age-ordered list of free blocks plus an index by exact
// capacity. A few thousand blocks at most (256 MiB / 64 KiB), so plain std containers suffice.
#include "buffer_pool.h"

#include <algorithm>
#include <cstdlib>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace faltung {
namespace {

// Blocks of at least one huge page start on a huge-page boundary and ask Linux for transparent huge
// pages (the default policy is often "madvise"): a block's first touch then costs one fault per
// 2 MiB instead of one per 4 KiB. On this project's VM a 4 KiB first touch costs ~15 us, so an 11 MB
// block took ~32 ms to touch with small pages and ~7 ms with huge ones. Elsewhere, or when the
// kernel says no, the block is simply an ordinary one.
constexpr size_t kHugePage = size_t{2} << 20;

void* allocate_block(size_t capacity, size_t alignment) {
  if (capacity < kHugePage) return std::aligned_alloc(alignment, capacity);
  void* data = std::aligned_alloc(kHugePage, (capacity + kHugePage - 1) / kHugePage * kHugePage);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (data != nullptr) madvise(data, capacity / kHugePage * kHugePage, MADV_HUGEPAGE);  // advice only
#endif
  return data;
}

}  // namespace

size_t BufferPool::round_up(size_t bytes) {
  if (bytes == 0) return kGranule;
  if (bytes > SIZE_MAX - (kGranule - 1)) return 0;
  return (bytes + kGranule - 1) / kGranule * kGranule;
}

BufferPool::~BufferPool() {
  for (const FreeBlock& block : by_age_) std::free(block.data);
}

PoolBlock BufferPool::acquire(size_t bytes) {
  const size_t capacity = round_up(bytes);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (capacity == 0 || capacity > limits_.max_outstanding_bytes ||
        stats_.outstanding_bytes > limits_.max_outstanding_bytes - capacity) {
      ++stats_.refused;
      return {};
    }
    auto bucket = by_size_.find(capacity);
    if (bucket != by_size_.end()) {
      const AgeList::iterator newest = bucket->second.back();
      const PoolBlock block{newest->data, newest->capacity};
      bucket->second.pop_back();
      if (bucket->second.empty()) by_size_.erase(bucket);
      by_age_.erase(newest);
      stats_.free_bytes -= capacity;
      stats_.free_blocks -= 1;
      stats_.outstanding_bytes += capacity;
      ++stats_.hits;
      return block;
    }
    if (stats_.growth_since_release > 0 &&
        capacity > limits_.max_growth_between_releases - std::min(limits_.max_growth_between_releases,
                                                                  stats_.growth_since_release)) {
      ++stats_.refused;
      return {};
    }
    // Count it out before allocating (outside the lock), so concurrent acquires respect the caps.
    stats_.outstanding_bytes += capacity;
    stats_.growth_since_release += capacity;
    ++stats_.misses;
  }
  // capacity is a multiple of 4 KiB, hence of the alignment, as aligned_alloc requires.
  void* data = allocate_block(capacity, kAlignment);
  if (data == nullptr) {
    // Memory is short: give back what sits idle and try once more.
    std::lock_guard<std::mutex> lock(mutex_);
    const size_t saved = limits_.max_free_bytes;
    limits_.max_free_bytes = 0;
    trim_locked(0);
    limits_.max_free_bytes = saved;
    data = allocate_block(capacity, kAlignment);
    if (data == nullptr) {
      stats_.outstanding_bytes -= capacity;
      stats_.growth_since_release -= std::min(stats_.growth_since_release, capacity);
      --stats_.misses;
      ++stats_.refused;
      return {};
    }
  }
  return {data, capacity};
}

void BufferPool::release(PoolBlock block) noexcept {
  if (block.data == nullptr) return;
  std::lock_guard<std::mutex> lock(mutex_);
  stats_.outstanding_bytes -= std::min(stats_.outstanding_bytes, block.capacity);
  stats_.growth_since_release = 0;
  if (block.capacity > limits_.max_free_bytes) {
    std::free(block.data);
    return;
  }
  trim_locked(block.capacity);
  // The bookkeeping allocates; if that fails the block is simply freed (callers are finalizers,
  // which must not throw).
  try {
    by_age_.push_back({block.data, block.capacity});
  } catch (...) {
    std::free(block.data);
    return;
  }
  try {
    by_size_[block.capacity].push_back(std::prev(by_age_.end()));
  } catch (...) {
    erase_from_bucket_locked(std::prev(by_age_.end()));
    by_age_.pop_back();
    std::free(block.data);
    return;
  }
  stats_.free_bytes += block.capacity;
  stats_.free_blocks += 1;
}

void BufferPool::trim_locked(size_t incoming) {
  while (!by_age_.empty() && stats_.free_bytes + incoming > limits_.max_free_bytes) {
    const AgeList::iterator oldest = by_age_.begin();
    erase_from_bucket_locked(oldest);
    stats_.free_bytes -= oldest->capacity;
    stats_.free_blocks -= 1;
    std::free(oldest->data);
    by_age_.erase(oldest);
  }
}

void BufferPool::erase_from_bucket_locked(AgeList::iterator where) {
  auto bucket = by_size_.find(where->capacity);
  if (bucket == by_size_.end()) return;
  std::vector<AgeList::iterator>& blocks = bucket->second;
  const auto found = std::find(blocks.begin(), blocks.end(), where);
  if (found != blocks.end()) blocks.erase(found);
  if (blocks.empty()) by_size_.erase(bucket);
}

BufferPoolStats BufferPool::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

BufferPoolLimits BufferPool::limits() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return limits_;
}

void BufferPool::set_limits(BufferPoolLimits limits) {
  std::lock_guard<std::mutex> lock(mutex_);
  limits_ = limits;
  trim_locked(0);
}

}  // namespace faltung
