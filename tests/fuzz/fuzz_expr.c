/* libFuzzer target for the C expression parser and evaluator
 * (src/values/expr.c, eval.c, typeparse.c, assign.c) and gdb's print
 * format of what they make (format.c, fmtletter.c, strings.c,
 * typename.c), and whatis/ptype (ptype.c).
 *
 * Input: one byte, the print format letter (an index into "\0xzotducafs"),
 * then the expression. The frame is made up: no DWARF (every identifier
 * is unknown), registers with known values, and 4 KiB of readable and
 * writable memory at 0x10000 (the rest of the address space faults), so
 * casts, dereferences, assignments, @ and the formats all run.
 * Run by tests/fuzz/run_fuzz.sh BUILD SECONDS expr (make fuzz; 10 s in
 * make check). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "values/values.h"

#define MEM_BASE 0x10000u
#define MEM_SIZE 4096u

static unsigned char mem[MEM_SIZE];

/* ---- the frame's world, made up */

sse_err sse__mem_read(sse_process *p, uint64_t addr, void *buf, size_t len, size_t *done) {
  (void)p;
  *done = 0;
  if (addr < MEM_BASE || addr >= MEM_BASE + MEM_SIZE) return SSE_E_FAULT;
  size_t n = MEM_BASE + MEM_SIZE - addr < len ? MEM_BASE + MEM_SIZE - addr : len;
  memcpy(buf, mem + (addr - MEM_BASE), n);
  *done = n;
  return n == len ? SSE_OK : SSE_E_FAULT;
}

sse_err sse__mem_write(sse_process *p, uint64_t addr, const void *buf, size_t len, size_t *done) {
  (void)p;
  *done = 0;
  if (addr < MEM_BASE || addr + len > MEM_BASE + MEM_SIZE || addr + len < addr) return SSE_E_FAULT;
  memcpy(mem + (addr - MEM_BASE), buf, len);
  *done = len;
  return SSE_OK;
}

int sse__scope_find(sse__vctx *c, const char *name, Dwarf_Die *die) {
  (void)c, (void)name, (void)die;
  return 0;
}
int sse__scope_find_type(sse__vctx *c, int tag, const char *name, Dwarf_Die *out) {
  (void)c, (void)tag, (void)name, (void)out;
  return 0;
}
int sse__scope_code(sse__vctx *c, Dwarf_Die *fn, uint64_t *addr) {
  (void)c, (void)fn, (void)addr;
  return 1;
}
int sse__scope_not_found(sse__vctx *c, const char *name) {
  return sse__verr(c, "No symbol \"%s\" in current context.", name);
}
int sse__loc_variable(sse__vctx *c, Dwarf_Die *var, sse__value *out) {
  (void)var;
  memset(out, 0, sizeof *out);
  out->type = c->t_int;
  out->kind = SSE__V_OPTOUT;
  return 0;
}
void **sse__dwarf_ext_slot(const sse__dwarf_at *at, Dwfl_Module *mod, void (*f)(void *)) {
  (void)at, (void)mod, (void)f;
  return NULL;
}
void **sse__dwarf_ext_slot_saved(const sse__dwarf_at *at, Dwfl_Module *mod, void (*f)(void *),
                                 void *(*save)(void *ext, size_t *n), const void **blob, size_t *n) {
  (void)at, (void)mod, (void)f, (void)save;
  *blob = NULL;
  *n = 0;
  return NULL;
}
int sse__thread_getregs(sse_thread *t, sse__regs *r) {
  (void)t, (void)r;
  return -1;
}
int sse__thread_setregs(sse_thread *t, const sse__regs *r) {
  (void)t, (void)r;
  return -1;
}
bool sse__regs_get(const sse__regs *r, int n, uint64_t *out) {
  (void)r, (void)n, (void)out;
  return false;
}
char *sse__cxx_demangle(const char *mangled) {
  (void)mangled;
  return NULL;
}
bool sse__regs_put(sse__regs *r, int n, uint64_t v) {
  (void)r, (void)n, (void)v;
  return false;
}

/* ---- one input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char letters[] = "\0xzotducafs";
  if (size < 1 || size > 4096) return 0;
  char *text = malloc(size);
  if (!text) abort();
  memcpy(text, data + 1, size - 1);
  text[size - 1] = 0;
  for (size_t i = 0; i < MEM_SIZE; i++) mem[i] = (unsigned char)(i * 7 + (i >> 5));
  static sse__vctx c;
  sse__dwarf_at at = {0};
  memset(&c, 0, sizeof c);
  c.at = &at;
  c.fmt = letters[data[0] % (sizeof letters - 1)];
  c.lim_elems = 1 + data[0] % 300;
  c.regmask = (1u << (SSE__REGNUM_MAX + 1)) - 1;
  for (int i = 0; i <= SSE__REGNUM_MAX; i++) c.reg[i] = MEM_BASE + 64u * (unsigned)i;
  sse__types_init(&c);
  if (!c.t_int) abort();
  sse__expr *e = sse__expr_parse(&c, text);
  sse__value v;
  char buf[8192], tn[512];
  sse__out o = {.buf = buf, .cap = sizeof buf};
  buf[0] = 0;
  if (e && sse__expr_eval(&c, e, &v) == 0) {
    sse__type_name(v.type, tn, sizeof tn);
    sse__format_value(&c, &v, true, &o);
  } else if (!c.err[0]) {
    abort(); /* every failure says why */
  }
  c.err[0] = 0;
  o.len = 0;
  sse__describe_type(&c, text, data[0] & 1, &o);
  sse__va_free(&c);
  free(text);
  return 0;
}
