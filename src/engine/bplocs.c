/* The locations of a breakpoint one by one (gdb's `info breakpoints`
 * rows 1.1, 1.2 and `disable 1.2`): sse_break_locations lists every
 * address with its own enabled flag, sse_break_enable_location turns one
 * off or on. A disabled location is kept by address (sse__bp.off), so it
 * stays disabled when the breakpoint resolves again (a library reloaded),
 * as gdb keeps a location's state across a re-set. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

bool sse__bp_loc_off(const sse__bp *b, uint64_t addr) {
  for (size_t i = 0; i < b->noff; i++)
    if (b->off[i] == addr) return true;
  return false;
}

typedef struct loc_req {
  sse_process *p;
  int id;
  size_t index, max, n;
  bool enable;
  sse_break_location *out;
  sse_err err;
} loc_req;

static sse__bp *loc_bp(loc_req *r) {
  for (sse__bp *b = r->p->bps; b; b = b->next)
    if (b->id == r->id && b->kind != SSE__BP_WATCH) return b;
  r->err = SSE_E_NOTFOUND;
  return NULL;
}

static void do_locations(void *arg) {
  loc_req *r = arg;
  sse__bp *b = loc_bp(r);
  if (!b) return;
  for (size_t i = 0; i < b->naddrs && i < r->max; i++)
    r->out[i] = (sse_break_location){.addr = b->addrs[i],
                                     .enabled = !sse__bp_loc_off(b, b->addrs[i])};
  r->n = b->naddrs;
}

sse_err sse_break_locations(sse_process *p, int id, sse_break_location *out,
                            size_t max, size_t *n) {
  if (n) *n = 0;
  if (!p || (!out && max)) return SSE_E_INVAL;
  loc_req r = {.p = p, .id = id, .out = out, .max = max};
  sse_err err = sse__engine_call(p->engine, do_locations, &r);
  if (!err) err = r.err;
  if (n) *n = r.n;
  return err;
}

/* Take addr out of b's disabled set, or put it in. */
static sse_err set_off(sse__bp *b, uint64_t addr, bool off) {
  if (!off) {
    for (size_t i = 0; i < b->noff; i++)
      if (b->off[i] == addr) b->off[i--] = b->off[--b->noff];
    return SSE_OK;
  }
  uint64_t *v = realloc(b->off, (b->noff + 1) * sizeof *v);
  if (!v) return SSE_E_NOMEM;
  b->off = v;
  b->off[b->noff++] = addr;
  return SSE_OK;
}

static void do_enable_location(void *arg) {
  loc_req *r = arg;
  if ((r->err = sse__proc_stopped(r->p))) return;
  sse__bp *b = loc_bp(r);
  if (!b) return;
  if (r->index >= b->naddrs) {
    r->err = SSE_E_NOTFOUND;
    return;
  }
  uint64_t a = b->addrs[r->index];
  if (sse__bp_loc_off(b, a) == !r->enable) return;
  if (r->enable) {
    /* in the target first: a site that cannot be written changes nothing */
    if (b->inserted && (r->err = sse__site_add(r->p, a))) return;
    set_off(b, a, false);
    return;
  }
  if ((r->err = set_off(b, a, true))) return;
  if (b->inserted) sse__site_del(r->p, a);
}

sse_err sse_break_enable_location(sse_process *p, int id, size_t index,
                                  bool enable) {
  if (!p) return SSE_E_INVAL;
  loc_req r = {.p = p, .id = id, .index = index, .enable = enable};
  sse_err err = sse__engine_call(p->engine, do_enable_location, &r);
  return err ? err : r.err;
}
