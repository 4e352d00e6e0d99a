/* repl.c — the debug console speaks ssedemo's command language: ssedemo's
 * command files (tools/ssedemo/ but its main, ssedemo.c) are built into
 * ssedap unchanged, and this file stands in for what ssedemo.c gives them:
 * the session state D, run_async() and interrupt_pending(). A command's
 * output, which ssedemo prints on stdout and stderr, is taken from a memory
 * stream put in their place for the command's duration under ssedemo's
 * output lock. Nothing else in ssedap uses stdio's stdout. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ssedemo/demo.h"
#include "dap.h"

demo D;

bool interrupt_pending(void) { return false; }

sse_err run_async(sse_err (*start)(void *), void *arg, sse_stop *stop) {
  sse_err e = start(arg);
  if (!e) e = sse_wait(D.proc, stop);
  return e;
}

static void sync_demo(sse_thread *t, size_t level) {
  if (!D.eng) {
    D.eng = S.eng;
    D.batch = true;
  }
  if (D.proc != S.proc) {
    D.proc = S.proc;
    D.have_last = false;
    thread_numbers_reset();
  }
  D.started = S.proc != NULL;
  D.attached = S.attached;
  D.cur = t;
  D.frame = (int)level;
  D.nframes = 0;
}

bool dap_repl_exec(const char *line, sse_thread *t, size_t level, char **out) {
  if (S.running) {
    *out = strdup("The program is running: pause it first.");
    return false;
  }
  sync_demo(t, level);
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  if (!mem) {
    *out = strdup("out of memory");
    return false;
  }
  out_lock();
  FILE *so = stdout, *se = stderr;
  stdout = mem;
  stderr = mem;
  error_seen = false;
  __atomic_store_n(&S.in_repl, true, __ATOMIC_RELEASE);
  unsigned long before = __atomic_load_n(&S.stops, __ATOMIC_ACQUIRE);
  execute_line(line);
  __atomic_store_n(&S.in_repl, false, __ATOMIC_RELEASE);
  stdout = so;
  stderr = se;
  out_unlock();
  fclose(mem);
  /* A command that ran the program (next, continue) made the stop's
   * references stale; its stop events follow from the queue. */
  if (__atomic_load_n(&S.stops, __ATOMIC_ACQUIRE) != before) {
    dap_before_resume();
    /* the program ran on its own: the editor is told, then of its stop */
    dap_event("continued", json_pack("{s:i, s:b}", "threadId", (int)S.cur_tid,
                                     "allThreadsContinued", 1));
  }
  *out = text;
  return !error_seen;
}
