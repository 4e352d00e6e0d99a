/* values.c — one value of a frame as the variables view shows it: name,
 * type, text, an expression for it, and its children (array elements,
 * struct and union members, a pointer's pointee), each read only when
 * asked. Built on sse_frame_variables() and sse_evaluate(): a child is the
 * parent's expression with "[i]", ".member" or "*" added, evaluated in the
 * same frame; a struct's member names are read from its gdb text. */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dap.h"

#define TEXT_MAX 65536

/* The first dimension of an array type ("struct point [12]" -> 12,
 * "int [2][3]" -> 2), or -1 for a type that is no array (a bracket inside
 * parentheses belongs to a function pointer's declarator). */
static long array_len(const char *type) {
  int depth = 0;
  for (const char *p = type; *p; p++) {
    if (*p == '(') depth++;
    else if (*p == ')') depth--;
    else if (*p == '[' && depth == 0) return strtol(p + 1, NULL, 10);
  }
  return -1;
}

static bool is_pointer(const char *type, const char *text) {
  size_t n = strlen(type);
  while (n && type[n - 1] == ' ') n--;
  if (!n || type[n - 1] != '*' || strchr(type, '(')) return false;
  if (strstr(type, "char *") || strstr(type, "void *")) return false;
  return strcmp(text, "0x0") && !strstr(text, ") 0x0") && text[0] != '<';
}

/* Calls fn for each member name of a struct's text "{x = 1, y = {...}}". */
static size_t members(const char *text, void (*fn)(const char *, size_t, void *), void *arg) {
  if (text[0] != '{') return 0;
  size_t count = 0;
  int depth = 0;
  char quote = 0;
  for (const char *p = text; *p; p++) {
    if (quote) {
      if (*p == '\\' && p[1]) p++;
      else if (*p == quote) quote = 0;
      continue;
    }
    if (*p == '"' || *p == '\'') quote = *p;
    else if (*p == '{') depth++;
    else if (*p == '}') depth--;
    if (depth == 1 && (*p == '{' || (*p == ',' && p[1] == ' '))) {
      const char *q = p + (*p == '{' ? 1 : 2), *s = q;
      while (isalnum((unsigned char)*q) || *q == '_') q++;
      if (q > s && !strncmp(q, " = ", 3)) {
        if (fn) fn(s, (size_t)(q - s), arg);
        count++;
      }
    }
  }
  return count;
}

static void classify(dap_value *v) {
  v->nindexed = v->nnamed = 0;
  long n = array_len(v->type);
  if (n >= 0) v->nindexed = (size_t)n;
  else if (is_pointer(v->type, v->text)) v->nnamed = 1;
  else v->nnamed = members(v->text, NULL, NULL);
}

bool dap_value_eval(sse_thread *t, size_t level, const char *name,
                    const char *expr, dap_value *out, char *err, size_t errsz) {
  char *buf = malloc(TEXT_MAX);
  sse_value_info info;
  memset(out, 0, sizeof *out);
  sse_err e = buf ? sse_evaluate(t, level, expr, buf, TEXT_MAX, &info) : SSE_E_NOMEM;
  if (e) {
    snprintf(err, errsz, "%s", buf ? buf : sse_strerror(e));
    free(buf);
    return false;
  }
  /* "(struct point *) 0x7ffe..." shows as the address alone, as
   * sse_frame_variables() shows it. */
  size_t tl = strlen(info.type);
  const char *text = buf;
  if (buf[0] == '(' && !strncmp(buf + 1, info.type, tl) && !strncmp(buf + 1 + tl, ") ", 2))
    text = buf + tl + 3;
  *out = (dap_value){.name = strdup(name), .expr = strdup(expr), .type = strdup(info.type),
                     .text = strdup(text), .thread = t, .level = level,
                     .address = info.address, .has_address = info.has_address};
  free(buf);
  classify(out);
  return true;
}

bool dap_values_of_frame(sse_thread *t, size_t level, unsigned kinds,
                         dap_value **out, size_t *n, char *err, size_t errsz) {
  sse_variable *vars = NULL;
  size_t nv = 0;
  sse_err e = sse_frame_variables(t, level, kinds, &vars, &nv, err, errsz);
  if (e == SSE_E_NOSYM) { /* no DWARF here: an empty scope */
    *out = NULL;
    *n = 0;
    return true;
  }
  if (e) {
    if (!err[0]) snprintf(err, errsz, "%s", sse_strerror(e));
    return false;
  }
  *out = calloc(nv ? nv : 1, sizeof **out);
  for (size_t i = 0; i < nv; i++) {
    dap_value *v = &(*out)[i];
    *v = (dap_value){.name = strdup(vars[i].name), .expr = strdup(vars[i].name),
                     .type = strdup(vars[i].type), .text = strdup(vars[i].value),
                     .thread = t, .level = level};
    classify(v);
  }
  *n = nv;
  sse_variables_free(vars, nv);
  return true;
}

typedef struct member_acc {
  const dap_value *parent;
  size_t index, start, count, filled;
  dap_value *out;
} member_acc;

/* "E.m", with E in parentheses when it starts with a unary operator. */
static char *child_expr(const char *e, const char *sep, const char *tail) {
  char *s = NULL;
  bool wrap = e[0] == '*' || e[0] == '&';
  if (asprintf(&s, wrap ? "(%s)%s%s" : "%s%s%s", e, sep, tail) < 0) return NULL;
  return s;
}

static void member_child(const char *name, size_t len, void *arg) {
  member_acc *a = arg;
  size_t i = a->index++;
  if (i < a->start || (a->count && i >= a->start + a->count)) return;
  char *m = strndup(name, len), *expr = child_expr(a->parent->expr, ".", m), err[512];
  if (!dap_value_eval(a->parent->thread, a->parent->level, m, expr, &a->out[a->filled], err,
                      sizeof err))
    a->out[a->filled] = (dap_value){.name = strdup(m), .expr = strdup(expr),
                                    .type = strdup(""), .text = strdup(err)};
  a->filled++;
  free(m);
  free(expr);
}

bool dap_value_children(const dap_value *v, size_t start, size_t count,
                        dap_value **out, size_t *n, char *err, size_t errsz) {
  size_t total = v->nindexed + v->nnamed;
  size_t end = count && start + count < total ? start + count : total;
  *n = 0;
  *out = calloc(end > start ? end - start : 1, sizeof **out);
  if (!*out) return false;
  if (v->nindexed) {
    for (size_t i = start; i < end; i++) {
      char name[32], idx[40];
      snprintf(name, sizeof name, "[%zu]", i);
      snprintf(idx, sizeof idx, "[%zu]", i);
      char *expr = child_expr(v->expr, "", idx);
      if (!dap_value_eval(v->thread, v->level, name, expr, &(*out)[*n], err, errsz))
        (*out)[*n] = (dap_value){.name = strdup(name), .expr = strdup(expr),
                                 .type = strdup(""), .text = strdup(err)};
      (*n)++;
      free(expr);
    }
  } else if (array_len(v->type) < 0 && v->text[0] != '{' && v->nnamed == 1) {
    char *name = NULL, *expr = NULL;
    if (asprintf(&name, "*%s", v->name) < 0 || asprintf(&expr, "*%s", v->expr) < 0) return false;
    if (start == 0 && dap_value_eval(v->thread, v->level, name, expr, &(*out)[0], err, errsz))
      *n = 1;
    free(name);
    free(expr);
  } else {
    member_acc a = {v, 0, start, count, 0, *out};
    members(v->text, member_child, &a);
    *n = a.filled;
  }
  return true;
}

void dap_value_clear(dap_value *v) {
  free(v->name);
  free(v->expr);
  free(v->type);
  free(v->text);
  memset(v, 0, sizeof *v);
}

void dap_values_free(dap_value *v, size_t n) {
  for (size_t i = 0; v && i < n; i++) dap_value_clear(&v[i]);
  free(v);
}
