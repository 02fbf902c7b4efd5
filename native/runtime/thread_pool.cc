// Persistent worker threads woken by a generation counter. Workers spin briefly after a region
// (kernels are often called back to back during training) and then sleep on a condition variable.
// The pool is deliberately never destroyed: joining threads during static destruction at process
// exit is a classic source of hangs, and the OS reclaims them anyway.
#include "thread_pool.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace faltung {
namespace {

thread_local bool inside_region = false;

class ThreadPool {
 public:
  ThreadPool() { resize(default_count()); }

  int count() const { return count_.load(std::memory_order_relaxed); }

  void resize(int wanted) {
    std::lock_guard<std::mutex> region_lock(region_mutex_);
    stop_workers();
    count_.store(wanted, std::memory_order_relaxed);
    stopping_ = false;
    // The generation is read here, not in the new thread: a region may start before the thread
    // runs, and a worker that read the generation late would wait for a change that already came.
    const uint64_t start_generation = generation_.load(std::memory_order_acquire);
    for (int index = 1; index < wanted; ++index) {
      workers_.emplace_back([this, index, start_generation] { worker_loop(index, start_generation); });
    }
  }

  void run(int max_threads, FunctionRef<void(int, int)> task) {
    int threads = std::min(max_threads, count());
    if (threads <= 1 || inside_region) {
      run_inline(task);
      return;
    }
    std::unique_lock<std::mutex> region_lock(region_mutex_, std::try_to_lock);
    if (!region_lock.owns_lock()) {  // another job holds the workers: do ours alone
      run_inline(task);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      task_ = &task;
      task_threads_ = threads;
      // Release: workers that observe the new generation must also see task_ and the inputs.
      remaining_.store(threads - 1, std::memory_order_release);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    inside_region = true;
    task(0, threads);
    inside_region = false;
    // Acquire: pairs with each worker's release decrement so its writes are visible here.
    for (int spin = 0; remaining_.load(std::memory_order_acquire) != 0; ++spin) {
      if (spin > 4000) {
        std::unique_lock<std::mutex> lock(mutex_);
        done_.wait(lock, [this] { return remaining_.load(std::memory_order_acquire) == 0; });
        break;
      }
      std::this_thread::yield();
    }
  }

 private:
  static int default_count() {
    unsigned hardware = std::thread::hardware_concurrency();
    return hardware == 0 ? 1 : static_cast<int>(std::min(hardware, 256u));
  }

  static void run_inline(FunctionRef<void(int, int)> task) {
    const bool was_inside = inside_region;
    inside_region = true;
    task(0, 1);
    inside_region = was_inside;
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    for (std::thread& worker : workers_) worker.join();
    workers_.clear();
  }

  void worker_loop(int index, uint64_t seen) {
    inside_region = true;  // a task running here must never start a nested region
    for (;;) {
      // Spin a little before sleeping: back-to-back kernel calls then skip the futex wake-up.
      for (int spin = 0; spin < 2000 && generation_.load(std::memory_order_acquire) == seen;
           ++spin) {
        std::this_thread::yield();
      }
      const FunctionRef<void(int, int)>* task;
      int threads;
      {
        // Generation, task and thread count are read together under the lock that the caller
        // holds while setting them, so a worker never mixes one region's task with another's.
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
        seen = generation_.load(std::memory_order_acquire);
        if (stopping_) return;
        task = task_;
        threads = task_threads_;
      }
      if (index < threads) {
        (*task)(index, threads);
        // Release: publishes this worker's writes to the caller waiting on remaining_.
        if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
          std::lock_guard<std::mutex> lock(mutex_);
          done_.notify_one();
        }
      }
    }
  }

  std::mutex region_mutex_;  // one parallel region (or a resize) at a time
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::vector<std::thread> workers_;
  std::atomic<int> count_{1};
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> remaining_{0};
  const FunctionRef<void(int, int)>* task_ = nullptr;
  int task_threads_ = 0;
  bool stopping_ = false;
};

ThreadPool& pool() {
  static ThreadPool* instance = new ThreadPool();  // leaked on purpose, see the file comment
  return *instance;
}

}  // namespace

int num_threads() { return pool().count(); }

void set_num_threads(int count) { pool().resize(std::clamp(count, 1, 256)); }

void parallel_run(int max_threads, FunctionRef<void(int, int)> task) {
  pool().run(max_threads, task);
}

void parallel_for(int64_t count, int64_t grain, FunctionRef<void(int64_t, int64_t)> body) {
  if (count <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  const int64_t chunks = (count + grain - 1) / grain;
  const int threads = static_cast<int>(std::min<int64_t>(chunks, num_threads()));
  std::atomic<int64_t> next_chunk{0};
  parallel_run(threads, [&](int, int) {
    for (;;) {
      // Relaxed: the counter only hands out chunk numbers; chunk data needs no ordering here.
      const int64_t chunk = next_chunk.fetch_add(1, std::memory_order_relaxed);
      if (chunk >= chunks) break;
      const int64_t begin = chunk * grain;
      body(begin, std::min(count, begin + grain));
    }
  });
}

int threads_for_work(double flops) {
  // About 200 kflop per thread keeps the wake-up cost (a few microseconds) under a few percent.
  const double per_thread = 2e5;
  const double wanted = flops / per_thread;
  if (wanted < 2) return 1;
  return static_cast<int>(std::min<double>(wanted, num_threads()));
}

}  // namespace faltung
