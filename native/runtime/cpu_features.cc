// CPUID + XGETBV probing. A feature counts only when the OS also saves its register state,
// otherwise the first AVX instruction after a context switch would corrupt or fault.
#include "cpu_features.h"

#if defined(__x86_64__) || defined(_M_X64)
#if defined(_MSC_VER)
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#endif

namespace faltung {
namespace {

#if defined(__x86_64__) || defined(_M_X64)
void cpuid(unsigned leaf, unsigned subleaf, unsigned regs[4]) {
#if defined(_MSC_VER)
  int r[4];
  __cpuidex(r, static_cast<int>(leaf), static_cast<int>(subleaf));
  for (int i = 0; i < 4; ++i) regs[i] = static_cast<unsigned>(r[i]);
#else
  __cpuid_count(leaf, subleaf, regs[0], regs[1], regs[2], regs[3]);
#endif
}

unsigned long long read_xcr0() {
#if defined(_MSC_VER)
  return _xgetbv(0);
#else
  unsigned eax, edx;
  // xgetbv with ecx=0 reads XCR0; encoded as bytes so old assemblers accept it.
  __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<unsigned long long>(edx) << 32) | eax;
#endif
}

CpuFeatures probe() {
  CpuFeatures features;
  unsigned regs[4];
  cpuid(0, 0, regs);
  const unsigned max_leaf = regs[0];
  if (max_leaf < 7) return features;
  cpuid(1, 0, regs);
  const bool has_osxsave = (regs[2] >> 27) & 1;
  const bool has_fma = (regs[2] >> 12) & 1;
  const bool has_avx = (regs[2] >> 28) & 1;
  if (!has_osxsave || !has_avx) return features;
  const unsigned long long xcr0 = read_xcr0();
  const bool os_saves_ymm = (xcr0 & 0x6) == 0x6;           // XMM | YMM
  const bool os_saves_zmm = (xcr0 & 0xE6) == 0xE6;         // + opmask, ZMM_Hi256, Hi16_ZMM
  cpuid(7, 0, regs);
  const unsigned ebx = regs[1];
  const bool has_avx2 = (ebx >> 5) & 1;
  const bool has_avx512f = (ebx >> 16) & 1;
  const bool has_avx512dq = (ebx >> 17) & 1;
  const bool has_avx512bw = (ebx >> 30) & 1;
  const bool has_avx512vl = (ebx >> 31) & 1;
  features.avx2_fma = has_avx2 && has_fma && os_saves_ymm;
  features.avx512 = features.avx2_fma && os_saves_zmm && has_avx512f && has_avx512dq &&
                    has_avx512bw && has_avx512vl;
  return features;
}
#else
CpuFeatures probe() {
  CpuFeatures features;
#if defined(__aarch64__) || defined(_M_ARM64)
  features.neon = true;
#endif
  return features;
}
#endif

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = probe();
  return features;
}

}  // namespace faltung
