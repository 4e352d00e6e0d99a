/* One frame up by the call-frame information (.eh_frame, else
 * .debug_frame) of the module holding the pc, for the values of a caller
 * frame: its CFA, its pc (the return address) and the registers the
 * callee saved (rbx, rbp, r12-r15 by the ABI); a call-clobbered register
 * keeps the callee's value there, as gdb takes it. */
#include <stdlib.h>
#include <string.h>

#include "values/values.h"

static Dwarf_Frame *frame_at(Dwfl *dwfl, uint64_t pc) {
  Dwfl_Module *m = dwfl_addrmodule(dwfl, pc);
  if (!m) return NULL;
  for (int k = 0; k < 2; k++) {
    Dwarf_Addr bias = 0;
    Dwarf_CFI *cfi = k == 0 ? dwfl_module_eh_cfi(m, &bias) : dwfl_module_dwarf_cfi(m, &bias);
    Dwarf_Frame *fr = NULL;
    if (cfi && dwarf_cfi_addrframe(cfi, pc - bias, &fr) == 0) return fr;
  }
  return NULL;
}

/* The caller's value of register r (0 known, 1 not, -1 error). */
static int caller_reg(sse__vctx *c, Dwarf_Frame *fr, int r, uint64_t *out) {
  Dwarf_Op mem[3], *ops = NULL;
  size_t n = 0;
  if (dwarf_frame_register(fr, r, mem, &ops, &n) != 0) return 1;
  if (n == 0) {
    /* undefined (libdw gives the ABI's call-clobbered registers so) or
     * same value: gdb's amd64 unwinder takes both as the same value as in
     * the callee (only rip and rsp have rules of their own) */
    if (ops == mem && r == SSE__REGNUM_PC) return 1; /* the outermost frame */
    if (!(c->regmask >> r & 1)) return 1;
    *out = c->reg[r];
    return 0;
  }
  return sse__loc_eval_word(c, ops, n, true, out);
}

int sse__cfi_unwind(sse__vctx *c, Dwfl *dwfl) {
  Dwarf_Frame *fr = frame_at(dwfl, c->lookup_pc);
  if (!fr) return 1;
  Dwarf_Op *ops;
  size_t n;
  uint64_t cfa = 0, nreg[SSE__REGNUM_MAX + 1];
  uint32_t nmask = 0;
  int rc = dwarf_frame_cfa(fr, &ops, &n) == 0 && n ? sse__loc_eval_word(c, ops, n, false, &cfa) : 1;
  if (rc == 0) {
    c->cfa = cfa;
    for (int r = 0; r <= SSE__REGNUM_MAX; r++) {
      int k = caller_reg(c, fr, r, &nreg[r]);
      if (k < 0) rc = 1;
      if (k == 0) nmask |= 1u << r;
    }
  }
  free(fr);
  c->err[0] = 0;
  if (rc || !(nmask >> SSE__REGNUM_PC & 1) || nreg[SSE__REGNUM_PC] == 0) return 1;
  nreg[SSE__REGNUM_SP] = cfa;
  nmask |= 1u << SSE__REGNUM_SP;
  memcpy(c->reg, nreg, sizeof nreg);
  c->regmask = nmask;
  c->pc = nreg[SSE__REGNUM_PC];
  c->lookup_pc = c->pc - 1;
  sse__cfi_cfa(c, dwfl);
  return 0;
}

void sse__cfi_cfa(sse__vctx *c, Dwfl *dwfl) {
  Dwarf_Op *ops;
  size_t n;
  uint64_t cfa;
  c->cfa = 0;
  Dwarf_Frame *up = frame_at(dwfl, c->lookup_pc);
  if (up && dwarf_frame_cfa(up, &ops, &n) == 0 && n) {
    if (sse__loc_eval_word(c, ops, n, false, &cfa) == 0) c->cfa = cfa;
  }
  free(up);
  c->err[0] = 0;
}
