/* sse_modules(): the modules of a process, from its symbol table. */
#define _GNU_SOURCE
#include <string.h>

#include "internal.h"
#include "symtab/symtab.h"

typedef struct mod_req {
  sse_process *p;
  sse_module_info *out;
  size_t max, n;
  sse_err err;
} mod_req;

static void add_mod(const char *path, uint64_t lo, uint64_t hi, bool dwarf,
                    void *arg) {
  mod_req *r = arg;
  if (r->n < r->max) {
    r->out[r->n].path = path;
    r->out[r->n].lo = lo;
    r->out[r->n].hi = hi;
    r->out[r->n].has_debuginfo = dwarf;
  }
  r->n++;
}

static void do_modules(void *arg) {
  mod_req *r = arg;
  if (r->p->exited) {
    r->err = SSE_E_EXITED;
    return;
  }
  struct sse__symtab *st = sse__proc_symtab(r->p);
  if (!st) {
    r->err = SSE_E_NOMEM;
    return;
  }
  sse__symtab_modules(st, add_mod, r);
}

sse_err sse_modules(sse_process *p, sse_module_info *out, size_t max,
                    size_t *n) {
  if (n) *n = 0;
  if (!p || (!out && max)) return SSE_E_INVAL;
  mod_req r = {.p = p, .out = out, .max = max};
  sse_err err = sse__engine_call(p->engine, do_modules, &r);
  if (n) *n = r.n;
  return err ? err : r.err;
}
