// A persistent pool of worker threads for the kernels' parallel loops.
// Workers are created once and sleep between regions; the calling thread always takes part as
// thread 0. One parallel region runs at a time: a second caller (another async job) or a nested
// call runs its region on its own thread instead of waiting, so nothing can deadlock.
#pragma once

#include <atomic>
#include <cstdint>

#include "function_ref.h"

namespace faltung {

// Threads the kernels may use (default: hardware concurrency). Always >= 1.
int num_threads();
// Sets the thread count (clamped to [1, 256]); waits for a running region to finish first.
void set_num_threads(int count);

// Runs task(thread_index, thread_count) on up to max_threads threads (fewer when the pool is
// busy or max_threads exceeds num_threads()) and returns when every thread has finished.
// thread_count passed to the task is the number actually used.
void parallel_run(int max_threads, FunctionRef<void(int thread_index, int thread_count)> task);

// Splits [0, count) into chunks of `grain` items, handed out from a shared atomic counter, and
// calls body(begin, end) for each. Chunks are fixed by count and grain alone, so a body that
// writes disjoint outputs per chunk gives results independent of the thread count.
void parallel_for(int64_t count, int64_t grain, FunctionRef<void(int64_t begin, int64_t end)> body);

// How many threads are worth using for `work` units of roughly one flop each: tiny jobs stay on
// the calling thread because waking a worker costs several microseconds.
int threads_for_work(double flops);

}  // namespace faltung
