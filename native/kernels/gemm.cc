// SGEMM driver: the BLIS loop nest (pack B block, pack A block, register tiles) over the per-ISA
// microkernels of arch/gemm_microkernels.h, split among the pool's threads, a direct path for tiny
// products, and the scalar reference. Deliberately no split-K (results would depend on the thread
// count), no allocation per call (packed panels live in thread_scratch) and no assembly.
//
// Loop nest of one thread, which owns a rectangle [m0,m1) x [n0,n1) of C:
//   for jc in columns step NC                       B block (KC x NC) stays in L3
//     for each K block (p0, kc <= KC)               pack B block into [NC/NR][kc][NR] panels
//       for each M block (ic, mc <= MC)             pack A block into [tiles][kc][rows] panels (L2)
//         for jr in block columns step NR           one B panel (kc x NR) stays in L1
//           for each row tile of the M block        microkernel: C tile += A panel x B panel
// Row tiles are balanced (an M block of 144 rows on a 14-row kernel becomes 11 tiles of 13-14
// rows, not 10 full tiles and a 4-row straggler); K blocks are balanced the same way.
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
  int64_t kc;  // K block: a kc x NR B panel (kc * NR * 4 bytes) stays in L1
  int64_t mc;  // M block: an mc x kc A block stays in L2
  int64_t nc;  // N block: a kc x nc B block stays in L3 (multiple of nr)
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
      GemmConfig{"gemm_f32_14x32__avx512", gemm_f32_14x32__avx512, gemm_pack_a__avx512, gemm_pack_b__avx512, 14, 32, 256, 252, 2048};
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

// Tiny products: the microkernel straight on the caller's matrices, one thread, K unblocked.
// Only op(B) = B^T needs a copy (the microkernel wants B's columns adjacent); it is at most
// N * K < 64^3 / M floats, and it goes to this thread's scratch, not a fresh allocation.
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
  for (int64_t jr = 0, panel = 0; jr < op.N; jr += config.nr, ++panel) {
    const size_t nr = static_cast<size_t>(std::min(config.nr, op.N - jr));
    const float* b_panel = b_panels + panel * b_panel_stride;
    for (int64_t t = 0; t < tiles; ++t) {
      const int64_t row = split_begin(op.M, tiles, t);
      const int64_t rows = split_begin(op.M, tiles, t + 1) - row;
      config.microkernel(static_cast<size_t>(rows), nr, static_cast<size_t>(op.K), op.a_at(row, 0), a_row_stride,
                         a_k_stride, b_panel, b_k_stride, op.c + row * op.ldc + jr,
                         static_cast<size_t>(op.ldc), op.alpha, op.beta);
    }
  }
  return Status::ok;
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
  const int64_t nc_max = std::min(config.nc, round_up(n1 - n0, nr));
  // Each A tile panel starts on a 64-byte boundary (16 floats).
  const int64_t a_tile_stride_max = round_up(mr * kc_max, 16);
  float* a_pack = thread_scratch(ScratchSlot::gemm_a, static_cast<size_t>(tiles_max * a_tile_stride_max));
  float* b_pack = thread_scratch(ScratchSlot::gemm_b, static_cast<size_t>(nc_max * kc_max));
  if (a_pack == nullptr || b_pack == nullptr) return Status::out_of_memory;
  const size_t ldc = static_cast<size_t>(op.ldc);

  for (int64_t jc = n0; jc < n1; jc += config.nc) {
    const int64_t nc = std::min(config.nc, n1 - jc);
    for (int64_t k_block = 0; k_block < k_blocks; ++k_block) {
      const int64_t p0 = split_begin(op.K, k_blocks, k_block);
      const int64_t kc = split_begin(op.K, k_blocks, k_block + 1) - p0;
      // Later K blocks add onto what the earlier ones stored.
      const float beta = k_block == 0 ? op.beta : 1.0f;
      for (int64_t jr = 0; jr < nc; jr += nr) {
        config.pack_b(op.transpose_b, op.b_at(p0, jc + jr), static_cast<size_t>(op.ldb), static_cast<size_t>(kc),
                      static_cast<size_t>(std::min(nr, nc - jr)), static_cast<size_t>(nr), b_pack + jr * kc);
      }
      const int64_t a_tile_stride = round_up(mr * kc, 16);
      for (int64_t m_block = 0; m_block < m_blocks; ++m_block) {
        const int64_t ic = m0 + split_begin(rows, m_blocks, m_block);
        const int64_t mc = m0 + split_begin(rows, m_blocks, m_block + 1) - ic;
        const int64_t tiles = ceil_div(mc, mr);
        for (int64_t t = 0; t < tiles; ++t) {
          const int64_t row = split_begin(mc, tiles, t);
          const int64_t tile_rows = split_begin(mc, tiles, t + 1) - row;
          config.pack_a(op.transpose_a, op.a_at(ic + row, p0), static_cast<size_t>(op.lda),
                        static_cast<size_t>(tile_rows), static_cast<size_t>(kc), a_pack + t * a_tile_stride);
        }
        for (int64_t jr = 0; jr < nc; jr += nr) {
          const size_t tile_cols = static_cast<size_t>(std::min(nr, nc - jr));
          const float* b_panel = b_pack + jr * kc;
          for (int64_t t = 0; t < tiles; ++t) {
            const int64_t row = split_begin(mc, tiles, t);
            const int64_t tile_rows = split_begin(mc, tiles, t + 1) - row;
            config.microkernel(static_cast<size_t>(tile_rows), tile_cols, static_cast<size_t>(kc),
                               a_pack + t * a_tile_stride, 1, static_cast<size_t>(tile_rows), b_panel,
                               static_cast<size_t>(nr), op.c + (ic + row) * op.ldc + jc + jr, ldc, op.alpha,
                               beta);
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
