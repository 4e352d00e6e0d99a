/* One x86-64 instruction run on a thread's registers instead of by a
 * single-step (arch.h, sse__arch_emulate): the step-off of a breakpoint
 * whose displaced instruction is a nop, a push, a move or simple
 * arithmetic, as a function's first instructions are. Operands come from
 * capstone's detail (decode.c's handle); the flags are computed as the
 * Intel SDM gives them for add/sub (CF OF SF ZF AF PF) and for the logic
 * operations (CF = OF = 0, SF ZF PF from the result; AF, undefined there,
 * cleared). */
#include <stddef.h>
#include <string.h>

#include "arch/arch.h"
#include "x86_cs.h"

#define F_CF 0x1ull
#define F_PF 0x4ull
#define F_AF 0x10ull
#define F_ZF 0x40ull
#define F_SF 0x80ull
#define F_OF 0x800ull
#define F_ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

/* A capstone register: its 64-bit home in sse__regs, width in bytes, and
 * whether it is a high byte (ah ch dh bh). */
typedef struct reg_ref {
  unsigned long long *home;
  unsigned width;
  bool high;
} reg_ref;

static bool reg_of(sse__regs *r, x86_reg id, reg_ref *out) {
  static const struct {
    size_t off;
    x86_reg q, d, w, b, h;
  } gpr[] = {
      {offsetof(sse__regs, rax), X86_REG_RAX, X86_REG_EAX, X86_REG_AX, X86_REG_AL, X86_REG_AH},
      {offsetof(sse__regs, rbx), X86_REG_RBX, X86_REG_EBX, X86_REG_BX, X86_REG_BL, X86_REG_BH},
      {offsetof(sse__regs, rcx), X86_REG_RCX, X86_REG_ECX, X86_REG_CX, X86_REG_CL, X86_REG_CH},
      {offsetof(sse__regs, rdx), X86_REG_RDX, X86_REG_EDX, X86_REG_DX, X86_REG_DL, X86_REG_DH},
      {offsetof(sse__regs, rsi), X86_REG_RSI, X86_REG_ESI, X86_REG_SI, X86_REG_SIL, 0},
      {offsetof(sse__regs, rdi), X86_REG_RDI, X86_REG_EDI, X86_REG_DI, X86_REG_DIL, 0},
      {offsetof(sse__regs, rbp), X86_REG_RBP, X86_REG_EBP, X86_REG_BP, X86_REG_BPL, 0},
      {offsetof(sse__regs, rsp), X86_REG_RSP, X86_REG_ESP, X86_REG_SP, X86_REG_SPL, 0},
      {offsetof(sse__regs, r8), X86_REG_R8, X86_REG_R8D, X86_REG_R8W, X86_REG_R8B, 0},
      {offsetof(sse__regs, r9), X86_REG_R9, X86_REG_R9D, X86_REG_R9W, X86_REG_R9B, 0},
      {offsetof(sse__regs, r10), X86_REG_R10, X86_REG_R10D, X86_REG_R10W, X86_REG_R10B, 0},
      {offsetof(sse__regs, r11), X86_REG_R11, X86_REG_R11D, X86_REG_R11W, X86_REG_R11B, 0},
      {offsetof(sse__regs, r12), X86_REG_R12, X86_REG_R12D, X86_REG_R12W, X86_REG_R12B, 0},
      {offsetof(sse__regs, r13), X86_REG_R13, X86_REG_R13D, X86_REG_R13W, X86_REG_R13B, 0},
      {offsetof(sse__regs, r14), X86_REG_R14, X86_REG_R14D, X86_REG_R14W, X86_REG_R14B, 0},
      {offsetof(sse__regs, r15), X86_REG_R15, X86_REG_R15D, X86_REG_R15W, X86_REG_R15B, 0},
  };
  if (id == X86_REG_INVALID) return false;
  for (size_t i = 0; i < sizeof gpr / sizeof *gpr; i++) {
    unsigned w = id == gpr[i].q ? 8 : id == gpr[i].d ? 4 : id == gpr[i].w ? 2
               : id == gpr[i].b || id == gpr[i].h ? 1 : 0;
    if (!w) continue;
    out->home = (unsigned long long *)((char *)r + gpr[i].off);
    out->width = w;
    out->high = id == gpr[i].h;
    return true;
  }
  return false;
}

static uint64_t mask_of(unsigned width) {
  return width >= 8 ? ~0ull : (1ull << (width * 8)) - 1;
}

static uint64_t reg_get(const reg_ref *g) {
  return g->high ? (*g->home >> 8) & 0xff : *g->home & mask_of(g->width);
}

/* C's rules of the CPU: a 32-bit write zero-extends, 8 and 16 merge. */
static void reg_set(const reg_ref *g, uint64_t v) {
  if (g->width == 8 || g->width == 4) {
    *g->home = v & mask_of(g->width);
  } else if (g->high) {
    *g->home = (*g->home & ~0xff00ull) | ((v & 0xff) << 8);
  } else {
    uint64_t m = mask_of(g->width);
    *g->home = (*g->home & ~m) | (v & m);
  }
}

/* The effective address of a memory operand; false for a segment other
 * than fs/gs, or a register we do not hold. */
static bool mem_addr(const cs_insn *in, const cs_x86_op *op, sse__regs *r, uint64_t *out) {
  const x86_op_mem *m = &op->mem;
  uint64_t a = (uint64_t)m->disp;
  reg_ref g;
  if (m->base == X86_REG_RIP) a += in->address + in->size;
  else if (m->base != X86_REG_INVALID) {
    if (!reg_of(r, m->base, &g) || g.width != 8) return false;
    a += reg_get(&g);
  }
  if (m->index != X86_REG_INVALID) {
    if (!reg_of(r, m->index, &g) || g.width != 8) return false;
    a += reg_get(&g) * (uint64_t)m->scale;
  }
  if (m->segment == X86_REG_FS) a += r->fs_base;
  else if (m->segment == X86_REG_GS) a += r->gs_base;
  else if (m->segment != X86_REG_INVALID) return false;
  *out = a;
  return true;
}

/* An operand of the instruction, as a place read and written. */
typedef struct place {
  bool is_mem, is_imm;
  reg_ref reg;
  uint64_t addr, imm;
  unsigned size;
} place;

static bool place_of(const cs_insn *in, const cs_x86_op *op, sse__regs *r, place *p) {
  memset(p, 0, sizeof *p);
  p->size = op->size;
  if (op->type == X86_OP_REG) return reg_of(r, op->reg, &p->reg);
  if (op->type == X86_OP_IMM) {
    p->is_imm = true;
    p->imm = (uint64_t)op->imm;
    return true;
  }
  if (op->type != X86_OP_MEM) return false;
  p->is_mem = true;
  return p->size >= 1 && p->size <= 8 && mem_addr(in, op, r, &p->addr);
}

static bool place_read(const place *p, const sse__arch_mem *mem, uint64_t *v) {
  if (p->is_imm) {
    *v = p->imm & mask_of(p->size);
    return true;
  }
  if (!p->is_mem) {
    *v = reg_get(&p->reg);
    return true;
  }
  uint64_t x = 0;
  if (!mem || !mem->read(mem->ctx, p->addr, &x, p->size)) return false;
  *v = x & mask_of(p->size);
  return true;
}

static bool place_write(const place *p, const sse__arch_mem *mem, uint64_t v) {
  if (p->is_imm) return false;
  if (!p->is_mem) {
    reg_set(&p->reg, v);
    return true;
  }
  return mem && mem->write(mem->ctx, p->addr, &v, p->size);
}

static uint64_t sext(uint64_t v, unsigned size) {
  unsigned sh = 64 - size * 8;
  return size >= 8 ? v : (uint64_t)((int64_t)(v << sh) >> sh);
}

/* SF ZF PF of a result of `size` bytes. */
static uint64_t szp(uint64_t res, unsigned size) {
  uint64_t f = 0;
  if (res == 0) f |= F_ZF;
  if ((res >> (size * 8 - 1)) & 1) f |= F_SF;
  if (!__builtin_parity((unsigned)(res & 0xff))) f |= F_PF;
  return f;
}

/* a OP b in `size` bytes: the result and the flags it sets. */
static uint64_t alu(unsigned id, uint64_t a, uint64_t b, unsigned size, uint64_t *flags) {
  uint64_t m = mask_of(size), res, f = 0;
  unsigned top = size * 8 - 1;
  switch (id) {
    case X86_INS_ADD:
      res = (a + b) & m;
      if (res < a) f |= F_CF;
      if ((((a ^ res) & (b ^ res)) >> top) & 1) f |= F_OF;
      break;
    case X86_INS_SUB: case X86_INS_CMP:
      res = (a - b) & m;
      if (a < b) f |= F_CF;
      if ((((a ^ b) & (a ^ res)) >> top) & 1) f |= F_OF;
      break;
    case X86_INS_AND: case X86_INS_TEST: res = a & b; break;
    case X86_INS_OR: res = a | b; break;
    default: res = a ^ b; break; /* XOR */
  }
  if (id == X86_INS_ADD || id == X86_INS_SUB || id == X86_INS_CMP)
    f |= ((a ^ b ^ res) & 0x10) ? F_AF : 0;
  *flags = f | szp(res, size);
  return res;
}

static bool is_alu(unsigned id) {
  return id == X86_INS_ADD || id == X86_INS_SUB || id == X86_INS_CMP || id == X86_INS_AND ||
         id == X86_INS_OR || id == X86_INS_XOR || id == X86_INS_TEST;
}

/* dst OP= src; cmp and test only set the flags. The handle's syntax is
 * AT&T: the source is operand 0, the destination operand 1. */
static bool run_alu(const cs_insn *in, sse__regs *r, const sse__arch_mem *mem) {
  const cs_x86 *x = &in->detail->x86;
  place d, s;
  uint64_t a, b, flags;
  if (x->op_count != 2 || !place_of(in, &x->operands[1], r, &d) ||
      !place_of(in, &x->operands[0], r, &s) || d.is_imm || !place_read(&d, mem, &a) ||
      !place_read(&s, mem, &b))
    return false;
  if (s.is_imm) b = sext(b, s.size) & mask_of(d.size); /* imm8 sign-extended */
  uint64_t res = alu(in->id, a, b, d.size, &flags);
  if (in->id != X86_INS_CMP && in->id != X86_INS_TEST && !place_write(&d, mem, res))
    return false;
  r->eflags = (r->eflags & ~F_ARITH) | flags;
  return true;
}

/* mov, movzx, movsx, movsxd, lea: dst = src (extended), no flags (AT&T
 * order: source, destination). */
static bool run_move(const cs_insn *in, sse__regs *r, const sse__arch_mem *mem) {
  const cs_x86 *x = &in->detail->x86;
  place d, s;
  uint64_t v;
  if (x->op_count != 2 || !place_of(in, &x->operands[1], r, &d) || d.is_imm) return false;
  if (in->id == X86_INS_LEA) {
    if (x->operands[0].type != X86_OP_MEM || d.is_mem ||
        !mem_addr(in, &x->operands[0], r, &v))
      return false;
    /* lea computes no segment base */
    if (x->operands[0].mem.segment != X86_REG_INVALID) return false;
    return place_write(&d, mem, v & mask_of(d.size));
  }
  if (!place_of(in, &x->operands[0], r, &s) || !place_read(&s, mem, &v)) return false;
  if (in->id == X86_INS_MOVSX || in->id == X86_INS_MOVSXD) v = sext(v, s.size);
  if (in->id == X86_INS_MOV && s.is_imm) v = sext(v, s.size); /* mov r/m64, imm32 */
  return place_write(&d, mem, v & mask_of(d.size));
}

static bool run_push(const cs_insn *in, sse__regs *r, const sse__arch_mem *mem) {
  const cs_x86 *x = &in->detail->x86;
  place s;
  uint64_t v;
  if (x->op_count != 1 || !place_of(in, &x->operands[0], r, &s) || s.is_mem ||
      (!s.is_imm && s.reg.width != 8) || !place_read(&s, mem, &v))
    return false;
  if (s.is_imm) v = sext(v, s.size);
  uint64_t sp = r->rsp - 8;
  if (!mem || !mem->write(mem->ctx, sp, &v, 8)) return false;
  r->rsp = sp;
  return true;
}

static bool is_endbr(const uint8_t *b, size_t n) {
  return n >= 4 && b[0] == 0xf3 && b[1] == 0x0f && b[2] == 0x1e && (b[3] == 0xfa || b[3] == 0xfb);
}

bool sse__arch_emulate(const uint8_t *buf, size_t n, uint64_t pc, sse__regs *r,
                       const sse__arch_mem *mem) {
  if (is_endbr(buf, n)) {
    r->rip = pc + 4;
    return true;
  }
  const cs_insn *in = sse__x86_decode_cs(buf, n, pc);
  if (!in) return false;
  const cs_x86 *x = &in->detail->x86;
  /* lock/rep and address-size prefixes: not these simple forms */
  if (x->prefix[0] != 0 || x->prefix[3] != 0) return false;
  sse__regs w = *r; /* worked on; copied back only when done */
  bool ok;
  if (in->id == X86_INS_NOP) ok = true;
  else if (in->id == X86_INS_PUSH) ok = run_push(in, &w, mem);
  else if (in->id == X86_INS_MOV || in->id == X86_INS_MOVZX || in->id == X86_INS_MOVSX ||
           in->id == X86_INS_MOVSXD || in->id == X86_INS_LEA)
    ok = run_move(in, &w, mem);
  else if (is_alu(in->id)) ok = run_alu(in, &w, mem);
  else ok = false;
  if (!ok) return false;
  w.rip = pc + in->size;
  *r = w;
  return true;
}
