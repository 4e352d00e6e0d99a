/* longjmp_target.c — a callee two frames down leaves by longjmp back into
 * main's setjmp. `next` over the call must stop where control lands (the
 * else branch), `finish` out of the callee where setjmp returns; gdb 13
 * without glibc's longjmp probes runs such a program to its exit. */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf env;
static volatile int depth;

void __attribute__((noinline)) deep2(int v) {
  depth = v;
  longjmp(env, v); /* lj_throw */
}

void __attribute__((noinline)) deep1(int v) {
  deep2(v + 1);
  depth = -1; /* never reached */
}

int main(void) {
  if (setjmp(env) == 0) { /* lj_setjmp */
    deep1(1); /* lj_call */
    return 1;
  } else {
    depth += 10; /* lj_landed */
  }
  printf("%d\n", depth);
  return depth == 12 ? 0 : 2;
}
