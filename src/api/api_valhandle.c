/* sse_value handles: a value's path (src/values/handle.c) and the texts
 * a variables view shows. Each call is one delegate to the tracer thread,
 * which finds the value again from its path; a handle made before the
 * process's last resume is stale. */
#define _GNU_SOURCE
#include <dwarf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_values.h"
#include "internal.h"
#include "values/values.h"

#define VH_TEXT_MAX 65536

struct sse_value {
  sse_thread *t;
  size_t frame;
  uint64_t resumes;     /* the process's resume count when made */
  char *name, *type, *expr;
  /* the path: root expression (NULL: the variable of DIE offset die) */
  char *root;
  uint64_t die;
  sse__vstep *steps;
  size_t nsteps;
  /* the expression its children's are built on (an anonymous member's
   * is its parent's) */
  char *access, *arrow;
  int prec;
  char *snapshot;       /* the text of a value that cannot be found again
                           (its expression assigns), or NULL */
};

void sse_print_limits_init(sse_print_limits *l) {
  if (l) *l = (sse_print_limits){.max_elements = 200, .repeats = 10, .max_depth = 20};
}

void sse_value_free(sse_value *v) {
  if (!v) return;
  free(v->name);
  free(v->type);
  free(v->expr);
  free(v->root);
  free(v->steps);
  free(v->access);
  free(v->arrow);
  free(v->snapshot);
  free(v);
}

void sse_values_free(sse_value **vs, size_t n) {
  if (!vs) return;
  for (size_t i = 0; i < n; i++) sse_value_free(vs[i]);
  free(vs);
}

const char *sse_value_name(const sse_value *v) { return v ? v->name : NULL; }
const char *sse_value_type(const sse_value *v) { return v ? v->type : NULL; }
const char *sse_value_expression(const sse_value *v) { return v ? v->expr : NULL; }

static sse_value *vh_new(sse_thread *t, size_t frame) {
  sse_value *v = calloc(1, sizeof *v);
  if (!v) return NULL;
  v->t = t;
  v->frame = frame;
  return v;
}

/* Tracer thread: whether v's process is stopped where v was made. */
static sse_err vh_fresh(const sse_value *v) {
  sse_process *p = v->t->proc;
  if (p->exited || p->resumes != v->resumes) return SSE_E_STALE;
  if (v->t->state != SSE__T_STOPPED) return SSE_E_RUNNING;
  return sse__proc_stopped(p);
}

static sse__vpath vh_path(const sse_value *v) {
  return (sse__vpath){.expr = v->root, .die = v->die, .steps = v->steps, .n = v->nsteps};
}

static void copy_err(char *err, size_t errsz, const char *msg) {
  if (err && errsz) snprintf(err, errsz, "%s", msg);
}

/* ------------------------------------------------------------ roots */

typedef struct eval_call {
  sse_value *v;
  const char *text;
  sse_err rc;
  char err[256];
} eval_call;

/* The root's type, and for an expression that assigns: the assignment
 * done once, the handle then on its left side (or a snapshot). */
static int eval_root(sse__vctx *c, void *arg) {
  eval_call *r = arg;
  sse_value *v = r->v;
  sse__expr *e = sse__expr_parse(c, r->text);
  sse__value val;
  if (!e || sse__expr_eval(c, e, &val)) return -1;
  char tn[512];
  sse__type_name(val.type, tn, sizeof tn);
  if (!(v->type = strdup(tn))) return sse__verr(c, "virtual memory exhausted.");
  if (!sse__expr_assigns(e)) return 0;
  free(v->root);
  v->root = NULL;
  if (e->op == SSE__E_ASSIGN && !sse__expr_assigns(e->a)) {
    v->root = strndup(r->text + e->lo, e->hi - e->lo);
    return v->root ? 0 : sse__verr(c, "virtual memory exhausted.");
  }
  sse__out o = {.buf = malloc(VH_TEXT_MAX), .cap = VH_TEXT_MAX};
  if (!o.buf) return sse__verr(c, "virtual memory exhausted.");
  o.buf[0] = 0;
  v->snapshot = o.buf;
  return sse__format_value(c, &val, true, &o);
}

static void do_eval_root(void *arg) {
  eval_call *r = arg;
  sse_thread *t = r->v->t;
  if ((r->rc = sse__api_thread_readable(t))) return;
  r->v->resumes = t->proc->resumes;
  if (sse__values_in_frame(t, r->v->frame, NULL, eval_root, r, r->err, sizeof r->err))
    r->rc = sse__api_values_errcode(r->err);
}

sse_err sse_value_evaluate(sse_thread *t, size_t frame, const char *expr, sse_value **out,
                           char *err, size_t errsz) {
  copy_err(err, errsz, "");
  if (!t || !expr || !out) return SSE_E_INVAL;
  *out = NULL;
  sse_value *v = vh_new(t, frame);
  if (!v || !(v->root = strdup(expr)) || !(v->name = strdup(expr))) {
    sse_value_free(v);
    return SSE_E_NOMEM;
  }
  eval_call r = {.v = v, .text = expr};
  sse_err e = sse__engine_call(t->proc->engine, do_eval_root, &r);
  if (!e) e = r.rc;
  if (!e) {
    const char *acc = v->root ? v->root : expr;
    v->expr = strdup(acc);
    v->access = strdup(acc);
    v->prec = sse__vexpr_prec(acc);
    if (!v->expr || !v->access) e = SSE_E_NOMEM;
  }
  if (e) {
    copy_err(err, errsz, r.err[0] ? r.err : sse_strerror(e));
    sse_value_free(v);
    return e;
  }
  *out = v;
  return SSE_OK;
}

/* ------------------------------------------------------------ variables */

typedef struct vars_call {
  sse_thread *t;
  size_t frame;
  unsigned sel;
  sse_value **v;
  bool *is_arg;
  size_t n, cap;
  sse_err rc;
  char err[256];
} vars_call;

static int var_grow(vars_call *r) {
  if (r->n < r->cap) return 0;
  size_t cap = r->cap ? r->cap * 2 : 16;
  sse_value **nv = realloc(r->v, cap * sizeof *nv);
  if (nv) r->v = nv;
  bool *na = nv ? realloc(r->is_arg, cap * sizeof *na) : NULL;
  if (na) r->is_arg = na;
  if (!nv || !na) return -1;
  r->cap = cap;
  return 0;
}

/* One variable: a handle on its DIE (an enumerator, by its name). */
static int one_var(void *arg, Dwarf_Die *die) {
  vars_call *r = ((void **)arg)[0];
  sse__vctx *c = ((void **)arg)[1];
  sse__value val;
  const char *name = dwarf_diename(die);
  if (var_grow(r)) return sse__verr(c, "virtual memory exhausted.");
  sse_value *v = vh_new(r->t, r->frame);
  if (!v) return sse__verr(c, "virtual memory exhausted.");
  r->v[r->n] = v;
  r->is_arg[r->n++] = dwarf_tag(die) == DW_TAG_formal_parameter;
  v->resumes = r->t->proc->resumes;
  char tn[512] = "";
  if (sse__loc_variable(c, die, &val) == 0) sse__type_name(val.type, tn, sizeof tn);
  c->err[0] = 0;
  if (dwarf_tag(die) == DW_TAG_enumerator) v->root = strdup(name);
  else v->die = dwarf_dieoffset(die);
  v->name = strdup(name);
  v->type = strdup(tn);
  v->expr = strdup(name);
  v->access = strdup(name);
  v->prec = 2;
  if (!v->name || !v->type || !v->expr || !v->access || (!v->die && !v->root))
    return sse__verr(c, "virtual memory exhausted.");
  return 0;
}

static int list_vars(sse__vctx *c, void *arg) {
  vars_call *r = arg;
  if (!c->at->cu) return sse__verr(c, "No symbol table info available.");
  void *both[2] = {r, c};
  return sse__scope_each(c, r->sel, one_var, both);
}

static void do_vars(void *arg) {
  vars_call *r = arg;
  if ((r->rc = sse__api_thread_readable(r->t))) return;
  if (sse__values_in_frame(r->t, r->frame, NULL, list_vars, r, r->err, sizeof r->err))
    r->rc = !strncmp(r->err, "No symbol table", 15) ? SSE_E_NOSYM : sse__api_values_errcode(r->err);
}

sse_err sse_value_variables(sse_thread *t, size_t frame, unsigned kinds, sse_value ***out,
                            size_t *n, char *err, size_t errsz) {
  copy_err(err, errsz, "");
  if (!t || !out || !n || !(kinds & (SSE_VARS_ARGS | SSE_VARS_LOCALS))) return SSE_E_INVAL;
  *out = NULL;
  *n = 0;
  vars_call r = {.t = t, .frame = frame,
                 .sel = (kinds & SSE_VARS_ARGS ? SSE__VS_ARGS : 0) |
                        (kinds & SSE_VARS_LOCALS ? SSE__VS_LOCALS : 0)};
  sse_err e = sse__engine_call(t->proc->engine, do_vars, &r);
  if (!e) e = r.rc;
  sse_value **sorted = r.n ? malloc(r.n * sizeof *sorted) : NULL;
  if (r.n && !sorted && !e) e = SSE_E_NOMEM;
  if (e) {
    copy_err(err, errsz, r.err[0] ? r.err : sse_strerror(e));
    for (size_t i = 0; i < r.n; i++) sse_value_free(r.v[i]);
    free(sorted);
  } else { /* arguments first, in declaration order; then the locals */
    size_t k = 0;
    for (int pass = 0; pass < 2; pass++)
      for (size_t i = 0; i < r.n; i++)
        if (r.is_arg[i] == (pass == 0)) sorted[k++] = r.v[i];
    *out = sorted;
    *n = r.n;
  }
  free(r.v);
  free(r.is_arg);
  return e;
}

/* ------------------------------------------------------------ one value */

typedef struct val_call {
  sse_value *v;
  sse__vlimits lim;
  sse_err rc;
  char err[256];
  /* child_count / children */
  size_t start, count, nkids;
  sse_value **kids;
  size_t nmade;
  /* format */
  sse__out o;
  /* assign */
  const char *rhs;
  int (*fn)(sse__vctx *c, struct val_call *r, sse__value *val);
} val_call;

static int with_value(sse__vctx *c, void *arg) {
  val_call *r = arg;
  sse__vpath p = vh_path(r->v);
  sse__value val;
  if (sse__vpath_value(c, &p, &val)) return r->fn(c, r, NULL);
  return r->fn(c, r, &val);
}

static void do_value(void *arg) {
  val_call *r = arg;
  if ((r->rc = vh_fresh(r->v))) return;
  if (sse__values_in_frame(r->v->t, r->v->frame, &r->lim, with_value, r, r->err, sizeof r->err))
    r->rc = sse__api_values_errcode(r->err);
}

static sse_err value_call(val_call *r) {
  sse_err e = sse__engine_call(r->v->t->proc->engine, do_value, r);
  return e ? e : r->rc;
}

static int count_fn(sse__vctx *c, val_call *r, sse__value *val) {
  r->nkids = val && sse__val_unref(c, val) == 0 ? (size_t)sse__value_nchildren(val) : 0;
  return 0;
}

sse_err sse_value_child_count(sse_value *v, size_t *n) {
  if (!v || !n) return SSE_E_INVAL;
  *n = 0;
  if (v->snapshot) return SSE_OK;
  val_call r = {.v = v, .fn = count_fn};
  sse_err e = value_call(&r);
  if (!e) *n = r.nkids;
  return e;
}

/* ------------------------------------------------------------ children */

/* The handle of p's child by step s: its name ("next", "[3]", "*p",
 * "<anonymous union>"), type and expression. */
static sse_value *child_new(const sse_value *p, const sse__vstep *s, const char *member,
                            const char *type, sse__tkind kind) {
  sse_value *v = vh_new(p->t, p->frame);
  if (!v) return NULL;
  v->resumes = p->resumes;
  v->die = p->die;
  v->nsteps = p->nsteps + 1;
  v->steps = malloc(v->nsteps * sizeof *v->steps);
  if (v->steps) {
    if (p->nsteps) memcpy(v->steps, p->steps, p->nsteps * sizeof *v->steps);
    v->steps[p->nsteps] = *s;
  }
  bool anon = s->kind == SSE__VSTEP_MEMBER && !member, oom = false;
  int rc = 0;
  if (s->kind == SSE__VSTEP_ELEM) rc = asprintf(&v->name, "[%llu]", (unsigned long long)s->index);
  else if (s->kind == SSE__VSTEP_DEREF) rc = asprintf(&v->name, "*%s", p->name);
  else v->name = strdup(anon ? (kind == SSE__TY_UNION ? "<anonymous union>" : "<anonymous struct>")
                             : member);
  if (rc < 0) v->name = NULL;
  if (anon) { /* C reaches its members as the parent's */
    v->expr = strdup("");
    v->access = strdup(p->access);
    v->arrow = p->arrow ? strdup(p->arrow) : NULL;
    oom = p->arrow && !v->arrow;
    v->prec = p->prec;
  } else {
    sse__vexpr pe = {.text = p->access, .prec = p->prec, .arrow_base = p->arrow}, ce;
    v->access = sse__vexpr_child(&pe, s, member, &ce);
    v->expr = v->access ? strdup(v->access) : NULL;
    v->arrow = ce.arrow_base ? strdup(ce.arrow_base) : NULL;
    oom = ce.arrow_base && !v->arrow;
    v->prec = ce.prec;
  }
  v->type = strdup(type);
  v->root = p->root ? strdup(p->root) : NULL;
  if (!v->steps || !v->name || !v->expr || !v->access || !v->type || (p->root && !v->root) || oom) {
    sse_value_free(v);
    return NULL;
  }
  return v;
}

static int kids_fn(sse__vctx *c, val_call *r, sse__value *val) {
  if (!val || sse__val_unref(c, val)) return -1; /* a reference: its referent's */
  uint64_t n = sse__value_nchildren(val);
  if (r->start >= n) return 0;
  size_t k = n - r->start < r->count ? (size_t)(n - r->start) : r->count;
  if (!(r->kids = calloc(k ? k : 1, sizeof *r->kids))) return sse__verr(c, "virtual memory exhausted.");
  sse__vtype *t = sse__type_strip(val->type);
  sse__vstep s = {.kind = t->kind == SSE__TY_ARRAY ? SSE__VSTEP_ELEM
                          : t->kind == SSE__TY_PTR ? SSE__VSTEP_DEREF : SSE__VSTEP_MEMBER};
  for (size_t i = 0; i < k; i++) {
    s.index = r->start + i;
    sse__vtype *ct = s.kind == SSE__VSTEP_MEMBER ? t->members[s.index].type : t->target;
    const char *member = s.kind == SSE__VSTEP_MEMBER ? t->members[s.index].name : NULL;
    char tn[512];
    sse__type_name(ct ? ct : c->t_int, tn, sizeof tn);
    sse__vtype *cs = ct ? sse__type_strip(ct) : NULL;
    r->kids[i] = child_new(r->v, &s, member, tn, cs ? cs->kind : SSE__TY_INT);
    if (!r->kids[i]) return sse__verr(c, "virtual memory exhausted.");
    r->nmade = i + 1;
  }
  return 0;
}

sse_err sse_value_children(sse_value *v, size_t start, size_t count, sse_value ***out,
                           size_t *n) {
  if (!v || !out || !n) return SSE_E_INVAL;
  *out = NULL;
  *n = 0;
  if (v->snapshot || count == 0) return SSE_OK;
  val_call r = {.v = v, .fn = kids_fn, .start = start, .count = count};
  sse_err e = value_call(&r);
  if (e) {
    sse_values_free(r.kids, r.nmade);
    return e;
  }
  *out = r.kids;
  *n = r.nmade;
  return SSE_OK;
}

/* ------------------------------------------------------------ text */

static int format_fn(sse__vctx *c, val_call *r, sse__value *val) {
  if (val && sse__format_value(c, val, true, &r->o) == 0) return 0;
  r->o.len = 0;
  r->o.truncated = false;
  if (r->o.cap) r->o.buf[0] = 0;
  sse__out_printf(&r->o, "<error: %s>", c->err);
  c->err[0] = 0;
  return 0;
}

/* The public limits as src/values keeps them (0: unlimited / never). */
static sse__vlimits limits_of(const sse_print_limits *l, int format) {
  sse__vlimits v = {.fmt = (char)format};
  if (!l) return v;
  v.elems = l->max_elements ? l->max_elements : UINT_MAX;
  v.repeats = l->repeats ? l->repeats : UINT_MAX;
  v.depth = l->max_depth ? l->max_depth : UINT_MAX;
  return v;
}

sse_err sse_value_format(sse_value *v, int format, const sse_print_limits *limits, char *buf,
                         size_t bufsz, bool *truncated) {
  if (truncated) *truncated = false;
  if (!v || !buf || !bufsz) return SSE_E_INVAL;
  buf[0] = 0;
  if (format && (format < 0 || format > 127 || !strchr("xzotducafs", format))) return SSE_E_INVAL;
  if (v->snapshot) {
    snprintf(buf, bufsz, "%s", v->snapshot);
    if (truncated) *truncated = strlen(v->snapshot) >= bufsz;
    return SSE_OK;
  }
  val_call r = {.v = v, .fn = format_fn, .lim = limits_of(limits, format),
                .o = {.buf = buf, .cap = bufsz}};
  sse_err e = value_call(&r);
  if (e && e != SSE_E_STALE && e != SSE_E_RUNNING && !r.o.len)
    snprintf(buf, bufsz, "<error: %s>", r.err[0] ? r.err : sse_strerror(e));
  if (truncated) *truncated = r.o.truncated;
  return e == SSE_E_STALE || e == SSE_E_RUNNING || e == SSE_E_EXITED ? e : SSE_OK;
}

/* ------------------------------------------------------------ assign */

static int assign_fn(sse__vctx *c, val_call *r, sse__value *val) {
  if (!val) return -1;
  sse__expr *e = sse__expr_parse(c, r->rhs);
  sse__value rhs;
  if (!e || sse__expr_eval(c, e, &rhs)) return -1;
  return sse__val_assign(c, val, &rhs);
}

sse_err sse_value_assign(sse_value *v, const char *expr, char *err, size_t errsz) {
  copy_err(err, errsz, "");
  if (!v || !expr) return SSE_E_INVAL;
  if (v->snapshot) {
    copy_err(err, errsz, "Left operand of assignment is not an lvalue.");
    return SSE_E_INVAL;
  }
  val_call r = {.v = v, .fn = assign_fn, .rhs = expr};
  sse_err e = value_call(&r);
  if (e) copy_err(err, errsz, r.err[0] ? r.err : sse_strerror(e));
  return e;
}
