/* x86-64 registers as the engine caches them: the kernel's user_regs_struct
 * (one PTRACE_GETREGS per stop) and user_fpregs_struct (PTRACE_GETFPREGS),
 * and the accessors the arch-neutral code uses instead of naming a
 * register. Included through arch/arch.h only (the build puts
 * src/arch/$(ARCH) on the include path). */
#ifndef SSE_ARCH_X86_64_REGS_H
#define SSE_ARCH_X86_64_REGS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/user.h>

typedef struct user_regs_struct sse__regs;
typedef struct user_fpregs_struct sse__fpregs;

static inline uint64_t sse__regs_pc(const sse__regs *r) { return r->rip; }
static inline void sse__regs_set_pc(sse__regs *r, uint64_t pc) { r->rip = pc; }
static inline uint64_t sse__regs_sp(const sse__regs *r) { return r->rsp; }
static inline void sse__regs_set_sp(sse__regs *r, uint64_t sp) { r->rsp = sp; }
/* The frame pointer (rbp): gdb's prologue-analysis frame ids use it. */
static inline uint64_t sse__regs_fp(const sse__regs *r) { return r->rbp; }
static inline void sse__regs_set_fp(sse__regs *r, uint64_t fp) { r->rbp = fp; }
/* The integer return value registers of the SysV ABI (rax, rdx). */
static inline void sse__regs_retval(const sse__regs *r, uint64_t out[2]) {
  out[0] = r->rax;
  out[1] = r->rdx;
}
/* Integer argument n (0..5) of the SysV calling convention, at a
 * function's entry (rdi, rsi, rdx, rcx, r8, r9); 0 for any other n. */
static inline uint64_t sse__regs_arg(const sse__regs *r, int n) {
  switch (n) {
    case 0: return r->rdi;
    case 1: return r->rsi;
    case 2: return r->rdx;
    case 3: return r->rcx;
    case 4: return r->r8;
    case 5: return r->r9;
    default: return 0;
  }
}
/* At a C++ landing pad: the unwinder's data register n (0: the exception
 * object, 1: the personality's handler switch value, 0 for a cleanup),
 * __builtin_eh_return_data_regno(n): rax, rdx. */
static inline uint64_t sse__regs_eh_data(const sse__regs *r, int n) {
  return n == 0 ? r->rax : n == 1 ? r->rdx : 0;
}
/* Clear the resume flag (EFLAGS.RF, bit 16). The kernel sets it when a
 * thread stops at a debug-register instruction breakpoint, so that the
 * instruction can run on resume; a signal handler entered from there saves
 * it in its frame, and sigreturn restores it: an instruction breakpoint at
 * the interrupted pc, armed to catch the handler's return, would be
 * skipped. True when it was set. */
static inline bool sse__regs_clear_resume_flag(sse__regs *r) {
  bool was = (r->eflags & 0x10000) != 0;
  r->eflags &= ~(unsigned long long)0x10000;
  return was;
}

/* The resume flag is set: an instruction breakpoint at the pc does not
 * fire when the thread resumes there (it does the next time the pc comes
 * back). */
static inline bool sse__regs_resume_flag(const sse__regs *r) {
  return (r->eflags & 0x10000) != 0;
}

/* The thread stopped inside a system call that the kernel restarts when it
 * is resumed (orig_rax holds the call, rax one of the kernel's internal
 * ERESTART* codes: ERESTARTSYS 512, ERESTARTNOINTR 513, ERESTARTNOHAND 514,
 * ERESTART_RESTARTBLOCK 516). Resuming it re-enters the call, which may
 * block for as long as it likes (a futex, a read): not a prompt step. */
static inline bool sse__regs_in_restarting_syscall(const sse__regs *r) {
  long ret = (long)r->rax;
  return (long)r->orig_rax >= 0 && ret <= -512 && ret >= -516;
}

/* The low 64 bits of xmm0: a double or float return value (SysV ABI). */
static inline uint64_t sse__fpregs_xmm0(const sse__fpregs *f) {
  return (uint64_t)f->xmm_space[0] | (uint64_t)f->xmm_space[1] << 32;
}

/* Register numbers of the DWARF x86-64 ABI, which libunwind's UNW_X86_64_*
 * use as well (regs.c checks): the general registers 0..16 (rax, rdx,
 * rcx, rbx, rsi, rdi, rbp, rsp, r8..r15, then the return address column,
 * rip). */
#define SSE__REGNUM_FP 6
#define SSE__REGNUM_SP 7
#define SSE__REGNUM_PC 16
#define SSE__REGNUM_MAX 16
/* Register number regnum (0..SSE__REGNUM_MAX) of r into *out; false for
 * any other number. */
bool sse__regs_get(const sse__regs *r, int regnum, uint64_t *out);
/* Set register number regnum of r to v; false for any other number. */
bool sse__regs_put(sse__regs *r, int regnum, uint64_t v);

#endif
