/* x86_64 instruction decode with capstone (arch.h): classification for
 * range stepping, AT&T disassembly, the int3 breakpoint encoding. */
#include "arch/arch.h"
#include "x86_cs.h"

#include <capstone/capstone.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const uint8_t sse__arch_break_insn[SSE__ARCH_BREAK_LEN] = {0xcc};

/* ------------------------------------------------------------------ */
/* One capstone handle per thread.
 *
 * A capstone handle is not thread-safe and calls come from several threads
 * (tracer, symbol thread, users').  Opening a handle per call (about 10 us)
 * costs as much as some 20 decodes (test_arch prints both figures), so each
 * thread keeps its own, found through a __thread pointer (no lock on the
 * decode path).  A pthread key with a destructor closes it when the thread
 * exits. */

typedef struct cs_ctx {
  csh handle;
  cs_insn *insn; /* cs_malloc'd, reused by cs_disasm_iter: no malloc per decode */
} cs_ctx;

static __thread cs_ctx *tl_ctx;
static pthread_key_t ctx_key;
static pthread_once_t ctx_key_once = PTHREAD_ONCE_INIT;
/* cs_open/cs_close touch capstone's global tables (older releases initialise
 * them lazily without a lock); serialise them.  Taken once per thread. */
static pthread_mutex_t cs_open_lock = PTHREAD_MUTEX_INITIALIZER;
static bool ctx_key_ok;

static void ctx_free(cs_ctx *c) {
  pthread_mutex_lock(&cs_open_lock);
  if (c->insn != NULL)
    cs_free(c->insn, 1);
  cs_close(&c->handle);
  pthread_mutex_unlock(&cs_open_lock);
  free(c);
}

static void ctx_destroy(void *p) {
  /* glibc runs key destructors before the thread's static TLS goes away. */
  tl_ctx = NULL;
  ctx_free(p);
}

static void ctx_key_create(void) {
  ctx_key_ok = pthread_key_create(&ctx_key, ctx_destroy) == 0;
}

static cs_ctx *ctx_get(void) {
  cs_ctx *c = tl_ctx;
  if (c != NULL)
    return c;
  pthread_once(&ctx_key_once, ctx_key_create);
  c = calloc(1, sizeof *c);
  if (c == NULL)
    return NULL;
  pthread_mutex_lock(&cs_open_lock);
  cs_err err = cs_open(CS_ARCH_X86, CS_MODE_64, &c->handle);
  if (err == CS_ERR_OK) {
    cs_option(c->handle, CS_OPT_DETAIL, CS_OPT_ON);
    cs_option(c->handle, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
    c->insn = cs_malloc(c->handle);
  }
  pthread_mutex_unlock(&cs_open_lock);
  if (err != CS_ERR_OK) {
    free(c);
    return NULL;
  }
  if (c->insn == NULL) {
    ctx_free(c);
    return NULL;
  }
  if (!ctx_key_ok || pthread_setspecific(ctx_key, c) != 0) {
    ctx_free(c); /* could not arrange the close at thread exit: do not leak */
    return NULL;
  }
  tl_ctx = c;
  return c;
}

/* Decode one instruction into c->insn; false if capstone refuses. */
static bool cs_one(cs_ctx *c, const uint8_t *buf, size_t n, uint64_t addr) {
  const uint8_t *p = buf;
  size_t sz = n < SSE__ARCH_MAX_INSN_LEN ? n : SSE__ARCH_MAX_INSN_LEN;
  uint64_t a = addr;
  return cs_disasm_iter(c->handle, &p, &sz, &a, c->insn);
}

/* ------------------------------------------------------------------ */
/* Classification */

/* A rep/repe/repne prefix in front of a string-instruction opcode.  Parsed
 * from the bytes: capstone gives SSE movsd/cmpsd (f2 0f ...) the same ids as
 * the string movsd/cmpsd, and its prefix[] is not reliable for every
 * combination. */
static bool is_rep_string(const uint8_t *b, unsigned len) {
  bool rep = false;
  unsigned i = 0;
  for (; i < len; i++) {
    uint8_t x = b[i];
    if (x == 0xf2 || x == 0xf3)
      rep = true;
    else if (x != 0x66 && x != 0x67 && x != 0xf0 && x != 0x2e && x != 0x36 &&
             x != 0x3e && x != 0x26 && x != 0x64 && x != 0x65)
      break;
  }
  if (i < len && (b[i] & 0xf0) == 0x40) /* REX comes last, right before the opcode */
    i++;
  if (!rep || i >= len)
    return false;
  uint8_t op = b[i];
  return (op >= 0xa4 && op <= 0xa7) || /* movs, cmps */
         (op >= 0xaa && op <= 0xaf) || /* stos, lods, scas */
         (op >= 0x6c && op <= 0x6f);   /* ins, outs */
}

static sse__insn_kind kind_of(unsigned id) {
  switch (id) {
  case X86_INS_CALL:
  case X86_INS_LCALL:
    return SSE__INSN_CALL;
  case X86_INS_RET:
  case X86_INS_RETF:
  case X86_INS_RETFQ:
  case X86_INS_IRET:
  case X86_INS_IRETD:
  case X86_INS_IRETQ:
    return SSE__INSN_RET;
  case X86_INS_JMP:
  case X86_INS_LJMP:
    return SSE__INSN_JMP;
  case X86_INS_JAE: case X86_INS_JA: case X86_INS_JBE: case X86_INS_JB:
  case X86_INS_JCXZ: case X86_INS_JECXZ: case X86_INS_JRCXZ:
  case X86_INS_JE: case X86_INS_JGE: case X86_INS_JG: case X86_INS_JLE:
  case X86_INS_JL: case X86_INS_JNE: case X86_INS_JNO: case X86_INS_JNP:
  case X86_INS_JNS: case X86_INS_JO: case X86_INS_JP: case X86_INS_JS:
  case X86_INS_LOOP: case X86_INS_LOOPE: case X86_INS_LOOPNE:
  /* RTM: on abort, control goes to the fallback address. */
  case X86_INS_XBEGIN:
    return SSE__INSN_JCC;
  case X86_INS_SYSCALL:
  case X86_INS_SYSENTER:
  case X86_INS_INT:
  case X86_INS_INT1:
  case X86_INS_INT3:
  case X86_INS_INTO:
  case X86_INS_UD0:
  case X86_INS_UD2:
  case X86_INS_UD2B:
  case X86_INS_HLT:
  /* privileged: #GP in user mode, i.e. a trap, never a fall-through */
  case X86_INS_SYSEXIT:
  case X86_INS_SYSRET:
    return SSE__INSN_SYSCALL;
  default:
    return SSE__INSN_OTHER;
  }
}

static void set_invalid(sse__insn *out, uint64_t addr, bool truncated) {
  out->addr = addr;
  out->len = 0;
  out->kind = SSE__INSN_INVALID;
  out->has_target = false;
  out->target = 0;
  out->truncated = truncated;
}

/* Capstone refused buf[0..n).  Cut by the buffer end, or bad bytes?  With a
 * full 15 bytes it is bad.  With fewer, pad with zeros and retry: if that
 * decodes to something longer than n, the instruction was cut.  (If the
 * padding happens to make it undecodable we say "bad", and the caller
 * single-steps it, which is always correct.) */
static bool is_truncated(cs_ctx *c, const uint8_t *buf, size_t n, uint64_t addr) {
  if (n == 0)
    return true;
  if (n >= SSE__ARCH_MAX_INSN_LEN)
    return false;
  uint8_t pad[SSE__ARCH_MAX_INSN_LEN] = {0};
  memcpy(pad, buf, n);
  return cs_one(c, pad, sizeof pad, addr) && c->insn->size > n;
}

int sse__arch_decode(const uint8_t *buf, size_t n, uint64_t addr, sse__insn *out) {
  cs_ctx *c = ctx_get();
  if (c == NULL || buf == NULL) {
    set_invalid(out, addr, false);
    return -1;
  }
  if (!cs_one(c, buf, n, addr)) {
    set_invalid(out, addr, is_truncated(c, buf, n, addr));
    return -1;
  }
  const cs_insn *in = c->insn;
  out->addr = addr;
  out->len = in->size;
  out->kind = kind_of(in->id);
  out->has_target = false;
  out->target = 0;
  out->truncated = false;
  if (out->kind == SSE__INSN_OTHER && is_rep_string(buf, in->size))
    out->kind = SSE__INSN_REP;
  if ((out->kind == SSE__INSN_CALL || out->kind == SSE__INSN_JMP ||
       out->kind == SSE__INSN_JCC) &&
      in->detail != NULL && in->detail->x86.op_count == 1 &&
      in->detail->x86.operands[0].type == X86_OP_IMM) {
    out->has_target = true;
    out->target = (uint64_t)in->detail->x86.operands[0].imm;
  }
  return 0;
}

size_t sse__arch_scan_to_branch(const uint8_t *buf, size_t n, uint64_t addr,
                                sse__insn *branch) {
  size_t off = 0;
  while (off < n) {
    if (sse__arch_decode(buf + off, n - off, addr + off, branch) != 0) {
      if (branch->truncated)
        break; /* cut by the buffer end: none found, stop at its start */
      return off;
    }
    if (branch->kind != SSE__INSN_OTHER)
      return off;
    off += branch->len;
  }
  set_invalid(branch, addr + off, true);
  return off;
}

unsigned sse__arch_disasm(const uint8_t *buf, size_t n, uint64_t addr, char *text,
                          size_t textsz) {
  cs_ctx *c = ctx_get();
  if (c == NULL || buf == NULL || !cs_one(c, buf, n, addr)) {
    if (textsz > 0)
      snprintf(text, textsz, "(bad)");
    return 0;
  }
  if (textsz > 0) {
    if (c->insn->op_str[0] != '\0')
      snprintf(text, textsz, "%s %s", c->insn->mnemonic, c->insn->op_str);
    else
      snprintf(text, textsz, "%s", c->insn->mnemonic);
  }
  return c->insn->size;
}


bool sse__arch_is_syscall_insn(const uint8_t *b, size_t n) {
  return n >= 2 && ((b[0] == 0x0f && (b[1] == 0x05 || b[1] == 0x34)) ||
                    (b[0] == 0xcd && b[1] == 0x80));
}

/* EFLAGS bits the conditional jumps test. */
#define FL_CF (1u << 0)
#define FL_PF (1u << 2)
#define FL_ZF (1u << 6)
#define FL_SF (1u << 7)
#define FL_OF (1u << 11)

/* Whether the conditional jump `id` is taken with flags f and count rcx;
 * -1 for one this does not know. */
static int jcc_taken(unsigned id, uint64_t f, uint64_t rcx) {
  bool cf = f & FL_CF, pf = f & FL_PF, zf = f & FL_ZF, sf = f & FL_SF,
       of = f & FL_OF;
  switch (id) {
  case X86_INS_JO: return of;
  case X86_INS_JNO: return !of;
  case X86_INS_JB: return cf;
  case X86_INS_JAE: return !cf;
  case X86_INS_JE: return zf;
  case X86_INS_JNE: return !zf;
  case X86_INS_JBE: return cf || zf;
  case X86_INS_JA: return !cf && !zf;
  case X86_INS_JS: return sf;
  case X86_INS_JNS: return !sf;
  case X86_INS_JP: return pf;
  case X86_INS_JNP: return !pf;
  case X86_INS_JL: return sf != of;
  case X86_INS_JGE: return sf == of;
  case X86_INS_JLE: return zf || sf != of;
  case X86_INS_JG: return !zf && sf == of;
  case X86_INS_JRCXZ: return rcx == 0;
  case X86_INS_LOOP: return rcx - 1 != 0;
  case X86_INS_LOOPE: return rcx - 1 != 0 && zf;
  case X86_INS_LOOPNE: return rcx - 1 != 0 && !zf;
  default: return -1;
  }
}

int sse__arch_branch_dest(const uint8_t *buf, size_t n, uint64_t pc,
                          const sse__regs *r, uint64_t *dest) {
  cs_ctx *c = ctx_get();
  if (c == NULL || buf == NULL || !cs_one(c, buf, n, pc)) return 0;
  const cs_insn *in = c->insn;
  const cs_x86 *x = in->detail ? &in->detail->x86 : NULL;
  if (x == NULL) return 0;
  /* An operand-size or address-size prefix changes what is tested or
   * where it goes (jecxz, 16-bit targets): not worth the cases. */
  if (x->prefix[2] != 0 || x->prefix[3] != 0) return 0;
  if (in->id == X86_INS_RET && x->op_count == 0) {
    *dest = r->rsp;
    return 2;
  }
  if (x->op_count != 1 || x->operands[0].type != X86_OP_IMM) return 0;
  uint64_t target = (uint64_t)x->operands[0].imm;
  if (in->id == X86_INS_JMP) {
    *dest = target;
    return 1;
  }
  int taken = jcc_taken(in->id, r->eflags, r->rcx);
  if (taken < 0) return 0;
  *dest = taken ? target : pc + in->size;
  return 1;
}

const cs_insn *sse__x86_decode_cs(const uint8_t *buf, size_t n, uint64_t addr) {
  cs_ctx *c = ctx_get();
  if (c == NULL || buf == NULL || !cs_one(c, buf, n, addr) || c->insn->detail == NULL)
    return NULL;
  return c->insn;
}
