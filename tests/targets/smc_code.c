/* smc_code.c — self-modifying code. A page made RWX with mprotect gets
 * code A (mov $1,%eax; ret); code_ready(page) says where. It is called
 * once (round 1), then the program rewrites the same six bytes with its
 * own stores to code B (xor %eax,%eax; add $7,%eax; ret) and calls it
 * three more times (rounds 2-4), then back to A, called twice (rounds 5
 * and 6). Each round's value goes to result(round, value). A's first byte differs from B's: an old byte put
 * back at the start of B gives mov $0x07c083c0,%eax (result 0x07c083c0). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

typedef int (*fn_t)(void);

static const unsigned char code_a[] = {0xb8, 0x01, 0x00, 0x00, 0x00, 0xc3};
static const unsigned char code_b[] = {0x31, 0xc0, 0x83, 0xc0, 0x07, 0xc3};

volatile int results[7];

void __attribute__((noinline)) code_ready(unsigned char *code) { (void)code; }
void __attribute__((noinline)) result(int round, int value) {
  results[round] = value;
}

int main(void) {
  unsigned char *code;
  if (posix_memalign((void **)&code, 4096, 4096) != 0) return 1;
  if (mprotect(code, 4096, PROT_READ | PROT_WRITE | PROT_EXEC) != 0) return 2;
  memcpy(code, code_a, sizeof code_a);
  code_ready(code);
  fn_t fn = (fn_t)(uintptr_t)code;
  result(1, fn());
  volatile unsigned char *w = code;
  for (unsigned i = 0; i < sizeof code_b; i++) w[i] = code_b[i];
  result(2, fn());
  result(3, fn()); /* round3_line */
  result(4, fn());
  for (unsigned i = 0; i < sizeof code_a; i++) w[i] = code_a[i];
  result(5, fn());
  result(6, fn());
  return 0;
}
