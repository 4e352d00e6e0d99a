/* lli_prog.c — run by LLVM's lli (Debian's llvm-14) from the IR clang
 * emits for it (clang -g -O0 -S -emit-llvm): lli's ORC JIT links it with
 * RuntimeDyld and registers the relocatable object, sections at their
 * load addresses, through the GDB JIT interface. Also emitted at -O2
 * (no frame pointers: the backtrace needs the object's .eh_frame). */
#include <stdio.h>

__attribute__((noinline)) int jit_square(int x) {
  int r = x * x; /* lli_square */
  return r;
}

__attribute__((noinline)) int jit_sum(int n) {
  int s = 0;
  for (int i = 1; i <= n; i++)
    s += jit_square(i); /* lli_call */
  return s;
}

int main(void) {
  int v = jit_sum(3); /* lli_main_call */
  printf("%d\n", v);
  return v == 14 ? 0 : 1;
}
