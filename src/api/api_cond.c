/* sse_break_condition(), sse_watch_expression(): one delegate each to the
 * tracer thread, where the condition is compiled (src/values/cond.c) and
 * attached to the breakpoint, or the expression's lvalue becomes a
 * hardware watchpoint. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "values/cond.h"
#include "values/values.h"

/* The error code of a gdb message about an expression. */
static sse_err code_of(const char *msg) {
  if (!strncmp(msg, "No symbol", 9)) return SSE_E_NOSYM;
  if (!strncmp(msg, "No frame at level", 17)) return SSE_E_NOTFOUND;
  if (!strncmp(msg, "virtual memory exhausted", 24)) return SSE_E_NOMEM;
  return SSE_E_INVAL;
}

typedef struct cond_call {
  sse_process *p;
  int id;
  const char *text;
  char err[256];
  sse_err rc;
} cond_call;

static void do_condition(void *arg) {
  cond_call *r = arg;
  sse_process *p = r->p;
  uint64_t addr = 0;
  if ((r->rc = sse__proc_stopped(p)) || (r->rc = sse__bp_first_addr(p, r->id, &addr))) return;
  if (!r->text) {
    r->rc = sse__bp_set_condition(p, r->id, NULL, NULL);
    return;
  }
  sse__cond *cond = NULL;
  if (sse__cond_compile(p, addr, r->text, &cond, r->err, sizeof r->err)) {
    r->rc = code_of(r->err);
    return;
  }
  const char *text = sse__intern(p->engine, r->text);
  r->rc = text ? sse__bp_set_condition(p, r->id, text, cond) : SSE_E_NOMEM;
  if (r->rc) sse__cond_free(cond);
}

sse_err sse_break_condition(sse_process *proc, int id, const char *cond, char *err,
                            size_t errsz) {
  if (err && errsz) err[0] = 0;
  if (!proc) return SSE_E_INVAL;
  while (cond && isspace((unsigned char)*cond)) cond++;
  cond_call r = {.p = proc, .id = id, .text = cond && *cond ? cond : NULL};
  sse_err e = sse__engine_call(proc->engine, do_condition, &r);
  if (!e) e = r.rc;
  if (e && err && errsz) snprintf(err, errsz, "%s", r.err[0] ? r.err : sse_strerror(e));
  return e;
}

/* ------------------------------------------------------------ watch EXPR */

typedef struct watch_call {
  sse_thread *t;
  size_t frame;
  const char *expr;
  int kind, id;
  char err[256];
  sse_err rc;
} watch_call;

/* expr's address and size in r's frame: 0, or -1 with r->err and r->rc. */
static int lvalue(watch_call *r, uint64_t *addr, uint64_t *size) {
  char *text = NULL, *type = NULL, sz[600];
  bool has_addr = false;
  int rc = sse__values_evaluate(r->t, r->frame, r->expr, 0, &text, &type, addr, &has_addr, NULL,
                                r->err, sizeof r->err);
  free(text);
  free(type);
  text = type = NULL;
  if (rc == 0 && !has_addr) {
    snprintf(r->err, sizeof r->err, "Cannot watch constant value `%s'.", r->expr);
    rc = -1;
  }
  snprintf(sz, sizeof sz, "sizeof (%s)", r->expr);
  if (rc == 0)
    rc = sse__values_evaluate(r->t, r->frame, sz, 0, &text, &type, &(uint64_t){0},
                              &has_addr, NULL, r->err, sizeof r->err);
  if (rc == 0) *size = strtoull(text, NULL, 10);
  free(text);
  free(type);
  if (rc) r->rc = code_of(r->err);
  return rc;
}

static void do_watch_expr(void *arg) {
  watch_call *r = arg;
  sse_thread *t = r->t;
  if ((r->rc = sse__proc_stopped(t->proc))) return;
  if (t->state != SSE__T_STOPPED) {
    r->rc = t->state == SSE__T_EXITED ? SSE_E_NOTHREAD : SSE_E_RUNNING;
    return;
  }
  uint64_t addr = 0, size = 0;
  if (lvalue(r, &addr, &size)) return;
  if ((size != 1 && size != 2 && size != 4 && size != 8) || (addr & (size - 1))) {
    /* gdb would fall back to a software watchpoint (single-stepping every
     * thread): refused instead. */
    snprintf(r->err, sizeof r->err,
             "Cannot watch `%s': its %llu bytes at 0x%llx fit no debug register "
             "(1, 2, 4 or 8 bytes, aligned).",
             r->expr, (unsigned long long)size, (unsigned long long)addr);
    r->rc = SSE_E_INVAL;
    return;
  }
  r->rc = sse__watch_add(t->proc, addr, (int)size, r->kind, r->expr, &r->id);
  if (r->rc == SSE_E_NOSLOT)
    snprintf(r->err, sizeof r->err, "Hardware watchpoint resources exhausted.");
}

sse_err sse_watch_expression(sse_thread *thread, size_t frame, const char *expr, int kind,
                             int *id, char *err, size_t errsz) {
  if (err && errsz) err[0] = 0;
  if (!thread || !expr || !*expr || strlen(expr) > 512 ||
      (kind != SSE_WATCH_WRITE && kind != SSE_WATCH_READWRITE))
    return SSE_E_INVAL;
  watch_call r = {.t = thread, .frame = frame, .expr = expr, .kind = kind};
  sse_err e = sse__engine_call(thread->proc->engine, do_watch_expr, &r);
  if (!e) e = r.rc;
  if (e && err && errsz) snprintf(err, errsz, "%s", r.err[0] ? r.err : sse_strerror(e));
  if (!e && id) *id = r.id;
  return e;
}
