/* Breakpoint conditions (sse_break_condition).
 *
 * A condition is parsed once, in the scope of the breakpoint's address,
 * into a compiled object that keeps the parse's context alive (the tree
 * and the type records of its casts live in that context's arena and
 * type store). At a hit it is evaluated in frame 0 of the thread that hit
 * from the stop's cached registers (one PTRACE_GETREGS per stop, which the
 * engine read anyway to see the int3), identifiers looked up in the scope
 * of the pc of the hit (a breakpoint with several addresses: each its
 * own, as gdb parses a condition per location). The engine reaches this
 * file only through sse__cond_ops, installed below. Tracer thread. */
#include <dwarf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symtab/dies.h"
#include "values/cond.h"
#include "values/values.h"

struct sse__cond {
  sse__vctx pctx; /* the parse's context: owns e and its types */
  sse__expr *e;
};

/* A DWARF place with no module: the parse of a condition whose breakpoint
 * has no address yet (its identifiers are looked up at its first hit). */
static const sse__dwarf_at no_dwarf;

static int with_dwarf(sse__vctx *c, int (*fn)(void *, const sse__dwarf_at *), void *arg) {
  struct sse__symtab *st = c->lookup_pc ? sse__proc_symtab(c->proc) : NULL;
  if (!st) return fn(arg, &no_dwarf);
  int rc = sse__symtab_with_dwarf(st, c->lookup_pc, fn, arg);
  return rc < -1 ? fn(arg, &no_dwarf) : rc;
}

static int open_at(sse__vctx *c, const sse__dwarf_at *at) {
  c->at = at;
  c->var_bias = at->bias;
  sse__types_init(c);
  if (!c->t_int) return -1;
  return sse__scope_open(c);
}

/* Every identifier of e names something in c's scope: gdb refuses
 * `break f if nosuch` at once. */
static int idents_known(sse__vctx *c, const sse__expr *e, int depth) {
  if (!e) return 0;
  if (depth > 256) return sse__verr(c, "Expression too deeply nested.");
  if (e->op == SSE__E_IDENT) {
    Dwarf_Die die;
    if (!sse__scope_find(c, e->name, &die))
      return c->err[0] ? -1 : sse__verr(c, "No symbol \"%s\" in current context.", e->name);
  }
  if (idents_known(c, e->a, depth + 1)) return -1;
  return idents_known(c, e->b, depth + 1);
}

typedef struct parse_req {
  sse__cond *cond;
  const char *text;
  bool check;
} parse_req;

static int parse_cb(void *arg, const sse__dwarf_at *at) {
  parse_req *r = arg;
  sse__vctx *c = &r->cond->pctx;
  if (open_at(c, at)) return -1;
  r->cond->e = sse__expr_parse(c, r->text);
  if (!r->cond->e) return -1;
  int rc = r->check && at->cu ? idents_known(c, r->cond->e, 0) : 0;
  c->at = NULL; /* valid inside the symtab call only */
  free(c->scopes);
  c->scopes = NULL;
  c->nscopes = 0;
  return rc;
}

static void cond_free(sse__cond *cond) {
  if (!cond) return;
  sse__va_free(&cond->pctx);
  free(cond);
}

static int cond_compile(sse_process *p, uint64_t pc, const char *text, sse__cond **out,
                        char *err, size_t errsz) {
  *out = NULL;
  sse__cond *cond = calloc(1, sizeof *cond);
  if (!cond) {
    snprintf(err, errsz, "virtual memory exhausted.");
    return -1;
  }
  cond->pctx.proc = p;
  cond->pctx.pc = cond->pctx.lookup_pc = pc;
  parse_req r = {.cond = cond, .text = text, .check = pc != 0};
  if (with_dwarf(&cond->pctx, parse_cb, &r)) {
    snprintf(err, errsz, "%s", cond->pctx.err[0] ? cond->pctx.err : "Cannot parse the condition.");
    cond_free(cond);
    return -1;
  }
  *out = cond;
  return 0;
}

/* ------------------------------------------------------------ evaluation */

typedef struct eval_req {
  sse__vctx *c;
  const sse__expr *e;
  sse__value v;
} eval_req;

static int eval_cb(void *arg, const sse__dwarf_at *at) {
  eval_req *r = arg;
  if (open_at(r->c, at)) return -1;
  return sse__expr_eval(r->c, r->e, &r->v);
}

/* The context of frame 0 of stopped t, from its cached registers. */
static int frame0(sse_thread *t, sse__vctx *c) {
  memset(c, 0, sizeof *c);
  c->proc = t->proc;
  sse__regs r;
  if (sse__thread_getregs(t, &r) != 0) return sse__verr(c, "Cannot read the registers.");
  for (int i = 0; i <= SSE__REGNUM_MAX; i++)
    if (sse__regs_get(&r, i, &c->reg[i])) c->regmask |= 1u << i;
  c->pc = c->lookup_pc = sse__regs_pc(&r);
  if (sse__unwind_cfa(t, &c->cfa) != SSE_OK) c->cfa = 0;
  return 0;
}

/* C's truth of a scalar value. */
static int truth(sse__vctx *c, const sse__value *v) {
  sse__vtype *t = sse__type_strip(v->type);
  if (t && t->kind == SSE__TY_FLOAT) {
    double d;
    return sse__val_double(c, v, &d) ? -1 : d != 0;
  }
  if (t && (t->kind == SSE__TY_STRUCT || t->kind == SSE__TY_UNION))
    return sse__verr(c, "Invalid cast.");
  if (v->is_func || (t && t->kind == SSE__TY_ARRAY)) return 1; /* an address */
  int64_t x;
  return sse__val_int(c, v, &x) ? -1 : x != 0;
}

static int cond_eval(sse_thread *t, const sse__cond *cond, char *err, size_t errsz) {
  sse__vctx c;
  eval_req r = {.c = &c, .e = cond->e};
  int rc = frame0(t, &c);
  if (rc == 0) rc = with_dwarf(&c, eval_cb, &r);
  if (rc == 0) rc = truth(&c, &r.v);
  if (rc < 0) snprintf(err, errsz, "%s", c.err[0] ? c.err : "Cannot evaluate the condition.");
  sse__va_free(&c);
  return rc;
}

static const sse__cond_ops cond_ops = {
    .compile = cond_compile,
    .eval = cond_eval,
    .free = cond_free,
};

/* Installed with the library, like run control's table (dispatch.c):
 * the engine evaluates conditions only through it. */
__attribute__((constructor(101))) static void install(void) {
  sse__cond_install(&cond_ops);
}

int sse__cond_compile(sse_process *p, uint64_t pc, const char *text, sse__cond **out,
                      char *err, size_t errsz) {
  return cond_compile(p, pc, text, out, err, errsz);
}

void sse__cond_free(sse__cond *cond) { cond_free(cond); }
