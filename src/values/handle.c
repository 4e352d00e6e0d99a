/* What a value handle (sse_value, src/api/api_valhandle.c) needs of a
 * frame: its value found again from its path (a root, an expression or a
 * variable's DIE, then member / element / pointee steps), its children
 * known from the type alone, and the C expression of a child. A handle
 * keeps no type record nor DIE: each call finds the value again, in a
 * context of its own, as a new print would. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dwarf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "values/values.h"

/* The variable root->die of the frame's module. */
static int die_root(sse__vctx *c, uint64_t off, sse__value *out) {
  Dwarf_Die die;
  Dwarf *dw = c->at->cu ? dwarf_cu_getdwarf(c->at->cu->cu) : NULL;
  if (!dw || !dwarf_offdie(dw, (Dwarf_Off)off, &die)) return sse__verr(c, "No frame selected.");
  c->var_bias = c->at->bias;
  c->var_mod = c->at->mod;
  return sse__loc_variable(c, &die, out);
}

static int step(sse__vctx *c, const sse__vstep *s, sse__value *v) {
  sse__value child;
  const char *name;
  if (sse__val_unref(c, v)) return -1; /* a reference's children: its referent's */
  if (s->index >= sse__value_nchildren(v)) return sse__verr(c, "No such child.");
  if (sse__value_child(c, v, s->index, &child, &name)) return -1;
  *v = child;
  return 0;
}

int sse__vpath_value(sse__vctx *c, const sse__vpath *p, sse__value *out) {
  memset(out, 0, sizeof *out);
  if (p->expr) {
    sse__expr *e = sse__expr_parse(c, p->expr);
    if (!e || sse__expr_eval(c, e, out)) return -1;
  } else if (die_root(c, p->die, out)) {
    return -1;
  }
  for (size_t i = 0; i < p->n; i++)
    if (step(c, &p->steps[i], out)) return -1;
  return 0;
}

/* The pointee a pointer shows as its child: a complete, non-void,
 * non-function type. */
static bool pointee_shown(sse__vtype *t) {
  sse__vtype *to = sse__type_strip(t->target);
  if (!to || to->kind == SSE__TY_VOID || to->kind == SSE__TY_FUNC) return false;
  return !((to->kind == SSE__TY_STRUCT || to->kind == SSE__TY_UNION) && !to->complete);
}

uint64_t sse__value_nchildren(const sse__value *v) {
  sse__vtype *t = sse__type_strip(v->type);
  if (!t || v->is_func) return 0;
  switch (t->kind) {
    case SSE__TY_STRUCT: case SSE__TY_UNION: return t->complete ? t->n : 0;
    case SSE__TY_ARRAY: return t->count > 0 ? (uint64_t)t->count : 0;
    case SSE__TY_PTR: return pointee_shown(t) ? 1 : 0;
    default: return 0;
  }
}

/* Element i of array v (of stripped type t). */
static int element(sse__vctx *c, const sse__value *v, sse__vtype *t, uint64_t i, sse__value *out) {
  uint64_t es = sse__type_size(t->target);
  *out = *v;
  out->type = t->target;
  out->reg = 0;
  if (v->kind == SSE__V_MEM) {
    out->addr = v->addr + i * es;
  } else if (v->kind == SSE__V_BYTES) {
    if ((i + 1) * es > sse__type_size(v->type)) return sse__verr(c, "No such child.");
    out->bytes = v->bytes + i * es;
    if (v->unavail) out->unavail = v->unavail + i * es;
  }
  return 0;
}

int sse__value_child(sse__vctx *c, const sse__value *v, uint64_t i, sse__value *out,
                     const char **member) {
  sse__vtype *t = sse__type_strip(v->type);
  *member = NULL;
  if (!t) return sse__verr(c, "Invalid type.");
  if (t->kind == SSE__TY_STRUCT || t->kind == SSE__TY_UNION) {
    const sse__member *m = &t->members[i];
    sse__val_member(c, v, m, out);
    out->reg = 0;
    *member = m->name;
    return 0;
  }
  if (t->kind == SSE__TY_ARRAY) return element(c, v, t, i, out);
  /* a pointer's pointee: lazy, read (or failing) when formatted */
  int64_t a;
  if (v->kind == SSE__V_IMPLPTR) {
    *out = *v;
    return sse__implptr_deref(c, out);
  }
  if (v->kind == SSE__V_OPTOUT) {
    *out = *v;
    out->type = t->target;
    return 0;
  }
  if (sse__val_int(c, v, &a)) return -1;
  *out = sse__val_at(t->target, (uint64_t)a);
  return 0;
}

/* ------------------------------------------------------------ expressions */

/* How an expression binds: 2 a postfix chain (x, a.b, p->q, a[1]), to
 * which . -> [] append; 1 a unary * of one; 0 anything else (put in
 * parentheses). */
int sse__vexpr_prec(const char *s) {
  if (*s == '*') return sse__vexpr_prec(s + 1) >= 1 ? 1 : 0;
  if (*s == '$') s++;
  if (!isalpha((unsigned char)*s) && *s != '_') return 0;
  while (*s) {
    if (isalnum((unsigned char)*s) || *s == '_') {
      s++;
    } else if (*s == '.' || (s[0] == '-' && s[1] == '>')) {
      s += *s == '.' ? 1 : 2;
      if (!isalpha((unsigned char)*s) && *s != '_') return 0;
    } else if (*s == '[') {
      int depth = 0;
      do {
        if (*s == '[') depth++;
        else if (*s == ']') depth--;
        else if (!*s) return 0;
        s++;
      } while (depth);
    } else {
      return 0;
    }
  }
  return 2;
}

char *sse__vexpr_child(const sse__vexpr *parent, const sse__vstep *s, const char *member,
                       sse__vexpr *child) {
  char *out = NULL;
  const char *a = parent->text;
  int rc = -1;
  child->arrow_base = NULL;
  child->prec = 2;
  if (s->kind == SSE__VSTEP_DEREF) {
    rc = asprintf(&out, parent->prec >= 1 ? "*%s" : "*(%s)", a);
    child->prec = 1;
    child->arrow_base = parent->prec == 2 ? parent->text : NULL;
  } else if (s->kind == SSE__VSTEP_ELEM) {
    rc = asprintf(&out, parent->prec == 2 ? "%s[%llu]" : "(%s)[%llu]", a,
                  (unsigned long long)s->index);
  } else if (parent->arrow_base) {
    rc = asprintf(&out, "%s->%s", parent->arrow_base, member ? member : "");
  } else if (parent->prec == 1 && a[0] == '*' && sse__vexpr_prec(a + 1) == 2) {
    rc = asprintf(&out, "%s->%s", a + 1, member ? member : "");
  } else {
    rc = asprintf(&out, parent->prec == 2 ? "%s.%s" : "(%s).%s", a, member ? member : "");
  }
  return rc < 0 ? NULL : out;
}
