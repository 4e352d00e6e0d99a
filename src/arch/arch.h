/* Architecture interface of the stepping engine: instruction decode and
 * classification, prologue skipping, breakpoint encoding, debug-register
 * (DR6/DR7) encoding.  Arch-neutral: src/engine uses only these names; the one
 * implementation today is arch_x86_64.c (capstone).
 *
 * Thread: every function here may be called from any thread at the same time.
 * The decoder keeps one capstone handle per calling thread (capstone handles
 * are not thread-safe), opened on first use and closed when the thread exits.
 */
#ifndef SSE_ARCH_ARCH_H
#define SSE_ARCH_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* sse__regs and its accessors, from src/arch/$(ARCH)/arch_regs.h */
#include "arch_regs.h"

typedef enum sse__insn_kind {
  SSE__INSN_OTHER = 0, /* falls through to the next instruction */
  SSE__INSN_CALL,      /* call (direct or indirect) */
  SSE__INSN_RET,       /* ret, retf, iret */
  SSE__INSN_JMP,       /* unconditional jmp (direct or indirect) */
  SSE__INSN_JCC,       /* conditional jump, jrcxz, loop/loope/loopne, xbegin */
  SSE__INSN_SYSCALL,   /* syscall, sysenter, int, int3, int1, into, ud0/1/2,
                          hlt, sysret/sysexit: kernel entry or trap */
  SSE__INSN_REP,       /* rep/repe/repne-prefixed string instruction */
  SSE__INSN_INVALID    /* capstone could not decode */
} sse__insn_kind;

typedef struct sse__insn {
  uint64_t addr;
  unsigned len;        /* bytes; 0 if invalid */
  sse__insn_kind kind;
  bool has_target;     /* direct call/jmp/jcc: target known */
  uint64_t target;
  /* Only with kind INVALID: true if decoding stopped because the buffer ended
   * (at addr, or inside the instruction at addr), so more bytes from addr on
   * may decode; false if the bytes at addr are not an instruction. */
  bool truncated;
} sse__insn;

/* Longest x86 instruction; a buffer of this many bytes always decides. */
#define SSE__ARCH_MAX_INSN_LEN 15

/* Decode one instruction at addr from buf[0..n).  Returns 0, or -1 if invalid
 * (kind INVALID, len 0; out->truncated tells a cut instruction from bad
 * bytes). */
int sse__arch_decode(const uint8_t *buf, size_t n, uint64_t addr, sse__insn *out);

/* Range-stepping scan: starting at addr, decode forward through buf[0..n) to
 * the first instruction that is not SSE__INSN_OTHER (any control flow, kernel
 * entry, rep string op, or invalid).  Returns its offset from addr and fills
 * *branch.
 * If there is none within the buffer, *branch has kind INVALID, len 0,
 * truncated true, addr = addr + returned offset, and the returned offset is
 * where decoding stopped: n when the last instruction ends exactly at the
 * buffer end, or the start of an instruction cut by the buffer end (which
 * counts as "none found" at that offset).  The caller then reads more from
 * addr + offset, or single-steps.  Every instruction in [addr, addr + offset)
 * is SSE__INSN_OTHER. */
size_t sse__arch_scan_to_branch(const uint8_t *buf, size_t n, uint64_t addr,
                                sse__insn *branch);

/* Prologue skip for `break FUNC` / step-into, as gdb 13's amd64_skip_prologue
 * does when it does not trust the line table (gcc code): its
 * amd64_analyze_prologue recognises an optional stack-realignment sequence,
 * an optional endbr64, then `push %rbp` + `mov %rsp,%rbp` (48 89 e5 or
 * 48 8b ec) and returns the address after the mov.  If `push %rbp` is not
 * followed by that mov (or nothing is recognised), the function is
 * "frameless" and the entry addr itself is returned.  Bytes past buf[n) never
 * match.  (gdb's later amd64_skip_xmm_prologue needs line tables: not here.) */
uint64_t sse__arch_skip_prologue(const uint8_t *buf, size_t n, uint64_t addr);

/* One instruction as text "mnemonic operands" in AT&T syntax (gdb's default),
 * NUL-terminated and cut to textsz.  Returns its length, or 0 if invalid
 * (text is then "(bad)"). */
unsigned sse__arch_disasm(const uint8_t *buf, size_t n, uint64_t addr,
                          char *text, size_t textsz);

/* Breakpoint encoding */
#define SSE__ARCH_BREAK_LEN 1
extern const uint8_t sse__arch_break_insn[SSE__ARCH_BREAK_LEN]; /* 0xcc */
/* After an int3 trap, the pc the kernel reports is past the int3 by this much */
#define SSE__ARCH_BREAK_PC_ADJUST 1

/* Debug registers */
#define SSE__ARCH_HW_SLOTS 4
typedef enum { SSE__HW_EXEC = 0, SSE__HW_WRITE = 1, SSE__HW_RW = 3 } sse__hw_type;

/* True if (slot, type, len) is encodable: slot 0..3, len 1, 2, 4 or 8, and
 * len 1 for EXEC. */
bool sse__arch_dr7_valid(int slot, sse__hw_type type, int len);
/* Return dr7 with slot (0..3) enabled (local enable bit, plus LE as gdb sets
 * it) for the type and len (1,2,4,8; must be 1 for EXEC).  If the arguments
 * are not valid (sse__arch_dr7_valid), dr7 is returned unchanged. */
uint64_t sse__arch_dr7_set(uint64_t dr7, int slot, sse__hw_type type, int len);
/* Return dr7 with slot disabled (L and G bits, R/W and LEN fields cleared);
 * LE is cleared too once no slot is enabled. */
uint64_t sse__arch_dr7_clear(uint64_t dr7, int slot);
/* True if slot is enabled (local or global) in dr7. */
bool sse__arch_dr7_enabled(uint64_t dr7, int slot);
/* From a DR6 value, which slot (0..3) triggered (the lowest if several), or
 * -1; and whether it was a single-step (BS bit) */
int sse__arch_dr6_slot(uint64_t dr6);
bool sse__arch_dr6_single_step(uint64_t dr6);
/* offsetof(struct user, u_debugreg[i]) for PTRACE_PEEKUSER/POKEUSER; -1 if i
 * is not 0..7 */
long sse__arch_debugreg_offset(int i);

#endif /* SSE_ARCH_ARCH_H */
