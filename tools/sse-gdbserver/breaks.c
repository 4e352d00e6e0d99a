/* breaks.c — Z/z: gdb's breakpoints and watchpoints on sse's.
 *
 * gdb (breakpoint always-inserted off) removes every breakpoint at each
 * stop and inserts them all again before it resumes: six packets around
 * each `step` of a program with three breakpoints. A z is therefore only
 * noted (the breakpoint stays in sse, whose memory reads show the original
 * bytes anyway); a Z of the same breakpoint before the next resume takes
 * the note back, and gs_breaks_sync removes what is still noted when the
 * program resumes. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "gdbserver.h"

enum { E_INVAL = 0x16, E_FAULT = 0x14 };

static gs_bp *find_bp(gs_session *s, int type, uint64_t addr) {
  for (int i = 0; i < GS_MAX_BPS; i++)
    if (s->bps[i].id && s->bps[i].type == type && s->bps[i].addr == addr)
      return &s->bps[i];
  return NULL;
}

const gs_bp *gs_bp_by_id(const gs_session *s, int id) {
  for (int i = 0; i < GS_MAX_BPS; i++)
    if (s->bps[i].id == id && !s->bps[i].removed) return &s->bps[i];
  return NULL;
}

bool gs_at_breakpoint(const gs_session *s, uint64_t pc) {
  for (int i = 0; i < GS_MAX_BPS; i++)
    if (s->bps[i].id && !s->bps[i].removed && s->bps[i].type <= 1 && s->bps[i].addr == pc)
      return true;
  return false;
}

void gs_breaks_sync(gs_session *s) {
  for (int i = 0; i < GS_MAX_BPS; i++)
    if (s->bps[i].id && s->bps[i].removed) {
      sse_break_remove(s->proc, s->bps[i].id);
      s->bps[i].id = 0;
    }
}

/* Z/z TYPE,ADDR,KIND[;cond...]: the extras (conditions, commands) are not
 * served: we did not claim them in qSupported. */
static bool parse_z(const char *a, int *type, uint64_t *addr, uint64_t *kind) {
  const char *e;
  if (a[0] < '0' || a[0] > '4' || a[1] != ',') return false;
  *type = a[0] - '0';
  if (!gs_parse_hex(a + 2, addr, &e) || *e != ',') return false;
  if (!gs_parse_hex(e + 1, kind, &e) || (*e && *e != ';')) return false;
  return true;
}

/* A new one in sse; its id, or 0 with the error reply made. */
static int add_to_sse(gs_session *s, int type, uint64_t addr, uint64_t kind) {
  int id = 0;
  sse_err err;
  if (type == 0)
    err = sse_break_address(s->proc, addr, &id);
  else if (type == 1) /* a debug register: no int3 in the code */
    err = sse_break_hardware(s->proc, addr, &id);
  else
    err = sse_watch(s->proc, addr, (int)kind,
                    type == 2 ? SSE_WATCH_WRITE : SSE_WATCH_READWRITE, &id);
  if (err != SSE_OK) {
    gs_reply_error(s, err == SSE_E_NOSLOT ? ENOSPC : err == SSE_E_FAULT ? E_FAULT : E_INVAL);
    return 0;
  }
  return id;
}

void gs_insert_bp(gs_session *s, char *a) {
  int type;
  uint64_t addr, kind;
  if (!parse_z(a, &type, &addr, &kind)) {
    gs_reply_error(s, E_INVAL);
    return;
  }
  if (type == 3) { /* read-only watchpoints: sse watches writes or accesses */
    s->reply_len = 0;
    return;
  }
  gs_bp *b = find_bp(s, type, addr);
  if (b && (b->len == (int)kind || type <= 1)) {
    b->removed = false; /* still in sse */
    gs_reply(s, "OK");
    return;
  }
  if (b) { /* a watchpoint of another length: the old one goes first */
    sse_break_remove(s->proc, b->id);
    b->id = 0;
  }
  gs_bp *slot = NULL;
  for (int i = 0; i < GS_MAX_BPS && !slot; i++)
    if (!s->bps[i].id) slot = &s->bps[i];
  if (!slot) {
    gs_reply_error(s, ENOSPC);
    return;
  }
  int id = add_to_sse(s, type, addr, kind);
  if (!id) return;
  *slot = (gs_bp){.type = type, .addr = addr, .len = (int)kind, .id = id};
  gs_reply(s, "OK");
}

void gs_remove_bp(gs_session *s, char *a) {
  int type;
  uint64_t addr, kind;
  if (!parse_z(a, &type, &addr, &kind)) {
    gs_reply_error(s, E_INVAL);
    return;
  }
  if (type == 3) {
    s->reply_len = 0;
    return;
  }
  gs_bp *b = find_bp(s, type, addr);
  if (b) b->removed = true;
  gs_reply(s, "OK");
}
