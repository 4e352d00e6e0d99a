/* gdb's whatis and ptype for C: the type of a type name or of an
 * expression (evaluated without side effects: `ptype i = 5` assigns
 * nothing); whatis names it (a typedef name given as such is looked
 * through once), ptype spells out the struct, union or enum it is made
 * of, members one level deep ("struct point where;"), anonymous ones in
 * place, bitfields as "unsigned int a : 3;", enumerators with " = N"
 * where the value does not follow on. */
#include <ctype.h>
#include <dwarf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "values/values.h"

#define PT_MAX 65536
#define PT_DEPTH 16

static int body(sse__vctx *c, sse__vtype *t, int level, sse__out *o);

void sse__ptype_spaces(sse__out *o, int n) {
  for (int i = 0; i < n; i++) sse__out_puts(o, " ");
}

static void enum_body(sse__vtype *t, sse__out *o) {
  sse__out_puts(o, "{");
  int64_t next = 0;
  for (size_t i = 0; i < t->n; i++) {
    sse__out_printf(o, "%s%s", i ? ", " : "", t->enums[i].name ? t->enums[i].name : "?");
    if (t->enums[i].value != next) sse__out_printf(o, " = %lld", (long long)t->enums[i].value);
    next = t->enums[i].value + 1;
  }
  sse__out_puts(o, "}");
}

/* One member's declaration at indentation level. */
int sse__ptype_member(sse__vctx *c, const sse__member *m, int level, sse__out *o) {
  sse__vtype *in = sse__type_innermost(m->type);
  sse__vtype *s = sse__type_strip(in);
  char *base = NULL;
  if (in && s == in && !s->name &&
      (s->kind == SSE__TY_STRUCT || s->kind == SSE__TY_UNION || s->kind == SSE__TY_ENUM)) {
    /* an anonymous type: spelt out here */
    sse__out sub = {.buf = malloc(PT_MAX), .cap = PT_MAX};
    if (!sub.buf) return sse__verr(c, "virtual memory exhausted.");
    sub.buf[0] = 0;
    if (body(c, s, level, &sub)) {
      free(sub.buf);
      return -1;
    }
    base = sub.buf;
  }
  char *d = malloc(PT_MAX);
  if (!d) {
    free(base);
    return sse__verr(c, "virtual memory exhausted.");
  }
  sse__type_decl(m->type, m->name ? m->name : "", base, d, PT_MAX);
  size_t len = strlen(d);
  if (len && d[len - 1] == ' ') d[len - 1] = 0; /* an anonymous member: "union {...};" */
  sse__ptype_spaces(o, level);
  sse__out_puts(o, d);
  if (m->bit_size) sse__out_printf(o, " : %u", m->bit_size);
  sse__out_puts(o, ";\n");
  free(d);
  free(base);
  return 0;
}

static int body(sse__vctx *c, sse__vtype *t, int level, sse__out *o) {
  if (level > 4 * PT_DEPTH) return sse__verr(c, "Type too deeply nested.");
  int rc = t->kind == SSE__TY_STRUCT ? sse__ptype_class(c, t, level, o) : 1;
  if (rc <= 0) return rc;
  const char *kw = t->kind == SSE__TY_STRUCT ? "struct" : t->kind == SSE__TY_UNION ? "union" : "enum";
  sse__out_printf(o, "%s %s%s%s", kw, t->kind == SSE__TY_ENUM && t->enum_class ? "class " : "",
                  t->name ? t->name : "", t->name ? " " : "");
  if (t->kind == SSE__TY_ENUM) {
    /* C++: gdb's "enum class NAME : int {...}", the underlying type when
     * it has a name */
    sse__vtype *u = t->cxx && t->target ? sse__type_strip(t->target) : NULL;
    if (u && u->name) sse__out_printf(o, ": %s ", u->name);
    enum_body(t, o);
    return 0;
  }
  sse__out_puts(o, "{\n");
  if (!t->complete) {
    sse__ptype_spaces(o, level + 4);
    sse__out_puts(o, "<incomplete type>\n");
  }
  for (size_t i = 0; t->complete && i < t->n; i++)
    if (sse__ptype_member(c, &t->members[i], level + 4, o)) return -1;
  sse__ptype_spaces(o, level);
  sse__out_puts(o, "}");
  return 0;
}

/* ptype of t: typedefs looked through, the innermost struct spelt out. */
static int ptype_of(sse__vctx *c, sse__vtype *t, sse__out *o) {
  while (t && t->kind == SSE__TY_TYPEDEF) t = t->target;
  sse__vtype *s = sse__type_strip(sse__type_innermost(t));
  char *base = NULL;
  if (s && (s->kind == SSE__TY_STRUCT || s->kind == SSE__TY_UNION || s->kind == SSE__TY_ENUM)) {
    sse__out sub = {.buf = malloc(PT_MAX), .cap = PT_MAX};
    if (!sub.buf) return sse__verr(c, "virtual memory exhausted.");
    sub.buf[0] = 0;
    if (body(c, s, 0, &sub)) {
      free(sub.buf);
      return -1;
    }
    base = sub.buf;
  } else if (s) {
    char tn[512];
    sse__type_name(s, tn, sizeof tn);
    base = strdup(tn);
  }
  char *d = malloc(PT_MAX);
  if (d) sse__type_decl(t, "", base, d, PT_MAX);
  if (d) sse__out_puts(o, d);
  free(d);
  free(base);
  return d ? 0 : sse__verr(c, "virtual memory exhausted.");
}

/* The whole of what as a type name, or NULL (c->err set when it named
 * an unknown struct, union or enum). */
static sse__vtype *type_named(sse__vctx *c, const char *what) {
  const char *p = what;
  sse__vtype *t = sse__typename_parse(c, &p);
  if (!t) return NULL;
  while (*p == ' ' || *p == '\t') p++;
  return *p ? NULL : t;
}

/* C++: what names a namespace (gdb's "type = namespace ns"). */
static bool namespace_named(sse__vctx *c, const char *what, bool ptype, sse__out *o) {
  Dwarf_Die d;
  if (!strchr(what, ':') && !isalpha((unsigned char)what[0]) && what[0] != '_') return false;
  if (!sse__scope_find_type(c, DW_TAG_namespace, what, &d) || dwarf_tag(&d) != DW_TAG_namespace) {
    c->err[0] = 0;
    return false;
  }
  sse__out_printf(o, "%s%s", ptype ? "namespace " : "", what);
  return true;
}

int sse__describe_type(sse__vctx *c, const char *what, bool ptype, sse__out *o) {
  sse__vtype *t = type_named(c, what);
  if (c->err[0]) return -1;
  if (!t && namespace_named(c, what, ptype, o)) return 0;
  bool given = t != NULL;
  if (!t) {
    sse__expr *e = sse__expr_parse(c, what);
    sse__value v;
    c->dry = true;
    int rc = !e || sse__expr_eval(c, e, &v);
    c->dry = false;
    if (rc) return -1;
    t = v.type;
  }
  if (ptype) return ptype_of(c, t, o);
  if (given && t->kind == SSE__TY_TYPEDEF && t->target) t = t->target;
  char tn[512];
  sse__type_name(t, tn, sizeof tn);
  sse__out_puts(o, tn);
  return 0;
}
