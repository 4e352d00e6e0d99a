/* breakpoints.c — setBreakpoints (per source, with condition, hitCondition
 * and logMessage), setFunctionBreakpoints (pending until a library
 * defines the function), setInstructionBreakpoints, dataBreakpointInfo and
 * setDataBreakpoints (hardware watchpoints), setExceptionBreakpoints (C++
 * throw and catch: one catchpoint of the engine's), breakpointLocations. At a hit: the condition, the hit count and a
 * logpoint's message, decided on the main thread from the stop. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dap.h"

typedef enum { BK_LINE, BK_FUNC, BK_INSN, BK_DATA } bkind;

typedef struct dbp {
  int id;          /* the client's */
  bkind kind;
  char *path;      /* BK_LINE */
  int line;
  char *what;      /* function name, instruction address, dataId */
  char *cond, *hit, *log;
  int access;      /* BK_DATA: SSE_WATCH_* */
  int sse_id;      /* 0: not in the process */
  bool lib_cond;   /* the engine tests cond at each hit (sse_break_condition) */
  bool verified;
  unsigned hits;   /* hits whose condition held */
  char message[256];
} dbp;

static dbp *bps;
static size_t nbps;
static int next_id = 1;

static char *dup_or_null(const char *s) { return s && *s ? strdup(s) : NULL; }

static void bp_free(dbp *b) {
  free(b->path);
  free(b->what);
  free(b->cond);
  free(b->hit);
  free(b->log);
}

static bool info_of(int sse_id, sse_breakpoint_info *out) {
  size_t n = 0;
  if (!S.proc || sse_break_list(S.proc, NULL, 0, &n) || !n) return false;
  sse_breakpoint_info *all = calloc(n, sizeof *all);
  bool found = false;
  if (all && !sse_break_list(S.proc, all, n, &n))
    for (size_t i = 0; i < n && !found; i++)
      if (all[i].id == sse_id) {
        *out = all[i];
        found = true;
      }
  free(all);
  return found;
}

/* Put b into the process (b->sse_id, verified, message). */
static void insert(dbp *b) {
  sse_err e = SSE_E_EXITED;
  b->sse_id = 0;
  uint64_t addr = 0;
  if (S.proc && !sse_process_exited(S.proc)) switch (b->kind) {
    case BK_LINE: e = sse_break_line(S.proc, b->path, b->line, &b->sse_id); break;
    case BK_FUNC: e = sse_break_function(S.proc, b->what, true, &b->sse_id); break;
    case BK_INSN:
      e = dap_parse_addr(b->what, &addr) ? sse_break_address(S.proc, addr, &b->sse_id) : SSE_E_INVAL;
      break;
    case BK_DATA: {
      unsigned long long a = 0;
      int len = 0;
      e = sscanf(b->what, "%llx/%d", &a, &len) == 2 ? sse_watch(S.proc, a, len, b->access, &b->sse_id)
                                                   : SSE_E_INVAL;
      break;
    }
    }
  sse_breakpoint_info info;
  b->verified = !e && info_of(b->sse_id, &info) && !info.pending;
  if (e) b->sse_id = 0;
  /* A condition the engine takes is tested on the tracer thread at the
   * hit: a false one costs no stop here. One it refuses (a pending
   * breakpoint has no scope yet) is tested here at each hit. */
  b->lib_cond = !e && b->cond && !sse_break_condition(S.proc, b->sse_id, b->cond, NULL, 0);
  snprintf(b->message, sizeof b->message, "%s", e ? sse_strerror(e) : b->verified ? "" : "pending: not loaded yet");
  if (b->verified && b->kind != BK_DATA && info.naddrs) {
    sse_location loc;
    if (!sse_lookup(S.proc, info.addrs[0], &loc) && loc.line > 0 && b->kind == BK_LINE)
      b->line = loc.line;
  }
}

static json_t *bp_json(const dbp *b) {
  json_t *j = json_pack("{s:i, s:b}", "id", b->id, "verified", b->verified);
  if (b->kind == BK_LINE) {
    const char *slash = strrchr(b->path, '/');
    json_object_set_new(j, "line", json_integer(b->line));
    json_object_set_new(j, "source", json_pack("{s:s, s:s}", "name", slash ? slash + 1 : b->path,
                                               "path", b->path));
  }
  if (b->message[0]) json_object_set_new(j, "message", json_string(b->message));
  if (b->kind == BK_INSN) json_object_set_new(j, "instructionReference", json_string(b->what));
  return j;
}

/* Remove the breakpoints of kind (and path) from the table and process. */
static void clear_kind(bkind kind, const char *path) {
  size_t k = 0;
  for (size_t i = 0; i < nbps; i++) {
    dbp *b = &bps[i];
    if (b->kind == kind && (!path || !strcmp(b->path, path))) {
      if (b->sse_id && S.proc && !sse_process_exited(S.proc)) sse_break_remove(S.proc, b->sse_id);
      bp_free(b);
    } else {
      bps[k++] = *b;
    }
  }
  nbps = k;
}

static dbp *add(bkind kind, json_t *spec) {
  dbp *nb = realloc(bps, (nbps + 1) * sizeof *nb);
  if (!nb) return NULL;
  bps = nb;
  dbp *b = &bps[nbps++];
  *b = (dbp){.id = next_id++, .kind = kind};
  b->cond = dup_or_null(dap_jstr(spec, "condition"));
  b->hit = dup_or_null(dap_jstr(spec, "hitCondition"));
  b->log = dup_or_null(dap_jstr(spec, "logMessage"));
  return b;
}

/* Add one breakpoint per element of the array args[key], made by fill. */
static bool set_all(json_t *args, const char *key, bkind kind, const char *path,
                    bool (*fill)(dbp *, json_t *), json_t *body, char *err, size_t errsz) {
  json_t *list = json_object_get(args, key);
  if (list && !json_is_array(list)) {
    snprintf(err, errsz, "\"%s\" must be an array", key);
    return false;
  }
  bool held = dap_hold();
  if (S.running) {
    snprintf(err, errsz, "the program is running: breakpoints change while it is stopped");
    return false;
  }
  clear_kind(kind, path);
  json_t *out = json_array();
  size_t i;
  json_t *spec;
  json_array_foreach(list, i, spec) {
    dbp *b = add(kind, spec);
    if (!b) break;
    if (path) b->path = strdup(path);
    if (!fill(b, spec)) {
      b->verified = false;
      snprintf(b->message, sizeof b->message, "malformed breakpoint");
    } else {
      insert(b);
    }
    json_array_append_new(out, bp_json(b));
  }
  json_object_set_new(body, "breakpoints", out);
  dap_release(held);
  return true;
}

static bool fill_line(dbp *b, json_t *s) {
  b->line = (int)dap_jint(s, "line", 0);
  return b->line > 0;
}
static bool fill_func(dbp *b, json_t *s) {
  b->what = dup_or_null(dap_jstr(s, "name"));
  return b->what != NULL;
}
static bool fill_insn(dbp *b, json_t *s) {
  uint64_t a;
  if (!dap_parse_addr(dap_jstr(s, "instructionReference"), &a)) return false;
  a += (uint64_t)dap_jint(s, "offset", 0);
  if (asprintf(&b->what, "0x%llx", (unsigned long long)a) < 0) b->what = NULL;
  return b->what != NULL;
}
static bool fill_data(dbp *b, json_t *s) {
  const char *acc = dap_jstr(s, "accessType");
  b->access = acc && strcmp(acc, "write") ? SSE_WATCH_READWRITE : SSE_WATCH_WRITE;
  b->what = dup_or_null(dap_jstr(s, "dataId"));
  return b->what != NULL;
}

bool dap_set_breakpoints(json_t *args, json_t *body, char *err, size_t errsz) {
  const char *path = dap_jstr(json_object_get(args, "source"), "path");
  if (!path) {
    snprintf(err, errsz, "setBreakpoints: a \"source\" with a \"path\" is required");
    return false;
  }
  if (!dap_need_proc(err, errsz)) return false;
  return set_all(args, "breakpoints", BK_LINE, path, fill_line, body, err, errsz);
}

bool dap_set_function_breakpoints(json_t *args, json_t *body, char *err, size_t errsz) {
  return dap_need_proc(err, errsz) &&
         set_all(args, "breakpoints", BK_FUNC, NULL, fill_func, body, err, errsz);
}

bool dap_set_instruction_breakpoints(json_t *args, json_t *body, char *err, size_t errsz) {
  return dap_need_proc(err, errsz) &&
         set_all(args, "breakpoints", BK_INSN, NULL, fill_insn, body, err, errsz);
}

bool dap_set_data_breakpoints(json_t *args, json_t *body, char *err, size_t errsz) {
  return dap_need_proc(err, errsz) &&
         set_all(args, "breakpoints", BK_DATA, NULL, fill_data, body, err, errsz);
}

/* The exception filters: the kinds asked for (SSE_CATCH_*) and the one
 * catchpoint made for them (0: none). cpp_throw is lldb-dap's: a throw and
 * a rethrow (`throw;`). */
static int exc_kinds, exc_id;

/* Put the catchpoint for exc_kinds into the process (the old one goes). */
static sse_err exc_insert(void) {
  exc_id = 0;
  if (!exc_kinds) return 0;
  if (!S.proc || sse_process_exited(S.proc)) return SSE_E_EXITED;
  sse_err e = sse_catch(S.proc, exc_kinds, &exc_id);
  if (e) exc_id = 0;
  return e;
}

bool dap_exc_stop(const sse_stop *st) {
  return exc_id && st->reason == SSE_STOP_BREAKPOINT && st->breakpoint_id == exc_id;
}

bool dap_set_exception_breakpoints(json_t *args, json_t *body, char *err, size_t errsz) {
  json_t *filters = json_object_get(args, "filters");
  if (filters && !json_is_array(filters)) {
    snprintf(err, errsz, "\"filters\" must be an array");
    return false;
  }
  int kinds = 0;
  size_t i;
  json_t *f;
  json_t *out = json_array();
  json_array_foreach(filters, i, f) {
    const char *name = json_string_value(f);
    int k = !name ? 0 : !strcmp(name, "cpp_throw") ? SSE_CATCH_THROW | SSE_CATCH_RETHROW
                      : !strcmp(name, "cpp_catch") ? SSE_CATCH_CATCH : 0;
    kinds |= k;
    json_t *bp = json_pack("{s:b}", "verified", k != 0);
    if (!k) json_object_set_new(bp, "message", json_string("unknown exception filter"));
    json_array_append_new(out, bp);
  }
  bool held = dap_hold();
  if (S.proc && S.running) {
    json_decref(out);
    snprintf(err, errsz, "the program is running: breakpoints change while it is stopped");
    return false;
  }
  if (exc_id && S.proc && !sse_process_exited(S.proc)) sse_break_remove(S.proc, exc_id);
  exc_kinds = kinds;
  sse_err e = S.proc ? exc_insert() : 0; /* no process yet: kept for a restart */
  if (e) {
    for (i = 0; i < json_array_size(out); i++) {
      json_t *bp = json_array_get(out, i);
      if (!json_is_true(json_object_get(bp, "verified"))) continue;
      json_object_set_new(bp, "verified", json_false());
      json_object_set_new(bp, "message", json_string(sse_strerror(e)));
    }
  }
  json_object_set_new(body, "breakpoints", out);
  dap_release(held);
  return true;
}

bool dap_data_breakpoint_info(json_t *args, json_t *body, char *err, size_t errsz) {
  const char *name = dap_jstr(args, "name");
  if (!name) {
    snprintf(err, errsz, "dataBreakpointInfo: a \"name\" is required");
    return false;
  }
  sse_thread *t;
  size_t level;
  char *expr = NULL;
  long long ref = dap_jint(args, "variablesReference", 0);
  if (ref) {
    if (!dap_ref_expr(ref, name, &expr, &t, &level, err, errsz)) return false;
  } else {
    if (!dap_frame_or_current(args, &t, &level, err, errsz)) return false;
    expr = strdup(name);
  }
  dap_value v;
  uint64_t addr = 0;
  size_t len = 0;
  bool ok = dap_value_eval(t, level, name, expr, &v, err, errsz);
  if (ok && dap_value_address(&v, &addr, &len) && len) {
    char id[64], desc[512];
    snprintf(id, sizeof id, "0x%llx/%zu", (unsigned long long)addr, len);
    snprintf(desc, sizeof desc, "%s (%zu bytes at 0x%llx)", name, len, (unsigned long long)addr);
    json_object_set_new(body, "dataId", json_string(id));
    json_object_set_new(body, "description", json_string(desc));
    json_object_set_new(body, "accessTypes", json_pack("[s, s]", "write", "readWrite"));
  } else {
    /* The protocol's answer for "no data breakpoint here": dataId null. */
    json_object_set_new(body, "dataId", json_null());
    json_object_set_new(body, "description", json_string(ok ? "not an lvalue in memory" : err));
    ok = true;
  }
  free(expr);
  dap_value_clear(&v);
  return ok;
}

bool dap_breakpoint_locations(json_t *args, json_t *body, char *err, size_t errsz) {
  const char *path = dap_jstr(json_object_get(args, "source"), "path");
  long long line = dap_jint(args, "line", 0), end = dap_jint(args, "endLine", line);
  if (!path || line <= 0) {
    snprintf(err, errsz, "breakpointLocations: \"source\" and \"line\" are required");
    return false;
  }
  if (!dap_need_stopped(err, errsz)) return false;
  json_t *arr = json_array();
  json_object_set_new(body, "breakpoints", arr);
  int last = 0;
  /* sse.h has no line-table query: a breakpoint made and removed at once
   * says where each line's code is. */
  for (long long l = line; l <= end && l < line + 1000; l++) {
    int id;
    if (sse_break_line(S.proc, path, (int)l, &id)) continue;
    sse_breakpoint_info info;
    sse_location loc;
    if (info_of(id, &info) && info.naddrs && !sse_lookup(S.proc, info.addrs[0], &loc) &&
        loc.line > last && loc.line <= end) {
      json_array_append_new(arr, json_pack("{s:i}", "line", loc.line));
      last = loc.line;
    }
    sse_break_remove(S.proc, id);
  }
  return true;
}

/* gdb's truth of an expression in frame 0: nonzero. An error counts as
 * true (gdb stops where a condition cannot be evaluated). */
static bool truth(sse_thread *t, const char *cond) {
  char *e = NULL, buf[256];
  if (asprintf(&e, "!(%s)", cond) < 0) return true;
  sse_err r = sse_evaluate(t, 0, e, buf, sizeof buf, NULL);
  free(e);
  if (r) dap_console("Error in testing condition \"%s\": %s\n", cond, buf);
  return r || !strcmp(buf, "0");
}

/* VS Code's hit conditions: "N" or ">= N" (from the Nth hit on), "> N",
 * "== N", "< N", "<= N", "% N" (every Nth). */
static bool hit_ok(const char *h, unsigned hits) {
  while (*h == ' ') h++;
  char op[3] = "";
  size_t k = 0;
  while (k < 2 && strchr("<>=%", h[k])) op[k] = h[k], k++;
  long n = strtol(h + k, NULL, 10);
  if (!strcmp(op, ">")) return hits > n;
  if (!strcmp(op, "==") || !strcmp(op, "=")) return hits == n;
  if (!strcmp(op, "<")) return hits < n;
  if (!strcmp(op, "<=")) return hits <= n;
  if (!strcmp(op, "%")) return n > 0 && hits % n == 0;
  return hits >= n;
}

/* A logpoint's message with each {expr} replaced by its value. */
static void log_message(sse_thread *t, const char *m) {
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  if (!f) return;
  for (const char *p = m; *p; p++) {
    const char *close = *p == '{' ? strchr(p, '}') : NULL;
    if (!close) {
      fputc(*p, f);
      continue;
    }
    char *e = strndup(p + 1, (size_t)(close - p - 1)), buf[4096];
    sse_evaluate(t, 0, e, buf, sizeof buf, NULL); /* an error shows its text */
    fputs(buf, f);
    free(e);
    p = close;
  }
  fputc('\n', f);
  fclose(f);
  dap_output("console", out);
  free(out);
}

/* Whether b is one of the breakpoints of this stop: the one the engine
 * names, or another of ours at the same pc (breakpoints at one address
 * share one trap, which names one of them). */
static bool at_stop(const dbp *b, const sse_stop *st) {
  if (!b->sse_id) return false;
  if (b->sse_id == st->breakpoint_id) return true;
  if (st->reason != SSE_STOP_BREAKPOINT || b->kind == BK_DATA) return false;
  sse_breakpoint_info info;
  if (!info_of(b->sse_id, &info)) return false;
  for (size_t i = 0; i < info.naddrs && i < 8; i++)
    if (info.addrs[i] == st->pc) return true;
  return false;
}

/* One breakpoint's say at a hit: true to stop. */
static bool one_hit(dbp *b, const sse_stop *st) {
  if (b->cond && !b->lib_cond && !truth(st->thread, b->cond)) return false;
  b->hits++;
  if (b->hit && !hit_ok(b->hit, b->hits)) return false;
  if (b->log) {
    log_message(st->thread, b->log);
    return false;
  }
  return true;
}

bool dap_bp_hit(const sse_stop *st, json_t *hit_ids, const char **reason) {
  static const char *const reasons[] = {"breakpoint", "function breakpoint",
                                        "instruction breakpoint", "data breakpoint"};
  *reason = st->reason == SSE_STOP_WATCHPOINT ? "data breakpoint" : "breakpoint";
  bool ours = false, stop = false;
  for (size_t i = 0; i < nbps; i++) {
    dbp *b = &bps[i];
    if (!at_stop(b, st)) continue;
    ours = true;
    if (one_hit(b, st)) {
      if (!stop) *reason = reasons[b->kind];
      stop = true;
      json_array_append_new(hit_ids, json_integer(b->id));
    }
  }
  return stop || !ours; /* not ours (the repl's): shown */
}

void dap_bp_refresh(void) {
  for (size_t i = 0; i < nbps; i++) {
    dbp *b = &bps[i];
    sse_breakpoint_info info;
    bool was = b->verified;
    if (b->sse_id) {
      b->verified = info_of(b->sse_id, &info) && !info.pending;
      if (b->verified) b->message[0] = 0;
    } else if (b->kind == BK_LINE && !S.running) {
      insert(b); /* a line in a library that was not loaded */
    }
    if (b->verified != was)
      dap_event("breakpoint", json_pack("{s:s, s:o}", "reason", "changed", "breakpoint", bp_json(b)));
  }
}

void dap_bp_reinsert(void) {
  exc_insert();
  for (size_t i = 0; i < nbps; i++) {
    bps[i].hits = 0;
    if (bps[i].kind != BK_DATA) insert(&bps[i]);
    else bps[i].sse_id = 0, bps[i].verified = false;
  }
}
