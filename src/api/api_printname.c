/* sse_function_print_name(): gdb's print name of the function at a pc
 * (symtab/printname.c), on the tracer thread, which owns the symtab's
 * module list. */
#include <string.h>

#include "internal.h"
#include "symtab/symtab.h"

typedef struct pn_call {
  sse_process *p;
  uint64_t pc;
  char *buf;
  size_t n;
  const char *func;
  sse_err err;
} pn_call;

static void do_print_name(void *arg) {
  pn_call *r = arg;
  struct sse__symtab *st = r->p->exited ? NULL : sse__proc_symtab(r->p);
  if (r->p->exited) r->err = SSE_E_EXITED;
  else if (!st || sse__symtab_print_name(st, r->pc, r->func, r->buf, r->n) != 0) r->err = SSE_E_NOSYM;
}

sse_err sse_function_print_name(sse_process *proc, uint64_t pc, const char *func, char *buf,
                                size_t bufsz) {
  if (!proc || !buf || !bufsz) return SSE_E_INVAL;
  buf[0] = 0;
  if (func && (!*func || strlen(func) > 512)) return SSE_E_INVAL;
  pn_call r = {.p = proc, .pc = pc, .buf = buf, .n = bufsz, .func = func};
  sse_err err = sse__engine_call(proc->engine, do_print_name, &r);
  return err ? err : r.err;
}
