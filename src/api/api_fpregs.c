/* api_fpregs.c — the thread state beyond the general registers, read or
 * written on the tracer thread: sse_get_fpregs / sse_set_fpregs (x87, SSE
 * and AVX registers) and sse_thread_siginfo. */
#include <errno.h>
#include <string.h>

#include "engine/fpregs.h"
#include "engine/siginfo.h"
#include "internal.h"

typedef enum { GET_FP, SET_FP, GET_SIGINFO } state_op;

typedef struct state_req {
  sse_thread *t;
  void *buf; /* sse_fpregs or 128 bytes of siginfo */
  state_op op;
  sse_err err;
} state_req;

static void do_state(void *arg) {
  state_req *r = arg;
  sse_thread *t = r->t;
  if (t->proc->exited) r->err = SSE_E_EXITED;
  else if (t->state == SSE__T_EXITED) r->err = SSE_E_NOTHREAD;
  else if (t->state != SSE__T_STOPPED) r->err = SSE_E_RUNNING;
  else r->err = sse__proc_stopped(t->proc);
  if (r->err) return;
  int rc = r->op == SET_FP   ? sse__thread_set_fpregs(t, r->buf)
           : r->op == GET_FP ? sse__thread_get_fpregs(t, r->buf)
                             : sse__thread_get_siginfo(t, r->buf);
  if (rc) r->err = rc == -ESRCH ? SSE_E_NOTHREAD : rc == -ENOMEM ? SSE_E_NOMEM : SSE_E_SYS;
}

static sse_err state_call(sse_thread *t, void *buf, state_op op) {
  if (!t || !buf) return SSE_E_INVAL;
  state_req r = {.t = t, .buf = buf, .op = op};
  sse_err err = sse__engine_call(t->proc->engine, do_state, &r);
  return err ? err : r.err;
}

sse_err sse_get_fpregs(sse_thread *t, sse_fpregs *fp) {
  if (fp) memset(fp, 0, sizeof *fp);
  return state_call(t, fp, GET_FP);
}

/* do_state only reads *fp for SET_FP. */
sse_err sse_set_fpregs(sse_thread *t, const sse_fpregs *fp) {
  return state_call(t, (sse_fpregs *)fp, SET_FP);
}

sse_err sse_thread_siginfo(sse_thread *t, uint8_t siginfo[128]) {
  return state_call(t, siginfo, GET_SIGINFO);
}
