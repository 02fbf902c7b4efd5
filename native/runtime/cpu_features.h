// What the processor and the operating system let us run, probed once at start-up.
// Deliberately knows nothing of kernels: dispatch (isa.h) turns these bits into a choice.
#pragma once

namespace faltung {

struct CpuFeatures {
  bool avx2_fma = false;   // AVX2 + FMA3, with the OS saving YMM state
  bool avx512 = false;     // AVX-512 F/BW/DQ/VL, with the OS saving ZMM and opmask state
  bool neon = false;       // Advanced SIMD (always present on arm64)
};

// Probed on first call (CPUID + XGETBV on x86-64), then cached.
const CpuFeatures& cpu_features();

}  // namespace faltung
