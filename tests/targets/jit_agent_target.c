/* JIT target for the agent protocol: generates two functions at run time,
 * registers them through libsseagent, calls them N times, unregisters one.
 *
 *   jit_answer:  mov $42,%eax; ret
 *   jit_caller:  push %rbp; mov %rsp,%rbp; movabs $native_callback,%rax;
 *                call *%rax; add $1,%eax; pop %rbp; ret
 *     (a frame-pointer frame, so a backtrace from native_callback passes
 *      through JIT code: native_callback <- jit_caller <- main)
 *     line table: offset 0 -> jit_src.txt:1, offset 4 -> jit_src.txt:2
 *
 * Usage: jit_agent_target [N]   (default 3). Exits 0 if every call returned
 * what it should. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sse_agent.h"

volatile int callback_calls;

__attribute__((noinline)) int native_callback(int x) {
  callback_calls++; /* break here: bt shows jit_caller, then main */
  return x * 2;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 3;
  uint8_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  static const uint8_t answer[] = {0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3};
  uint8_t caller[] = {
      0x55,                         /* 0: push %rbp */
      0x48, 0x89, 0xe5,             /* 1: mov %rsp,%rbp */
      0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, /* 4: movabs $native_callback,%rax */
      0xff, 0xd0,                   /* 14: call *%rax */
      0x83, 0xc0, 0x01,             /* 16: add $1,%eax */
      0x5d,                         /* 19: pop %rbp */
      0xc3,                         /* 20: ret */
  };
  uint64_t cb = (uint64_t)(uintptr_t)&native_callback;
  memcpy(caller + 6, &cb, sizeof cb);
  uint8_t *answer_code = page, *caller_code = page + 64;
  memcpy(answer_code, answer, sizeof answer);
  memcpy(caller_code, caller, sizeof caller);
  if (mprotect(page, 4096, PROT_READ | PROT_EXEC) != 0) {
    perror("mprotect");
    return 1;
  }

  uint64_t h_answer, h_caller;
  sse_agent_line lines[] = {
      {(uint64_t)(uintptr_t)caller_code, 1, "jit_src.txt"},
      {(uint64_t)(uintptr_t)caller_code + 4, 2, "jit_src.txt"},
  };
  if (sse_agent_register((uint64_t)(uintptr_t)answer_code, sizeof answer, "jit_answer", NULL, 0,
                         &h_answer) != 0 ||
      sse_agent_register((uint64_t)(uintptr_t)caller_code, sizeof caller, "jit_caller", lines, 2,
                         &h_caller) != 0) {
    fprintf(stderr, "register failed\n");
    return 1;
  }

  int (*jit_answer)(void) = (int (*)(void))(uintptr_t)answer_code;
  int (*jit_caller)(int) = (int (*)(int))(uintptr_t)caller_code;
  int bad = 0;
  for (int i = 0; i < n; i++) {
    int a = jit_answer();
    int c = jit_caller(i);
    if (a != 42 || c != 2 * i + 1)
      bad++;
  }
  if (sse_agent_unregister(h_answer) != 0)
    bad++;
  printf("jit_agent_target: %d calls, generation %llu, %s\n", n,
         (unsigned long long)sse_agent_generation(), bad ? "BAD" : "ok");
  return bad ? 1 : 0;
}
