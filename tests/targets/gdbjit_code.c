/* Code "generated at run time" for gdbjit_target: linked at a fixed
 * address as a freestanding image (see targets.mk), which gdbjit_target
 * maps there and registers through the GDB JIT interface. No libc, no
 * data relocations: only these functions. */
int jit_square(int x) {
  int y = x * x;
  return y;
}

int jit_sum(int n) {
  int total = 0;
  for (int i = 1; i <= n; i++) {
    int sq = jit_square(i);
    total += sq;
  }
  return total;
}

int jit_entry(int n) {
  int a = jit_sum(n);
  int b = a + 1;
  return b;
}
