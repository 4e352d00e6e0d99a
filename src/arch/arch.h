/* Architecture interface of the stepping engine: instruction decode and
 * classification, breakpoint encoding, debug-register (DR6/DR7) encoding,
 * the prologue analysis, PLT stubs and relocations.  Arch-neutral:
 * the code outside src/arch and src/ptrace uses only these names.  The one
 * implementation today is src/arch/x86_64/ (decode.c with capstone,
 * prologue.c, plt.c, dr7.c, regs.c).  This header includes nothing of the
 * other folders.
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
/* Where the branch at pc (its bytes in buf[0..n)) goes when executed with
 * registers r, without executing it: 1 and *dest for a direct jmp or a
 * conditional jump (jcc from the flags, jrcxz, loop/loope/loopne from rcx),
 * 2 for a near ret (*dest is then the stack pointer the return address is
 * read from), 0 when it cannot tell (indirect, far, calls, anything
 * else). */
int sse__arch_branch_dest(const uint8_t *buf, size_t n, uint64_t pc,
                          const sse__regs *r, uint64_t *dest);

/* True if buf[0..n) starts with a system-call instruction proper (syscall,
 * sysenter, int $0x80): one that may block in the kernel for as long as it
 * likes, as opposed to the other SSE__INSN_SYSCALL kinds (traps). */
bool sse__arch_is_syscall_insn(const uint8_t *buf, size_t n);

size_t sse__arch_scan_to_branch(const uint8_t *buf, size_t n, uint64_t addr,
                                sse__insn *branch);

/* One instruction as text "mnemonic operands" in AT&T syntax (gdb's default),
 * NUL-terminated and cut to textsz.  Returns its length, or 0 if invalid
 * (text is then "(bad)"). */
unsigned sse__arch_disasm(const uint8_t *buf, size_t n, uint64_t addr,
                          char *text, size_t textsz);

/* ---- Prologue analysis ----
 * One analyser (prologue.c, gdb 13's amd64_analyze_prologue: an optional
 * stack-realignment sequence, an optional endbr64, then `push %rbp` and
 * `mov %rsp,%rbp` in either encoding, 48 89 e5 or 48 8b ec), asked the
 * questions below. `code` is always the first n bytes of the function,
 * which starts at `func`; bytes past code[n) never match. */

/* The analysis never looks further than this into a function. */
#define SSE__ARCH_PROLOGUE_MAX 32

/* Options of sse__arch_prologue_end. */
#define SSE__ARCH_PRO_STACK_ALIGN 1u /* recognise the realignment sequence first */
#define SSE__ARCH_PRO_FRAME32 2u     /* also accept the 32-bit copy of the stack
                                        pointer after the push (gdb: x32 only) */

/* Where a function's frame setup ends: after `push %rbp; mov %rsp,%rbp`
 * when the analysis finds them, else func itself ("frameless", as gdb's
 * amd64_skip_prologue says when the push is not followed by the mov, or
 * nothing is recognised). code may be NULL (n 0). (gdb's later
 * amd64_skip_xmm_prologue needs line tables: not here.) */
uint64_t sse__arch_prologue_end(const uint8_t *code, size_t n, uint64_t func, unsigned opts);

/* gdb 13's amd64_skip_prologue for code it does not trust the line table
 * of (gcc code), for a step into a function:
 * sse__arch_prologue_end(buf, n, addr, SSE__ARCH_PRO_STACK_ALIGN). */
uint64_t sse__arch_skip_prologue(const uint8_t *buf, size_t n, uint64_t addr);

/* Unwinding a frame without call-frame information by the frame pointer
 * (gdb's amd64 prologue analysis in small), at offset off into its
 * function, with stack pointer sp and frame pointer fp: before the frame
 * pointer is saved (or in a function that never saves it) the return
 * address is at the stack pointer; between the save and the frame setup
 * just above the saved frame pointer; after it, through the frame pointer
 * chain. The caller reads the words (SSE__ARCH_WORD bytes) the rule names.
 * With fewer than 4 bytes of code (function or code unknown) the frame is
 * taken to be set up. Returns false when the chain is implausible (the
 * frame pointer below sp, misaligned, or more than 64 MiB above it). */
#define SSE__ARCH_WORD 8
#define SSE__ARCH_FP_CODE_LEN 8 /* bytes of the function's start the rule needs */
typedef struct sse__arch_fp_frame {
  uint64_t ra_at;  /* the return address is the word at ra_at */
  uint64_t cfa;    /* the caller's stack pointer after the return */
  bool fp_saved;   /* the caller's frame pointer is the word at fp_at; else
                      it is fp (not changed yet) */
  uint64_t fp_at;
} sse__arch_fp_frame;
bool sse__arch_fp_rule(const uint8_t *code, size_t n, uint64_t off, uint64_t sp, uint64_t fp,
                       sse__arch_fp_frame *out);

/* gdb's frame id (its stack part) of a frame at pc in a function without
 * call-frame information, as amd64_frame_cache computes it from the
 * prologue analysis: after [endbr64] push %rbp; mov %rsp,%rbp the frame
 * base is fp, else sp adjusted for a push %rbp at the start when it has
 * run (-8 before it); the id is the base + 16. Such an id moves with every
 * other push: when it differs between a step's start and a call made from
 * the frame, gdb does not see the call as a subroutine call. 0 when n < 16
 * (or func is 0): it cannot tell. */
uint64_t sse__arch_nocfi_frame_id(const uint8_t *code, size_t n, uint64_t func, uint64_t pc,
                                  uint64_t sp, uint64_t fp);

/* gdb's amd64_linux_sigtramp_p: whether pc is in the kernel's signal
 * return trampoline (rt_sigreturn), at its first instruction or on the
 * system call. buf holds n bytes read from pc - SSE__ARCH_SIGTRAMP_BEFORE
 * (pc below that is never one); SSE__ARCH_SIGTRAMP_LEN bytes decide. */
#define SSE__ARCH_SIGTRAMP_BEFORE 7
#define SSE__ARCH_SIGTRAMP_LEN 16
bool sse__arch_is_sigtramp(const uint8_t *buf, size_t n);

/* ---- PLT stubs and relocations (plt.c) ---- */

/* Whether an ELF section of this name holds PLT stubs (.plt, .plt.sec,
 * .plt.got, .iplt). A module has at most SSE__ARCH_PLT_SECTIONS. */
#define SSE__ARCH_PLT_SECTIONS 4
bool sse__arch_is_plt_section(const char *name);

/* The PLT stub holding rel, in the PLT section `name` at addr whose
 * contents are code[0..size) and whose sh_entsize is entsize: its
 * [*lo, *hi) and the GOT slot its indirect jump goes through (*got). False
 * when rel is in no stub that jumps through a GOT slot: PLT0 (the
 * lazy-binding resolver's stub), a .plt entry of an IBT program (it only
 * pushes and jumps to PLT0), a section cut short. */
bool sse__arch_plt_entry(const char *name, uint64_t addr, const uint8_t *code, uint64_t size,
                         uint64_t entsize, uint64_t rel, uint64_t *lo, uint64_t *hi,
                         uint64_t *got);

/* What a dynamic relocation of this type (ELF64_R_TYPE) does to a GOT slot,
 * as far as PLT names go: binds it to a symbol (lazily, JUMP_SLOT, or at
 * load time, GLOB_DAT), or to an IFUNC's resolver result (IRELATIVE,
 * whose symbol gdb names "*ABS*+0xADDEND"). */
typedef enum sse__reloc_kind {
  SSE__RELOC_OTHER = 0,
  SSE__RELOC_JUMP_SLOT,
  SSE__RELOC_GLOB_DAT,
  SSE__RELOC_IRELATIVE
} sse__reloc_kind;
sse__reloc_kind sse__arch_reloc_kind(unsigned type);

/* Whether an ELF header (the first n bytes of the program's file) is of a
 * program this architecture's engine can trace: ELFCLASS64, EM_X86_64. */
bool sse__arch_elf_native(const unsigned char *ehdr, size_t n);

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

/* ---- Emulating one instruction (emulate.c) ----
 * Stepping off a breakpoint without a single-step: the displaced
 * instruction is run here on the thread's registers, and the thread is
 * resumed past it; nothing is lifted from memory, so the other threads
 * may run through the breakpoint meanwhile and still trap. Only
 * instructions whose every effect is on the general registers, the flags
 * and plain memory operands: nops (endbr64/32 too), push of a register or
 * an immediate, pop of a register, mov/movzx/movsx/movsxd/lea, and add/sub/cmp/and/or/xor/
 * test with their flags. Anything else (prefixes lock/rep, segments but
 * fs and gs, control flow, the vector and x87 units) is refused. */
typedef struct sse__arch_mem {
  /* Read or write n bytes of the thread's memory at addr: true when done.
   * The operands are read before anything is written, and an
   * instruction writes at most one operand, last. */
  bool (*read)(void *ctx, uint64_t addr, void *buf, size_t n);
  bool (*write)(void *ctx, uint64_t addr, const void *buf, size_t n);
  void *ctx;
} sse__arch_mem;
/* Run the instruction at pc (its bytes buf[0..n)) on r: true when done
 * (r's pc past it, its memory operand written); false, r and memory
 * untouched, when it is not one of those or a memory operand cannot be
 * read (the single-step then raises what the CPU would). mem NULL: only
 * instructions that touch no memory (a watchpoint would not see an
 * emulated access). */
bool sse__arch_emulate(const uint8_t *buf, size_t n, uint64_t pc, sse__regs *r,
                       const sse__arch_mem *mem);
/* SystemTap SDT probe arguments (sdtarg.c): argument index (0-based) of
 * a probe's argument string ("8@%rdi 8@-80(%rbx)") at the probe's pc with
 * registers r; memory operands are read with read(arg, addr, &u64), which
 * returns 0 on success. 0 with *out set, or -1 (no such argument, a form
 * not understood, a read failed). */
typedef int sse__arch_read_fn(void *arg, uint64_t addr, uint64_t *out);
int sse__arch_sdt_arg(const char *args, int index, const sse__regs *r, sse__arch_read_fn *read,
                      void *arg, uint64_t *out);

#endif /* SSE_ARCH_ARCH_H */
