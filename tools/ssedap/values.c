/* values.c — one value of a frame as the variables view shows it, over
 * sse's value handles: name, type, an expression for it, its text as gdb
 * prints it, and its children (array elements, struct and union members, a
 * pointer's pointee) counted without reading them and read a page at a
 * time. A handle is valid until the program resumes, as a
 * variablesReference is. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dap.h"

#define TEXT_MAX 65536

/* The first dimension of an array type ("struct point [12]" -> 12), or -1
 * for a type that is no array (a bracket inside parentheses belongs to a
 * function pointer's declarator). */
static long array_len(const char *type) {
  int depth = 0;
  for (const char *p = type; *p; p++) {
    if (*p == '(') depth++;
    else if (*p == ')') depth--;
    else if (*p == '[' && depth == 0) return strtol(p + 1, NULL, 10);
  }
  return -1;
}

/* Fill v's strings and counts from its handle (which v takes). */
static bool from_handle(dap_value *v, sse_value *h, sse_thread *t, size_t level) {
  char *buf = malloc(TEXT_MAX);
  if (!buf) return false;
  memset(v, 0, sizeof *v);
  v->h = h;
  v->thread = t;
  v->level = level;
  const char *type = sse_value_type(h);
  if (sse_value_format(h, 0, NULL, buf, TEXT_MAX, NULL)) snprintf(buf, TEXT_MAX, "<error>");
  /* "(struct point *) 0x7ffe..." shows as the address alone, as info
   * locals shows it. */
  size_t tl = strlen(type ? type : "");
  const char *text = buf;
  if (buf[0] == '(' && !strncmp(buf + 1, type, tl) && !strncmp(buf + 1 + tl, ") ", 2))
    text = buf + tl + 3;
  v->name = strdup(sse_value_name(h) ? sse_value_name(h) : "");
  v->expr = strdup(sse_value_expression(h) ? sse_value_expression(h) : v->name);
  v->type = strdup(type ? type : "");
  v->text = strdup(text);
  free(buf);
  size_t n = 0;
  if (sse_value_child_count(h, &n)) n = 0;
  if (array_len(v->type) >= 0) v->nindexed = n;
  else v->nnamed = n;
  return true;
}

bool dap_value_eval(sse_thread *t, size_t level, const char *name,
                    const char *expr, dap_value *out, char *err, size_t errsz) {
  sse_value *h = NULL;
  memset(out, 0, sizeof *out);
  sse_err e = sse_value_evaluate(t, level, expr, &h, err, errsz);
  if (e) {
    if (!err[0]) snprintf(err, errsz, "%s", sse_strerror(e));
    return false;
  }
  if (!from_handle(out, h, t, level)) {
    sse_value_free(h);
    return false;
  }
  if (strcmp(out->name, name)) {
    free(out->name);
    out->name = strdup(name);
  }
  return true;
}

bool dap_values_of_frame(sse_thread *t, size_t level, unsigned kinds,
                         dap_value **out, size_t *n, char *err, size_t errsz) {
  sse_value **hs = NULL;
  size_t nh = 0;
  sse_err e = sse_value_variables(t, level, kinds, &hs, &nh, err, errsz);
  *out = NULL;
  *n = 0;
  if (e == SSE_E_NOSYM) return true; /* no DWARF here: an empty scope */
  if (e) {
    if (!err[0]) snprintf(err, errsz, "%s", sse_strerror(e));
    return false;
  }
  *out = calloc(nh ? nh : 1, sizeof **out);
  for (size_t i = 0; *out && i < nh; i++)
    if (from_handle(&(*out)[*n], hs[i], t, level)) (*n)++, hs[i] = NULL;
  sse_values_free(hs, nh); /* the handles not taken */
  return *out != NULL;
}

bool dap_value_children(const dap_value *v, size_t start, size_t count,
                        dap_value **out, size_t *n, char *err, size_t errsz) {
  size_t total = v->nindexed + v->nnamed;
  sse_value **hs = NULL;
  size_t nh = 0;
  *out = NULL;
  *n = 0;
  sse_err e = v->h ? sse_value_children(v->h, start, count ? count : total, &hs, &nh) : SSE_E_INVAL;
  if (e) {
    snprintf(err, errsz, "%s", sse_strerror(e));
    return false;
  }
  *out = calloc(nh ? nh : 1, sizeof **out);
  for (size_t i = 0; *out && i < nh; i++)
    if (from_handle(&(*out)[*n], hs[i], v->thread, v->level)) (*n)++, hs[i] = NULL;
  sse_values_free(hs, nh);
  return *out != NULL;
}

bool dap_value_assign(dap_value *v, const char *expr, char *err, size_t errsz) {
  sse_err e = v->h ? sse_value_assign(v->h, expr, err, errsz) : SSE_E_INVAL;
  if (e) {
    if (!err[0]) snprintf(err, errsz, "%s", sse_strerror(e));
    return false;
  }
  dap_value nv;
  sse_value *h = v->h;
  v->h = NULL;
  char *name = strdup(v->name);
  dap_value_clear(v);
  if (!from_handle(&nv, h, v->thread, v->level)) {
    sse_value_free(h);
    free(name);
    return false;
  }
  free(nv.name);
  nv.name = name;
  *v = nv;
  return true;
}

bool dap_value_address(const dap_value *v, uint64_t *addr, size_t *size) {
  char buf[256], *sz = NULL;
  sse_value_info info;
  if (sse_evaluate(v->thread, v->level, v->expr, buf, sizeof buf, &info) || !info.has_address)
    return false;
  *addr = info.address;
  if (asprintf(&sz, "sizeof(%s)", v->expr) < 0) return false;
  sse_err e = sse_evaluate(v->thread, v->level, sz, buf, sizeof buf, NULL);
  free(sz);
  *size = e ? 0 : strtoul(buf, NULL, 10);
  return !e;
}

void dap_value_clear(dap_value *v) {
  sse_value_free(v->h);
  free(v->name);
  free(v->expr);
  free(v->type);
  free(v->text);
  sse_thread *t = v->thread;
  size_t level = v->level;
  memset(v, 0, sizeof *v);
  v->thread = t;
  v->level = level;
}

void dap_values_free(dap_value *v, size_t n) {
  for (size_t i = 0; v && i < n; i++) dap_value_clear(&v[i]);
  free(v);
}
