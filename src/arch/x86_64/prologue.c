/* x86_64 prologue analysis (arch.h): the one analyser of a function's
 * first bytes, modelled on gdb 13's amd64_analyze_prologue (amd64-tdep.c)
 * and amd64_analyze_stack_align, with the same byte tests, and the
 * questions its users ask of it: where `break FUNC` and a step into a
 * function stop, how the unwinder steps out of a frame without call-frame
 * information, gdb's frame id of such a frame. Also the rt_sigreturn
 * trampoline test. */
#include "arch/arch.h"

#include <string.h>

/* Bytes the analysis looks at, zero-padded past n. Every recognised
 * sequence ends with a test of a nonzero byte, so the padding never
 * completes a match: bytes past code[n) never match. */
#define PRO_WINDOW SSE__ARCH_PROLOGUE_MAX

typedef enum pro_mov {
  MOV_NONE = 0,
  MOV_RSP_RBP, /* movq %rsp,%rbp: 48 89 e5 or 48 8b ec (gdb's two) */
  MOV_ESP_EBP, /* movl %esp,%ebp: 89 e5 or 8b ec (gdb: on x32 only) */
  MOV_RBP_RSP  /* movq %rbp,%rsp: 48 89 ec or 48 8b e5 */
} pro_mov;

/* What the analysis found at the start of a function. */
typedef struct prologue {
  size_t push_at; /* offset of push %rbp, or where it would be: after the
                     realignment sequence and endbr64 */
  bool push;      /* push %rbp (55) at push_at */
  pro_mov mov;    /* the instruction right after the push, when push */
} prologue;

/* Stack realignment before the frame is set up (amd64_analyze_stack_align):
 *   leaq 8(%rsp),%reg; andq $-X,%rsp; pushq -8(%reg)                or
 *   pushq %reg; leaq 16(%rsp),%reg; andq $-X,%rsp; pushq -8(%reg)
 * Returns the offset after it (at most 18), or 0. */
static size_t stack_align_end(const uint8_t *b) {
  int reg, r;
  size_t off;
  if ((b[0] & 0xfb) == 0x48 && b[1] == 0x8d && b[3] == 0x24 && b[4] == 0x08) {
    if ((b[2] & 0xc7) != 0x44) /* MOD 10, R/M 100 */
      return 0;
    reg = (b[2] >> 3) & 7;
    if (b[0] == 0x4c) /* REX.R */
      reg += 8;
    off = 5;
  } else {
    reg = 0;
    if ((b[0] & 0xf8) == 0x50)
      off = 0;
    else if ((b[0] & 0xf6) == 0x40 && (b[1] & 0xf8) == 0x50) {
      if (b[0] & 1) /* REX.B */
        reg = 8;
      off = 1;
    } else
      return 0;
    reg += b[off] & 7;
    off++;
    if ((b[off] & 0xfb) != 0x48 || b[off + 1] != 0x8d || b[off + 3] != 0x24 ||
        b[off + 4] != 0x10)
      return 0;
    if ((b[off + 2] & 0xc7) != 0x44)
      return 0;
    r = (b[off + 2] >> 3) & 7;
    if (b[off] == 0x4c)
      r += 8;
    if (reg != r)
      return 0;
    off += 5;
  }
  if (reg == 4 || reg == 5) /* not %rsp nor %rbp */
    return 0;
  if (b[off] != 0x48 || b[off + 2] != 0xe4 || (b[off + 1] != 0x81 && b[off + 1] != 0x83))
    return 0;
  off += b[off + 1] == 0x81 ? 7 : 4;
  r = 0;
  if (b[off] == 0xff)
    off++;
  else if ((b[off] & 0xf6) == 0x40 && b[off + 1] == 0xff) {
    if (b[off] & 1)
      r = 8;
    off += 2;
  } else
    return 0;
  if (b[off + 1] != 0xf8 || (b[off] & 0xf8) != 0x70) /* -8(%reg): MOD 01, REG 110 */
    return 0;
  r += b[off] & 7;
  if (reg != r)
    return 0;
  return off + 2;
}

static pro_mov mov_at(const uint8_t *b) {
  if (b[0] == 0x48 && ((b[1] == 0x89 && b[2] == 0xe5) || (b[1] == 0x8b && b[2] == 0xec)))
    return MOV_RSP_RBP;
  if (b[0] == 0x48 && ((b[1] == 0x89 && b[2] == 0xec) || (b[1] == 0x8b && b[2] == 0xe5)))
    return MOV_RBP_RSP;
  if ((b[0] == 0x89 && b[1] == 0xe5) || (b[0] == 0x8b && b[1] == 0xec))
    return MOV_ESP_EBP;
  return MOV_NONE;
}

/* The analysis of code[0..n): [stack realignment, when stack_align]
 * [endbr64] [push %rbp [mov]]. */
static void analyze(const uint8_t *code, size_t n, bool stack_align, prologue *a) {
  static const uint8_t endbr64[4] = {0xf3, 0x0f, 0x1e, 0xfa};
  uint8_t b[PRO_WINDOW] = {0};
  if (code != NULL)
    memcpy(b, code, n < sizeof b ? n : sizeof b);
  size_t at = stack_align ? stack_align_end(b) : 0;
  if (memcmp(b + at, endbr64, 4) == 0)
    at += 4;
  a->push_at = at;
  a->push = b[at] == 0x55;
  a->mov = a->push ? mov_at(b + at + 1) : MOV_NONE;
}

uint64_t sse__arch_prologue_end(const uint8_t *code, size_t n, uint64_t func, unsigned opts) {
  prologue a;
  analyze(code, n, (opts & SSE__ARCH_PRO_STACK_ALIGN) != 0, &a);
  /* gdb: `push %rbp` alone leaves the function "frameless" and
   * amd64_skip_prologue then returns the entry itself. */
  if (a.push && a.mov == MOV_RSP_RBP)
    return func + a.push_at + 4;
  if (a.push && a.mov == MOV_ESP_EBP && (opts & SSE__ARCH_PRO_FRAME32))
    return func + a.push_at + 3;
  return func;
}

uint64_t sse__arch_skip_prologue(const uint8_t *buf, size_t n, uint64_t addr) {
  return sse__arch_prologue_end(buf, n, addr, SSE__ARCH_PRO_STACK_ALIGN);
}

/* The frame-pointer rule asks where pc is relative to the push and the
 * mov, without the realignment sequence; any 3-byte movq between %rsp and
 * %rbp after the push counts as the frame setup (the unwinder only needs
 * to know when the push is no longer the last thing done). */
bool sse__arch_fp_rule(const uint8_t *code, size_t n, uint64_t off, uint64_t sp, uint64_t fp,
                       sse__arch_fp_frame *out) {
  memset(out, 0, sizeof *out);
  prologue a = {0};
  bool chain = n < 4; /* function or code unknown: take the frame as set up */
  if (!chain) {
    analyze(code, n, false, &a);
    if (!a.push || off <= a.push_at) {
      /* frameless, or before the push: the return address at [sp] */
      out->ra_at = sp;
      out->cfa = sp + 8;
      return true;
    }
    size_t movlen = a.mov == MOV_RSP_RBP || a.mov == MOV_RBP_RSP ? 3 : 0;
    chain = off >= a.push_at + 1 + movlen;
  }
  if (!chain) {
    /* after the push, before the mov: [sp] caller's rbp, [sp+8] return */
    out->ra_at = sp + 8;
    out->cfa = sp + 16;
    out->fp_saved = true;
    out->fp_at = sp;
    return true;
  }
  /* through rbp: [rbp] caller's rbp, [rbp+8] return address */
  if (fp < sp || (fp & 7) != 0 || fp - sp > (64u << 20))
    return false;
  out->ra_at = fp + 8;
  out->cfa = fp + 16;
  out->fp_saved = true;
  out->fp_at = fp;
  return true;
}

/* amd64_frame_cache: the base is rbp once the analysis found push %rbp;
 * mov %rsp,%rbp and pc is past the push (gdb does not ask whether the mov
 * has run), else rsp adjusted by the analysis' sp_offset: -8, or 0 once a
 * push %rbp at the start has run. The id is base + 16. */
uint64_t sse__arch_nocfi_frame_id(const uint8_t *code, size_t n, uint64_t func, uint64_t pc,
                                  uint64_t sp, uint64_t fp) {
  if (func == 0 || code == NULL || n < 16)
    return 0;
  prologue a;
  analyze(code, n, false, &a);
  int64_t sp_offset = -8;
  if (a.push) {
    if (pc > func + a.push_at)
      sp_offset += 8;
    if (a.mov == MOV_RSP_RBP && pc > func + a.push_at + 1)
      return fp + 16;
  }
  return sp + (uint64_t)sp_offset + 16;
}

/* gdb's amd64_linux_sigtramp_p: `mov $0xf,%rax; syscall` (rt_sigreturn) at
 * pc, or with pc on the syscall. buf holds the bytes from pc - 7. */
bool sse__arch_is_sigtramp(const uint8_t *buf, size_t n) {
  static const uint8_t seq[9] = {0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05};
  return (n >= 16 && memcmp(buf + 7, seq, sizeof seq) == 0) ||
         (n >= 9 && memcmp(buf, seq, sizeof seq) == 0);
}
