/* Parked threads (src/engine/park.c): an all-stop leaves a thread asleep
 * in a private futex wait where it is; every request on it stops it for
 * real first. Each test checks what a user sees of such a thread against
 * what gdb shows of the same program (gdb stops every thread). */
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

static sse_engine *eng;

static void setup(void) { SSE_OKAY(sse_engine_new(NULL, &eng)); }
static void teardown(void) {
  sse_engine_free(eng);
  eng = NULL;
}

TestSuite(park, .init = setup, .fini = teardown, .timeout = 60);

static char task_state(pid_t pid, pid_t tid) {
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

/* park_threads with n threads, stopped at its k-th tick (of k): the idle
 * threads in ts[] (main's not), each asleep (parked) at this stop. */
static sse_process *at_last_tick_out(int n, int k, sse_thread **ts, size_t *nts, int *bp,
                                    int out_fd) {
  char a1[16], a2[16];
  snprintf(a1, sizeof a1, "%d", n);
  snprintf(a2, sizeof a2, "%d", k);
  sse_process *p = spawn_target(eng, "park_threads", a1, a2, out_fd);
  SSE_OKAY(sse_break_function(p, "tick", false, bp));
  sse_stop s;
  for (int i = 0; i < k; i++) {
    SSE_OKAY(sse_continue(p, &s));
    cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s", sse_stop_reason_name(s.reason));
  }
  sse_thread *all[64];
  size_t m;
  SSE_OKAY(sse_process_threads(p, all, 64, &m));
  cr_assert_eq(m, (size_t)n + 1);
  *nts = 0;
  for (size_t i = 0; i < m; i++) {
    if (sse_thread_tid(all[i]) == sse_process_pid(p)) continue;
    cr_assert_eq(task_state(sse_process_pid(p), sse_thread_tid(all[i])), 'S',
                 "thread %d not parked", sse_thread_tid(all[i]));
    ts[(*nts)++] = all[i];
  }
  return p;
}

static sse_process *at_last_tick(int n, int k, sse_thread **ts, size_t *nts, int *bp) {
  return at_last_tick_out(n, k, ts, nts, bp, -1);
}

static sse_stop run_to_exit(sse_process *p, int bp) {
  SSE_OKAY(sse_break_remove(p, bp));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  return s;
}

/* gdb's `thread apply all bt` at the same stop (the third tick): each
 * thread's function names, one a line, in order, the threads apart by a
 * blank line. */
static char *gdb_thread_functions(void) {
  const char *script =
      "set pagination off\nbreak tick\nrun 4 3\ncontinue\ncontinue\nthread apply all bt\nkill\n";
  char cmdf[64];
  FILE *g = script_open("gdb -batch -nx", script, "park_threads", cmdf);
  char *out = NULL, line[1024];
  size_t len = 0;
  FILE *o = open_memstream(&out, &len);
  fputs("\n", o);
  while (fgets(line, sizeof line, g)) {
    if (strncmp(line, "Thread ", 7) == 0) fputs("\n", o);
    if (line[0] != '#') continue;
    char *name = line + strcspn(line, " ");
    name += strspn(name, " ");
    char *in = strstr(name, " in ");
    if (strncmp(name, "0x", 2) == 0 && in) name = in + 4;
    name[strcspn(name, " (")] = 0;
    fprintf(o, "%s\n", name);
  }
  fputs("\n", o);
  fclose(o);
  script_close(g, cmdf);
  return out;
}

Test(park, parked_thread_registers_and_backtrace_as_gdb, .timeout = 90) {
  sse_thread *ts[8];
  size_t n;
  int bp;
  sse_process *p = at_last_tick(4, 3, ts, &n, &bp);
  sse_thread *t = ts[0];
  sse_regs r;
  SSE_OKAY(sse_get_regs(t, &r));
  /* Read: stopped for real now, inside the futex system call. */
  cr_assert_eq(task_state(sse_process_pid(p), sse_thread_tid(t)), 't');
  cr_assert_eq(r.orig_rax, (uint64_t)SYS_futex, "orig_rax %lu", (unsigned long)r.orig_rax);
  sse_frame f[32];
  size_t nf;
  SSE_OKAY(sse_backtrace(t, f, 32, &nf));
  char *ours = NULL;
  size_t len = 0;
  FILE *o = open_memstream(&ours, &len);
  for (size_t i = 0; i < nf; i++) fprintf(o, "%s\n", f[i].loc.function ? f[i].loc.function : "??");
  fclose(o);
  /* One of gdb's idle threads shows that stack (another may be caught on
   * its way into the wait). */
  char *gdb = gdb_thread_functions();
  char want[1100];
  snprintf(want, sizeof want, "\n%s\n", ours);
  cr_assert(strstr(ours, "pthread_cond_wait\nidle\n"), "ours:\n%s", ours);
  cr_assert(strstr(gdb, want), "ours:\n%s\ngdb:\n%s", ours, gdb);
  free(ours);
  free(gdb);
  cr_assert_eq(sse_get_regs(ts[1], &r), SSE_OK);
  sse_stop s = run_to_exit(p, bp);
  cr_assert_eq(s.reason, SSE_STOP_EXITED);
  cr_assert_eq(s.exit_status, 0);
}

/* A signal sent to a parked thread while the process is stopped: the next
 * continue reports it in that thread (gdb: "Thread N received signal
 * SIGUSR1"), and the one after delivers it to the handler. */
Test(park, signal_to_parked_thread_reported_then_delivered, .timeout = 60) {
  sse_thread *ts[8];
  size_t n;
  int bp;
  sse_process *p = at_last_tick(4, 3, ts, &n, &bp);
  pid_t tid = sse_thread_tid(ts[2]);
  cr_assert_eq(syscall(SYS_tgkill, sse_process_pid(p), tid, SIGUSR1), 0);
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_SIGNAL, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.signo, SIGUSR1);
  cr_assert_eq(s.tid, tid);
  s = run_to_exit(p, bp);
  cr_assert_eq(s.reason, SSE_STOP_EXITED, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.exit_status, 1); /* one SIGUSR1 taken, every count right */
}

/* A watchpoint set while the idle threads are parked: each of them, woken
 * by main's broadcast, stops on its write (gdb: "Thread N hit Hardware
 * watchpoint: woke"). */
Test(park, watchpoint_set_while_parked_triggers_in_parked_thread, .timeout = 60) {
  sse_thread *ts[8];
  size_t n;
  int bp;
  sse_process *p = at_last_tick(4, 2, ts, &n, &bp);
  int wid;
  char err[128] = "";
  SSE_OKAY(sse_watch_expression(main_thread(p), 0, "woke", SSE_WATCH_WRITE, &wid, err, sizeof err));
  SSE_OKAY(sse_break_remove(p, bp));
  for (int i = 1; i <= 4; i++) {
    sse_stop s;
    SSE_OKAY(sse_continue(p, &s));
    cr_assert_eq(s.reason, SSE_STOP_WATCHPOINT, "%d: %s", i, sse_stop_reason_name(s.reason));
    bool was_parked = false;
    for (size_t k = 0; k < n; k++) was_parked |= sse_thread_tid(ts[k]) == s.tid;
    cr_assert(was_parked, "tid %d", s.tid);
    char buf[32];
    SSE_OKAY(sse_evaluate(main_thread(p), 0, "woke", buf, sizeof buf, NULL));
    char want[8];
    snprintf(want, sizeof want, "%d", i);
    cr_assert_str_eq(buf, want);
  }
  SSE_OKAY(sse_break_remove(p, wid));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED);
  cr_assert_eq(s.exit_status, 0);
}

/* Detached while its idle threads are parked, the program runs on to its
 * normal end (its threads woken by the broadcast, joined). */
Test(park, detach_with_parked_threads_runs_on, .timeout = 60) {
  int out[2];
  cr_assert_eq(pipe(out), 0);
  sse_thread *ts[8];
  size_t n;
  int bp;
  sse_process *p = at_last_tick_out(4, 3, ts, &n, &bp, out[1]);
  close(out[1]);
  SSE_OKAY(sse_break_remove(p, bp));
  SSE_OKAY(sse_detach(p));
  char buf[64] = "";
  size_t got = 0;
  ssize_t r;
  while (got < sizeof buf - 1 && (r = read(out[0], buf + got, sizeof buf - 1 - got)) > 0)
    got += (size_t)r;
  close(out[0]);
  buf[got] = 0;
  cr_assert_str_eq(buf, "done 0\n"); /* read to EOF: the program ended */
}

/* Continued, the parked threads are woken by main's broadcast and run:
 * after_wake is reached only once each has counted itself. */
Test(park, parked_threads_woken_by_broadcast_run, .timeout = 60) {
  sse_thread *ts[40];
  size_t n;
  int bp;
  sse_process *p = at_last_tick(32, 4, ts, &n, &bp);
  int aw;
  SSE_OKAY(sse_break_function(p, "after_wake", false, &aw));
  SSE_OKAY(sse_break_remove(p, bp));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  cr_assert_str_eq(s.loc.function, "after_wake");
  char buf[32];
  SSE_OKAY(sse_evaluate(main_thread(p), 0, "woke", buf, sizeof buf, NULL));
  cr_assert_str_eq(buf, "32");
  SSE_OKAY(sse_break_remove(p, aw));
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED);
  cr_assert_eq(s.exit_status, 0);
}
