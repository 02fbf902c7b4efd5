// SGEMM driver: the BLIS loop nest (pack B block, pack or borrow A block, register tiles) over
// the per-ISA microkernels of arch/gemm_microkernels.h, split among the pool's threads, a direct
// path for tiny products, and the scalar reference. Deliberately no split-K (results would depend
// on the thread count), no allocation per call (packed panels live in thread_scratch), no assembly.
//
// Loop nest of one thread, which owns a rectangle [m0,m1) x [n0,n1) of C:
//   for jc in columns step NC                       B block (kc x NC) in L3 (or L2, see below)
//     for each K block (p0, kc <= KC)               pack B block into [NC/NR][kc][NR] panels
//       for each M block (ic, mc <= MC)             pack A block into [tiles][kc][rows] panels (L2)
//         for jr in block columns step NR           one B panel (kc x NR) in L1/L2
//           for each row tile of the M block        microkernel: C tile += A panel x B panel
// Row tiles are balanced (an M block of 144 rows on a 14-row kernel becomes 11 tiles of 13-14
// rows, not 10 full tiles and a 4-row straggler); K blocks are balanced the same way.
// Memory traffic, which is what the conv-shaped products are bound by, is shaped three ways:
//  - A is used in place, unpacked, when a block has few column panels (conv products with N of
//    32..288): packing would be one more pass over memory for little reuse.
//  - The next A block and (when it fits in L2) the next B block are prefetched a slice per
//    microkernel call, so DRAM streams while the FMAs run instead of in bursts at packing time.
//  - With a single M block (few rows: the issue's 64 x 15488 orientation) the B block is sized
//    to fit L2, so that prefetch can work.
#include "gemm.h"

#include <algorithm>
#include <atomic>

#include "../runtime/isa.h"
#include "../runtime/scratch.h"
#include "../runtime/thread_pool.h"
#include "arch/gemm_microkernels.h"

namespace faltung {
namespace {

// One ISA's microkernel, packing routines and cache blocking.
struct GemmConfig {
  const char* name;  // the microkernel's name, for tests and benchmarks
  GemmMicrokernelFn microkernel;
  GemmPackAFn pack_a;
  GemmPackBFn pack_b;
  int64_t mr;  // register tile rows
  int64_t nr;  // register tile columns
  int64_t kc;  // K block: C tiles are loaded and stored once per kc multiply-adds
  int64_t mc;  // M block: an mc x kc packed A block stays in L2
  int64_t nc;  // N block: a kc x nc packed B block stays in L3 (a multiple of nr)
};

struct GemmConfigTable {
  GemmConfig by_isa[kIsaCount];
};

// Filled once, best tuned for the machine each ISA usually runs on (see docs/gemm.md).
GemmConfigTable make_config_table() {
  GemmConfigTable table{};
  const GemmConfig scalar{"gemm_f32_4x8__scalar", gemm_f32_4x8__scalar, gemm_pack_a__scalar, gemm_pack_b__scalar, 4, 8, 256, 128, 1024};
  for (GemmConfig& config : table.by_isa) config = scalar;
#if defined(__x86_64__)
  table.by_isa[static_cast<int>(Isa::avx2)] =
      GemmConfig{"gemm_f32_6x16__avx2", gemm_f32_6x16__avx2, gemm_pack_a__scalar, gemm_pack_b__scalar, 6, 16, 256, 144, 2048};
  table.by_isa[static_cast<int>(Isa::avx512)] =
      GemmConfig{"gemm_f32_14x32__avx512", gemm_f32_14x32__avx512, gemm_pack_a__avx512, gemm_pack_b__avx512, 14, 32, 384, 112, 2048};
#endif
#if defined(__aarch64__)
  table.by_isa[static_cast<int>(Isa::neon)] =
      GemmConfig{"gemm_f32_8x12__neon", gemm_f32_8x12__neon, gemm_pack_a__scalar, gemm_pack_b__scalar, 8, 12, 256, 128, 1536};
#endif
  return table;
}

const GemmConfig& gemm_config(Isa isa) {
  static const GemmConfigTable table = make_config_table();  // thread-safe one-time init
  return table.by_isa[static_cast<int>(isa)];
}

// Products below this many multiply-adds take the direct path: no packing, no threads.
constexpr double kSmallProduct = 64.0 * 64.0 * 64.0;

struct Operands {
  bool transpose_a, transpose_b;
  int64_t M, N, K;
  float alpha;
  const float* a;
  int64_t lda;
  const float* b;
  int64_t ldb;
  float beta;
  float* c;
  int64_t ldc;

  // &op(A)(i, p) and &op(B)(p, j)
  const float* a_at(int64_t i, int64_t p) const { return transpose_a ? a + p * lda + i : a + i * lda + p; }
  const float* b_at(int64_t p, int64_t j) const { return transpose_b ? b + j * ldb + p : b + p * ldb + j; }
};

int64_t ceil_div(int64_t x, int64_t y) { return (x + y - 1) / y; }
int64_t round_up(int64_t x, int64_t multiple) { return ceil_div(x, multiple) * multiple; }

// Start of part `index` when `total` items are split into `parts` parts whose sizes differ by at
// most one (the larger ones first). No overflow: index * base <= total.
int64_t split_begin(int64_t total, int64_t parts, int64_t index) {
  const int64_t base = total / parts;
  const int64_t extra = total % parts;
  return index * base + std::min(index, extra);
}

// C (M,N) = beta * C, for K == 0 or alpha == 0 (BLAS: A and B are then not read).
void scale_c(const Operands& op) {
  for (int64_t i = 0; i < op.M; ++i) {
    float* row = op.c + i * op.ldc;
    if (op.beta == 0.0f) {
      std::fill(row, row + op.N, 0.0f);
    } else if (op.beta != 1.0f) {
      for (int64_t j = 0; j < op.N; ++j) row[j] *= op.beta;
    }
  }
}

// Tiny products: the microkernel straight on the caller's matrices, one thread. K is cut into the
// same blocks as in run_blocked (a C element sums each block in turn, then adds it to C), so a row
// of C gets the same bits whichever path its product takes: predictions do not depend on how many
// other examples share the batch. Only op(B) = B^T needs a copy (the microkernel wants B's columns
// adjacent); it is at most N * K < 64^3 / M floats, in this thread's scratch, not a fresh allocation.
Status run_small(const Operands& op, const GemmConfig& config) {
  const size_t a_row_stride = op.transpose_a ? 1 : static_cast<size_t>(op.lda);
  const size_t a_k_stride = op.transpose_a ? static_cast<size_t>(op.lda) : 1;
  const float* b_panels = op.b;
  size_t b_k_stride = static_cast<size_t>(op.ldb);
  int64_t b_panel_stride = config.nr;  // distance between column panels: columns in place
  if (op.transpose_b) {
    float* packed = thread_scratch(ScratchSlot::gemm_b, static_cast<size_t>(round_up(op.N, config.nr) * op.K));
    if (packed == nullptr) return Status::out_of_memory;
    for (int64_t j = 0; j < op.N; j += config.nr) {
      config.pack_b(true, op.b_at(0, j), static_cast<size_t>(op.ldb), static_cast<size_t>(op.K),
                    static_cast<size_t>(std::min(config.nr, op.N - j)), static_cast<size_t>(config.nr),
                    packed + j * op.K);
    }
    b_panels = packed;
    b_k_stride = static_cast<size_t>(config.nr);
    b_panel_stride = config.nr * op.K;
  }
  const int64_t tiles = ceil_div(op.M, config.mr);
  const int64_t k_blocks = ceil_div(op.K, config.kc);
  for (int64_t jr = 0, panel = 0; jr < op.N; jr += config.nr, ++panel) {
    const size_t nr = static_cast<size_t>(std::min(config.nr, op.N - jr));
    const float* b_panel = b_panels + panel * b_panel_stride;
    for (int64_t t = 0; t < tiles; ++t) {
      const int64_t row = split_begin(op.M, tiles, t);
      const int64_t rows = split_begin(op.M, tiles, t + 1) - row;
      for (int64_t k_block = 0; k_block < k_blocks; ++k_block) {
        const int64_t p0 = split_begin(op.K, k_blocks, k_block);
        const int64_t kc = split_begin(op.K, k_blocks, k_block + 1) - p0;
        config.microkernel(static_cast<size_t>(rows), nr, static_cast<size_t>(kc), op.a_at(row, p0), a_row_stride,
                           a_k_stride, b_panel + p0 * static_cast<int64_t>(b_k_stride), b_k_stride,
                           op.c + row * op.ldc + jr, static_cast<size_t>(op.ldc), op.alpha,
                           k_block == 0 ? op.beta : 1.0f);
      }
    }
  }
  return Status::ok;
}

// Prefetches a rectangle of a matrix into L2 a slice at a time, so the next block's source
// streams in while the current block computes instead of in one burst when it is packed (a burst
// of a few hundred KB from DRAM would stall the packing routine).
class RegionPrefetcher {
 public:
  RegionPrefetcher() = default;
  // `segments` runs of `length` floats, `stride` floats apart, starting at `base`.
  // Adjacent runs (stride == length) are one long run.
  RegionPrefetcher(const float* base, int64_t segments, int64_t length, int64_t stride)
      : base_(base),
        length_(stride == length ? segments * length : length),
        stride_(stride),
        lines_per_segment_(ceil_div(length_, 16) + 1),
        total_lines_((stride == length ? 1 : segments) * lines_per_segment_) {}

  // Issues slice `part` of `parts` (all slices together cover the region once). One division
  // per call, then a plain walk: this runs between microkernel calls.
  void issue(int64_t part, int64_t parts) const {
    if (base_ == nullptr) return;
    int64_t line = split_begin(total_lines_, parts, part);
    const int64_t end = split_begin(total_lines_, parts, part + 1);
    if (line >= end) return;
    int64_t segment = line / lines_per_segment_;
    int64_t line_in_segment = line - segment * lines_per_segment_;
    for (; line < end; ++line) {
      // The last line of a segment is its last float (the run may straddle one more line), so
      // every address is inside the region.
      prefetch_l2(base_ + segment * stride_ + std::min(line_in_segment * 16, length_ - 1));
      if (++line_in_segment == lines_per_segment_) {
        line_in_segment = 0;
        ++segment;
      }
    }
  }

 private:
  static void prefetch_l2(const float* address) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(address, 0, 2);  // read, keep in L2 (never faults)
#else
    (void)address;
#endif
  }

  const float* base_ = nullptr;
  int64_t length_ = 0;
  int64_t stride_ = 0;
  int64_t lines_per_segment_ = 1;
  int64_t total_lines_ = 0;
};

// The source of op(A) rows [row, row + rows) x k [p0, p0 + kc) as a prefetch region.
RegionPrefetcher a_block_region(const Operands& op, int64_t row, int64_t rows, int64_t p0, int64_t kc) {
  if (op.transpose_a) return RegionPrefetcher(op.a_at(row, p0), kc, rows, op.lda);
  return RegionPrefetcher(op.a_at(row, p0), rows, kc, op.lda);
}

// The source of op(B) k [p0, p0 + kc) x columns [col, col + cols) as a prefetch region.
RegionPrefetcher b_block_region(const Operands& op, int64_t p0, int64_t kc, int64_t col, int64_t cols) {
  if (op.transpose_b) return RegionPrefetcher(op.b_at(p0, col), cols, kc, op.ldb);
  return RegionPrefetcher(op.b_at(p0, col), kc, cols, op.ldb);
}

// Largest next B block (in floats, 512 KiB) prefetched into L2 while the current one computes.
constexpr int64_t kPrefetchBMaxFloats = 128 * 1024;

// Row tile `t` of an M block of `mc` rows split into `tiles` balanced tiles.
struct RowTile {
  int64_t row;
  int64_t rows;
};
RowTile row_tile(int64_t mc, int64_t tiles, int64_t t) {
  const int64_t row = split_begin(mc, tiles, t);
  return RowTile{row, split_begin(mc, tiles, t + 1) - row};
}

// Packs op(A) rows [ic, ic + mc) x k [p0, p0 + kc) into `tiles` panels of [kc][rows], each
// `tile_stride` floats apart. A^T is packed 16 k at a time across all tiles, so every pass reads
// whole runs of the stored rows instead of walking down 14-float columns.
void pack_a_block(const Operands& op, const GemmConfig& config, int64_t ic, int64_t mc, int64_t p0, int64_t kc,
                  int64_t tiles, int64_t tile_stride, float* a_pack) {
  const int64_t chunk = op.transpose_a ? 16 : kc;
  for (int64_t kk = 0; kk < kc; kk += chunk) {
    const int64_t k_count = std::min(chunk, kc - kk);
    for (int64_t t = 0; t < tiles; ++t) {
      const RowTile tile = row_tile(mc, tiles, t);
      config.pack_a(op.transpose_a, op.a_at(ic + tile.row, p0 + kk), static_cast<size_t>(op.lda),
                    static_cast<size_t>(tile.rows), static_cast<size_t>(k_count),
                    a_pack + t * tile_stride + kk * tile.rows);
    }
  }
}

// Packs op(B) k [p0, p0 + kc) x columns [jc, jc + nc) into [nc/NR][kc][NR] panels. B stored
// (K,N) is packed 16 k-rows at a time across all panels while the next 16 rows are prefetched:
// each stored row is then read front to back, instead of 128 bytes from each of kc rows per
// panel (kc interleaved streams, which no hardware prefetcher follows when N is large).
void pack_b_block(const Operands& op, const GemmConfig& config, int64_t p0, int64_t kc, int64_t jc, int64_t nc,
                  float* b_pack) {
  const int64_t nr = config.nr;
  const int64_t chunk = op.transpose_b ? kc : 16;
  for (int64_t kk = 0; kk < kc; kk += chunk) {
    const int64_t k_count = std::min(chunk, kc - kk);
    if (!op.transpose_b && kk + chunk < kc) {
      const int64_t next_count = std::min(chunk, kc - kk - chunk);
      RegionPrefetcher(op.b_at(p0 + kk + chunk, jc), next_count, nc, op.ldb).issue(0, 1);
    }
    for (int64_t jr = 0; jr < nc; jr += nr) {
      config.pack_b(op.transpose_b, op.b_at(p0 + kk, jc + jr), static_cast<size_t>(op.ldb), static_cast<size_t>(k_count),
                    static_cast<size_t>(std::min(nr, nc - jr)), static_cast<size_t>(nr), b_pack + jr * kc + kk * nr);
    }
  }
}

// Column panels per block up to which A is used in place rather than packed (see the top).
constexpr int64_t kMaxPanelsForInPlaceA = 12;

// Whether the microkernel reads op(A) straight from the caller's matrix for a block of `panels`
// column panels. A stored (M,K) with rows a multiple of 4 KiB apart is always packed: its 14 rows
// would fall into one L1 set.
bool use_a_in_place(const Operands& op, int64_t panels) {
  if (panels > kMaxPanelsForInPlaceA) return false;
  return op.transpose_a || op.lda % 1024 != 0;
}

// The blocked loop nest (see the top of the file) on C's rectangle [m0,m1) x [n0,n1).
Status run_blocked(const Operands& op, const GemmConfig& config, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  if (m0 >= m1 || n0 >= n1) return Status::ok;
  const int64_t mr = config.mr;
  const int64_t nr = config.nr;
  const int64_t k_blocks = ceil_div(op.K, config.kc);
  const int64_t kc_max = ceil_div(op.K, k_blocks);
  const int64_t rows = m1 - m0;
  const int64_t m_blocks = ceil_div(rows, config.mc);
  const int64_t tiles_max = ceil_div(ceil_div(rows, m_blocks), mr);
  // A single M block uses each B block once: size B blocks for L2 so the next can be prefetched.
  const int64_t nc_block =
      m_blocks == 1 ? std::min(config.nc, std::max(nr, kPrefetchBMaxFloats / kc_max / nr * nr)) : config.nc;
  const int64_t nc_max = std::min(nc_block, round_up(n1 - n0, nr));
  const bool a_in_place = use_a_in_place(op, ceil_div(nc_max, nr));
  // Each packed A tile panel starts on a 64-byte boundary (16 floats).
  const int64_t a_tile_stride_max = round_up(mr * kc_max, 16);
  float* a_pack = a_in_place ? nullptr
                             : thread_scratch(ScratchSlot::gemm_a, static_cast<size_t>(tiles_max * a_tile_stride_max));
  float* b_pack = thread_scratch(ScratchSlot::gemm_b, static_cast<size_t>(nc_max * kc_max));
  if ((a_pack == nullptr && !a_in_place) || b_pack == nullptr) return Status::out_of_memory;
  const size_t ldc = static_cast<size_t>(op.ldc);
  // Strides of op(A) in place: rows and k steps.
  const size_t a_row_stride = op.transpose_a ? 1 : static_cast<size_t>(op.lda);
  const size_t a_k_stride = op.transpose_a ? static_cast<size_t>(op.lda) : 1;

  for (int64_t jc = n0; jc < n1; jc += nc_block) {
    const int64_t nc = std::min(nc_block, n1 - jc);
    const int64_t panels = ceil_div(nc, nr);
    for (int64_t k_block = 0; k_block < k_blocks; ++k_block) {
      const int64_t p0 = split_begin(op.K, k_blocks, k_block);
      const int64_t kc = split_begin(op.K, k_blocks, k_block + 1) - p0;
      // Later K blocks add onto what the earlier ones stored.
      const float beta = k_block == 0 ? op.beta : 1.0f;
      pack_b_block(op, config, p0, kc, jc, nc, b_pack);

      // The next B block (next K block, else next column block), if it fits in L2 with A.
      RegionPrefetcher next_b;
      const bool last_k_block = k_block + 1 == k_blocks;
      const int64_t next_jc = last_k_block ? jc + nc_block : jc;
      const int64_t next_k_block = last_k_block ? 0 : k_block + 1;
      const int64_t next_p0 = split_begin(op.K, k_blocks, next_k_block);
      const int64_t next_kc = split_begin(op.K, k_blocks, next_k_block + 1) - next_p0;
      const int64_t next_nc = std::min(nc_block, n1 - next_jc);
      if (next_nc > 0 && next_kc * next_nc <= kPrefetchBMaxFloats) {
        next_b = b_block_region(op, next_p0, next_kc, next_jc, next_nc);
      }
      const int64_t b_prefetch_parts = m_blocks * panels * tiles_max;

      const int64_t a_tile_stride = round_up(mr * kc, 16);
      for (int64_t m_block = 0; m_block < m_blocks; ++m_block) {
        const int64_t ic = m0 + split_begin(rows, m_blocks, m_block);
        const int64_t mc = m0 + split_begin(rows, m_blocks, m_block + 1) - ic;
        const int64_t tiles = ceil_div(mc, mr);
        // The next A block (next M block, else the first of the next K block), packed or not.
        RegionPrefetcher next_a;
        if (m_block + 1 < m_blocks) {
          const int64_t next_ic = m0 + split_begin(rows, m_blocks, m_block + 1);
          next_a = a_block_region(op, next_ic, m0 + split_begin(rows, m_blocks, m_block + 2) - next_ic, p0, kc);
        } else if (!last_k_block) {
          next_a = a_block_region(op, m0, split_begin(rows, m_blocks, 1), next_p0, next_kc);
        }
        if (!a_in_place) pack_a_block(op, config, ic, mc, p0, kc, tiles, a_tile_stride, a_pack);

        const int64_t calls = panels * tiles;
        for (int64_t panel = 0; panel < panels; ++panel) {
          const int64_t jr = panel * nr;
          const size_t tile_cols = static_cast<size_t>(std::min(nr, nc - jr));
          const float* b_panel = b_pack + jr * kc;
          for (int64_t t = 0; t < tiles; ++t) {
            const RowTile tile = row_tile(mc, tiles, t);
            next_a.issue(panel * tiles + t, calls);
            next_b.issue((m_block * panels + panel) * tiles_max + t, b_prefetch_parts);
            float* c_tile = op.c + (ic + tile.row) * op.ldc + jc + jr;
            if (a_in_place) {
              config.microkernel(static_cast<size_t>(tile.rows), tile_cols, static_cast<size_t>(kc),
                                 op.a_at(ic + tile.row, p0), a_row_stride, a_k_stride, b_panel,
                                 static_cast<size_t>(nr), c_tile, ldc, op.alpha, beta);
            } else {
              config.microkernel(static_cast<size_t>(tile.rows), tile_cols, static_cast<size_t>(kc),
                                 a_pack + t * a_tile_stride, 1, static_cast<size_t>(tile.rows), b_panel,
                                 static_cast<size_t>(nr), c_tile, ldc, op.alpha, beta);
            }
          }
        }
      }
    }
  }
  return Status::ok;
}

// How `threads` threads split C: row_parts x col_parts rectangles (rows evenly, columns in whole
// NR panels). Each thread packs its own A rows and B columns, so the cost counts both the
// multiply-adds of the largest rectangle and the packing it repeats.
struct Grid {
  int64_t row_parts;
  int64_t col_parts;
};

Grid choose_grid(const Operands& op, const GemmConfig& config, int threads) {
  constexpr double kPackWeight = 8.0;  // one packed element costs about eight multiply-adds
  const int64_t panels = ceil_div(op.N, config.nr);
  Grid best{threads, 1};
  double best_cost = -1.0;
  for (int64_t row_parts = threads; row_parts >= 1; --row_parts) {
    if (threads % row_parts != 0) continue;
    const int64_t col_parts = threads / row_parts;
    const double rows = static_cast<double>(ceil_div(op.M, row_parts));
    const double cols = static_cast<double>(ceil_div(panels, col_parts) * config.nr);
    const double k = static_cast<double>(op.K);
    const double cost = rows * cols * k + kPackWeight * k * (rows + cols);
    if (best_cost < 0.0 || cost < best_cost) {
      best_cost = cost;
      best = Grid{row_parts, col_parts};
    }
  }
  return best;
}

Status run_parallel(const Operands& op, const GemmConfig& config, int max_threads) {
  const double flops = 2.0 * static_cast<double>(op.M) * static_cast<double>(op.N) * static_cast<double>(op.K);
  int threads = threads_for_work(flops);
  if (max_threads >= 1) threads = std::min(threads, max_threads);
  std::atomic<int> failure{static_cast<int>(Status::ok)};
  parallel_run(threads, [&](int thread_index, int thread_count) {
    // The grid follows the count actually granted (the pool may give fewer threads than asked).
    const Grid grid = choose_grid(op, config, thread_count);
    const int64_t row_part = thread_index / grid.col_parts;
    const int64_t col_part = thread_index % grid.col_parts;
    const int64_t panels = ceil_div(op.N, config.nr);
    const int64_t m0 = split_begin(op.M, grid.row_parts, row_part);
    const int64_t m1 = split_begin(op.M, grid.row_parts, row_part + 1);
    const int64_t n0 = std::min(op.N, split_begin(panels, grid.col_parts, col_part) * config.nr);
    const int64_t n1 = std::min(op.N, split_begin(panels, grid.col_parts, col_part + 1) * config.nr);
    const Status status = run_blocked(op, config, m0, m1, n0, n1);
    // Relaxed: parallel_run's completion orders every thread's writes before the load below.
    if (status != Status::ok) failure.store(static_cast<int>(status), std::memory_order_relaxed);
  });
  return static_cast<Status>(failure.load(std::memory_order_relaxed));
}

}  // namespace

GemmKernelInfo sgemm_f32_kernel_info() {
  const GemmConfig& config = gemm_config(active_isa());
  return GemmKernelInfo{config.name, config.mr, config.nr, config.kc, config.mc, config.nc};
}

void sgemm_f32_reference(bool transpose_a, bool transpose_b, int64_t M, int64_t N, int64_t K,
                         float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
                         float beta, float* c, int64_t ldc) {
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < N; ++j) {
      float sum = 0.0f;
      for (int64_t p = 0; p < K; ++p) {
        const float av = transpose_a ? a[p * lda + i] : a[i * lda + p];
        const float bv = transpose_b ? b[j * ldb + p] : b[p * ldb + j];
        sum += av * bv;
      }
      float& out = c[i * ldc + j];
      out = beta == 0.0f ? alpha * sum : alpha * sum + beta * out;
    }
  }
}

Status sgemm_f32(bool transpose_a, bool transpose_b, int64_t M, int64_t N, int64_t K, float alpha,
                 const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                 int64_t ldc, int max_threads) {
  // Cheap re-checks of the caller's preconditions: a bug upstream becomes a status, not a crash.
  if (M < 0 || N < 0 || K < 0) return Status::invalid_argument;
  if (M == 0 || N == 0) return Status::ok;
  if (c == nullptr || ldc < N) return Status::invalid_argument;
  const Operands op{transpose_a, transpose_b, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc};
  if (K == 0 || alpha == 0.0f) {
    scale_c(op);
    return Status::ok;
  }
  if (a == nullptr || b == nullptr || lda < std::max<int64_t>(1, transpose_a ? M : K) ||
      ldb < std::max<int64_t>(1, transpose_b ? K : N)) {
    return Status::invalid_argument;
  }
  const GemmConfig& config = gemm_config(active_isa());
  if (static_cast<double>(M) * static_cast<double>(N) * static_cast<double>(K) < kSmallProduct) {
    return run_small(op, config);
  }
  return run_parallel(op, config, max_threads);
}

}  // namespace faltung
