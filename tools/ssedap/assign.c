/* assign.c — setVariable's write: the new value, a C expression evaluated
 * in the value's frame, converted to the value's type (an integer, enum,
 * char or pointer takes the expression's bits truncated to its size, a
 * float or double its number) and written to the value's memory. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dap.h"

static bool eval_text(const dap_value *v, const char *expr, int fmt, char *buf,
                      size_t n, char *err, size_t errsz) {
  sse_err e = sse_evaluate_format(v->thread, v->level, expr, fmt, buf, n, NULL);
  if (e) snprintf(err, errsz, "%s", buf);
  return !e;
}

bool dap_value_assign(dap_value *v, const char *expr, char *err, size_t errsz) {
  if (!v->has_address) {
    snprintf(err, errsz, "Left operand of assignment is not an lvalue.");
    return false;
  }
  if (v->nindexed || (v->text[0] == '{')) {
    snprintf(err, errsz, "only scalars and pointers can be set");
    return false;
  }
  char buf[512], *sz = NULL;
  if (asprintf(&sz, "sizeof(%s)", v->expr) < 0) return false;
  bool ok = eval_text(v, sz, 'd', buf, sizeof buf, err, errsz);
  free(sz);
  if (!ok) return false;
  size_t size = strtoul(buf, NULL, 10);
  uint8_t bytes[8];
  if (!strcmp(v->type, "double") || !strcmp(v->type, "float")) {
    if (!eval_text(v, expr, 0, buf, sizeof buf, err, errsz)) return false;
    double d = strtod(buf, NULL);
    float f = (float)d;
    if (size == sizeof d) memcpy(bytes, &d, sizeof d);
    else memcpy(bytes, &f, sizeof f);
  } else {
    if (size == 0 || size > 8 || !eval_text(v, expr, 'x', buf, sizeof buf, err, errsz)) {
      if (size == 0 || size > 8) snprintf(err, errsz, "a value of %zu bytes cannot be set", size);
      return false;
    }
    unsigned long long x = strtoull(buf, NULL, 16);
    for (size_t i = 0; i < 8; i++) bytes[i] = (uint8_t)(x >> (8 * i));
  }
  sse_err e = sse_write_memory(S.proc, v->address, bytes, size, NULL);
  if (e) {
    snprintf(err, errsz, "Cannot access memory at address 0x%llx", (unsigned long long)v->address);
    return false;
  }
  dap_value nv;
  if (!dap_value_eval(v->thread, v->level, v->name, v->expr, &nv, err, errsz)) return false;
  dap_value_clear(v);
  *v = nv;
  return true;
}
