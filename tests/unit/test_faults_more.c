/* test_faults_more.c — more fault cases: the target killed or exiting
 * under a command, threads vanishing during a step, a target that blocks
 * every signal, PTRACE_TRACEME anti-debugging, self-modifying code under a
 * breakpoint, and the debugger itself killed with breakpoints inserted.
 * Each case asserts what a user sees: the blocking call returns with the
 * stop that happened, and the program (or what is left of it) is in the
 * state stated. */
#include "testutil.h"

#include <criterion/hooks.h>

#include <errno.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/wait.h>

static int counted(int *c) { return __atomic_load_n(c, __ATOMIC_SEQ_CST); }

/* An engine whose events of kinds are counted in *count. */
static sse_engine *engine_counting(unsigned kinds, int *count) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  SSE_OKAY(sse_subscribe(e, kinds, count_event, count, NULL));
  return e;
}

static sse_stop cont_to_bp(sse_process *p, int id) {
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s signo %d",
               sse_stop_reason_name(s.reason), s.signo);
  if (id) cr_assert_eq(s.breakpoint_id, id);
  return s;
}

/* The state letter of /proc/PID/stat ('R', 't', 'Z'...), 0 when gone. */
static char proc_state(pid_t pid) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char *rp = strrchr(buf, ')');
  return rp && rp[1] == ' ' ? rp[2] : 0;
}

/* ------------------------------------------------ 1. killed by SIGKILL */

/* A thread of the test that kills pid once a byte arrives on fd: the
 * target says it is inside the long code, which runs only during the
 * command under test. */
typedef struct killer {
  int fd;
  pid_t pid;
  int got;
} killer;

static void *killer_main(void *arg) {
  killer *k = arg;
  char c;
  k->got = (int)read(k->fd, &c, 1);
  if (k->got == 1) kill(k->pid, SIGKILL);
  return NULL;
}

typedef enum { K_CONTINUE, K_NEXT_CALL, K_FINISH, K_NEXT_SPIN } kill_how;

static void killed_during(kill_how how) {
  int exits = 0;
  sse_engine *e = engine_counting(SSE_EV_PROCESS_EXITED, &exits);
  int out[2];
  cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
  sse_process *p = spawn_target_io(e, "dies_midstep",
                                   how == K_NEXT_SPIN ? "spinline" : "spin",
                                   NULL, -1, out[1]);
  close(out[1]);
  sse_thread *t = main_thread(p);
  int id;
  sse_stop s;
  if (how == K_NEXT_CALL || how == K_NEXT_SPIN) {
    const char *m = how == K_NEXT_CALL ? "long_line" : "spin_line";
    SSE_OKAY(sse_break_line(p, "dies_midstep.c", line_of("dies_midstep.c", m),
                            &id));
    s = cont_to_bp(p, id);
    SSE_OKAY(sse_break_remove(p, id));
  } else if (how == K_FINISH) {
    SSE_OKAY(sse_break_function(p, "long_call", false, &id));
    s = cont_to_bp(p, id);
    SSE_OKAY(sse_break_remove(p, id));
  }
  killer k = {.fd = out[0], .pid = sse_process_pid(p)};
  pthread_t th;
  cr_assert_eq(start_thread_nochld(&th, killer_main, &k), 0);
  if (how == K_CONTINUE)
    SSE_OKAY(sse_continue(p, &s));
  else if (how == K_FINISH)
    SSE_OKAY(sse_finish(t, &s));
  else
    SSE_OKAY(sse_next_line(t, &s));
  pthread_join(th, NULL);
  close(out[0]);
  cr_assert_eq(k.got, 1, "how %d: the target got into its long code", how);
  cr_assert_eq(s.reason, SSE_STOP_KILLED, "how %d: %s %d at %#llx", how,
               sse_stop_reason_name(s.reason), s.signo,
               (unsigned long long)s.pc);
  cr_assert_eq(s.signo, SIGKILL);
  cr_assert_null(s.thread);
  cr_assert_eq(s.pid, sse_process_pid(p));
  cr_assert(sse_process_exited(p));
  cr_assert_eq(counted(&exits), 1, "one SSE_EV_PROCESS_EXITED");
  /* The last stop stays; whatever needs the live process says EXITED. */
  sse_stop w;
  SSE_OKAY(sse_wait(p, &w));
  cr_assert_eq(w.reason, SSE_STOP_KILLED);
  cr_assert_eq(sse_continue(p, &s), SSE_E_EXITED);
  cr_assert_eq(sse_next_line(t, &s), SSE_E_EXITED);
  cr_assert_eq(sse_finish(t, &s), SSE_E_EXITED);
  cr_assert_eq(sse_step_instruction(t, &s), SSE_E_EXITED);
  cr_assert_eq(sse_break_function(p, "main", false, NULL), SSE_E_EXITED);
  sse_regs r;
  cr_assert_eq(sse_get_regs(t, &r), SSE_E_EXITED);
  uint8_t b;
  cr_assert_eq(sse_read_memory(p, s.pc ? s.pc : 0x400000, &b, 1, NULL),
               SSE_E_EXITED);
  cr_assert_eq(sse_kill(p), SSE_E_EXITED);
  cr_assert_eq(sse_detach(p), SSE_E_EXITED);
  sse_engine_free(e);
}

Test(faults_more, sigkill_during_continue, .timeout = 30) {
  killed_during(K_CONTINUE);
}
Test(faults_more, sigkill_during_next_over_long_call, .timeout = 30) {
  killed_during(K_NEXT_CALL);
}
Test(faults_more, sigkill_during_finish_of_long_function, .timeout = 30) {
  killed_during(K_FINISH);
}

/* `next` of a one-line endless loop range-steps it synchronously (the
 * tracer blocks in waitpid on the thread): the kill ends that wait too. */
Test(faults_more, sigkill_during_next_range_stepping_a_loop, .timeout = 30) {
  killed_during(K_NEXT_SPIN);
}

/* ------------------------------------------------ 2. exit() mid-command */

typedef enum { X_NEXT, X_FINISH, X_NEXTI } exit_how;

static void exits_during(exit_how how) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, "dies_midstep", "exit", NULL, -1);
  sse_thread *t = main_thread(p);
  int id;
  if (how == X_FINISH)
    SSE_OKAY(sse_break_function(p, "exit_call", false, &id));
  else
    SSE_OKAY(sse_break_line(p, "dies_midstep.c",
                            line_of("dies_midstep.c", how == X_NEXT
                                                          ? "exit_line"
                                                          : "exit_here"),
                            &id));
  sse_stop s = cont_to_bp(p, id);
  if (how == X_NEXT)
    SSE_OKAY(sse_next_line(t, &s));
  else if (how == X_FINISH)
    SSE_OKAY(sse_finish(t, &s));
  else {
    /* nexti over the call of exit(): to the call, then over it. */
    for (int i = 0; i < 20; i++) {
      sse_insn in;
      size_t n = 0;
      SSE_OKAY(sse_disassemble(p, s.pc, 1, &in, &n));
      if (strncmp(in.mnemonic, "call", 4) == 0) break;
      SSE_OKAY(sse_step_instruction(t, &s));
      cr_assert_eq(s.reason, SSE_STOP_STEP);
    }
    SSE_OKAY(sse_step_over_instruction(t, &s));
  }
  cr_assert_eq(s.reason, SSE_STOP_EXITED, "how %d: %s", how,
               sse_stop_reason_name(s.reason));
  cr_assert_eq(s.exit_status, 3);
  cr_assert_null(s.thread);
  cr_assert(sse_process_exited(p));
  cr_assert_eq(sse_next_line(t, &s), SSE_E_EXITED);
  cr_assert_eq(sse_continue(p, &s), SSE_E_EXITED);
  sse_engine_free(e);
}

Test(faults_more, exit_during_next, .timeout = 30) { exits_during(X_NEXT); }
Test(faults_more, exit_during_finish, .timeout = 30) {
  exits_during(X_FINISH);
}
Test(faults_more, exit_during_nexti_over_call, .timeout = 30) {
  exits_during(X_NEXTI);
}

/* ------------------------------------------------ 3. threads exiting */

/* A worker exits while main is `next`-ing a loop line (the worker runs
 * while main's calls are run over): the step ends where it should, on the
 * next line, the exit was reported, and one thread is left. */
Test(faults_more, thread_exits_during_next_of_other_thread, .timeout = 30) {
  int gone = 0;
  sse_engine *e = engine_counting(SSE_EV_THREAD_EXITED, &gone);
  int in[2];
  cr_assert_eq(pipe2(in, O_CLOEXEC), 0);
  sse_process *p = spawn_target_io(e, "thread_exits", "other", NULL, in[0], -1);
  close(in[0]);
  int id;
  SSE_OKAY(sse_break_line(p, "thread_exits.c",
                          line_of("thread_exits.c", "others_loop"), &id));
  sse_stop s = cont_to_bp(p, id);
  SSE_OKAY(sse_break_remove(p, id));
  sse_thread *main_t = s.thread;
  cr_assert_eq(sse_thread_tid(main_t), sse_process_pid(p));
  size_t n = 0;
  SSE_OKAY(sse_process_threads(p, NULL, 0, &n));
  cr_assert_eq(n, 2);
  /* The worker's read returns once it runs: during the step. */
  cr_assert_eq(write(in[1], "x", 1), 1);
  SSE_OKAY(sse_next_line(main_t, &s));
  cr_assert_eq(s.reason, SSE_STOP_STEP, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.thread, main_t);
  cr_assert_eq(s.loc.line, line_of("thread_exits.c", "after_loop"));
  cr_assert_eq(counted(&gone), 1, "the worker's exit was reported");
  SSE_OKAY(sse_process_threads(p, NULL, 0, &n));
  cr_assert_eq(n, 1);
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.exit_status, 0);
  close(in[1]);
  sse_engine_free(e);
}

/* The stepping thread itself exits (`next` over pthread_exit, `finish`
 * out of a function that calls it): the command goes on as a continue of
 * the others (gdb), to the next event: main's breakpoint after the join,
 * or the program's exit. The exited thread's handle then says NOTHREAD. */
static void stepping_thread_exits(bool finish, int run) {
  int gone = 0;
  sse_engine *e = engine_counting(SSE_EV_THREAD_EXITED, &gone);
  sse_process *p = spawn_target(e, "thread_exits",
                                finish ? "selffinish" : "self", NULL, -1);
  int id, jid = 0;
  if (finish)
    SSE_OKAY(sse_break_function(p, "quit_thread", false, &id));
  else
    SSE_OKAY(sse_break_line(p, "thread_exits.c",
                            line_of("thread_exits.c", "pthread_exit_line"),
                            &id));
  sse_stop s = cont_to_bp(p, id);
  sse_thread *worker = s.thread;
  cr_assert_neq(sse_thread_tid(worker), sse_process_pid(p));
  SSE_OKAY(sse_break_remove(p, id));
  if (finish) {
    SSE_OKAY(sse_finish(worker, &s));
    cr_assert_eq(s.reason, SSE_STOP_EXITED, "%s",
                 sse_stop_reason_name(s.reason));
    cr_assert_eq(s.exit_status, 5);
  } else {
    SSE_OKAY(sse_break_function(p, "joined", false, &jid));
    SSE_OKAY(sse_next_line(worker, &s));
    cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s",
                 sse_stop_reason_name(s.reason));
    cr_assert_eq(s.breakpoint_id, jid);
    cr_assert_eq(sse_thread_tid(s.thread), sse_process_pid(p),
                 "main stops at joined()");
    cr_assert_eq(s.pc, s.loc.pc);
    cr_assert(s.loc.function && strcmp(s.loc.function, "joined") == 0,
              "run %d: stopped at %#llx in %s", run, (unsigned long long)s.pc,
              s.loc.function ? s.loc.function : "??");
    cr_assert_eq(sse_next_line(worker, &s), SSE_E_NOTHREAD);
    size_t n = 0;
    SSE_OKAY(sse_process_threads(p, NULL, 0, &n));
    cr_assert_eq(n, 1);
    SSE_OKAY(sse_continue(p, &s));
    cr_assert_eq(s.reason, SSE_STOP_EXITED);
    cr_assert_eq(s.exit_status, 5);
  }
  cr_assert_eq(counted(&gone), 1, "the worker's exit was reported");
  sse_engine_free(e);
}

/* Main's return from pthread_join can hit its breakpoint before the
 * worker's exit is reaped: then that exit comes in while the command ends
 * with main's stop, which must stand (it was reported with main running
 * on, its pc 0). Runs repeat to meet that order. */
Test(faults_more, stepping_thread_exits_during_next, .timeout = 60) {
  for (int run = 0; run < 20; run++) stepping_thread_exits(false, run);
}
Test(faults_more, stepping_thread_exits_during_finish, .timeout = 60) {
  for (int run = 0; run < 5; run++) stepping_thread_exits(true, run);
}

/* ------------------------------------------------ 4. every signal blocked */

/* The blocked-signal mask of pid, from /proc/PID/status (SigBlk). */
static uint64_t sig_blocked_mask(pid_t pid) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  FILE *f = fopen(path, "r");
  cr_assert(f);
  uint64_t m = 0;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "SigBlk:", 7) == 0) m = strtoull(line + 7, NULL, 16);
  fclose(f);
  return m;
}

/* int3 and single-step traps are forced on a thread that blocks SIGTRAP,
 * and SIGSTOP cannot be blocked: breakpoints, every kind of step and
 * sse_interrupt work on a program that blocks all it can. A signal sent to
 * it meanwhile stays pending (blocked): nothing to report. */
Test(faults_more, target_blocking_all_signals, .timeout = 30) {
  int sigs = 0;
  sse_engine *e = engine_counting(SSE_EV_SIGNAL, &sigs);
  int out[2];
  cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
  sse_process *p = spawn_target(e, "sig_blocked", NULL, NULL, out[1]);
  close(out[1]);
  pid_t pid = sse_process_pid(p);
  int id;
  SSE_OKAY(sse_break_function(p, "tick", false, &id));
  sse_stop s = cont_to_bp(p, id);
  char c;
  cr_assert_eq(read(out[0], &c, 1), 1);
  cr_assert_eq(c, 'b', "it blocked its signals before the loop");
  /* The kernel forces the breakpoint's SIGTRAP on the thread: it unblocks
   * it (force_sig), as under gdb. The rest stays blocked. */
  uint64_t m = sig_blocked_mask(pid);
  cr_assert(!(m >> (SIGTRAP - 1) & 1), "SIGTRAP unblocked by the trap");
  int want[] = {SIGINT, SIGUSR1, SIGCHLD, SIGALRM, SIGSEGV, SIGCONT};
  for (size_t i = 0; i < sizeof want / sizeof *want; i++)
    cr_assert(m >> (want[i] - 1) & 1, "signal %d blocked (SigBlk %llx)",
              want[i], (unsigned long long)m);
  sse_thread *t = s.thread;
  /* Out of tick, then line by line round the loop and into tick again. */
  SSE_OKAY(sse_finish(t, &s));
  cr_assert_eq(s.reason, SSE_STOP_FINISH, "%s", sse_stop_reason_name(s.reason));
  SSE_OKAY(sse_break_remove(p, id));
  int tick_line = line_of("sig_blocked.c", "tick_line");
  bool at_tick = false;
  for (int i = 0; i < 8 && !at_tick; i++) {
    SSE_OKAY(sse_next_line(t, &s));
    cr_assert_eq(s.reason, SSE_STOP_STEP, "%s", sse_stop_reason_name(s.reason));
    cr_assert_str_eq(s.loc.function, "main");
    at_tick = s.loc.line == tick_line;
  }
  cr_assert(at_tick, "next went round the loop to the tick line");
  SSE_OKAY(sse_step_line(t, &s));
  cr_assert_eq(s.reason, SSE_STOP_STEP);
  cr_assert_str_eq(s.loc.function, "tick");
  SSE_OKAY(sse_step_instruction(t, &s));
  cr_assert_eq(s.reason, SSE_STOP_STEP);
  SSE_OKAY(sse_break_function(p, "tick", false, &id));
  s = cont_to_bp(p, id);
  SSE_OKAY(sse_break_remove(p, id));
  /* Running: a blocked SIGUSR1 stays pending, sse_interrupt stops it. */
  SSE_OKAY(sse_continue_async(p));
  cr_assert_eq(kill(pid, SIGUSR1), 0);
  SSE_OKAY(sse_interrupt(p));
  SSE_OKAY(sse_wait(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_INTERRUPTED, "%s",
               sse_stop_reason_name(s.reason));
  cr_assert_not_null(s.thread);
  cr_assert_eq(counted(&sigs), 0, "a blocked signal is never reported");
  /* Let it end: stop_flag set through memory. */
  sse_symbol sym;
  size_t n = 0;
  SSE_OKAY(sse_symbols(p, "stop_flag", SSE_SYMBOLS_DATA | SSE_SYMBOLS_EXACT,
                       &sym, 1, &n));
  cr_assert_eq(n, 1);
  int one = 1;
  SSE_OKAY(sse_write_memory(p, sym.addr, &one, sizeof one, NULL));
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.exit_status, 0);
  close(out[0]);
  sse_engine_free(e);
}

/* ------------------------------------------------ 5. PTRACE_TRACEME */

/* A program that asks to be traced while sse traces it gets EPERM (as
 * under gdb: a task has one tracer), sees "debugger detected" (it exits
 * 3), and sse keeps control: `next` over the call and the breakpoint
 * after it. */
Test(faults_more, ptrace_traceme_fails_and_sse_keeps_control, .timeout = 30) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, "traceme", NULL, NULL, -1);
  int line = line_of("traceme.c", "traceme_line");
  int id, cid;
  SSE_OKAY(sse_break_line(p, "traceme.c", line, &id));
  SSE_OKAY(sse_break_function(p, "checked", false, &cid));
  sse_stop s = cont_to_bp(p, id);
  SSE_OKAY(sse_next_line(s.thread, &s));
  cr_assert_eq(s.reason, SSE_STOP_STEP, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.loc.line, line + 1);
  s = cont_to_bp(p, cid);
  sse_regs r;
  SSE_OKAY(sse_get_regs(s.thread, &r));
  cr_assert_eq((long)r.rdi, -1L, "PTRACE_TRACEME returned %ld", (long)r.rdi);
  cr_assert_eq((int)r.rsi, EPERM, "errno %d", (int)r.rsi);
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.exit_status, 3, "the program saw the failure");
  sse_engine_free(e);
}

/* ------------------------------------------------ 6. self-modifying code */

static const uint8_t code_a[6] = {0xb8, 0x01, 0x00, 0x00, 0x00, 0xc3};
static const uint8_t code_b[6] = {0x31, 0xc0, 0x83, 0xc0, 0x07, 0xc3};

/* result(round, value) of smc_code, stopped at its breakpoint rid. */
static void expect_result(sse_process *p, int rid, int round, int value) {
  sse_stop s = cont_to_bp(p, rid);
  sse_regs r;
  SSE_OKAY(sse_get_regs(s.thread, &r));
  cr_assert_eq((int)r.rdi, round);
  cr_assert_eq((int)r.rsi, value, "round %d: value %#x", round, (int)r.rsi);
}

static void expect_code(sse_process *p, uint64_t code, const uint8_t *want,
                        const char *when) {
  uint8_t got[6];
  SSE_OKAY(sse_read_memory(p, code, got, sizeof got, NULL));
  cr_assert_arr_eq(got, want, sizeof got,
                   "%s: read %02x %02x %02x %02x %02x %02x", when, got[0],
                   got[1], got[2], got[3], got[4], got[5]);
}

/* The raw bytes of pid (int3s included), read by the test itself. */
static void raw_read(pid_t pid, uint64_t addr, void *buf, size_t len) {
  struct iovec l = {buf, len}, r = {(void *)(uintptr_t)addr, len};
  cr_assert_eq(process_vm_readv(pid, &l, 1, &r, 1, 0), (ssize_t)len);
}

/* Our int3 is in memory at code (the test's own look), and reads through
 * sse show `want` there. */
static void expect_int3_over(sse_process *p, uint64_t code,
                             const uint8_t *want, const char *when) {
  uint8_t raw[6];
  raw_read(sse_process_pid(p), code, raw, 6);
  cr_assert_eq(raw[0], 0xcc, "%s: the int3 is in", when);
  expect_code(p, code, want, when);
}

/* A round that traps at the code's breakpoint cid, then gives value. */
static void trapped_round(sse_process *p, uint64_t code, int cid, int rid,
                          int round, int value) {
  sse_stop s = cont_to_bp(p, cid);
  cr_assert_eq(s.pc, code, "round %d", round);
  expect_result(p, rid, round, value);
}

/* What sse does when a program rewrites code that holds one of its int3s:
 * the program's stores win. Its byte replaces the int3, so the rewritten
 * code runs as written (the breakpoint no longer traps there); reads show
 * what the program wrote; stepping a thread off that address executes the
 * new bytes (the old original is never written back), takes the new byte
 * as the original and puts the int3 back, so the breakpoint traps the new
 * code from then on; so does disabling and enabling it again; disabling
 * or removing it leaves the program's code intact. */
Test(faults_more, self_modifying_code_under_breakpoint, .timeout = 30) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, "smc_code", NULL, NULL, -1);
  pid_t pid = sse_process_pid(p);
  int id, cid, rid;
  SSE_OKAY(sse_break_function(p, "code_ready", false, &id));
  sse_stop s = cont_to_bp(p, id);
  sse_thread *t = s.thread;
  sse_regs r;
  SSE_OKAY(sse_get_regs(t, &r));
  uint64_t code = r.rdi;
  SSE_OKAY(sse_break_remove(p, id));
  SSE_OKAY(sse_break_address(p, code, &cid));
  SSE_OKAY(sse_break_function(p, "result", false, &rid));
  expect_int3_over(p, code, code_a, "A under the int3");
  /* Round 1: A runs under the breakpoint. */
  trapped_round(p, code, cid, rid, 1, 1);
  uint8_t raw[6];
  /* Round 2: the program wrote B over A, int3 included: B runs, no trap. */
  expect_result(p, rid, 2, 7);
  raw_read(pid, code, raw, 6);
  cr_assert_arr_eq(raw, code_b, 6, "the program's bytes are in memory");
  expect_code(p, code, code_b, "after the program's rewrite");
  sse_insn in;
  size_t n = 0;
  SSE_OKAY(sse_disassemble(p, code, 1, &in, &n));
  cr_assert_eq(n, 1);
  cr_assert_eq(in.len, 2, "xor %%eax,%%eax: %s %s", in.mnemonic, in.operands);
  /* Round 3: into the code by stepi, then over its first instruction. */
  SSE_OKAY(sse_finish(t, &s));
  cr_assert_eq(s.reason, SSE_STOP_FINISH);
  for (int i = 0; i < 40 && s.pc != code; i++) {
    SSE_OKAY(sse_step_instruction(t, &s));
    cr_assert_eq(s.reason, s.pc == code ? SSE_STOP_BREAKPOINT : SSE_STOP_STEP,
                 "%s", sse_stop_reason_name(s.reason));
  }
  /* Landing on a breakpoint's address counts as its hit (gdb). */
  cr_assert_eq(s.pc, code, "stepped into the rewritten code");
  cr_assert_eq(s.breakpoint_id, cid);
  SSE_OKAY(sse_step_instruction(t, &s));
  cr_assert_eq(s.reason, SSE_STOP_STEP, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.pc, code + 2, "B's 2-byte xor ran, not A's mov (pc +%lld)",
               (long long)(s.pc - code));
  expect_int3_over(p, code, code_b, "the int3 back over B");
  expect_result(p, rid, 3, 7);
  /* Round 4: the breakpoint traps B, and the step off it runs B. */
  trapped_round(p, code, cid, rid, 4, 7);
  /* Round 5: A written back over the int3: A runs, no trap. Disabling the
   * breakpoint leaves A; enabling it again puts an int3 over A. */
  expect_result(p, rid, 5, 1);
  expect_code(p, code, code_a, "after the second rewrite");
  SSE_OKAY(sse_break_enable(p, cid, false));
  raw_read(pid, code, raw, 6);
  cr_assert_arr_eq(raw, code_a, 6, "disabling the breakpoint keeps A");
  SSE_OKAY(sse_break_enable(p, cid, true));
  expect_int3_over(p, code, code_a, "A under the new int3");
  /* Round 6: it traps A, and A runs. */
  trapped_round(p, code, cid, rid, 6, 1);
  SSE_OKAY(sse_break_remove(p, cid));
  raw_read(pid, code, raw, 6);
  cr_assert_arr_eq(raw, code_a, 6, "removing the breakpoint keeps A");
  expect_code(p, code, code_a, "after the removal");
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.exit_status, 0);
  sse_engine_free(e);
}

/* ------------------------------------------------ 7. the debugger killed */

/* The debugger process: an engine, the target spawned (or attached when
 * attach_pid > 0; target and arg unused), a breakpoint at FN, a continue to it; then it writes
 * the target's pid and the breakpoint's address to fd and blocks until it
 * is killed. Exit codes name what failed (no Criterion in this child). */
static void debugger_child(int fd, const char *target, const char *arg,
                           pid_t attach_pid, const char *fn) {
  sse_engine *e;
  if (sse_engine_new(NULL, &e) != SSE_OK) _exit(10);
  sse_process *p;
  int err_no = 0;
  if (attach_pid > 0) {
    if (sse_attach(e, attach_pid, &p, &err_no) != SSE_OK) _exit(11);
  } else {
    const char *argv[] = {tpath(target), arg, NULL};
    sse_spawn_options o;
    sse_spawn_options_init(&o);
    int devnull = open("/dev/null", O_RDWR);
    o.stdin_fd = o.stdout_fd = o.stderr_fd = devnull;
    if (sse_spawn(e, argv, &o, &p, &err_no) != SSE_OK) _exit(12);
  }
  int id;
  if (sse_break_function(p, fn, false, &id) != SSE_OK) _exit(13);
  sse_stop s;
  if (sse_continue(p, &s) != SSE_OK || s.reason != SSE_STOP_BREAKPOINT)
    _exit(14);
  struct {
    int32_t pid;
    uint64_t addr;
  } msg = {sse_process_pid(p), s.pc};
  if (write(fd, &msg, sizeof msg) != (ssize_t)sizeof msg) _exit(15);
  for (;;) pause();
}

/* The debugger runs as this test program again (fork, then exec of
 * /proc/self/exe with SSE_FAULTS_DEBUGGER="fd attach_pid target arg fn"):
 * a fresh process, single-threaded until sse starts its threads
 * (ThreadSanitizer refuses new threads in the fork of a threaded
 * process). It takes over in Criterion's first hook, once every
 * constructor has run (not in a constructor of its own: with libsse.a
 * linked in, the order against the library's, which installs its run
 * control, is unspecified), and never returns. */
ReportHook(PRE_ALL)(struct criterion_test_set *set) {
  (void)set;
  const char *spec = getenv("SSE_FAULTS_DEBUGGER");
  if (!spec) return;
  int fd, attach_pid;
  char target[64], arg[64], fn[64];
  if (sscanf(spec, "%d %d %63s %63s %63s", &fd, &attach_pid, target, arg,
             fn) != 5)
    _exit(9);
  debugger_child(fd, target, arg, attach_pid, fn);
}

/* Fork the debugger process (see debugger_role); it writes to fd (its
 * end of a close-on-exec pipe, closed here). */
static pid_t start_debugger(int fd, pid_t attach_pid, const char *target,
                            const char *arg, const char *fn) {
  char spec[256];
  snprintf(spec, sizeof spec, "%d %d %s %s %s", fd, (int)attach_pid, target,
           arg, fn);
  pid_t dbg = fork();
  cr_assert(dbg >= 0);
  if (dbg == 0) {
    fcntl(fd, F_SETFD, 0); /* the one descriptor it keeps */
    setenv("SSE_FAULTS_DEBUGGER", spec, 1);
    /* Criterion's sandbox marks: the program must run as a plain runner,
     * not as the worker of this test. */
    unsetenv("BXFI_MAP");
    unsetenv("IS_SANDBOX");
    execl("/proc/self/exe", "test_faults_more", (char *)NULL);
    _exit(127);
  }
  close(fd);
  return dbg;
}

/* Reap pid, reparented to this test (a subreaper) or its own child,
 * bounded: its wait status (a stop too, with flags WUNTRACED). */
static int reap_bounded(pid_t pid, int flags) {
  double t0 = now_s();
  int st = 0;
  while (now_s() - t0 < 10) {
    pid_t r = waitpid(pid, &st, WNOHANG | __WALL | flags);
    if (r == pid) return st;
    cr_assert_eq(r, 0, "waitpid %d: %s", (int)pid, strerror(errno));
    sched_yield();
  }
  cr_assert_fail("%d never died (state %c)", (int)pid, proc_state(pid));
  return 0;
}

static void read_msg(int fd, pid_t dbg, pid_t *pid, uint64_t *addr) {
  struct {
    int32_t pid;
    uint64_t addr;
  } msg;
  if (read(fd, &msg, sizeof msg) != (ssize_t)sizeof msg) {
    int st = 0;
    waitpid(dbg, &st, 0);
    cr_assert_fail("the debugger never reached its breakpoint: status %#x",
                   st);
  }
  *pid = msg.pid;
  *addr = msg.addr;
}

static void kill_debugger(pid_t dbg) {
  cr_assert_eq(kill(dbg, SIGKILL), 0);
  int st;
  cr_assert_eq(waitpid(dbg, &st, 0), dbg);
  cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "debugger status %#x",
            st);
}

/* A spawned target dies with its debugger (PTRACE_O_EXITKILL): killed by
 * SIGKILL, not left stopped at its breakpoint. */
Test(faults_more, debugger_killed_spawned_target_dies, .timeout = 30) {
  cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  int fds[2];
  cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
  pid_t dbg = start_debugger(fds[1], 0, "bp_loop", "1000000000", "hit_me");
  pid_t pid;
  uint64_t addr;
  read_msg(fds[0], dbg, &pid, &addr);
  close(fds[0]);
  cr_assert_eq(proc_state(pid), 't', "stopped under ptrace at the breakpoint");
  uint8_t b;
  raw_read(pid, addr, &b, 1);
  cr_assert_eq(b, 0xcc, "its int3 is in");
  kill_debugger(dbg);
  int st = reap_bounded(pid, 0);
  cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "target status %#x",
            st);
  cr_assert_eq(proc_state(pid), 0, "nothing is left of it");
}

/* An attached target has no EXITKILL (sse_attach must not kill what it
 * lets go): when its debugger is killed the kernel detaches every thread
 * from the stop it was in. The thread at the breakpoint was in the stop of
 * its int3's SIGTRAP, now delivered; the others in the stop of the
 * all-stop's SIGSTOP, now delivered too. Whichever the kernel takes first
 * decides: the program dies of SIGTRAP at the breakpoint, or it is left
 * group-stopped (SIGSTOP), and a SIGCONT then runs it into the int3,
 * still in memory, and it dies of SIGTRAP (as under a killed gdb, whose
 * int3s stay in as well). Either way it never runs on past the
 * breakpoint, and nothing is left traced. */
Test(faults_more, debugger_killed_attached_target_dies_of_sigtrap,
     .timeout = 30) {
  cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  int in[2], ready[2], fds[2];
  cr_assert_eq(pipe2(in, O_CLOEXEC), 0);
  cr_assert_eq(pipe2(ready, O_CLOEXEC), 0);
  cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
  pid_t tgt = fork();
  cr_assert(tgt >= 0);
  if (tgt == 0) {
    struct rlimit nocore = {0, 0};
    setrlimit(RLIMIT_CORE, &nocore);
    dup2(in[0], 0);
    dup2(ready[1], 1);
    execl(tpath("attach_threads"), "attach_threads", (char *)NULL);
    _exit(127);
  }
  close(in[0]);
  close(ready[1]);
  char c;
  cr_assert_eq(read(ready[0], &c, 1), 1, "the program runs its threads");
  close(ready[0]);
  pid_t dbg = start_debugger(fds[1], tgt, "-", "-", "tick");
  pid_t pid;
  uint64_t addr;
  read_msg(fds[0], dbg, &pid, &addr);
  close(fds[0]);
  cr_assert_eq(pid, tgt);
  uint8_t b;
  raw_read(pid, addr, &b, 1);
  cr_assert_eq(b, 0xcc, "its int3 is in");
  kill_debugger(dbg);
  int st = reap_bounded(tgt, WUNTRACED);
  if (WIFSTOPPED(st)) {
    /* The SIGSTOPs of the all-stop came first: a group stop. Let it go on:
     * it runs into the int3 still there. */
    cr_assert_eq(WSTOPSIG(st), SIGSTOP, "target stopped by %d", WSTOPSIG(st));
    cr_assert_eq(kill(tgt, SIGCONT), 0);
    st = reap_bounded(tgt, 0);
  }
  cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGTRAP, "target status %#x",
            st);
  cr_assert_eq(proc_state(tgt), 0, "nothing is left of it");
  close(in[1]);
}

/* ------------------------------------------------ exit during the all-stop */

/* The program exits (exit_group) while sse stops its threads for a
 * breakpoint another thread hit: the command ends once, with the exit
 * (or the breakpoint, when the stop was complete first). Repeated: the
 * exit lands at every point of the stop sooner or later. (It hung 1 run
 * in 3: the kernel reports a leader's exit only after every other
 * thread's, and the wait was for the leader alone.) */
Test(faults_more, exit_while_stopping_for_a_breakpoint, .timeout = 120) {
  for (int run = 0; run < 20; run++) {
    int stops = 0;
    sse_engine *e = engine_counting(SSE_EV_STOPPED, &stops);
    char ms[16];
    snprintf(ms, sizeof ms, "%d", 5 + run);
    sse_process *p = spawn_target(e, "exit_race", ms, "3", -1);
    int base = counted(&stops); /* the spawn's */
    SSE_OKAY(sse_break_function(p, "hit", false, NULL));
    sse_stop s;
    int n = 0;
    for (;; n++) {
      SSE_OKAY(sse_continue(p, &s));
      cr_assert_eq(counted(&stops) - base, n + 1,
                   "run %d: one SSE_EV_STOPPED per command", run);
      if (s.reason != SSE_STOP_BREAKPOINT) break;
      cr_assert_neq(s.pc, 0, "run %d: a stopped thread", run);
    }
    cr_assert_eq(s.reason, SSE_STOP_EXITED, "run %d after %d hits: %s", run,
                 n, sse_stop_reason_name(s.reason));
    cr_assert_eq(s.exit_status, 4);
    sse_engine_free(e);
  }
}
