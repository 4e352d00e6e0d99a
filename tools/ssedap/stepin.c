/* stepin.c — stepInTargets: the functions the current line calls (the
 * direct calls decoded from the pc to the end of the line), and stepIn to
 * one of them: a temporary breakpoint past its prologue and a continue,
 * the breakpoint removed at whatever stop comes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dap.h"

#define MAX_TARGETS 32

static uint64_t entry[MAX_TARGETS];
static size_t nentry;
static unsigned entry_gen;
static int temp_bp; /* the breakpoint of a stepIn to a target, 0: none */

/* The function a call goes to: its name without a PLT stub's "@plt". */
static bool callee(const sse_insn *in, char *name, size_t n) {
  if (!in->has_target || !in->target_function || strncmp(in->mnemonic, "call", 4)) return false;
  snprintf(name, n, "%s", in->target_function);
  char *at = strstr(name, "@plt");
  if (at) *at = 0;
  return name[0] != 0;
}

bool dap_step_in_targets(json_t *args, json_t *body, char *err, size_t errsz) {
  sse_thread *t;
  size_t level;
  sse_regs r;
  sse_location here, loc;
  if (!dap_frame_or_current(args, &t, &level, err, errsz)) return false;
  json_t *arr = json_array();
  json_object_set_new(body, "targets", arr);
  entry_gen = S.gen;
  nentry = 0;
  if (level != 0 || sse_get_regs(t, &r) || sse_lookup(S.proc, r.rip, &here) || !here.line)
    return true; /* only the innermost frame's line is stepped into */
  sse_insn in[128];
  size_t n = 0;
  sse_disassemble(S.proc, r.rip, 128, in, &n);
  for (size_t i = 0; i < n && nentry < MAX_TARGETS; i++) {
    if (sse_lookup(S.proc, in[i].addr, &loc) || loc.line != here.line ||
        !loc.function || !here.function || strcmp(loc.function, here.function))
      break;
    char name[512];
    uint64_t post = 0;
    if (!callee(&in[i], name, sizeof name) || sse_lookup_function(S.proc, name, NULL, &post))
      continue;
    entry[nentry++] = post;
    json_array_append_new(arr, json_pack("{s:I, s:s}", "id", (json_int_t)nentry, "label", name));
  }
  return true;
}

bool dap_step_in_target(long long target, char *err, size_t errsz) {
  if (entry_gen != S.gen || target < 1 || (size_t)target > nentry) {
    snprintf(err, errsz, "no step-in target %lld at this stop", target);
    return false;
  }
  sse_err e = sse_break_address(S.proc, entry[target - 1], &temp_bp);
  if (e) {
    temp_bp = 0;
    snprintf(err, errsz, "%s", sse_strerror(e));
    return false;
  }
  return dap_resume(err, errsz);
}

bool dap_step_in_stop(const sse_stop *st) {
  if (!temp_bp) return false;
  bool ours = st->reason == SSE_STOP_BREAKPOINT && st->breakpoint_id == temp_bp;
  if (!sse_process_exited(S.proc)) sse_break_remove(S.proc, temp_bp);
  temp_bp = 0;
  return ours;
}
