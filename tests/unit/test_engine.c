/* The foundation: spawn, stepi, breakpoints, continue, threads and
 * all-stop, the delegate queue under load, SIGCHLD handling, detach, and the
 * named errors. Each test traces a real program from tests/targets. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>

#include "arch/arch.h"
#include "testutil.h"

static sse_engine *eng;

static void setup(void) { SSE_OKAY(sse_engine_new(NULL, &eng)); }
static void teardown(void) {
  sse_engine_free(eng);
  eng = NULL;
}

TestSuite(engine, .init = setup, .fini = teardown, .timeout = 60);

static uint64_t func_addr(sse_process *p, const char *name, bool post) {
  uint64_t entry = 0, pp = 0;
  SSE_OKAY(sse_lookup_function(p, name, &entry, &pp));
  return post ? pp : entry;
}

Test(engine, spawn_stops_at_first_instruction, .timeout = 20) {
  sse_process *p = spawn_target(eng, "loops_calls", NULL, NULL, -1);
  sse_thread *t = main_thread(p);
  sse_regs r;
  SSE_OKAY(sse_get_regs(t, &r));
  sse_location loc;
  SSE_OKAY(sse_lookup(p, r.rip, &loc));
  /* The exec stop is in the dynamic linker's _start. */
  cr_assert(loc.module && strstr(loc.module, "ld-linux"), "module %s",
            loc.module ? loc.module : "(null)");
  cr_assert_str_eq(sse_thread_process(t) == p ? "ok" : "no", "ok");
}

Test(engine, stepi_advances_pc_by_decoded_length, .timeout = 30) {
  sse_process *p = spawn_target(eng, "loops_calls", NULL, NULL, -1);
  sse_thread *t = main_thread(p);
  int id;
  SSE_OKAY(sse_break_function(p, "main", false, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  cr_assert_eq(s.breakpoint_id, id);
  cr_assert_str_eq(s.loc.function, "main");
  int checked = 0;
  for (int i = 0; i < 300; i++) {
    uint8_t buf[16];
    size_t got = 0;
    sse_read_memory(p, s.pc, buf, sizeof buf, &got);
    cr_assert(got > 0);
    sse__insn in;
    cr_assert_eq(sse__arch_decode(buf, got, s.pc, &in), 0);
    uint64_t before = s.pc;
    SSE_OKAY(sse_step_instruction(t, &s));
    if (s.reason == SSE_STOP_EXITED) break;
    cr_assert_eq(s.reason, SSE_STOP_STEP);
    if (in.kind == SSE__INSN_OTHER) {
      cr_assert_eq(s.pc, before + in.len, "pc %#lx after %#lx len %u",
                   (unsigned long)s.pc, (unsigned long)before, in.len);
      checked++;
    } else if ((in.kind == SSE__INSN_CALL || in.kind == SSE__INSN_JMP) &&
               in.has_target) {
      cr_assert_eq(s.pc, in.target);
    } else if (in.kind == SSE__INSN_JCC) {
      cr_assert(s.pc == in.target || s.pc == before + in.len);
    }
  }
  cr_assert_gt(checked, 100);
}

Test(engine, breakpoint_hits_n_times_in_loop, .timeout = 30) {
  sse_process *p = spawn_target(eng, "bp_loop", "25", NULL, -1);
  int id;
  SSE_OKAY(sse_break_function(p, "hit_me", false, &id));
  uint64_t at = func_addr(p, "hit_me", true);
  sse_stop s;
  for (int i = 0; i < 25; i++) {
    SSE_OKAY(sse_continue(p, &s));
    cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "hit %d: %s", i,
                 sse_stop_reason_name(s.reason));
    cr_assert_eq(s.breakpoint_id, id);
    cr_assert_eq(s.pc, at);
    /* The argument is the loop counter: read it from the register. */
    sse_regs r;
    SSE_OKAY(sse_get_regs(s.thread, &r));
    cr_assert_eq((int)r.rdi, i);
  }
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED);
  cr_assert_eq(s.exit_status, 25);
  sse_breakpoint_info bi[4];
  size_t n;
  SSE_OKAY(sse_break_list(p, bi, 4, &n));
  cr_assert_eq(n, 1);
  cr_assert_eq(bi[0].hits, 25);
}

Test(engine, continue_runs_to_exit_code, .timeout = 20) {
  sse_process *p = spawn_target(eng, "exit_code", "42", NULL, -1);
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED);
  cr_assert_eq(s.exit_status, 42);
  cr_assert(sse_process_exited(p));
  /* A command after exit: its named error. */
  cr_assert_eq(sse_continue(p, &s), SSE_E_EXITED);
  uint8_t b;
  cr_assert_eq(sse_read_memory(p, 0x400000, &b, 1, NULL), SSE_E_EXITED);
}

Test(engine, reads_never_show_int3, .timeout = 20) {
  sse_process *p = spawn_target(eng, "bp_loop", "3", NULL, -1);
  uint64_t a = func_addr(p, "hit_me", true);
  uint8_t before[8], after[8];
  SSE_OKAY(sse_read_memory(p, a, before, 8, NULL));
  int id;
  SSE_OKAY(sse_break_address(p, a, &id));
  SSE_OKAY(sse_read_memory(p, a, after, 8, NULL));
  cr_assert_arr_eq(before, after, 8);
  /* The int3 is there all the same: continue stops on it. */
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  cr_assert_eq(s.pc, a);
}

Test(engine, registers_and_memory_write, .timeout = 20) {
  sse_process *p = spawn_target(eng, "exit_code", "5", NULL, -1);
  int id;
  SSE_OKAY(sse_break_function(p, "exit", true, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  /* exit(5): change the status argument to 9 through the registers. */
  sse_regs r;
  SSE_OKAY(sse_get_regs(s.thread, &r));
  cr_assert_eq((int)r.rdi, 5);
  r.rdi = 9;
  SSE_OKAY(sse_set_regs(s.thread, &r));
  /* Write to the stack and read it back. */
  uint64_t v = 0x1122334455667788ull, w = 0;
  SSE_OKAY(sse_write_memory(p, r.rsp - 256, &v, 8, NULL));
  SSE_OKAY(sse_read_memory(p, r.rsp - 256, &w, 8, NULL));
  cr_assert_eq(w, v);
  SSE_OKAY(sse_break_remove(p, id));
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED);
  cr_assert_eq(s.exit_status, 9);
}

static atomic_int created;
static void on_created(const sse_event *ev, void *u) {
  (void)u;
  if (ev->kind == SSE_EV_THREAD_CREATED) atomic_fetch_add(&created, 1);
}

static char proc_state(pid_t pid, pid_t tid) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/task/%d/stat", pid, tid);
  FILE *f = fopen(path, "r");
  if (!f) return '?';
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char *c = strrchr(buf, ')');
  return c && c[1] == ' ' ? c[2] : '?';
}

/* Held by an all-stop: in a ptrace stop, or parked (asleep in a futex
 * wait: src/engine/park.c). */
static bool held(pid_t pid, pid_t tid) {
  char c = proc_state(pid, tid);
  if (c == 't') return true;
  char path[64], buf[64] = "";
  snprintf(path, sizeof path, "/proc/%d/task/%d/syscall", pid, tid);
  FILE *f = fopen(path, "r");
  if (!f) return false;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  return c == 'S' && strncmp(buf, "202 ", 4) == 0;
}

Test(engine, four_threads_all_stop, .timeout = 60) {
  atomic_store(&created, 0);
  SSE_OKAY(sse_subscribe(eng, SSE_EV_THREAD_CREATED, on_created, NULL, NULL));
  sse_process *p = spawn_target(eng, "threads4", "200", NULL, -1);
  int id;
  SSE_OKAY(sse_break_function(p, "worker_tick", false, &id));
  sse_stop s;
  int hits = 0;
  size_t max_threads = 0;
  for (int i = 0; i < 40; i++) {
    SSE_OKAY(sse_continue(p, &s));
    cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s signo %d tid %d pc %#lx",
                 sse_stop_reason_name(s.reason), s.signo, s.tid,
                 (unsigned long)s.pc);
    hits++;
    cr_assert_str_eq(s.loc.function, "worker_tick");
    sse_thread *ts[16];
    size_t n;
    SSE_OKAY(sse_process_threads(p, ts, 16, &n));
    if (n > max_threads) max_threads = n;
    /* All-stop: every thread is in a ptrace stop ('t') or parked. */
    for (size_t k = 0; k < n && k < 16; k++)
      cr_assert(held(sse_process_pid(p), sse_thread_tid(ts[k])), "thread %d not stopped",
                sse_thread_tid(ts[k]));
  }
  cr_assert_eq(hits, 40);
  SSE_OKAY(sse_break_remove(p, id));
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED, "%s signo %d tid %d pc %#lx",
               sse_stop_reason_name(s.reason), s.signo, s.tid, (unsigned long)s.pc);
  cr_assert_eq(s.exit_status, 0); /* the counter came out right */
  cr_assert_eq(atomic_load(&created), 4);
  cr_assert_geq(max_threads, 2);
}

/* The all-stop cycle of issue 13: 100 threads asleep on a condition while
 * main hits a breakpoint again and again. Every stop has every thread in
 * a ptrace stop; each of main's calls is one stop (the step off the
 * breakpoint, emulated, runs the displaced instruction exactly once: the
 * program checks its count). */
Test(engine, hundred_idle_threads_all_stop_each_tick, .timeout = 120) {
  sse_process *p = spawn_target(eng, "idle_threads", "100", "25", -1);
  int id;
  SSE_OKAY(sse_break_function(p, "tick", false, &id));
  sse_stop s;
  int parked = 0;
  for (int i = 0; i < 25; i++) {
    SSE_OKAY(sse_continue(p, &s));
    cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "stop %d: %s", i, sse_stop_reason_name(s.reason));
    cr_assert_str_eq(s.loc.function, "tick");
    cr_assert_eq(s.tid, sse_process_pid(p));
    sse_thread *ts[128];
    size_t n;
    SSE_OKAY(sse_process_threads(p, ts, 128, &n));
    cr_assert_eq(n, 101, "threads: %zu", n);
    /* Each thread is in a ptrace stop, or parked: asleep in its condition
     * wait (src/engine/park.c). An idle thread the all-stop found awake
     * (not yet back in its wait after the last resume, on a loaded
     * machine) is stopped for real; the others are parked. */
    for (size_t k = 0; k < n; k++) {
      char c = proc_state(sse_process_pid(p), sse_thread_tid(ts[k]));
      cr_assert(c == 't' || c == 'S', "stop %d: thread %d state %c", i, sse_thread_tid(ts[k]), c);
      if (c == 'S') parked++;
    }
  }
  cr_assert_geq(parked, 25 * 100 / 2, "%d threads parked in 25 stops", parked);
  SSE_OKAY(sse_break_remove(p, id));
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED);
  cr_assert_eq(s.exit_status, 0); /* tick ran 25 times, no more, no less */
}

/* SSE_PARK_THREADS=0: the all-stop stops every thread, as before. */
Test(engine, hundred_idle_threads_no_parking, .timeout = 120) {
  setenv("SSE_PARK_THREADS", "0", 1);
  sse_process *p = spawn_target(eng, "idle_threads", "100", "10", -1);
  int id;
  SSE_OKAY(sse_break_function(p, "tick", false, &id));
  sse_stop s;
  for (int i = 0; i < 10; i++) {
    SSE_OKAY(sse_continue(p, &s));
    cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "stop %d: %s", i, sse_stop_reason_name(s.reason));
    sse_thread *ts[128];
    size_t n;
    SSE_OKAY(sse_process_threads(p, ts, 128, &n));
    cr_assert_eq(n, 101, "threads: %zu", n);
    for (size_t k = 0; k < n; k++)
      cr_assert_eq(proc_state(sse_process_pid(p), sse_thread_tid(ts[k])), 't',
                   "stop %d: thread %d not stopped", i, sse_thread_tid(ts[k]));
  }
  SSE_OKAY(sse_break_remove(p, id));
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED);
  cr_assert_eq(s.exit_status, 0);
}

/* ---------------------------------------------------------------- load */

typedef struct reader {
  sse_process *p;
  uint64_t addr;
  uint8_t want[32];
  int ok, bad;
} reader;

static void *read_loop(void *arg) {
  reader *r = arg;
  for (int i = 0; i < 10000; i++) {
    uint8_t got[32];
    sse_err err = sse_read_memory(r->p, r->addr, got, sizeof got, NULL);
    if (err == SSE_OK && memcmp(got, r->want, sizeof got) == 0)
      r->ok++;
    else
      r->bad++;
  }
  return NULL;
}

Test(engine, eight_threads_read_while_stepping, .timeout = 120) {
  sse_process *p = spawn_target(eng, "loops_calls", NULL, NULL, -1);
  sse_thread *t = main_thread(p);
  int id;
  SSE_OKAY(sse_break_function(p, "main", false, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  /* The bytes of main's code, with the breakpoint in it hidden. */
  uint64_t a = func_addr(p, "main", false);
  reader rs[8];
  pthread_t th[8];
  for (int i = 0; i < 8; i++) {
    rs[i] = (reader){.p = p, .addr = a};
    SSE_OKAY(sse_read_memory(p, a, rs[i].want, 32, NULL));
    start_thread_nochld(&th[i], read_loop, &rs[i]);
  }
  int steps = 0;
  for (; steps < 400; steps++) {
    SSE_OKAY(sse_step_instruction(t, &s));
    if (s.reason != SSE_STOP_STEP) break;
  }
  for (int i = 0; i < 8; i++) pthread_join(th[i], NULL);
  for (int i = 0; i < 8; i++) {
    cr_assert_eq(rs[i].bad, 0, "reader %d: %d bad reads", i, rs[i].bad);
    cr_assert_eq(rs[i].ok, 10000);
  }
  cr_assert_eq(steps, 400);
}

/* ---------------------------------------------------------------- SIGCHLD */

static atomic_int program_handler_calls;
static void program_sigchld(int sig) {
  (void)sig;
  atomic_fetch_add(&program_handler_calls, 1);
}

static atomic_bool spin_stop;
static void *spinner(void *arg) {
  (void)arg;
  /* This thread does not block SIGCHLD: the kernel may deliver the
   * tracer's SIGCHLD here. */
  sigset_t none;
  sigemptyset(&none);
  pthread_sigmask(SIG_SETMASK, &none, NULL);
  while (!atomic_load(&spin_stop)) {
  }
  return NULL;
}

Test(sigchld, unblocked_threads_and_own_children, .timeout = 60) {
  /* The program's own SIGCHLD handler, installed before the engine. */
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = program_sigchld;
  sigaction(SIGCHLD, &sa, &old);
  sigset_t none;
  sigemptyset(&none);
  pthread_sigmask(SIG_SETMASK, &none, NULL);

  sse_engine *e;
  SSE_OKAY(sse_engine_new(NULL, &e));
  atomic_store(&spin_stop, false);
  pthread_t sp[2];
  for (int i = 0; i < 2; i++) pthread_create(&sp[i], NULL, spinner, NULL);

  /* A child of the embedding program: sse must never reap it. */
  pid_t mine = fork();
  if (mine == 0) _exit(33);

  sse_process *p = spawn_target(e, "bp_loop", "300", NULL, -1);
  int id;
  SSE_OKAY(sse_break_function(p, "hit_me", false, &id));
  sse_stop s;
  for (int i = 0; i < 300; i++) {
    SSE_OKAY(sse_continue(p, &s));
    cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  }
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED);
  cr_assert_eq(s.exit_status, 300 % 256);

  int st = 0;
  pid_t r = waitpid(mine, &st, 0);
  cr_assert_eq(r, mine, "own child was reaped by sse (errno %d)", errno);
  cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 33);
  /* The program's handler still ran for its own child. */
  cr_assert_gt(atomic_load(&program_handler_calls), 0);

  atomic_store(&spin_stop, true);
  for (int i = 0; i < 2; i++) pthread_join(sp[i], NULL);
  sse_engine_free(e);
  sigaction(SIGCHLD, &old, NULL);
}

/* ---------------------------------------------------------------- detach */

Test(engine, detach_with_breakpoints_runs_on, .timeout = 30) {
  int fds[2];
  cr_assert_eq(pipe(fds), 0);
  sse_process *p = spawn_target(eng, "detach_target", NULL, NULL, fds[1]);
  close(fds[1]);
  int id;
  SSE_OKAY(sse_break_function(p, "tick", false, &id));
  SSE_OKAY(sse_break_function(p, "main", false, NULL));
  sse_stop s;
  for (int i = 0; i < 5; i++) {
    SSE_OKAY(sse_continue(p, &s));
    cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  }
  SSE_OKAY(sse_detach(p));
  char buf[64] = {0};
  size_t n = 0;
  ssize_t k;
  while (n < sizeof buf - 1 && (k = read(fds[0], buf + n, sizeof buf - 1 - n)) > 0)
    n += (size_t)k;
  close(fds[0]);
  cr_assert_str_eq(buf, "done 1000\n");
  cr_assert_eq(sse_continue(p, &s), SSE_E_EXITED);
}

Test(engine, attach_detach_own_child, .timeout = 30) {
  int go[2];
  cr_assert_eq(pipe(go), 0);
  pid_t kid = fork();
  if (kid == 0) {
    char c;
    close(go[1]);
    if (read(go[0], &c, 1) != 1) _exit(99);
    execl(tpath("detach_target"), "detach_target", (char *)NULL);
    _exit(98);
  }
  close(go[0]);
  /* Attach before it runs main: it waits on the pipe. */
  sse_process *p;
  int err_no;
  SSE_OKAY(sse_attach(eng, kid, &p, &err_no));
  cr_assert_eq(write(go[1], "x", 1), 1);
  close(go[1]);
  int id;
  /* The exec happens under us: breakpoints by name resolve after it. */
  SSE_OKAY(sse_break_function(p, "tick", true, &id));
  sse_stop s;
  int hits = 0;
  for (int i = 0; i < 3; i++) {
    SSE_OKAY(sse_continue(p, &s));
    if (s.reason == SSE_STOP_BREAKPOINT) hits++;
  }
  cr_assert_eq(hits, 3);
  SSE_OKAY(sse_detach(p));
  int st;
  cr_assert_eq(waitpid(kid, &st, 0), kid);
  cr_assert(WIFEXITED(st));
  cr_assert_eq(WEXITSTATUS(st), 0, "ticks were lost or int3 left behind");
}

/* ---------------------------------------------------------------- errors */

Test(engine, named_errors, .timeout = 20) {
  sse_process *p = NULL;
  int err_no = 0;
  /* Bad pid. */
  cr_assert_eq(sse_attach(eng, 999999999, &p, &err_no), SSE_E_NOPROC);
  cr_assert_eq(sse_attach(eng, -5, &p, &err_no), SSE_E_NOPROC);
  /* Missing program: the exec errno comes back. */
  const char *argv[] = {"/nonexistent/program", NULL};
  cr_assert_eq(sse_spawn(eng, argv, NULL, &p, &err_no), SSE_E_EXEC);
  cr_assert_eq(err_no, ENOENT);
  const char *empty[] = {NULL};
  cr_assert_eq(sse_spawn(eng, empty, NULL, &p, &err_no), SSE_E_INVAL);
  /* Unmapped address: a fault, with how much was read. */
  p = spawn_target(eng, "exit_code", "1", NULL, -1);
  uint8_t buf[16];
  size_t done = 123;
  cr_assert_eq(sse_read_memory(p, 16, buf, sizeof buf, &done), SSE_E_FAULT);
  cr_assert_eq(done, 0);
  cr_assert_eq(sse_break_address(p, 16, NULL), SSE_E_FAULT);
  cr_assert_eq(sse_break_function(p, "no_such_function_xyz", false, NULL),
               SSE_E_NOSYM);
  cr_assert_eq(sse_break_line(p, "no_such_file.c", 3, NULL), SSE_E_NOLINE);
  cr_assert_eq(sse_break_remove(p, 4242), SSE_E_NOTFOUND);
  cr_assert_str_eq(sse_err_name(SSE_E_FAULT), "SSE_E_FAULT");
  cr_assert(strstr(sse_strerror(SSE_E_FAULT), "fault"));
  sse_thread *t = main_thread(p);
  SSE_OKAY(sse_kill(p));
  sse_stop s;
  cr_assert_eq(sse_step_instruction(t, &s), SSE_E_EXITED);
  cr_assert_eq(sse_kill(p), SSE_E_EXITED);
}

Test(engine, call_runs_on_tracer_thread, .timeout = 10) {
  cr_assert(!sse_on_tracer_thread(eng));
  bool on = false;
  struct {
    sse_engine *e;
    bool *on;
  } ctx = {eng, &on};
  void fn(void *a) {
    typeof(ctx) *c = a;
    *c->on = sse_on_tracer_thread(c->e);
  }
  SSE_OKAY(sse_call(eng, fn, &ctx));
  cr_assert(on);
  cr_assert_eq(sse_version(), SSE_VERSION_HEX);
}
