/* JIT code (issue 6): the agent protocol end to end, through the symbol
 * thread. Targets: jit_agent_target (two JIT functions, a frame-pointer
 * frame calling back into native code, an unregister) and jit_agent_stress
 * (4 threads registering and unregistering continuously from the start). */
#define _GNU_SOURCE
#include <dirent.h>
#include <sched.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "internal.h"

#include "testutil.h"

static sse_engine *eng;

static void setup(void) { SSE_OKAY(sse_engine_new(NULL, &eng)); }
static void teardown(void) {
  sse_engine_free(eng);
  eng = NULL;
}

TestSuite(jit, .init = setup, .fini = teardown, .timeout = 60);

static _Atomic int jit_events;
static pthread_mutex_t jit_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jit_cv = PTHREAD_COND_INITIALIZER;
static void on_jit(const sse_event *ev, void *user) {
  (void)user;
  cr_assert(sse_on_tracer_thread(ev->engine));
  pthread_mutex_lock(&jit_mu);
  atomic_fetch_add(&jit_events, 1);
  pthread_cond_broadcast(&jit_cv);
  pthread_mutex_unlock(&jit_mu);
}


/* The tid of the target's thread named `comm`, 0 if none. */
static pid_t find_task(pid_t pid, const char *comm) {
  char path[128], buf[64];
  snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
  DIR *d = opendir(path);
  if (!d) return 0;
  pid_t found = 0;
  struct dirent *de;
  while ((de = readdir(d)) && !found) {
    pid_t tid = (pid_t)atoi(de->d_name);
    if (tid <= 0) continue;
    snprintf(path, sizeof path, "/proc/%d/task/%d/comm", (int)pid, (int)tid);
    FILE *f = fopen(path, "r");
    if (!f) continue;
    if (fgets(buf, sizeof buf, f)) {
      buf[strcspn(buf, "\n")] = 0;
      if (strcmp(buf, comm) == 0) found = tid;
    }
    fclose(f);
  }
  closedir(d);
  return found;
}

/* A field of /proc/PID/task/TID/status ("State", "TracerPid"). */
static void task_status(pid_t pid, pid_t tid, const char *field, char *out, size_t len) {
  char path[128], line[256];
  snprintf(path, sizeof path, "/proc/%d/task/%d/status", (int)pid, (int)tid);
  out[0] = 0;
  FILE *f = fopen(path, "r");
  cr_assert(f, "%s", path);
  size_t fl = strlen(field);
  while (fgets(line, sizeof line, f))
    if (strncmp(line, field, fl) == 0 && line[fl] == ':') {
      const char *v = line + fl + 1;
      while (*v == ' ' || *v == '\t') v++;
      snprintf(out, len, "%s", v);
      out[strcspn(out, "\n")] = 0;
    }
  fclose(f);
}

/* Break on a JIT function by name before it exists, continue, stop there;
 * the stop names it with the agent's line table. */
Test(jit, pending_break_on_jit_name, .timeout = 30) {
  atomic_store(&jit_events, 0);
  SSE_OKAY(sse_subscribe(eng, SSE_EV_JIT_SYMBOLS_CHANGED, on_jit, NULL, NULL));
  sse_process *p = spawn_target(eng, "jit_agent_target", NULL, NULL, -1);
  int id;
  sse_stop s = break_pending_and_hit(p, "jit_caller", &id);
  cr_assert_eq(s.loc.offset, 0);
  cr_assert_str_eq(s.loc.file, "jit_src.txt");
  cr_assert_eq(s.loc.line, 1);
  cr_assert_geq(atomic_load(&jit_events), 1);
  /* sse_lookup and sse_lookup_function know JIT names too. */
  uint64_t entry;
  SSE_OKAY(sse_lookup_function(p, "jit_answer", &entry, NULL));
  sse_location loc;
  SSE_OKAY(sse_lookup(p, entry + 1, &loc));
  cr_assert_str_eq(loc.function, "jit_answer");
  cr_assert_eq(loc.offset, 1);
  cr_assert_null(loc.file);
  SSE_OKAY(sse_lookup(p, s.pc + 5, &loc));
  cr_assert_str_eq(loc.function, "jit_caller");
  cr_assert_eq(loc.line, 2);
  /* Three calls: three hits. */
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  SSE_OKAY(sse_break_remove(p, id));
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED);
  cr_assert_eq(s.exit_status, 0);
}

/* A backtrace from native code called by JIT code names the JIT frame
 * (frame-pointer fallback: the JIT has no unwind info). */
Test(jit, backtrace_names_jit_frame, .timeout = 30) {
  sse_process *p = spawn_target(eng, "jit_agent_target", NULL, NULL, -1);
  int id;
  SSE_OKAY(sse_break_function(p, "native_callback", false, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  sse_frame f[16];
  size_t n = 0;
  SSE_OKAY(sse_backtrace(s.thread, f, 16, &n));
  cr_assert_geq(n, 3);
  cr_assert_str_eq(f[0].loc.function, "native_callback");
  cr_assert_str_eq(f[1].loc.function, "jit_caller");
  cr_assert(f[2].fp_fallback); /* main found from jit_caller by its rbp */
  cr_assert_str_eq(f[1].loc.file, "jit_src.txt");
  cr_assert_eq(f[1].loc.line, 2);
  cr_assert_eq(f[1].loc.offset, 16); /* the return address: after call *%rax */
  cr_assert_str_eq(f[2].loc.function, "main");
}

/* Unregister removes the symbol: once the target has unregistered
 * jit_answer (before its final printf), its address names nothing. */
Test(jit, unregister_removes_symbol, .timeout = 30) {
  sse_process *p = spawn_target(eng, "jit_agent_target", NULL, NULL, -1);
  int id;
  SSE_OKAY(sse_break_function(p, "jit_answer", true, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  cr_assert_str_eq(s.loc.function, "jit_answer");
  uint64_t answer = s.pc;
  SSE_OKAY(sse_break_remove(p, id));
  SSE_OKAY(sse_break_function(p, "printf", true, &id));
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  cr_assert_str_eq(s.loc.function, "__printf"); /* glibc's DWARF name, as gdb shows it */
  sse_location loc;
  sse_err err = sse_lookup(p, answer, &loc);
  cr_assert(err == SSE_E_NOSYM || !loc.function || strcmp(loc.function, "jit_answer") != 0,
            "%s still named", loc.function ? loc.function : "(null)");
  cr_assert_eq(sse_lookup_function(p, "jit_answer", NULL, NULL), SSE_E_NOSYM);
  SSE_OKAY(sse_lookup_function(p, "jit_caller", NULL, NULL));
  SSE_OKAY(sse_break_remove(p, id));
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED);
  cr_assert_eq(s.exit_status, 0);
}

/* Stepping through agent-registered code uses the agent's line table:
 * `step` from main's call enters jit_caller past its prologue (line 2),
 * `next` there runs over the native callback and leaves for main, and
 * from line 1 `next` stops at line 2. */
Test(jit, step_and_next_use_the_agent_line_table, .timeout = 30) {
  sse_process *p = spawn_target(eng, "jit_agent_target", "2", NULL, -1);
  int id;
  sse_stop s = break_pending_and_hit(p, "jit_caller", &id);
  uint64_t entry = s.pc;
  cr_assert_eq(s.loc.line, 1);
  SSE_OKAY(sse_next_line(s.thread, &s));
  cr_assert_eq(s.reason, SSE_STOP_STEP, "%s", sse_stop_reason_name(s.reason));
  cr_assert_str_eq(s.loc.function, "jit_caller");
  cr_assert_str_eq(s.loc.file, "jit_src.txt");
  cr_assert_eq(s.loc.line, 2);
  cr_assert_eq(s.pc, entry + 4); /* the first row of line 2 */
  SSE_OKAY(sse_next_line(s.thread, &s));
  cr_assert_eq(s.reason, SSE_STOP_STEP, "%s", sse_stop_reason_name(s.reason));
  cr_assert_str_eq(s.loc.function, "main");
  cr_assert(s.loc.file && strstr(s.loc.file, "jit_agent_target.c"));
  /* Into it again from main's line 74 by `step`: past the prologue. */
  SSE_OKAY(sse_break_remove(p, id));
  SSE_OKAY(sse_break_line(p, "jit_agent_target.c", 74, &id));
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s", sse_stop_reason_name(s.reason));
  SSE_OKAY(sse_break_remove(p, id));
  SSE_OKAY(sse_step_line(s.thread, &s));
  cr_assert_eq(s.reason, SSE_STOP_STEP, "%s", sse_stop_reason_name(s.reason));
  cr_assert_str_eq(s.loc.function, "jit_caller");
  cr_assert_eq(s.loc.line, 2);
  cr_assert_eq(s.pc, entry + 4);
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.exit_status, 0);
}

/* A breakpoint in JIT code that is unregistered becomes pending again (as
 * in gdb): its int3 is out of the code before the program can free or
 * reuse it (the agent's unregister waits for our copy), and the program
 * finishes. */
Test(jit, unregistered_code_breakpoint_becomes_pending, .timeout = 30) {
  sse_process *p = spawn_target(eng, "jit_agent_target", "1", NULL, -1);
  int id;
  sse_stop s = break_pending_and_hit(p, "jit_answer", &id);
  cr_assert_str_eq(s.loc.function, "jit_answer");
  uint64_t answer = s.pc;
  int pid;
  SSE_OKAY(sse_break_function(p, "printf", true, &pid));
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.breakpoint_id, pid);
  /* printf comes after sse_agent_unregister(jit_answer). */
  cr_assert_eq(sse_lookup_function(p, "jit_answer", NULL, NULL), SSE_E_NOSYM);
  sse_breakpoint_info bi[4];
  size_t n;
  SSE_OKAY(sse_break_list(p, bi, 4, &n));
  cr_assert_eq(n, 2);
  cr_assert_eq(bi[0].id, id);
  cr_assert(bi[0].pending);
  cr_assert_eq(bi[0].naddrs, 0);
  /* The code itself, read past the engine (which hides its int3s): the
   * first byte of "mov $42,%eax" again. */
  uint8_t byte = 0;
  struct iovec l = {&byte, 1}, r = {(void *)(uintptr_t)answer, 1};
  cr_assert_eq(process_vm_readv(sse_process_pid(p), &l, 1, &r, 1, 0), 1);
  cr_assert_eq(byte, 0xb8, "byte %#x at the unregistered entry", byte);
  SSE_OKAY(sse_break_remove(p, pid));
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.exit_status, 0);
}

/* The hand-over: the helper is traced by this process (the symbol thread)
 * but is no thread of the engine's: not listed, and all-stop leaves it
 * alone (not in a ptrace stop while everything else is). */
Test(jit, tracer_no_longer_traces_helper, .timeout = 30) {
  int fds[2];
  cr_assert_eq(pipe(fds), 0);
  sse_process *p = spawn_target(eng, "jit_agent_target", NULL, NULL, fds[1]);
  close(fds[1]);
  int id;
  SSE_OKAY(sse_break_function(p, "native_callback", false, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  pid_t pid = sse_process_pid(p);
  pid_t helper = find_task(pid, "sse-jit-helper");
  cr_assert_gt(helper, 0, "no helper thread");
  char v[64];
  /* TracerPid names the tracing task: our symbol thread. */
  pid_t symthread = find_task(getpid(), "sse-symbols");
  cr_assert_gt(symthread, 0, "no sse-symbols thread");
  task_status(pid, helper, "TracerPid", v, sizeof v);
  cr_assert_eq(atoi(v), (int)symthread, "helper TracerPid %s, sse-symbols %d", v, (int)symthread);
  task_status(pid, pid, "TracerPid", v, sizeof v);
  cr_assert_neq(atoi(v), (int)symthread, "main thread traced by sse-symbols");
  sse_thread *ts[8];
  size_t n = 0;
  SSE_OKAY(sse_process_threads(p, ts, 8, &n));
  cr_assert_eq(n, 1, "engine threads: %zu", n);
  cr_assert_neq(sse_thread_tid(ts[0]), helper);
  sse_thread *ht;
  cr_assert_eq(sse_thread_by_tid(p, helper, &ht), SSE_E_NOTHREAD);
  task_status(pid, pid, "State", v, sizeof v);
  cr_assert_eq(v[0], 't', "main thread state %s", v);
  task_status(pid, helper, "State", v, sizeof v);
  cr_assert_neq(v[0], 't', "helper in a ptrace stop during all-stop: %s", v);
  /* Detach gives everything back: the helper and the program run on,
   * untraced, to a good end (the tracer thread forked it, so it reaps it:
   * read the program's verdict from its output). */
  SSE_OKAY(sse_break_remove(p, id));
  SSE_OKAY(sse_detach(p));
  char out[256] = {0};
  FILE *f = fdopen(fds[0], "r");
  cr_assert(fgets(out, sizeof out, f));
  fclose(f);
  cr_assert(strstr(out, ", ok"), "%s", out);
}

/* ---------------------------------------------------------------- stress */

#define STRESS_N 300
static unsigned char seen[4][STRESS_N];

static void mark_seen(const char *name, uint64_t start, uint64_t size, void *arg) {
  (void)start, (void)size, (void)arg;
  int t, k;
  if (sscanf(name, "jit_sym_%d_%d", &t, &k) == 2 && t >= 0 && t < 4 && k >= 0 && k < STRESS_N)
    seen[t][k] = 1;
}

static void on_jit_stress(const sse_event *ev, void *user) {
  (void)user;
  sse__proc_jit_foreach(ev->process, mark_seen, NULL);
}

/* 4 threads register and unregister from the first instruction on, across
 * the hand-over, while the debugger steps the main thread: no deadlock, the
 * target runs to its end, every symbol registered was seen in some copy,
 * and the last copy is the target's final generation. */
Test(jit, stress_four_writers_while_stepping, .timeout = 120) {
  memset(seen, 0, sizeof seen);
  SSE_OKAY(sse_subscribe(eng, SSE_EV_JIT_SYMBOLS_CHANGED, on_jit_stress, NULL, NULL));
  int fds[2];
  cr_assert_eq(pipe(fds), 0);
  char arg[16];
  snprintf(arg, sizeof arg, "%d", STRESS_N);
  sse_process *p = spawn_target(eng, "jit_agent_stress", arg, NULL, fds[1]);
  close(fds[1]);
  int id;
  SSE_OKAY(sse_break_function(p, "main_tick", false, &id));
  sse_stop s;
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT);
  SSE_OKAY(sse_break_remove(p, id));
  sse_thread *main_t = s.thread;
  for (int i = 0; i < 200; i++) {
    SSE_OKAY(sse_next_line(main_t, &s));
    if (s.reason == SSE_STOP_EXITED) break;
    cr_assert(s.reason == SSE_STOP_STEP || s.reason == SSE_STOP_NO_LINE, "%s",
              sse_stop_reason_name(s.reason));
    if (i % 50 == 0) { /* a few instruction steps too */
      SSE_OKAY(sse_step_instruction(main_t, &s));
      cr_assert_eq(s.reason, SSE_STOP_STEP);
    }
  }
  if (s.reason != SSE_STOP_EXITED) SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED, "%s", sse_stop_reason_name(s.reason));
  cr_assert_eq(s.exit_status, 0);
  char out[256] = {0};
  FILE *f = fdopen(fds[0], "r");
  cr_assert(fgets(out, sizeof out, f));
  fclose(f);
  unsigned long long gen = 0;
  cr_assert_eq(sscanf(out, "final generation %llu", &gen), 1, "%s", out);
  cr_assert_eq(gen, 4ull * (2 * STRESS_N - 4));
  cr_assert_eq(sse__proc_jit_generation(p), gen);
  for (int t = 0; t < 4; t++)
    for (int k = 0; k < STRESS_N; k++) cr_assert(seen[t][k], "jit_sym_%d_%d never seen", t, k);
  /* The last copy is the final table: the last 4 of each thread. */
  cr_assert_eq(sse__proc_jit_foreach(p, NULL, NULL), 16);
  char name[64];
  for (int t = 0; t < 4; t++) {
    snprintf(name, sizeof name, "jit_sym_%d_%d", t, STRESS_N - 1);
    SSE_OKAY(sse_lookup_function(p, name, NULL, NULL));
    snprintf(name, sizeof name, "jit_sym_%d_%d", t, STRESS_N - 5);
    cr_assert_eq(sse_lookup_function(p, name, NULL, NULL), SSE_E_NOSYM);
  }
}

/* Attaching to a program whose helper already runs: the tracer hands it
 * over at once (every thread is stopped by the attach), the copy is taken
 * then (rule 2 of sse_agent.h), and detach gives it back. */
Test(jit, attach_hands_over_running_helper, .timeout = 60) {
  int fds[2];
  cr_assert_eq(pipe(fds), 0);
  pid_t pid = fork();
  cr_assert_geq(pid, 0);
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    execl(tpath("jit_agent_stress"), "jit_agent_stress", "200000", (char *)NULL);
    _exit(127);
  }
  close(fds[1]);
  /* The helper starts with the first register: wait for it to exist. */
  pid_t helper = 0;
  while (!(helper = find_task(pid, "sse-jit-helper"))) sched_yield();
  atomic_store(&jit_events, 0);
  SSE_OKAY(sse_subscribe(eng, SSE_EV_JIT_SYMBOLS_CHANGED, on_jit, NULL, NULL));
  sse_process *p = NULL;
  int err_no = 0;
  SSE_OKAY(sse_attach(eng, pid, &p, &err_no));
  int id;
  sse_stop s;
  SSE_OKAY(sse_break_function(p, "main_tick", false, &id));
  for (int i = 0; i < 20; i++) {
    SSE_OKAY(sse_continue(p, &s));
    cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s", sse_stop_reason_name(s.reason));
  }
  /* The helper is handed over at the attach when the descriptor already
   * names it, else at its next checkpoint; either way a copy lands. */
  /* When the attach could not take the helper (it was mid-update, or still
   * owed us its attach stop), it is taken at a later checkpoint: keep
   * running to main_tick until that happened (bounded; never wait for the
   * event while the process is stopped). */
  /* The symbol thread seizes the helper on its own time after the tracer
   * let it go: until then the helper's TracerPid is 0. */
  sse_thread *ht;
  int rounds = 0;
  pid_t symthread = 0;
  char v[64] = "";
  for (; rounds < 5000; rounds++) {
    if (!symthread) symthread = find_task(getpid(), "sse-symbols");
    task_status(pid, helper, "TracerPid", v, sizeof v);
    if (sse_thread_by_tid(p, helper, &ht) == SSE_E_NOTHREAD &&
        atomic_load(&jit_events) >= 1 && symthread && atoi(v) == (int)symthread)
      break;
    SSE_OKAY(sse_continue(p, &s));
    cr_assert_eq(s.reason, SSE_STOP_BREAKPOINT, "%s", sse_stop_reason_name(s.reason));
  }
  cr_assert_eq(sse_thread_by_tid(p, helper, &ht), SSE_E_NOTHREAD,
               "helper still ours after %d more stops", rounds);
  /* The symbol thread copied a generation and told the tracer (posted to
   * its queue: it may run after the stop that ended a continue). */
  cr_assert_geq(atomic_load(&jit_events), 1);
  cr_assert_gt(sse__proc_jit_generation(p), 0);
  cr_assert_eq(atoi(v), (int)symthread, "helper TracerPid %s, sse-symbols %d", v, (int)symthread);
  uint64_t g = sse__proc_jit_generation(p);
  SSE_OKAY(sse_break_remove(p, id));
  SSE_OKAY(sse_detach(p));
  char out[256] = {0};
  FILE *f = fdopen(fds[0], "r");
  cr_assert(fgets(out, sizeof out, f));
  fclose(f);
  unsigned long long gen = 0;
  cr_assert_eq(sscanf(out, "final generation %llu", &gen), 1, "%s", out);
  cr_assert_eq(gen, 4ull * (2 * 200000 - 4));
  cr_assert_leq(g, gen);
  int st;
  cr_assert_eq(waitpid(pid, &st, 0), pid);
  cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
}
