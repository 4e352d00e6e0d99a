/* One unwind step by the call-frame information libdwfl has for a module,
 * for code libunwind finds no FDE for: it looks for FDEs only in the ELF
 * files mapped from disk, and a JIT's in-memory objects (LLVM's) carry
 * their own .eh_frame, which gdb uses. The CFA rule and the saved return
 * address and frame pointer are evaluated from the frame's sp, fp and pc
 * (the rules compilers emit use those: CFA = rsp/rbp + N, saved at
 * CFA - N). */
#define _GNU_SOURCE
#include <elfutils/libdwfl.h>
#include <dwarf.h>
#include <errno.h>
#include <stdlib.h>

#include "arch/arch.h"
#include "symtab_int.h"

typedef struct cfi_eval {
  const uint64_t *regs; /* DWARF numbers 0..SSE__REGNUM_MAX */
  uint64_t known;       /* bit per register */
  uint64_t cfa;
  sse__arch_read_fn *read;
  void *arg;
} cfi_eval;

static bool reg_of(const cfi_eval *c, unsigned r, uint64_t *v) {
  if (r > SSE__REGNUM_MAX || !(c->known >> r & 1))
    return false;
  *v = c->regs[r];
  return true;
}

/* A rule's DWARF expression: *out its value (a stack value) or, read
 * through memory, the register saved at the address it computes. */
static bool eval(const cfi_eval *c, const Dwarf_Op *ops, size_t n, uint64_t *out) {
  uint64_t st[8];
  size_t k = 0;
  bool value = false;
  for (size_t i = 0; i < n; i++) {
    const Dwarf_Op *o = &ops[i];
    uint64_t v;
    if (o->atom >= DW_OP_breg0 && o->atom <= DW_OP_breg31) {
      if (!reg_of(c, o->atom - DW_OP_breg0, &v)) return false;
      v += o->number;
    } else if (o->atom == DW_OP_bregx) {
      if (!reg_of(c, (unsigned)o->number, &v)) return false;
      v += o->number2;
    } else if (o->atom == DW_OP_call_frame_cfa) {
      v = c->cfa;
    } else if (o->atom == DW_OP_consts || o->atom == DW_OP_constu) {
      v = o->number;
    } else if (o->atom >= DW_OP_lit0 && o->atom <= DW_OP_lit31) {
      v = o->atom - DW_OP_lit0;
    } else if (o->atom == DW_OP_plus_uconst && k > 0) {
      st[k - 1] += o->number;
      continue;
    } else if ((o->atom == DW_OP_plus || o->atom == DW_OP_minus) && k > 1) {
      k--;
      st[k - 1] = o->atom == DW_OP_plus ? st[k - 1] + st[k] : st[k - 1] - st[k];
      continue;
    } else if (o->atom == DW_OP_stack_value) {
      value = true;
      continue;
    } else {
      return false;
    }
    if (k == sizeof st / sizeof st[0]) return false;
    st[k++] = v;
  }
  if (k == 0) return false;
  *out = st[k - 1];
  return value || c->read(c->arg, *out, out) == 0;
}

/* Register r's value in the caller: true with *out, false when undefined
 * or not computable; *out kept for the same-value rule. */
static bool caller_reg(const cfi_eval *c, Dwarf_Frame *fr, int r, uint64_t *out) {
  Dwarf_Op mem[3], *ops;
  size_t n;
  if (dwarf_frame_register(fr, r, mem, &ops, &n) != 0) return false;
  if (n == 0) return ops != NULL && reg_of(c, (unsigned)r, out); /* same value */
  return eval(c, ops, n, out);
}

int sse__symtab_cfi_step(sse__symtab *st, uint64_t look, const uint64_t *regs, uint64_t known,
                         sse__arch_read_fn *read, void *arg, uint64_t *npc, uint64_t *nsp,
                         uint64_t *nfp) {
  pthread_mutex_lock(&st->mu);
  int rc = sse__symtab_ensure(st) < 0 ? -EIO : -ENOENT;
  smod *m = rc == -ENOENT ? sse__symtab_mod_at(st, look) : NULL;
  Dwarf_Addr bias = 0;
  Dwarf_CFI *cfi = m && m->mod ? dwfl_module_eh_cfi(m->mod, &bias) : NULL;
  if (cfi == NULL && m && m->mod) cfi = dwfl_module_dwarf_cfi(m->mod, &bias);
  Dwarf_Frame *fr = NULL;
  cfi_eval c = {.regs = regs, .known = known, .read = read, .arg = arg};
  Dwarf_Op *ops;
  size_t n;
  if (cfi != NULL && dwarf_cfi_addrframe(cfi, look - bias, &fr) == 0 &&
      dwarf_frame_cfa(fr, &ops, &n) == 0 && n > 0) {
    /* The CFA rule: register + offset, an address never read through. */
    uint64_t cfa = 0, r0;
    bool ok = false;
    if (n == 1 && ops[0].atom == DW_OP_bregx)
      ok = reg_of(&c, (unsigned)ops[0].number, &r0) && (cfa = r0 + ops[0].number2, true);
    else if (n == 1 && ops[0].atom >= DW_OP_breg0 && ops[0].atom <= DW_OP_breg31)
      ok = reg_of(&c, (unsigned)(ops[0].atom - DW_OP_breg0), &r0) && (cfa = r0 + ops[0].number, true);
    c.cfa = ok ? cfa : 0;
    *nfp = regs[SSE__REGNUM_FP];
    if (ok && caller_reg(&c, fr, SSE__REGNUM_PC, npc)) {
      caller_reg(&c, fr, SSE__REGNUM_FP, nfp);
      *nsp = cfa;
      rc = 0;
    }
  }
  free(fr);
  pthread_mutex_unlock(&st->mu);
  return rc;
}
