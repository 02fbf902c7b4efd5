// Native tests of the output-buffer pool (runtime/buffer_pool.h): rounding and alignment, reuse of
// the newest block of the exact size, the three caps, oldest-first eviction, and counts that add
// up under threads acquiring and releasing at once. Deliberately no timing.
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "../runtime/buffer_pool.h"
#include "check.h"

namespace faltung::testing {
namespace {

bool aligned(const void* data) { return reinterpret_cast<uintptr_t>(data) % BufferPool::kAlignment == 0; }

}  // namespace

FALTUNG_TEST(buffer_pool_rounds_aligns_and_reuses) {
  BufferPool pool;
  expect_true(BufferPool::round_up(0) == 4096, "0 bytes round to one granule");
  expect_true(BufferPool::round_up(1) == 4096 && BufferPool::round_up(4096) == 4096 &&
                  BufferPool::round_up(4097) == 8192,
              "round_up to 4 KiB");
  expect_true(BufferPool::round_up(SIZE_MAX) == 0, "round_up overflow gives 0");

  PoolBlock first = pool.acquire(100000);
  expect_true(first.data != nullptr && first.capacity == 102400, "capacity rounded up");
  expect_true(aligned(first.data), "64-byte alignment");
  std::memset(first.data, 1, first.capacity);  // the whole capacity is usable
  pool.release(first);
  BufferPoolStats stats = pool.stats();
  expect_true(stats.misses == 1 && stats.hits == 0 && stats.free_bytes == 102400 &&
                  stats.outstanding_bytes == 0 && stats.free_blocks == 1,
              "one miss, one free block");

  PoolBlock other_size = pool.acquire(200000);  // a different size never takes it
  expect_true(other_size.data != first.data, "exact sizes only");
  PoolBlock again = pool.acquire(102000);  // same rounded size
  expect_true(again.data == first.data, "the freed block comes back");
  stats = pool.stats();
  expect_true(stats.hits == 1 && stats.misses == 2 && stats.free_bytes == 0 &&
                  stats.outstanding_bytes == 102400 + 200704,
              "hit counted, outstanding bytes add up");
  pool.release(again);
  pool.release(other_size);

  // The newest block of a size is reused first (its pages are the warmest).
  PoolBlock a = pool.acquire(8192), b = pool.acquire(8192);
  pool.release(a);
  pool.release(b);
  PoolBlock newest = pool.acquire(8192);
  expect_true(newest.data == b.data, "newest first");
  pool.release(newest);
}

FALTUNG_TEST(buffer_pool_free_cap_evicts_oldest) {
  BufferPool pool({/*max_free_bytes=*/3 * 65536, /*max_outstanding_bytes=*/size_t{1} << 30});
  PoolBlock blocks[4];
  for (PoolBlock& block : blocks) block = pool.acquire(65536);
  for (PoolBlock& block : blocks) pool.release(block);
  BufferPoolStats stats = pool.stats();
  expect_true(stats.free_bytes == 3 * 65536 && stats.free_blocks == 3, "free cap holds three blocks");
  // blocks[0] (the oldest release) went back to the system; the other three are reused, newest
  // first. (Only pointers still held by the pool are compared: a freed address may come back.)
  for (int i = 3; i >= 1; --i) {
    PoolBlock block = pool.acquire(65536);
    expect_true(block.data == blocks[i].data, "block " + std::to_string(i) + " reused, newest first");
    blocks[i] = block;
  }
  expect_true(pool.stats().hits == 3, "three hits");
  for (int i = 1; i < 4; ++i) pool.release(blocks[i]);
  // A block bigger than the free cap is never kept.
  PoolBlock huge = pool.acquire(4 * 65536);
  pool.release(huge);
  expect_true(pool.stats().free_blocks == 3 && pool.stats().free_bytes == 3 * 65536,
              "a block over the free cap is freed, not kept");

  // Lowering the cap trims now.
  PoolBlock small = pool.acquire(4096);
  pool.release(small);
  pool.set_limits({0, size_t{1} << 30});
  expect_true(pool.stats().free_bytes == 0, "set_limits trims the free lists");
}

FALTUNG_TEST(buffer_pool_outstanding_cap_refuses) {
  BufferPool pool({size_t{1} << 20, 3 * 65536});
  PoolBlock a = pool.acquire(65536), b = pool.acquire(65536), c = pool.acquire(65536);
  expect_true(a.data && b.data && c.data, "three blocks fit the outstanding cap");
  PoolBlock refused = pool.acquire(1);
  expect_true(refused.data == nullptr && refused.capacity == 0, "a fourth is refused");
  expect_true(pool.acquire(SIZE_MAX).data == nullptr, "an overflowing size is refused");
  expect_true(pool.stats().refused == 2, "refusals counted");
  pool.release(b);
  PoolBlock after = pool.acquire(65536);
  expect_true(after.data == b.data, "room again after a release");
  pool.release(a);
  pool.release(c);
  pool.release(after);
  pool.release({});  // releasing a refusal is a no-op
  expect_true(pool.stats().outstanding_bytes == 0, "nothing outstanding");
}

FALTUNG_TEST(buffer_pool_growth_between_releases_is_capped) {
  BufferPool pool({size_t{1} << 20, size_t{1} << 30, /*max_growth_between_releases=*/3 * 65536});
  PoolBlock a = pool.acquire(65536), b = pool.acquire(65536), c = pool.acquire(65536);
  expect_true(a.data && b.data && c.data, "three new blocks fit the growth cap");
  expect_true(pool.acquire(4096).data == nullptr, "a fourth new block is refused until a release");
  expect_true(pool.stats().growth_since_release == 3 * 65536, "growth counted");
  pool.release(a);
  expect_true(pool.stats().growth_since_release == 0, "a release resets the growth");
  PoolBlock hit = pool.acquire(65536);
  expect_true(hit.data == a.data, "hits never count as growth");
  PoolBlock fresh = pool.acquire(8192);
  expect_true(fresh.data != nullptr, "new blocks again after a release");
  for (PoolBlock block : {b, c, hit, fresh}) pool.release(block);

  // One block is always allowed, however big, so outputs over the cap can still be pooled.
  BufferPool tight({size_t{1} << 20, size_t{1} << 30, 4096});
  PoolBlock big = tight.acquire(65536);
  expect_true(big.data != nullptr, "the first block after a release may pass the growth cap");
  expect_true(tight.acquire(4096).data == nullptr, "but not a second");
  tight.release(big);
}

FALTUNG_TEST(buffer_pool_threads_keep_counts_consistent) {
  BufferPool pool({size_t{4} << 20, size_t{64} << 20});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&pool, t] {
      Random random(100 + t);
      std::vector<PoolBlock> held;
      for (int i = 0; i < 2000; ++i) {
        if (held.size() < 8 && random.uniform() > -0.2f) {
          PoolBlock block = pool.acquire(static_cast<size_t>(4096 * (1 + random.below(6))));
          if (block.data != nullptr) {
            static_cast<unsigned char*>(block.data)[0] = static_cast<unsigned char>(t);
            held.push_back(block);
          }
        } else if (!held.empty()) {
          pool.release(held.back());
          held.pop_back();
        }
      }
      for (const PoolBlock& block : held) pool.release(block);
    });
  }
  for (std::thread& thread : threads) thread.join();
  const BufferPoolStats stats = pool.stats();
  expect_true(stats.outstanding_bytes == 0, "every block came back: " + std::to_string(stats.outstanding_bytes));
  expect_true(stats.free_bytes <= (size_t{4} << 20), "free cap respected");
  expect_true(stats.hits > 0, "blocks were reused across threads");
}

}  // namespace faltung::testing
