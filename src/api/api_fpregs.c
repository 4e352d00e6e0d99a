/* api_fpregs.c — sse_get_fpregs / sse_set_fpregs: a stopped thread's x87,
 * SSE and AVX registers, read or written on the tracer thread. */
#include <errno.h>
#include <string.h>

#include "engine/fpregs.h"
#include "internal.h"

typedef struct fpregs_req {
  sse_thread *t;
  sse_fpregs *fp;
  bool set;
  sse_err err;
} fpregs_req;

static void do_fpregs(void *arg) {
  fpregs_req *r = arg;
  sse_thread *t = r->t;
  if (t->proc->exited) r->err = SSE_E_EXITED;
  else if (t->state == SSE__T_EXITED) r->err = SSE_E_NOTHREAD;
  else if (t->state != SSE__T_STOPPED) r->err = SSE_E_RUNNING;
  else r->err = sse__proc_stopped(t->proc);
  if (r->err) return;
  int rc = r->set ? sse__thread_set_fpregs(t, r->fp) : sse__thread_get_fpregs(t, r->fp);
  if (rc) r->err = rc == -ESRCH ? SSE_E_NOTHREAD : rc == -ENOMEM ? SSE_E_NOMEM : SSE_E_SYS;
}

static sse_err fpregs_call(sse_thread *t, sse_fpregs *fp, bool set) {
  if (!t || !fp) return SSE_E_INVAL;
  fpregs_req r = {.t = t, .fp = fp, .set = set};
  sse_err err = sse__engine_call(t->proc->engine, do_fpregs, &r);
  return err ? err : r.err;
}

sse_err sse_get_fpregs(sse_thread *t, sse_fpregs *fp) {
  if (fp) memset(fp, 0, sizeof *fp);
  return fpregs_call(t, fp, false);
}

/* do_fpregs only reads *fp when set. */
sse_err sse_set_fpregs(sse_thread *t, const sse_fpregs *fp) {
  return fpregs_call(t, (sse_fpregs *)fp, true);
}
