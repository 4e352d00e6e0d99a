/* run.c — run control: continue, next, stepIn, stepOut (granularity
 * "instruction" for the disassembly view: stepi, nexti), pause. Every
 * resume is an _async call: the response goes out at once and the stop
 * comes back through the queue; pause works while the program runs. */
#include <stdio.h>
#include <string.h>

#include "dap.h"

void dap_before_resume(void) {
  S.gen++;
  dap_stack_reset();
  dap_refs_reset();
}

static bool started(sse_err e, char *err, size_t errsz) {
  if (e) {
    snprintf(err, errsz, "%s", sse_strerror(e));
    return false;
  }
  S.running = true;
  return true;
}

bool dap_resume(char *err, size_t errsz) {
  if (!dap_need_stopped(err, errsz)) return false;
  dap_before_resume();
  return started(sse_continue_async(S.proc), err, errsz);
}

bool dap_continue(json_t *args, json_t *body, char *err, size_t errsz) {
  if (!dap_resume(err, errsz)) return false;
  json_object_set_new(body, "allThreadsContinued", json_true());
  return true;
}

static sse_thread *thread_arg(json_t *args, char *err, size_t errsz) {
  sse_thread *t = NULL;
  long long tid = dap_jint(args, "threadId", S.cur_tid);
  if (sse_thread_by_tid(S.proc, (pid_t)tid, &t)) {
    snprintf(err, errsz, "no thread %lld (it may have exited)", tid);
    return NULL;
  }
  return t;
}

static bool step(json_t *args, sse_step_mode line_mode, sse_step_mode insn_mode,
                 char *err, size_t errsz) {
  if (!dap_need_stopped(err, errsz)) return false;
  sse_thread *t = thread_arg(args, err, errsz);
  if (!t) return false;
  const char *g = dap_jstr(args, "granularity");
  sse_step_frame f = {.mode = g && !strcmp(g, "instruction") ? insn_mode : line_mode};
  dap_before_resume();
  S.cur_tid = sse_thread_tid(t);
  return started(sse_step_async(t, &f), err, errsz);
}

bool dap_next(json_t *args, json_t *body, char *err, size_t errsz) {
  return step(args, SSE_NEXT_LINE, SSE_STEP_OVER_INSTRUCTION, err, errsz);
}

bool dap_step_in(json_t *args, json_t *body, char *err, size_t errsz) {
  if (dap_jhas(args, "targetId"))
    return dap_need_stopped(err, errsz) && dap_step_in_target(dap_jint(args, "targetId", 0), err, errsz);
  return step(args, SSE_STEP_LINE, SSE_STEP_INSTRUCTION, err, errsz);
}

bool dap_step_out(json_t *args, json_t *body, char *err, size_t errsz) {
  return step(args, SSE_FINISH, SSE_FINISH, err, errsz);
}

bool dap_pause(json_t *args, json_t *body, char *err, size_t errsz) {
  if (!dap_need_proc(err, errsz)) return false;
  if (!S.running) return true; /* stopped already: nothing to do */
  S.pause_wanted = true;
  sse_err e = sse_interrupt(S.proc);
  if (e) {
    snprintf(err, errsz, "%s", sse_strerror(e));
    return false;
  }
  return true;
}

/* Stop a running program for a moment (breakpoints set while it runs, as
 * editors do): interrupt it and wait for that stop. Returns true when it
 * was running and is to run on with dap_release(); a stop that came first
 * (a breakpoint hit meanwhile) stays the program's stop and is shown. */
bool dap_hold(void) {
  if (!S.running || !S.proc || sse_process_exited(S.proc)) return false;
  sse_stop st;
  sse_interrupt(S.proc);
  if (sse_wait(S.proc, &st)) return false;
  S.running = false; /* stopped, or gone: the queue has its stop */
  /* A pause asked for before is the user's stop, not ours. */
  if (st.reason != SSE_STOP_INTERRUPTED || S.pause_wanted) return false;
  S.held_stops++; /* its queued stop is not shown */
  return true;
}

void dap_release(bool held) {
  char err[256];
  if (held && !dap_resume(err, sizeof err)) dap_console("ssedap: %s\n", err);
}
