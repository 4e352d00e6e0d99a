/* goto.c — gotoTargets and goto: the pc of the stopped thread moved to the
 * first address of a line (as gdb's `jump` does, without running it); the
 * editor is told with a stopped event of reason "goto". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dap.h"

static uint64_t targets[64];
static size_t ntargets;
static unsigned targets_gen;

bool dap_goto_targets(json_t *args, json_t *body, char *err, size_t errsz) {
  const char *path = dap_jstr(json_object_get(args, "source"), "path");
  long long line = dap_jint(args, "line", 0);
  if (!path || line <= 0) {
    snprintf(err, errsz, "gotoTargets: \"source\" and \"line\" are required");
    return false;
  }
  if (!dap_need_stopped(err, errsz)) return false;
  if (targets_gen != S.gen) ntargets = 0;
  targets_gen = S.gen;
  /* sse.h has no line-table query: a breakpoint made and removed at once
   * says where the line's code is. */
  int id;
  sse_err e = sse_break_line(S.proc, path, (int)line, &id);
  if (e) {
    snprintf(err, errsz, "no code at %s:%lld: %s", path, line, sse_strerror(e));
    return false;
  }
  size_t n = 0;
  sse_breakpoint_info *all = NULL;
  if (!sse_break_list(S.proc, NULL, 0, &n) && n && (all = calloc(n, sizeof *all)))
    sse_break_list(S.proc, all, n, &n);
  json_t *arr = json_array();
  for (size_t i = 0; all && i < n; i++) {
    if (all[i].id != id) continue;
    for (size_t k = 0; k < all[i].naddrs && k < 8 && ntargets < 64; k++) {
      sse_location loc;
      int l = sse_lookup(S.proc, all[i].addrs[k], &loc) ? (int)line : loc.line;
      char label[512];
      snprintf(label, sizeof label, "%s:%d", loc.function ? loc.function : "??", l);
      targets[ntargets] = all[i].addrs[k];
      json_array_append_new(arr, json_pack("{s:I, s:s, s:i, s:o}", "id", (json_int_t)++ntargets,
                                           "label", label, "line", l,
                                           "instructionPointerReference",
                                           dap_jaddr(all[i].addrs[k])));
    }
  }
  free(all);
  sse_break_remove(S.proc, id);
  json_object_set_new(body, "targets", arr);
  return true;
}

bool dap_goto(json_t *args, json_t *body, char *err, size_t errsz) {
  if (!dap_need_stopped(err, errsz)) return false;
  long long target = dap_jint(args, "targetId", 0), tid = dap_jint(args, "threadId", S.cur_tid);
  sse_thread *t;
  sse_regs r;
  if (targets_gen != S.gen || target < 1 || (size_t)target > ntargets) {
    snprintf(err, errsz, "no goto target %lld at this stop", target);
    return false;
  }
  if (sse_thread_by_tid(S.proc, (pid_t)tid, &t) || sse_get_regs(t, &r)) {
    snprintf(err, errsz, "no thread %lld", tid);
    return false;
  }
  r.rip = targets[target - 1];
  sse_err e = sse_set_regs(t, &r);
  if (e) {
    snprintf(err, errsz, "%s", sse_strerror(e));
    return false;
  }
  dap_before_resume(); /* the frames changed: nothing of the stop holds */
  S.cur_tid = (pid_t)tid;
  dap_event("stopped", json_pack("{s:s, s:I, s:b}", "reason", "goto", "threadId",
                                 (json_int_t)tid, "allThreadsStopped", 1));
  return true;
}
