/* ThreadSanitizer driver for src/arch/x86_64/ and src/ptrace/, without
 * Criterion: Criterion 2.4 aborts at start-up under -fsanitize=thread
 * ("Could not initialize inheritable arena", Snaipe/Criterion#274, open).
 * Exit status 0 if all checks pass; TSan reports make it exit 66.
 *
 * - 8 threads decode, scan and disassemble at once, each on its own
 *   capstone handle, and exit (the per-thread destructor closes it) while
 *   others are still running; then a second wave opens fresh handles.
 * - A hardware breakpoint and a watchpoint on a forked, traced child, set
 *   from a thread other than main (the thread that is its tracer).
 * Build: gcc -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=thread -Isrc -Isrc/arch/x86_64
 *   $(pkg-config --cflags capstone libunwind) src/arch/x86_64/(*).c
 *   src/ptrace/(*).c tests/unit/tsan_arch.c -lcapstone -lpthread */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dl_iterate_phdr, prctl, kill under -std=c11 */
#endif
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arch/arch.h"
#include "ptrace/debugregs.h"

static int failures;
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;

#define CHECK(c)                                                               \
  do {                                                                         \
    if (!(c)) {                                                                \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);   \
      pthread_mutex_lock(&fail_lock);                                          \
      failures++;                                                              \
      pthread_mutex_unlock(&fail_lock);                                        \
    }                                                                          \
  } while (0)

static const uint8_t run[] = {0xb8, 0x01, 0x00, 0x00, 0x00, 0x48, 0x01, 0xf8, 0x48,
                              0x8d, 0x4c, 0x98, 0x08, 0x90, 0x53, 0x48, 0x89, 0x45,
                              0xe8, 0x83, 0xf8, 0x05, 0x75, 0x3e, 0xc3};

static void *decoder(void *arg) {
  int iters = (int)(intptr_t)arg;
  for (int i = 0; i < iters; i++) {
    sse__insn br;
    size_t off = sse__arch_scan_to_branch(run, sizeof run, 0x1000, &br);
    CHECK(off == 22 && br.kind == SSE__INSN_JCC && br.target == 0x1000 + 22 + 0x40);
    char t[64];
    CHECK(sse__arch_disasm(run, sizeof run, 0x1000, t, sizeof t) == 5);
    CHECK(strcmp(t, "movl $1, %eax") == 0);
    CHECK(sse__arch_decode(run, 3, 0x1000, &br) == -1 && br.truncated);
  }
  return NULL;
}

static volatile uint64_t watched;
__attribute__((noinline)) static void target_fn(void) { __asm__ volatile("" ::: "memory"); }

static uint64_t cont_pc(pid_t child) {
  if (ptrace(PTRACE_CONT, child, NULL, NULL) != 0)
    return 0;
  int st;
  if (waitpid(child, &st, 0) != child || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP)
    return 0;
  struct user_regs_struct r;
  if (ptrace(PTRACE_GETREGS, child, NULL, &r) != 0)
    return 0;
  return r.rip;
}

static void *tracer(void *arg) {
  (void)arg;
  pid_t parent = getpid();
  pid_t child = fork();
  if (child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
      _exit(1);
    alarm(30);
    ptrace(PTRACE_TRACEME, 0, NULL, NULL);
    raise(SIGSTOP);
    for (;;) {
      target_fn();
      watched = watched + 1;
    }
  }
  CHECK(child > 0);
  if (child <= 0)
    return NULL;
  int st;
  CHECK(waitpid(child, &st, 0) == child && WIFSTOPPED(st));
  ptrace(PTRACE_SETOPTIONS, child, NULL, (void *)PTRACE_O_EXITKILL);
  uint64_t dr7 = 0, dr6 = 0;
  uint64_t fn = (uint64_t)(uintptr_t)&target_fn;
  CHECK(sse__hw_set(child, 0, fn, SSE__HW_EXEC, 1, &dr7) == 0);
  CHECK(cont_pc(child) == fn);
  CHECK(sse__hw_read_dr6(child, &dr6) == 0 && sse__arch_dr6_slot(dr6) == 0);
  CHECK(sse__hw_clear(child, 0, &dr7) == 0);
  CHECK(sse__hw_reset_dr6(child) == 0);
  CHECK(sse__hw_set(child, 1, (uint64_t)(uintptr_t)&watched, SSE__HW_WRITE, 8, &dr7) == 0);
  uint64_t pc = cont_pc(child);
  CHECK(pc != 0 && pc != fn);
  CHECK(sse__hw_read_dr6(child, &dr6) == 0 && sse__arch_dr6_slot(dr6) == 1);
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  return NULL;
}

int main(void) {
  pthread_t th[8], tr;
  for (int wave = 0; wave < 2; wave++) {
    for (int i = 0; i < 8; i++)
      pthread_create(&th[i], NULL, decoder, (void *)(intptr_t)(i % 2 ? 200 : 2000));
    if (wave == 0)
      pthread_create(&tr, NULL, tracer, NULL);
    for (int i = 0; i < 8; i++)
      pthread_join(th[i], NULL);
    if (wave == 0)
      pthread_join(tr, NULL);
  }
  decoder((void *)(intptr_t)100); /* and the main thread */
  printf("tsan_arch: %s\n", failures ? "FAIL" : "ok");
  return failures != 0;
}
