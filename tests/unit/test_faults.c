/* test_faults.c — the fault cases: a target that does not come back, dies,
 * or blocks, while sse steps it. Each case names what a user would see:
 * the command completes (or is interrupted) and the program goes on. */
#include "testutil.h"

#include <errno.h>
#include <sys/wait.h>


/* The thread of p that is not `t`. */
static sse_thread *other_thread(sse_process *p, sse_thread *t) {
  sse_thread *ts[8];
  size_t n = 0;
  SSE_OKAY(sse_process_threads(p, ts, 8, &n));
  for (size_t i = 0; i < n; i++)
    if (ts[i] != t) return ts[i];
  cr_assert_fail("no second thread");
  return NULL;
}

/* A new engine and PROG (ARG may be NULL) stopped at the first hit of a
 * breakpoint on function FN (pending: it may be in a library); *id gets
 * the breakpoint's id when id is not NULL. */
static sse_process *start_at(sse_engine **e, const char *prog, const char *arg,
                             const char *fn, sse_stop *s, int *id) {
  SSE_OKAY(sse_engine_new(NULL, e));
  sse_process *p = spawn_target(*e, prog, arg, NULL, -1);
  int bid;
  SSE_OKAY(sse_break_function(p, fn, true, &bid));
  SSE_OKAY(sse_continue(p, s));
  cr_assert_eq(s->reason, SSE_STOP_BREAKPOINT, "%s at %s: %s", prog, fn,
               sse_stop_reason_name(s->reason));
  if (id) *id = bid;
  return p;
}

/* Continue p to its exit, which must be a normal one with status code. */
static void continue_to_exit(sse_process *p, int code) {
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.exit_status, code);
}

/* blocked_step: main stopped at holder_stop() holds the mutex its second
 * thread waits for in pthread_mutex_lock (a futex system call). */
static sse_thread *at_holder_stop(sse_engine *e, sse_process **pp) {
  sse_process *p = spawn_target(e, "blocked_step", NULL, NULL, -1);
  SSE_OKAY(sse_break_function(p, "holder_stop", false, NULL)); /* id 1 */
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s",
               sse_stop_reason_name(s.reason));
  cr_assert_str_eq(s.loc.function, "holder_stop");
  *pp = p;
  return other_thread(p, s.thread);
}

/* A step of the blocked thread completes: the others run meanwhile, main
 * unlocks, the waiter's futex returns and its step ends there; the program
 * then finishes normally (exit 0: both threads ran their code). */
static void blocked_thread_step(sse_step_mode mode) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p;
  sse_thread *waiter = at_holder_stop(e, &p);
  sse_step_frame f = {.mode = mode};
  sse_stop s;
  if (mode == SSE_STEP_UNTIL) {
    sse_frame fr[4];
    size_t n = 0;
    SSE_OKAY(sse_backtrace(waiter, fr, 4, &n));
    cr_assert(n >= 2);
    f.until = fr[1].pc; /* advance to the caller's return address */
  }
  SSE_OKAY(sse_step(waiter, &f, &s));
  /* finish out of futex_wait, an inline frame, is a step out of it (gdb
   * prints no value either). */
  bool ok = s.reason == SSE_STOP_STEP ||
            (mode == SSE_FINISH && s.reason == SSE_STOP_FINISH);
  cr_assert(ok, "mode %d: %s", mode, sse_stop_reason_name(s.reason));
  cr_assert_eq(s.thread, waiter, "mode %d: the stop names the waiter", mode);
  cr_assert(s.loc.function, "mode %d: stopped in a known function", mode);
  SSE_OKAY(sse_break_remove(p, 1));
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED, "mode %d: %s", mode,
               sse_stop_reason_name(s.reason));
  cr_assert_eq(s.exit_status, 0);
  sse_engine_free(e);
}

Test(faults, blocked_thread_next_completes, .timeout = 30) {
  /* gdb: the step ends in __GI___lll_lock_wait (lowlevellock.c:45), or in
   * futex_wait when the futex said EAGAIN. */
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p;
  sse_thread *waiter = at_holder_stop(e, &p);
  sse_stop s;
  SSE_OKAY(sse_next_line(waiter, &s));
  cr_assert_eq(s.reason, SSE_STOP_STEP, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.thread, waiter);
  cr_assert(s.loc.function && (strcmp(s.loc.function, "__GI___lll_lock_wait") == 0 ||
                               strcmp(s.loc.function, "futex_wait") == 0 ||
                               strcmp(s.loc.function, "__futex_abstimed_wait_common") == 0),
            "stopped in %s", s.loc.function ? s.loc.function : "??");
  sse_engine_free(e);
}

Test(faults, blocked_thread_step_completes, .timeout = 30) {
  blocked_thread_step(SSE_STEP_LINE);
}
Test(faults, blocked_thread_stepi_completes, .timeout = 30) {
  blocked_thread_step(SSE_STEP_INSTRUCTION);
}
Test(faults, blocked_thread_nexti_completes, .timeout = 30) {
  blocked_thread_step(SSE_STEP_OVER_INSTRUCTION);
}
Test(faults, blocked_thread_finish_completes, .timeout = 30) {
  blocked_thread_step(SSE_FINISH);
}
Test(faults, blocked_thread_until_completes, .timeout = 30) {
  blocked_thread_step(SSE_STEP_UNTIL);
}

/* blocked_step read: stopped at reader(), whose read(0) never returns (the
 * test keeps the pipe's write end open). */
static sse_process *at_reader(sse_engine *e, int *wfd, sse_thread **t) {
  int fds[2];
  cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
  const char *argv[] = {tpath("blocked_step"), "read", NULL};
  sse_spawn_options o;
  sse_spawn_options_init(&o);
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  o.stdin_fd = fds[0];
  o.stdout_fd = devnull;
  o.stderr_fd = devnull;
  sse_process *p;
  int err_no = 0;
  SSE_OKAY(sse_spawn(e, argv, &o, &p, &err_no));
  close(devnull);
  close(fds[0]);
  *wfd = fds[1];
  SSE_OKAY(sse_break_function(p, "reader", false, NULL));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  *t = s.thread;
  return p;
}

/* Until the target's thread sits in read(2) (its /proc syscall line starts
 * with the call number, 0), bounded. */
static void wait_in_read(pid_t tid) {
  char path[64], buf[128];
  snprintf(path, sizeof path, "/proc/%d/syscall", (int)tid);
  double t0 = now_s();
  while (now_s() - t0 < 10) {
    FILE *f = fopen(path, "r");
    cr_assert(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    if (strncmp(buf, "0 ", 2) == 0) return;
    sched_yield();
  }
  cr_assert_fail("the target never blocked in read: %s", buf);
}

/* gdb: Ctrl-C during `next` over a read that blocks interrupts it. */
static void interrupt_blocked(sse_step_mode mode) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  int wfd;
  sse_thread *t;
  sse_process *p = at_reader(e, &wfd, &t);
  sse_stop s;
  if (mode == SSE_STEP_INSTRUCTION) {
    /* Into read(2) first: interrupt a continue that blocks there, then
     * stepi the thread that sits inside the system call. */
    SSE_OKAY(sse_continue_async(p));
    wait_in_read(sse_thread_tid(t));
    SSE_OKAY(sse_interrupt(p));
    SSE_OKAY(sse_wait(p, &s));
    cr_assert_eq(s.reason, SSE_STOP_INTERRUPTED);
  }
  sse_step_frame f = {.mode = mode};
  SSE_OKAY(sse_step_async(t, &f));
  wait_in_read(sse_thread_tid(t));
  double t0 = now_s();
  SSE_OKAY(sse_interrupt(p));
  double returned = now_s() - t0;
  SSE_OKAY(sse_wait(p, &s));
  double ended = now_s() - t0;
  cr_assert_eq(s.reason, SSE_STOP_INTERRUPTED, "mode %d: %s", mode,
               sse_stop_reason_name(s.reason));
  cr_assert_lt(returned, 0.1, "sse_interrupt returns at once (%.3f s)", returned);
  cr_assert_lt(ended, 1.0, "the step ends within a second (%.3f s)", ended);
  /* The program goes on: input arrives, read returns, it exits. */
  cr_assert_eq(write(wfd, "hi\n", 3), 3);
  close(wfd);
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.exit_status, 0);
  sse_engine_free(e);
}

Test(faults, interrupt_ends_blocked_next, .timeout = 30) {
  interrupt_blocked(SSE_NEXT_LINE);
}
Test(faults, interrupt_ends_blocked_stepi, .timeout = 30) {
  interrupt_blocked(SSE_STEP_INSTRUCTION);
}

/* Shutdown is not stuck behind a step that never ends: the engine frees,
 * the spawned program is killed and reaped. */
Test(faults, engine_free_during_blocked_step, .timeout = 30) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  int wfd;
  sse_thread *t;
  sse_process *p = at_reader(e, &wfd, &t);
  pid_t pid = sse_process_pid(p);
  sse_step_frame f = {.mode = SSE_NEXT_LINE};
  SSE_OKAY(sse_step_async(t, &f));
  wait_in_read(sse_thread_tid(t));
  sse_engine_free(e);
  errno = 0;
  cr_assert_eq(kill(pid, 0), -1, "the program is gone");
  cr_assert_eq(errno, ESRCH);
  close(wfd);
}

/* Every thread that executes a breakpoint's address while it is enabled is
 * reported: n threads released at once, n stops, then a normal exit. */
static void many_hits(int nthreads, int runs) {
  char arg[16];
  snprintf(arg, sizeof arg, "%d", nthreads);
  for (int run = 0; run < runs; run++) {
    sse_engine *e;
    SSE_OKAY(sse_engine_new(NULL, &e));
    sse_process *p = spawn_target(e, "many_hits", arg, NULL, -1);
    SSE_OKAY(sse_break_function(p, "hit", false, NULL));
    int stops = 0;
    sse_stop s;
    for (;;) {
      SSE_OKAY(sse_continue(p, &s));
      if (s.reason != SSE_STOP_BREAKPOINT) break;
      cr_assert_str_eq(s.loc.function, "hit");
      stops++;
    }
    cr_assert_eq(s.reason, SSE_STOP_EXITED, "run %d: %s", run,
                 sse_stop_reason_name(s.reason));
    cr_assert_eq(s.exit_status, 0, "run %d: the program saw every call", run);
    cr_assert_eq(stops, nthreads, "run %d: %d threads, %d stops", run,
                 nthreads, stops);
    sse_engine_free(e);
  }
}

Test(faults, eight_threads_at_one_breakpoint, .timeout = 120) {
  many_hits(8, 20);
}
Test(faults, two_hundred_threads_at_one_breakpoint, .timeout = 300) {
  many_hits(200, 20);
}


/* A process that sends SIGUSR1 to pid every 0-200 us (or back to back
 * when max_ns is 0) until killed. */
static pid_t start_storm(pid_t pid, long max_ns) {
  pid_t c = fork();
  cr_assert(c >= 0);
  if (c == 0) {
    unsigned r = 12345;
    for (;;) {
      if (kill(pid, SIGUSR1) != 0) _exit(0);
      r = r * 1103515245u + 12345u;
      struct timespec ts = {0, max_ns ? (long)((r >> 8) % max_ns) : 0};
      if (max_ns) nanosleep(&ts, NULL);
    }
  }
  return c;
}

/* gdb (handle SIGUSR1 nostop noprint pass) steps a loop line correctly at
 * every spacing of a signal storm: each handler run is run over, and the
 * step's range and return breakpoint survive it. */
static void next_under_storm(long max_ns, bool keep_bp) {
  int l1 = line_of("signal_storm.c", "storm_line");
  int l2 = line_of("signal_storm.c", "storm_next");
  for (int run = 0; run < 5; run++) {
    sse_engine *e;
    SSE_OKAY(sse_engine_new(NULL, &e));
    sse_process *p = spawn_target(e, "signal_storm", NULL, NULL, -1);
    SSE_OKAY(sse_signal_policy(p, SIGUSR1, false, true));
    int id;
    SSE_OKAY(sse_break_line(p, "signal_storm.c", l1, &id));
    sse_stop s;
    SSE_OKAY(sse_continue(p, &s));
    cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
    if (!keep_bp) SSE_OKAY(sse_break_remove(p, id));
    pid_t storm = start_storm(sse_process_pid(p), max_ns);
    for (int i = 0; i < 40; i++) {
      int from = s.loc.line;
      SSE_OKAY(sse_next_line(s.thread, &s));
      bool ok = s.reason == SSE_STOP_STEP ||
                (keep_bp && s.reason == SSE_STOP_BREAKPOINT);
      cr_assert(ok, "run %d step %d from line %d: %s", run, i, from,
                sse_stop_reason_name(s.reason));
      cr_assert(s.loc.line == l1 || s.loc.line == l2 || s.loc.line == l1 - 1,
                "run %d step %d: line %d", run, i, s.loc.line);
    }
    kill(storm, SIGKILL);
    waitpid(storm, NULL, 0);
    sse_engine_free(e);
  }
}

Test(faults, next_under_signal_storm, .timeout = 120) {
  next_under_storm(200000, false);
}
Test(faults, next_from_breakpoint_under_signal_storm, .timeout = 120) {
  next_under_storm(200000, true);
}
Test(faults, next_under_back_to_back_signals, .timeout = 120) {
  next_under_storm(0, false);
}

/* `next` over a one-line loop range-steps it branch to branch; a handler
 * run over at a branch must come back to the run-to breakpoint there. */
Test(faults, next_over_spin_loop_under_signal_storm, .timeout = 120) {
  int l0 = line_of("signal_storm.c", "storm_spin");
  for (int run = 0; run < 5; run++) {
    sse_engine *e;
    SSE_OKAY(sse_engine_new(NULL, &e));
    sse_process *p = spawn_target(e, "signal_storm", "3000", NULL, -1);
    SSE_OKAY(sse_signal_policy(p, SIGUSR1, false, true));
    int id;
    SSE_OKAY(sse_break_line(p, "signal_storm.c", l0, &id));
    sse_stop s;
    SSE_OKAY(sse_continue(p, &s));
    cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
    SSE_OKAY(sse_break_remove(p, id));
    pid_t storm = start_storm(sse_process_pid(p), 200000);
    SSE_OKAY(sse_next_line(s.thread, &s));
    kill(storm, SIGKILL);
    waitpid(storm, NULL, 0);
    cr_assert_eq(s.reason, SSE_STOP_STEP, "run %d: %s", run,
                 sse_stop_reason_name(s.reason));
    cr_assert_eq(s.loc.line, l0 + 1, "run %d: line %d", run, s.loc.line);
    sse_engine_free(e);
  }
}


/* gdb: `next` over execl says "process N is executing new program",
 * re-resolves the breakpoints in the new image, and main's hits again. */
Test(faults, next_across_exec_hits_main_again, .timeout = 30) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  int execs = 0;
  SSE_OKAY(sse_subscribe(e, SSE_EV_EXEC, count_event, &execs, NULL));
  sse_process *p = spawn_target(e, "exec_next", NULL, NULL, -1);
  int id;
  SSE_OKAY(sse_break_function(p, "main", false, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  int exec_line = line_of("exec_next.c", "exec_line");
  SSE_OKAY(sse_next_line(s.thread, &s));
  cr_assert_eq(s.loc.line, exec_line);
  SSE_OKAY(sse_next_line(s.thread, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s",
               sse_stop_reason_name(s.reason));
  cr_assert_eq(s.breakpoint_id, id);
  cr_assert_str_eq(s.loc.function, "main");
  cr_assert_eq(__atomic_load_n(&execs, __ATOMIC_SEQ_CST), 1);
  SSE_OKAY(sse_next_line(s.thread, &s));
  cr_assert_eq(s.reason, SSE_STOP_STEP, "%s", sse_stop_reason_name(s.reason));
  cr_assert(s.loc.file && strstr(s.loc.file, "exec_next.c"));
  continue_to_exit(p, 7);
  sse_engine_free(e);
}

/* Detach leaves an attached multi-threaded program running, with no
 * SIGSTOP of ours left queued: it goes on to its normal exit, and its
 * parent (this test) never sees it stop. */
Test(faults, detach_attached_threads_never_left_stopped, .timeout = 120) {
  for (int run = 0; run < 20; run++) {
    int fds[2], ready[2];
    cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
    cr_assert_eq(pipe2(ready, O_CLOEXEC), 0);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
      dup2(fds[0], 0);
      dup2(ready[1], 1);
      execl(tpath("attach_threads"), "attach_threads", (char *)NULL);
      _exit(127);
    }
    close(fds[0]);
    close(ready[1]);
    char c;
    cr_assert_eq(read(ready[0], &c, 1), 1, "the program runs its threads");
    close(ready[0]);
    sse_engine *e;
    SSE_OKAY(sse_engine_new(NULL, &e));
    sse_process *p;
    int err_no = 0;
    SSE_OKAY(sse_attach(e, pid, &p, &err_no));
    SSE_OKAY(sse_break_function(p, "tick", false, NULL));
    sse_stop s;
    SSE_OKAY(sse_continue(p, &s));
    cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "run %d: %s %d", run,
                 sse_stop_reason_name(s.reason), s.signo);
    SSE_OKAY(sse_detach(p));
    sse_engine_free(e);
    cr_assert_eq(write(fds[1], "x", 1), 1);
    close(fds[1]);
    int st = 0;
    cr_assert_eq(waitpid(pid, &st, WUNTRACED), pid);
    if (WIFSTOPPED(st)) kill(pid, SIGKILL), waitpid(pid, NULL, 0);
    cr_assert(!WIFSTOPPED(st), "run %d: left stopped by signal %d", run,
              WSTOPSIG(st));
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "run %d: status %#x",
              run, st);
  }
}

/* gdb's detach-on-fork: the child runs free without the parent's
 * breakpoints (it used to die of SIGTRAP on the inherited int3); the
 * parent still stops at the breakpoint, after the child exited 0. */
static void fork_child_lets_go(const char *how, unsigned flags) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  const char *argv[] = {tpath("fork_child"), how, NULL};
  sse_spawn_options o;
  sse_spawn_options_init(&o);
  o.flags = flags;
  sse_process *p;
  int err_no = 0;
  SSE_OKAY(sse_spawn(e, argv, &o, &p, &err_no));
  int id;
  SSE_OKAY(sse_break_function(p, "child_work", false, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s: %s", how,
               sse_stop_reason_name(s.reason));
  cr_assert_eq(s.pid, sse_process_pid(p), "%s: the parent stops", how);
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED, "%s: %s", how,
               sse_stop_reason_name(s.reason));
  cr_assert_eq(s.exit_status, 0, "%s: the child exited 0", how);
  sse_engine_free(e);
}

Test(faults, forked_child_runs_free_of_breakpoints, .timeout = 30) {
  fork_child_lets_go("fork", 0);
  fork_child_lets_go("fork", SSE_SPAWN_TRACEFORK);
}
Test(faults, vforked_child_runs_free_of_breakpoints, .timeout = 30) {
  fork_child_lets_go("vfork", 0);
}

/* gdb's `ignore 1 4` (`continue 5`): the next four hits run on, counted;
 * the fifth stops, on the fifth call. */
Test(faults, ignore_count_runs_through_hits, .timeout = 30) {
  sse_engine *e;
  sse_stop s;
  int id;
  sse_process *p = start_at(&e, "bp_loop", "10", "hit_me", &s, &id);
  SSE_OKAY(sse_break_ignore(p, id, 4));
  cr_assert_eq(sse_break_ignore(p, id + 100, 1), SSE_E_NOTFOUND);
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  sse_breakpoint_info bi;
  size_t n;
  SSE_OKAY(sse_break_list(p, &bi, 1, &n));
  cr_assert_eq(bi.hits, 6, "1 stop, 4 ignored, 1 stop: %u", bi.hits);
  cr_assert_eq(bi.ignore, 0);
  /* hit_me(i) adds i: the sixth call has i = 5. */
  sse_regs r;
  SSE_OKAY(sse_get_regs(s.thread, &r));
  cr_assert_eq((int)r.rdi, 5, "the sixth call: i = %d", (int)r.rdi);
  sse_engine_free(e);
}

/* A 32-bit program is refused by name, at spawn (it is killed) and at
 * attach (it is let go and runs on). */
Test(faults, i386_program_refused, .timeout = 30) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  const char *argv[] = {tpath("prog32"), NULL};
  sse_process *p = NULL;
  int err_no = 0;
  cr_assert_eq(sse_spawn(e, argv, NULL, &p, &err_no), SSE_E_ARCH);
  cr_assert_null(p);
  cr_assert_str_eq(sse_err_name(SSE_E_ARCH), "SSE_E_ARCH");
  pid_t pid = fork();
  cr_assert(pid >= 0);
  if (pid == 0) {
    execl(tpath("prog32"), "prog32", (char *)NULL);
    _exit(127);
  }
  /* Until it runs the 32-bit image (its exe link names prog32). */
  char link[64], exe[1024] = "";
  snprintf(link, sizeof link, "/proc/%d/exe", (int)pid);
  for (int i = 0; i < 1000000 && !strstr(exe, "prog32"); i++) {
    ssize_t n = readlink(link, exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    sched_yield();
  }
  cr_assert_eq(sse_attach(e, pid, &p, &err_no), SSE_E_ARCH);
  int st;
  cr_assert_eq(waitpid(pid, &st, WNOHANG | WUNTRACED), 0, "still running");
  kill(pid, SIGKILL);
  waitpid(pid, &st, 0);
  sse_engine_free(e);
}

/* A write whose length no address range can hold fails by name before it
 * touches the caller's buffer (it used to allocate the length first). */
Test(faults, write_memory_huge_length_faults, .timeout = 30) {
  sse_engine *e;
  sse_stop s;
  sse_process *p = start_at(&e, "loops_calls", NULL, "main", &s, NULL);
  uint8_t one = 0;
  size_t done = 7;
  cr_assert_eq(sse_write_memory(p, s.sp, &one, SIZE_MAX, &done), SSE_E_FAULT);
  cr_assert_eq(done, 0);
  /* An ordinary write still works and is read back. */
  uint64_t v = 0x1122334455667788ull, back = 0;
  SSE_OKAY(sse_write_memory(p, s.sp - 64, &v, sizeof v, &done));
  cr_assert_eq(done, sizeof v);
  SSE_OKAY(sse_read_memory(p, s.sp - 64, &back, sizeof back, NULL));
  cr_assert_eq(back, v);
  sse_engine_free(e);
}

/* bt's innermost frame reads as the stop does for the same pc, also where
 * inline frames start at that pc (pthread_kill's entry starts the inlined
 * is_internal_signal: the breakpoint stop shows it, gdb's bt too). */
static void same_as_bt(sse_thread *t, const sse_stop *s) {
  sse_frame f[4];
  size_t n = 0;
  SSE_OKAY(sse_backtrace(t, f, 4, &n));
  cr_assert(n >= 1);
  cr_assert_eq(f[0].pc, s->pc);
  cr_assert_str_eq(f[0].loc.function, s->loc.function);
  cr_assert_eq(f[0].loc.line, s->loc.line, "%s: bt line %d, stop line %d",
               s->loc.function, f[0].loc.line, s->loc.line);
}

Test(faults, backtrace_frame0_matches_stop_at_inline_boundary, .timeout = 60) {
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, "signal_next", NULL, NULL, -1);
  SSE_OKAY(sse_signal_policy(p, SIGUSR1, false, true));
  SSE_OKAY(sse_break_function(p, "pthread_kill", true, NULL));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  cr_assert_str_eq(s.loc.function, "is_internal_signal");
  same_as_bt(s.thread, &s);
  for (int i = 0; i < 3; i++) {
    SSE_OKAY(sse_step_line(s.thread, &s));
    same_as_bt(s.thread, &s);
  }
  sse_engine_free(e);
}

/* finish out of a void function has no value (gdb prints none); out of an
 * int function the value is the one returned. */
Test(faults, finish_void_has_no_value, .timeout = 30) {
  sse_engine *e;
  sse_stop s;
  start_at(&e, "bp_loop", "3", "hit_me", &s, NULL);
  SSE_OKAY(sse_finish(s.thread, &s));
  cr_assert_eq(s.reason, SSE_STOP_FINISH);
  cr_assert(!s.has_retval, "hit_me is void");
  sse_engine_free(e);
  start_at(&e, "fork_child", NULL, "child_work", &s, NULL);
  SSE_OKAY(sse_finish(s.thread, &s));
  cr_assert_eq(s.reason, SSE_STOP_FINISH);
  cr_assert(s.has_retval);
  cr_assert_eq((int)s.retval[0], 2, "child_work(1) returns 2");
  sse_engine_free(e);
}

/* `next` over a call that leaves by longjmp past the stepping frame stops
 * where control lands (the source is the oracle: gdb 13 here runs on to the
 * exit); `finish` out of a function that longjmps stops in the frame the
 * longjmp lands in. Then the program completes normally. */
Test(faults, next_over_longjmp_stops_where_it_lands, .timeout = 30) {
  int call = line_of("longjmp_target.c", "lj_call");
  int again = line_of("longjmp_target.c", "lj_setjmp");
  int landed = line_of("longjmp_target.c", "lj_landed");
  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  sse_process *p = spawn_target(e, "longjmp_target", NULL, NULL, -1);
  int id;
  SSE_OKAY(sse_break_line(p, "longjmp_target.c", call, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  SSE_OKAY(sse_break_remove(p, id));
  /* Control lands where setjmp returns a second time: its line, at the
   * statement that tests the result; the next `next` takes the branch. */
  SSE_OKAY(sse_next_line(s.thread, &s));
  cr_assert_eq(s.reason, SSE_STOP_STEP, "%s", sse_stop_reason_name(s.reason));
  cr_assert_str_eq(s.loc.function, "main");
  cr_assert_eq(s.loc.line, again, "line %d", s.loc.line);
  SSE_OKAY(sse_next_line(s.thread, &s));
  cr_assert_eq(s.loc.line, landed, "line %d", s.loc.line);
  continue_to_exit(p, 0);
  sse_engine_free(e);
}

Test(faults, finish_out_of_longjmp_stops_in_landing_frame, .timeout = 30) {
  sse_engine *e;
  sse_stop s;
  sse_process *p = start_at(&e, "longjmp_target", NULL, "deep2", &s, NULL);
  SSE_OKAY(sse_finish(s.thread, &s));
  cr_assert_eq(s.reason, SSE_STOP_STEP, "%s", sse_stop_reason_name(s.reason));
  cr_assert_str_eq(s.loc.function, "main", "landed in %s", s.loc.function);
  continue_to_exit(p, 0);
  sse_engine_free(e);
}
