/* avx512_regs: known values in AVX-512 registers when avx512_here() is
 * called (CPUs with avx512f and avx512bw only; elsewhere it exits 77):
 * zmm3 = {1, ..., 16} (floats), zmm17 = {0x0101..., ..., 0x4040...}
 * (64 bytes, byte i = i + 1), k1 = 0x5a5a, k7 = 0x8000000000000001.
 * After it returns, the exit code tells what a debugger wrote there: 1
 * when zmm3's last float is 99, plus 2 when k1 is 0x1234, plus 4 when
 * zmm17's byte 63 is 0x7f. */
#include <stdint.h>

static const float z3[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static uint8_t z17[64];
volatile int g_calls;

void __attribute__((noinline)) avx512_here(void) { g_calls++; }

/* AVX-512 code only here: main checks the CPU first. */
static int __attribute__((noinline, target("avx512f,avx512bw"))) run(void) {
  for (int i = 0; i < 64; i++) z17[i] = (uint8_t)(i + 1);
  uint64_t k1 = 0x5a5a, k7 = 0x8000000000000001ull, k1_out = 0;
  float out3[16] = {0};
  uint8_t out17[64] = {0};
  __asm__ volatile("vmovups %0, %%zmm3" : : "m"(z3) : "xmm3");
  __asm__ volatile("vmovdqu8 %0, %%zmm17" : : "m"(z17) : "xmm17");
  __asm__ volatile("kmovq %0, %%k1" : : "r"(k1) : "k1");
  __asm__ volatile("kmovq %0, %%k7" : : "r"(k7) : "k7");
  avx512_here();
  __asm__ volatile("vmovups %%zmm3, %0" : "=m"(out3));
  __asm__ volatile("vmovdqu8 %%zmm17, %0" : "=m"(out17));
  __asm__ volatile("kmovq %%k1, %0" : "=r"(k1_out));
  return (out3[15] == 99) | (k1_out == 0x1234) << 1 | (out17[63] == 0x7f) << 2;
}

int main(void) {
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw")) return 77;
  return run();
}
