/* sse_describe_type(): gdb's whatis and ptype, one delegate to the tracer
 * thread running src/values/ptype.c in the frame. */
#include <stdio.h>
#include <string.h>

#include "api/api_values.h"
#include "internal.h"
#include "values/values.h"

typedef struct type_call {
  sse_thread *t;
  size_t frame;
  const char *what;
  bool ptype;
  sse__out o;
  sse_err rc;
  char err[256];
} type_call;

static int describe(sse__vctx *c, void *arg) {
  type_call *r = arg;
  return sse__describe_type(c, r->what, r->ptype, &r->o);
}

static void do_type(void *arg) {
  type_call *r = arg;
  if ((r->rc = sse__api_thread_readable(r->t))) return;
  if (sse__values_in_frame(r->t, r->frame, NULL, describe, r, r->err, sizeof r->err))
    r->rc = sse__api_values_errcode(r->err);
}

sse_err sse_describe_type(sse_thread *t, size_t frame, const char *what, bool ptype, char *buf,
                          size_t bufsz) {
  if (!t || !what || !buf || !bufsz) return SSE_E_INVAL;
  buf[0] = 0;
  type_call r = {.t = t, .frame = frame, .what = what, .ptype = ptype,
                 .o = {.buf = buf, .cap = bufsz}};
  sse_err e = sse__engine_call(t->proc->engine, do_type, &r);
  if (!e) e = r.rc;
  if (e) snprintf(buf, bufsz, "%s", r.err[0] ? r.err : sse_strerror(e));
  return e;
}
