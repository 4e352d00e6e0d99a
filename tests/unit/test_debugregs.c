/* Hardware breakpoints and watchpoints on a real traced child.
 *
 * The child is a fork of this test process, so target_fn and watched have the
 * same addresses in it.  It stops itself with SIGSTOP, then calls target_fn
 * and increments watched forever.  Exits: the child is SIGKILLed by the
 * suite's .fini (runs after a failed assertion too), by PTRACE_O_EXITKILL if
 * this process dies, by PR_SET_PDEATHSIG, and by its own alarm(). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dl_iterate_phdr, prctl, kill under -std=c11 */
#endif
#include <criterion/criterion.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptrace/debugregs.h"

static volatile uint64_t watched;
static volatile uint64_t calls;

__attribute__((noinline)) static void target_fn(void) {
  calls = calls + 1;
  __asm__ volatile("" ::: "memory");
}

static pid_t child = -1;

static void kill_child(void) {
  if (child > 0) {
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    child = -1;
  }
}

static void child_main(pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent)
    _exit(1);
  alarm(30); /* last resort if everything else failed */
  if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == -1)
    _exit(2);
  raise(SIGSTOP);
  for (;;) {
    target_fn();
    watched = watched + 1;
  }
}

/* Fork the child and wait for its SIGSTOP. */
static void start_child(void) {
  pid_t parent = getpid();
  child = fork();
  cr_assert_neq(child, -1, "fork: %s", strerror(errno));
  if (child == 0)
    child_main(parent);
  int st;
  cr_assert_eq(waitpid(child, &st, 0), child);
  cr_assert(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "child status %#x", st);
  cr_assert_eq(ptrace(PTRACE_SETOPTIONS, child, NULL, (void *)PTRACE_O_EXITKILL), 0);
}

/* Continue until the next stop; assert it is a SIGTRAP; return the pc. */
static uint64_t cont_to_trap(int req) {
  cr_assert_eq(ptrace(req, child, NULL, NULL), 0, "ptrace: %s", strerror(errno));
  int st;
  cr_assert_eq(waitpid(child, &st, 0), child);
  cr_assert(WIFSTOPPED(st), "child not stopped: status %#x", st);
  cr_assert_eq(WSTOPSIG(st), SIGTRAP, "stopped by signal %d, not SIGTRAP", WSTOPSIG(st));
  struct user_regs_struct regs;
  cr_assert_eq(ptrace(PTRACE_GETREGS, child, NULL, &regs), 0);
  return regs.rip;
}

static uint64_t read_dr6(void) {
  uint64_t dr6 = 0;
  cr_assert_eq(sse__hw_read_dr6(child, &dr6), 0);
  return dr6;
}

static uint64_t peek_u64(volatile uint64_t *p) {
  errno = 0;
  long v = ptrace(PTRACE_PEEKDATA, child, (void *)p, NULL);
  cr_assert(!(v == -1 && errno != 0), "peek: %s", strerror(errno));
  return (uint64_t)v;
}

TestSuite(debugregs, .fini = kill_child, .timeout = 10);

Test(debugregs, exec_breakpoint_each_slot, .timeout = 10) {
  start_child();
  uint64_t fn = (uint64_t)(uintptr_t)&target_fn;
  uint64_t dr7 = 0;
  for (int slot = 0; slot < 4; slot++) {
    int rc = sse__hw_set(child, slot, fn, SSE__HW_EXEC, 1, &dr7);
    cr_assert_eq(rc, 0, "hw_set slot %d: %s", slot, strerror(-rc));
    cr_assert_eq(sse__hw_reset_dr6(child), 0);
    uint64_t pc = cont_to_trap(PTRACE_CONT);
    uint64_t dr6 = read_dr6();
    fprintf(stderr, "debugregs: exec slot %d: pc %#llx (fn %#llx) dr6 %#llx dr7 %#llx\n", slot,
            (unsigned long long)pc, (unsigned long long)fn, (unsigned long long)dr6,
            (unsigned long long)dr7);
    /* An instruction breakpoint is a fault: reported before the instruction
     * runs, pc on it (no adjustment, unlike int3). */
    cr_expect_eq(pc, fn);
    cr_expect_eq(sse__arch_dr6_slot(dr6), slot);
    cr_expect(!sse__arch_dr6_single_step(dr6));
    cr_assert_eq(sse__hw_clear(child, slot, &dr7), 0);
  }
  cr_expect_eq(dr7, 0);
  /* The same address again: the kernel sets RF so the continue does not
   * re-trigger on the spot; the next call hits it again. */
  cr_assert_eq(sse__hw_set(child, 0, fn, SSE__HW_EXEC, 1, &dr7), 0);
  uint64_t before = peek_u64(&calls);
  cr_expect_eq(cont_to_trap(PTRACE_CONT), fn);
  cr_expect_eq(cont_to_trap(PTRACE_CONT), fn);
  cr_expect_eq(peek_u64(&calls), before + 2);
}

Test(debugregs, write_watchpoint, .timeout = 10) {
  start_child();
  uint64_t dr7 = 0;
  int rc = sse__hw_set(child, 2, (uint64_t)(uintptr_t)&watched, SSE__HW_WRITE, 8, &dr7);
  cr_assert_eq(rc, 0, "hw_set: %s", strerror(-rc));
  uint64_t prev = peek_u64(&watched);
  for (int i = 1; i <= 3; i++) {
    cr_assert_eq(sse__hw_reset_dr6(child), 0);
    uint64_t pc = cont_to_trap(PTRACE_CONT);
    uint64_t dr6 = read_dr6();
    uint64_t now = peek_u64(&watched);
    fprintf(stderr, "debugregs: write watch: pc %#llx dr6 %#llx value %llu\n",
            (unsigned long long)pc, (unsigned long long)dr6, (unsigned long long)now);
    /* A data breakpoint is a trap: the write has happened. */
    cr_expect_eq(now, prev + (uint64_t)i, "value %llu, want %llu", (unsigned long long)now,
                 (unsigned long long)(prev + (uint64_t)i));
    cr_expect_eq(sse__arch_dr6_slot(dr6), 2);
    cr_expect_neq(pc, (uint64_t)(uintptr_t)&target_fn);
  }
}

Test(debugregs, replace_and_clear, .timeout = 10) {
  start_child();
  uint64_t fn = (uint64_t)(uintptr_t)&target_fn;
  uint64_t dr7 = 0;
  /* exec in slot 1, then the same slot re-set to a watchpoint: only the
   * watchpoint may fire. */
  cr_assert_eq(sse__hw_set(child, 1, fn, SSE__HW_EXEC, 1, &dr7), 0);
  cr_assert_eq(sse__hw_set(child, 1, (uint64_t)(uintptr_t)&watched, SSE__HW_RW, 8, &dr7), 0);
  uint64_t pc = cont_to_trap(PTRACE_CONT);
  cr_expect_neq(pc, fn);
  cr_expect_eq(sse__arch_dr6_slot(read_dr6()), 1);
  /* exec in slot 3 plus watch in slot 1, then clear the watch: the exec
   * breakpoint is the next stop, twice in a row. */
  cr_assert_eq(sse__hw_set(child, 3, fn, SSE__HW_EXEC, 1, &dr7), 0);
  cr_assert_eq(sse__hw_clear(child, 1, &dr7), 0);
  for (int i = 0; i < 2; i++) {
    cr_assert_eq(sse__hw_reset_dr6(child), 0);
    cr_expect_eq(cont_to_trap(PTRACE_CONT), fn);
    cr_expect_eq(sse__arch_dr6_slot(read_dr6()), 3);
  }
  /* what the kernel holds is what we cached */
  errno = 0;
  long k = ptrace(PTRACE_PEEKUSER, child, (void *)sse__arch_debugreg_offset(7), NULL);
  cr_assert_eq(errno, 0);
  cr_expect_eq((uint64_t)k & 0xffff00ffu, dr7 & 0xffff00ffu, "kernel dr7 %#lx, cache %#llx", k,
               (unsigned long long)dr7);
}

Test(debugregs, single_step_dr6, .timeout = 10) {
  start_child();
  cr_assert_eq(sse__hw_reset_dr6(child), 0);
  cont_to_trap(PTRACE_SINGLESTEP);
  uint64_t dr6 = read_dr6();
  fprintf(stderr, "debugregs: after PTRACE_SINGLESTEP dr6 %#llx (BS %s)\n",
          (unsigned long long)dr6, sse__arch_dr6_single_step(dr6) ? "set" : "clear");
  cr_expect_eq(sse__arch_dr6_slot(dr6), -1);
  /* Linux puts DR_STEP into the ptrace-visible (virtual) DR6 (seen on 6.18) */
  cr_expect(sse__arch_dr6_single_step(dr6));
}

Test(debugregs, bad_arguments, .timeout = 10) {
  start_child();
  uint64_t dr7 = 0;
  uint64_t w = (uint64_t)(uintptr_t)&watched;
  cr_expect_eq(sse__hw_set(child, 4, w, SSE__HW_WRITE, 8, &dr7), -EINVAL);
  cr_expect_eq(sse__hw_set(child, 0, w + 1, SSE__HW_WRITE, 8, &dr7), -EINVAL);
  cr_expect_eq(sse__hw_set(child, 0, w, SSE__HW_EXEC, 8, &dr7), -EINVAL);
  cr_expect_eq(sse__hw_set(child, 0, w, SSE__HW_WRITE, 8, NULL), -EINVAL);
  cr_expect_eq(dr7, 0);
  /* a kernel address is refused by the kernel */
  int rc = sse__hw_set(child, 0, 0xffffffff81000000ull, SSE__HW_EXEC, 1, &dr7);
  cr_expect_lt(rc, 0);
  cr_expect_eq(dr7, 0);
  /* not our tracee */
  cr_expect_eq(sse__hw_set(getpid(), 0, w, SSE__HW_WRITE, 8, &dr7), -ESRCH);
  uint64_t dr6;
  cr_expect_eq(sse__hw_read_dr6(getpid(), &dr6), -ESRCH);
}
