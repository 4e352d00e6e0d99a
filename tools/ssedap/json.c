/* json.c — jansson helpers: typed arguments with defaults, events, the
 * output event, addresses as DAP's memory references ("0x..."). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "dap.h"

const char *dap_jstr(json_t *obj, const char *key) {
  json_t *v = obj ? json_object_get(obj, key) : NULL;
  return json_is_string(v) ? json_string_value(v) : NULL;
}

long long dap_jint(json_t *obj, const char *key, long long def) {
  json_t *v = obj ? json_object_get(obj, key) : NULL;
  if (json_is_integer(v)) return json_integer_value(v);
  if (json_is_real(v)) return (long long)json_real_value(v);
  return def;
}

bool dap_jbool(json_t *obj, const char *key, bool def) {
  json_t *v = obj ? json_object_get(obj, key) : NULL;
  return json_is_boolean(v) ? json_is_true(v) : def;
}

bool dap_jhas(json_t *obj, const char *key) {
  json_t *v = obj ? json_object_get(obj, key) : NULL;
  return v && !json_is_null(v);
}

void dap_event(const char *name, json_t *body) {
  json_t *m = json_pack("{s:s, s:s}", "type", "event", "event", name);
  if (body) json_object_set_new(m, "body", body);
  dap_send(m);
}

void dap_output(const char *category, const char *text) {
  dap_event("output", json_pack("{s:s, s:s}", "category", category, "output",
                                text));
}

void dap_console(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = NULL;
  if (vasprintf(&s, fmt, ap) >= 0) dap_output("console", s);
  va_end(ap);
  free(s);
}

json_t *dap_jaddr(uint64_t addr) {
  char b[32];
  snprintf(b, sizeof b, "0x%llx", (unsigned long long)addr);
  return json_string(b);
}

bool dap_parse_addr(const char *s, uint64_t *out) {
  if (!s || !*s) return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 0);
  if (errno || *end) return false;
  *out = v;
  return true;
}
