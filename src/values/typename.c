/* C type names as gdb prints them (whatis, the "(int *) " of a pointer,
 * "{int (int)}" of a function): a base name, then the declarator built
 * inside out ("int (*)[3]", "char *[4]", "int * const"). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "values/values.h"

#define TN_MAX 1536

/* A name longer than the buffer is cut, on purpose. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

static _Thread_local const sse__tsubst *subst;

const sse__tsubst *sse__type_name_subst(const sse__tsubst *s) {
  const sse__tsubst *prev = subst;
  subst = s;
  return prev;
}

/* t's name as the class being spelt out writes it (subst), or false. */
static bool substituted(sse__vtype *t, char *b, size_t n) {
  if (!subst || !t->name) return false;
  if (subst->tab) {
    const char *r = sse__tdtab_find_symbol(subst->tab, t);
    if (r) snprintf(b, n, "%s", r);
    return r || sse__cxx_canon_subst(t->name, b, n, subst);
  }
  size_t l = subst->cls ? strlen(subst->cls) : 0;
  if (t->kind == SSE__TY_TYPEDEF && l && strncmp(t->name, subst->cls, l) == 0 &&
      t->name[l] == ':' && t->name[l + 1] == ':' && !strstr(t->name + l + 2, "::")) {
    snprintf(b, n, "%s", t->name + l + 2);
    return true;
  }
  for (size_t i = 0; i < subst->n; i++)
    if (strcmp(t->name, subst->from[i]) == 0) {
      snprintf(b, n, "%s", subst->to[i]);
      return true;
    }
  return sse__cxx_canon_subst(t->name, b, n, subst);
}

static void base_name(sse__vtype *t, char *b, size_t n) {
  if (substituted(t, b, n)) return;
  const char *kw = t->kind == SSE__TY_STRUCT ? "struct" : t->kind == SSE__TY_UNION ? "union"
                   : t->kind == SSE__TY_ENUM ? "enum" : NULL;
  if (kw && t->cxx && t->name) snprintf(b, n, "%s", t->name); /* C++: no keyword */
  else if (kw) snprintf(b, n, "%s %s", kw, t->name ? t->name : "{...}");
  else snprintf(b, n, "%s", t->name ? t->name : t->kind == SSE__TY_VOID ? "void" : "<unnamed>");
}

/* "base" + " " + inner; inner is the declarator so far. */
static void join(char *out, size_t n, const char *base, const char *inner) {
  if (!*inner) snprintf(out, n, "%s", base);
  else if (inner[0] == '[' || inner[0] == '(') snprintf(out, n, "%s %s", base, inner);
  else snprintf(out, n, "%s %s", base, inner);
}

/* Whether s starts with the word const or volatile. */
static bool qualifier_first(const char *s) {
  size_t n = !strncmp(s, "const", 5) ? 5 : !strncmp(s, "volatile", 8) ? 8 : 0;
  return n && !(isalnum((unsigned char)s[n]) || s[n] == '_');
}

static void params(sse__vtype *f, char *b, size_t n) {
  size_t len = snprintf(b, n, "(");
  if (f->n == 0 && !f->varargs)
    len += snprintf(b + len, len < n ? n - len : 0, f->prototyped ? "void" : "");
  for (size_t i = 0; i < f->n && len < n; i++) {
    char pn[TN_MAX];
    if (f->params[i]) sse__type_name(f->params[i], pn, sizeof pn);
    else snprintf(pn, sizeof pn, "void");
    len += snprintf(b + len, n - len, "%s%s", i ? ", " : "", pn);
  }
  if (f->varargs && len < n) len += snprintf(b + len, n - len, f->n ? ", ..." : "...");
  if (len < n) snprintf(b + len, n - len, ")");
}

/* The declaration of inner as t; base (or NULL) is written in place of
 * the innermost type's name (ptype's expanded struct). */
static void decl(sse__vtype *t, const char *inner, const char *base, char *out, size_t n,
                 int depth) {
  char in2[TN_MAX], tmp[TN_MAX];
  if (!t || depth > 32) {
    join(out, n, base ? base : "void", inner);
    return;
  }
  switch (t->kind) {
    case SSE__TY_PTR: {
      sse__vtype *to = t->target;
      bool paren = to && (to->kind == SSE__TY_FUNC || to->kind == SSE__TY_ARRAY);
      const char *star = t->ref == 1 ? "&" : t->ref == 2 ? "&&" : "*";
      /* a qualifier of the pointer itself is spaced: "int * const" */
      const char *sp = qualifier_first(inner) ? " " : "";
      snprintf(in2, sizeof in2, paren ? "(%s%s%s)" : "%s%s%s", star, sp, inner);
      decl(to, in2, base, out, n, depth + 1);
      return;
    }
    case SSE__TY_MEMPTR: {
      /* "int C::*", "int (C::*)(C * const)" */
      sse__vtype *to = t->target;
      char cn[TN_MAX];
      if (t->cls) base_name(t->cls, cn, sizeof cn);
      else snprintf(cn, sizeof cn, "?");
      bool paren = to && (to->kind == SSE__TY_FUNC || to->kind == SSE__TY_ARRAY);
      const char *sp = qualifier_first(inner) ? " " : "";
      snprintf(in2, sizeof in2, paren ? "(%s::*%s%s)" : "%s::*%s%s", cn, sp, inner);
      decl(to, in2, base, out, n, depth + 1);
      return;
    }
    case SSE__TY_ARRAY:
      if (t->count >= 0) snprintf(in2, sizeof in2, "%s[%lld]", inner, (long long)t->count);
      else snprintf(in2, sizeof in2, "%s[]", inner);
      decl(t->target, in2, base, out, n, depth + 1);
      return;
    case SSE__TY_FUNC:
      params(t, tmp, sizeof tmp);
      snprintf(in2, sizeof in2, "%s%s", inner, tmp);
      decl(t->target, in2, base, out, n, depth + 1);
      return;
    case SSE__TY_CONST: case SSE__TY_VOLATILE: {
      const char *q = t->kind == SSE__TY_CONST ? "const" : "volatile";
      sse__vtype *to = t->target;
      if (to && to->kind == SSE__TY_PTR) {
        snprintf(in2, sizeof in2, *inner ? "%s %s" : "%s%s", q, inner);
        /* the qualifier follows the '*': "int * const" */
        char in3[TN_MAX];
        snprintf(in3, sizeof in3, " %s", in2);
        decl(to, in3 + 1, base, out, n, depth + 1);
        return;
      }
      size_t len = (size_t)snprintf(out, n, "%s ", q);
      if (len < n) decl(to, inner, base, out + len, n - len, depth + 1);
      return;
    }
    case SSE__TY_TYPEDEF:
      if (!t->name || base) {
        decl(t->target, inner, base, out, n, depth + 1);
        return;
      }
      /* fall through */
    default:
      if (base) {
        join(out, n, base, inner);
        return;
      }
      base_name(t, tmp, sizeof tmp);
      join(out, n, tmp, inner);
  }
}

/* gdb's c_print_type looks the whole type up in the class's table
 * first: its qualifiers, then the name found ("const allocator_type"
 * for a reference gdb's table takes for one). */
static bool whole_found(sse__vtype *t, const char *inner, char *out, size_t n) {
  const char *r = subst && subst->tab ? sse__tdtab_find(subst->tab, t) : NULL;
  if (!r) return false;
  bool c = false, v = false;
  for (; t && (t->kind == SSE__TY_CONST || t->kind == SSE__TY_VOLATILE); t = t->target)
    *(t->kind == SSE__TY_CONST ? &c : &v) = true;
  snprintf(out, n, "%s%s%s%s%s", c ? "const " : "", v ? "volatile " : "", r, *inner ? " " : "",
           inner);
  return true;
}

void sse__type_name(sse__vtype *t, char *buf, size_t bufsz) {
  if (!bufsz || whole_found(t, "", buf, bufsz)) return;
  decl(t, "", NULL, buf, bufsz, 0);
}

void sse__type_decl(sse__vtype *t, const char *name, const char *base, char *buf, size_t bufsz) {
  if (!bufsz || (!base && whole_found(t, name, buf, bufsz))) return;
  decl(t, name, base, buf, bufsz, 0);
}

sse__vtype *sse__type_innermost(sse__vtype *t) {
  for (int i = 0; t && i < 64; i++) {
    if (t->kind != SSE__TY_PTR && t->kind != SSE__TY_ARRAY && t->kind != SSE__TY_FUNC &&
        t->kind != SSE__TY_MEMPTR &&
        t->kind != SSE__TY_CONST && t->kind != SSE__TY_VOLATILE)
      return t;
    if (!t->target) return NULL;
    t = t->target;
  }
  return t;
}
