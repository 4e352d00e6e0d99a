/* variables.c — variablesReference: a table of the scopes and expandable
 * values handed out since the last resume (the protocol keeps a reference
 * valid until the program runs), variables with start/count paging,
 * setVariable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dap.h"

typedef struct ref {
  bool scope;
  sse_thread *thread;
  size_t level;
  unsigned kinds; /* scope: SSE_VARS_*, 0 registers */
  dap_value value;
  dap_value *pre; /* scope: values read at the stop, not served yet */
  size_t npre;
} ref;

static ref *refs;
static size_t nrefs, caprefs;
static unsigned refs_gen;
/* References of a stop count from base + 1; each stop's base is new, so a
 * reference kept past a resume names nothing rather than another value. */
#define REFS_PER_STOP (1ll << 24)
static long long base;

void dap_refs_reset(void) {
  for (size_t i = 0; i < nrefs; i++) {
    dap_value_clear(&refs[i].value);
    dap_values_free(refs[i].pre, refs[i].npre);
  }
  if (nrefs) base += REFS_PER_STOP;
  nrefs = 0;
  refs_gen = S.gen;
}

static long long add_ref(ref r) {
  if (nrefs + 1 >= (size_t)REFS_PER_STOP) return 0;
  if (nrefs == caprefs) {
    size_t cap = caprefs ? caprefs * 2 : 64;
    ref *nr = realloc(refs, cap * sizeof *nr);
    if (!nr) return 0;
    refs = nr;
    caprefs = cap;
  }
  refs[nrefs] = r;
  return base + (long long)++nrefs;
}

long long dap_ref_scope(sse_thread *t, size_t level, unsigned kinds) {
  for (size_t i = 0; i < nrefs; i++)
    if (refs[i].scope && refs[i].thread == t && refs[i].level == level && refs[i].kinds == kinds)
      return base + (long long)i + 1;
  return add_ref((ref){.scope = true, .thread = t, .level = level, .kinds = kinds});
}

void dap_refs_prefill(sse_thread *t, size_t level, unsigned kinds, dap_value *vals, size_t n) {
  if (S.gen != refs_gen) dap_refs_reset();
  long long id = dap_ref_scope(t, level, kinds);
  if (!id) {
    dap_values_free(vals, n);
    return;
  }
  ref *r = &refs[id - base - 1];
  dap_values_free(r->pre, r->npre);
  r->pre = vals ? vals : calloc(1, sizeof *vals);
  r->npre = n;
}

long long dap_ref_value(dap_value *v) {
  if (!v->nindexed && !v->nnamed) return 0;
  dap_value c = {v->h, strdup(v->name), strdup(v->expr), strdup(v->type), strdup(v->text),
                 v->thread, v->level, v->nindexed, v->nnamed};
  v->h = NULL;
  return add_ref((ref){.thread = v->thread, .level = v->level, .value = c});
}

json_t *dap_value_json(dap_value *v) {
  json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:I}", "name", v->name, "value", v->text,
                        "type", v->type, "evaluateName", v->expr, "variablesReference",
                        (json_int_t)dap_ref_value(v));
  if (v->nindexed) json_object_set_new(j, "indexedVariables", json_integer((json_int_t)v->nindexed));
  if (v->nnamed) json_object_set_new(j, "namedVariables", json_integer((json_int_t)v->nnamed));
  return j;
}

static ref *find_ref(json_t *args, char *err, size_t errsz) {
  long long id = dap_jint(args, "variablesReference", 0);
  if (S.gen != refs_gen) dap_refs_reset();
  if (id > base && id - base <= (long long)nrefs) return &refs[id - base - 1];
  snprintf(err, errsz, "no variablesReference %lld at this stop", id);
  return NULL;
}

static const char *const reg_names[] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp",
                                        "rsp", "r8",  "r9",  "r10", "r11", "r12", "r13",
                                        "r14", "r15", "rip", "eflags", NULL};

static bool registers(ref *r, json_t *arr, char *err, size_t errsz) {
  for (size_t i = 0; reg_names[i]; i++) {
    char expr[16], buf[128];
    snprintf(expr, sizeof expr, "$%s", reg_names[i]);
    sse_err e = sse_evaluate_format(r->thread, r->level, expr, 'x', buf, sizeof buf, NULL);
    json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:i}", "name", reg_names[i],
                                         "value", e ? "<not saved>" : buf, "type", "long",
                                         "evaluateName", expr, "variablesReference", 0));
  }
  return true;
}

bool dap_variables_cached(json_t *args) {
  long long id = dap_jint(args, "variablesReference", 0);
  if (S.gen != refs_gen || id <= base || id - base > (long long)nrefs) return false;
  return refs[id - base - 1].pre != NULL;
}

bool dap_variables(json_t *args, json_t *body, char *err, size_t errsz) {
  if (!dap_need_stopped(err, errsz)) return false;
  ref *r = find_ref(args, err, errsz);
  if (!r) return false;
  json_t *arr = json_array();
  json_object_set_new(body, "variables", arr);
  if (r->scope && !r->kinds) return registers(r, arr, err, errsz);
  dap_value *vals = NULL;
  size_t n = 0;
  long long start = dap_jint(args, "start", 0), count = dap_jint(args, "count", 0);
  bool ok;
  if (r->scope && r->pre) { /* read at the stop: served once, then read again */
    vals = r->pre;
    n = r->npre;
    r->pre = NULL;
    r->npre = 0;
    ok = true;
  } else if (r->scope) {
    ok = dap_values_of_frame(r->thread, r->level, r->kinds, &vals, &n, err, errsz);
  } else {
    const char *filter = dap_jstr(args, "filter");
    if (filter && !strcmp(filter, "indexed") && !r->value.nindexed) return true;
    if (filter && !strcmp(filter, "named") && r->value.nindexed) return true;
    ok = dap_value_children(&r->value, start < 0 ? 0 : (size_t)start,
                            count < 0 ? 0 : (size_t)count, &vals, &n, err, errsz);
  }
  if (!ok) return false;
  /* dap_value_json may grow the table: r is not used below. */
  bool hex = dap_jbool(json_object_get(args, "format"), "hex", false);
  for (size_t i = 0; i < n; i++) {
    char buf[4096];
    if (hex && vals[i].h && !sse_value_format(vals[i].h, 'x', NULL, buf, sizeof buf, NULL)) {
      free(vals[i].text);
      vals[i].text = strdup(buf);
    }
    json_array_append_new(arr, dap_value_json(&vals[i]));
  }
  dap_values_free(vals, n);
  return true;
}

bool dap_ref_expr(long long id, const char *name, char **expr, sse_thread **t,
                  size_t *level, char *err, size_t errsz) {
  if (S.gen != refs_gen) dap_refs_reset();
  if (id <= base || id - base > (long long)nrefs) {
    snprintf(err, errsz, "no variablesReference %lld at this stop", id);
    return false;
  }
  ref *r = &refs[id - base - 1];
  *t = r->thread;
  *level = r->level;
  *expr = NULL;
  if (r->scope) {
    *expr = strdup(name);
    return true;
  }
  dap_value *kids = NULL;
  size_t n = 0;
  if (!dap_value_children(&r->value, 0, 0, &kids, &n, err, errsz)) return false;
  for (size_t i = 0; i < n && !*expr; i++)
    if (!strcmp(kids[i].name, name)) *expr = strdup(kids[i].expr);
  dap_values_free(kids, n);
  if (!*expr) snprintf(err, errsz, "no variable \"%s\" there", name);
  return *expr != NULL;
}

bool dap_set_variable(json_t *args, json_t *body, char *err, size_t errsz) {
  if (!dap_need_stopped(err, errsz)) return false;
  ref *r = find_ref(args, err, errsz);
  const char *name = dap_jstr(args, "name"), *value = dap_jstr(args, "value");
  if (!r) return false;
  if (!name || !value) {
    snprintf(err, errsz, "setVariable: \"name\" and \"value\" are required");
    return false;
  }
  sse_thread *t;
  size_t level;
  char *expr = NULL;
  if (!dap_ref_expr(dap_jint(args, "variablesReference", 0), name, &expr, &t, &level, err, errsz))
    return false;
  dap_value v;
  bool ok = dap_value_eval(t, level, name, expr, &v, err, errsz) &&
            dap_value_assign(&v, value, err, errsz);
  free(expr);
  if (!ok) {
    dap_value_clear(&v);
    return false;
  }
  json_t *j = dap_value_json(&v);
  json_object_update(body, j);
  json_decref(j);
  json_object_del(body, "name");
  json_object_del(body, "evaluateName");
  dap_value_clear(&v);
  return true;
}
