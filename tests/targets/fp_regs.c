/* fp_regs: known values in x87, SSE and AVX registers when fp_here() is
 * called: st0 = 3.25, xmm0 = 0x44444444333333332222222211111111,
 * xmm1 = {1.5, -2.25}, ymm3 = {1, ..., 8} (floats; AVX CPUs only). After
 * it returns, the exit code tells what a debugger wrote there: 1 when
 * xmm1's first double is 42.5, plus 2 when ymm3's last float is 9. */
#include <stdint.h>

static const uint32_t x0[4] = {0x11111111, 0x22222222, 0x33333333, 0x44444444};
static const double d1[2] = {1.5, -2.25};
static const float y3[8] = {1, 2, 3, 4, 5, 6, 7, 8};
volatile int g_fp_calls;

void __attribute__((noinline)) fp_here(void) { g_fp_calls++; }

int main(void) {
  int avx = __builtin_cpu_supports("avx");
  long double ld = 3.25L;
  double out1[2];
  float out3[8] = {0};
  __asm__ volatile("fldt %0" : : "m"(ld));
  __asm__ volatile("movdqu %0, %%xmm0" : : "m"(x0) : "xmm0");
  __asm__ volatile("movupd %0, %%xmm1" : : "m"(d1) : "xmm1");
  if (avx) __asm__ volatile("vmovups %0, %%ymm3" : : "m"(y3) : "xmm3");
  fp_here();
  __asm__ volatile("movupd %%xmm1, %0" : "=m"(out1));
  if (avx) __asm__ volatile("vmovups %%ymm3, %0" : "=m"(out3));
  __asm__ volatile("fstp %%st(0)" : : : "st");
  return (out1[0] == 42.5) | (out3[7] == 9) << 1;
}
