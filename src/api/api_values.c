/* sse_frame_variables(), sse_evaluate(): one delegate each to the tracer
 * thread, which runs src/values with the thread stopped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_values.h"
#include "internal.h"
#include "values/values.h"

sse_err sse__api_thread_readable(sse_thread *t) {
  if (t->proc->exited) return SSE_E_EXITED;
  if (t->state == SSE__T_EXITED) return SSE_E_NOTHREAD;
  if (t->state != SSE__T_STOPPED) return SSE_E_RUNNING;
  return sse__proc_stopped(t->proc);
}

/* The error code of a gdb message. */
sse_err sse__api_values_errcode(const char *msg) {
  if (!strncmp(msg, "No symbol", 9)) return SSE_E_NOSYM;
  if (!strncmp(msg, "Cannot access memory", 20)) return SSE_E_FAULT;
  if (!strncmp(msg, "No frame at level", 17)) return SSE_E_NOTFOUND;
  if (!strncmp(msg, "virtual memory exhausted", 24)) return SSE_E_NOMEM;
  return SSE_E_INVAL;
}

typedef struct vars_call {
  sse_thread *t;
  size_t frame;
  unsigned kinds;
  sse__var_text *v;
  size_t n;
  char err[256];
  sse_err rc;
} vars_call;

static void do_vars(void *arg) {
  vars_call *r = arg;
  if ((r->rc = sse__api_thread_readable(r->t))) return;
  unsigned sel = (r->kinds & SSE_VARS_ARGS ? SSE__VS_ARGS : 0) |
                 (r->kinds & SSE_VARS_LOCALS ? SSE__VS_LOCALS : 0);
  if (sse__values_frame_vars(r->t, r->frame, sel, &r->v, &r->n, r->err, sizeof r->err)) {
    r->rc = sse__api_values_errcode(r->err);
    if (!strncmp(r->err, "No symbol table", 15)) r->rc = SSE_E_NOSYM;
  }
}

void sse_variables_free(sse_variable *vars, size_t n) {
  if (!vars) return;
  for (size_t i = 0; i < n; i++) {
    free(vars[i].name);
    free(vars[i].type);
    free(vars[i].value);
    free(vars[i].entry_value);
  }
  free(vars);
}

sse_err sse_frame_variables(sse_thread *t, size_t frame, unsigned kinds, sse_variable **out,
                            size_t *n, char *err, size_t errsz) {
  if (err && errsz) err[0] = 0;
  if (!t || !out || !n || !(kinds & (SSE_VARS_ARGS | SSE_VARS_LOCALS))) return SSE_E_INVAL;
  *out = NULL;
  *n = 0;
  vars_call r = {.t = t, .frame = frame, .kinds = kinds};
  sse_err e = sse__engine_call(t->proc->engine, do_vars, &r);
  if (!e) e = r.rc;
  /* arguments first, in declaration order; then the locals */
  sse_variable *v = r.n ? calloc(r.n, sizeof *v) : NULL;
  if (r.n && !v && !e) e = SSE_E_NOMEM;
  size_t k = 0;
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < r.n; i++) {
      if (r.v[i].is_arg != (pass == 0)) continue;
      if (v && !e) {
        v[k++] = (sse_variable){r.v[i].name, r.v[i].type, r.v[i].value, r.v[i].is_arg,
                                r.v[i].entry};
      } else {
        free(r.v[i].name);
        free(r.v[i].type);
        free(r.v[i].value);
        free(r.v[i].entry);
      }
    }
  free(r.v);
  if (e) {
    sse_variables_free(v, k);
    if (err && errsz) snprintf(err, errsz, "%s", r.err);
    return e;
  }
  *out = v;
  *n = k;
  return SSE_OK;
}

typedef struct eval_call {
  sse_thread *t;
  size_t frame;
  const char *expr;
  char fmt;
  char *text, *type;
  uint64_t addr;
  bool has_addr, uses_frame;
  char err[256];
  sse_err rc;
} eval_call;

static void do_eval(void *arg) {
  eval_call *r = arg;
  if ((r->rc = sse__api_thread_readable(r->t))) return;
  if (sse__values_evaluate(r->t, r->frame, r->expr, r->fmt, &r->text, &r->type, &r->addr, &r->has_addr,
                           &r->uses_frame, r->err, sizeof r->err))
    r->rc = sse__api_values_errcode(r->err);
}

sse_err sse_evaluate(sse_thread *t, size_t frame, const char *expr, char *buf, size_t bufsz,
                     sse_value_info *info) {
  return sse_evaluate_format(t, frame, expr, 0, buf, bufsz, info);
}

sse_err sse_evaluate_format(sse_thread *t, size_t frame, const char *expr, int format, char *buf,
                            size_t bufsz, sse_value_info *info) {
  if (info) memset(info, 0, sizeof *info);
  if (!t || !expr || !buf || !bufsz) return SSE_E_INVAL;
  buf[0] = 0;
  if (format && (format < 0 || format > 127 || !strchr("xzotducafs", format))) {
    snprintf(buf, bufsz, "Undefined output format \"%c\".", format > 32 && format < 127 ? format : '?');
    return SSE_E_INVAL;
  }
  eval_call r = {.t = t, .frame = frame, .expr = expr, .fmt = (char)format};
  sse_err e = sse__engine_call(t->proc->engine, do_eval, &r);
  if (!e) e = r.rc;
  if (e) {
    snprintf(buf, bufsz, "%s", r.err[0] ? r.err : sse_strerror(e));
  } else {
    size_t len = strlen(r.text);
    snprintf(buf, bufsz, "%s", r.text);
    if (info) {
      snprintf(info->type, sizeof info->type, "%s", r.type ? r.type : "");
      info->has_address = r.has_addr;
      info->address = r.addr;
      info->uses_frame = r.uses_frame;
      info->truncated = len >= bufsz;
    }
  }
  free(r.text);
  free(r.type);
  return e;
}

typedef struct ret_call {
  sse_thread *t;
  uint64_t func_pc;
  const sse_stop *stop;
  char *text, *type;
  char err[256];
  int k;
  sse_err rc;
} ret_call;

static void do_ret(void *arg) {
  ret_call *r = arg;
  if ((r->rc = sse__api_thread_readable(r->t))) return;
  r->k = sse__values_return(r->t->proc, r->func_pc, r->stop->retval, r->stop->retval_xmm0,
                            &r->text, &r->type, r->err, sizeof r->err);
  if (r->k < 0) r->rc = sse__api_values_errcode(r->err);
  if (r->k < 0 && !strncmp(r->err, "No ", 3)) r->rc = SSE_E_NOSYM;
}

sse_err sse_return_value(sse_thread *t, uint64_t func_pc, const sse_stop *stop, char *buf,
                         size_t bufsz, sse_value_info *info) {
  if (info) memset(info, 0, sizeof *info);
  if (!t || !stop || !buf || !bufsz) return SSE_E_INVAL;
  buf[0] = 0;
  if (stop->reason != SSE_STOP_FINISH) return SSE_E_INVAL;
  if (!stop->has_retval) { /* out of a void function */
    snprintf(buf, bufsz, "void");
    return SSE_E_NOTFOUND;
  }
  ret_call r = {.t = t, .func_pc = func_pc, .stop = stop};
  sse_err e = sse__engine_call(t->proc->engine, do_ret, &r);
  if (!e) e = r.rc;
  if (!e && r.k == 1) e = SSE_E_NOTFOUND;
  if (e) {
    snprintf(buf, bufsz, "%s", r.err[0] ? r.err : e == SSE_E_NOTFOUND ? "void" : sse_strerror(e));
  } else {
    snprintf(buf, bufsz, "%s", r.text);
    if (info) {
      snprintf(info->type, sizeof info->type, "%s", r.type ? r.type : "");
      info->truncated = strlen(r.text) >= bufsz;
    }
  }
  free(r.text);
  free(r.type);
  return e;
}
