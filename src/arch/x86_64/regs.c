/* x86_64 registers by their DWARF / libunwind number (arch_regs.h). */
#include "arch/arch.h"

#include <libunwind.h>
#include <stddef.h>
#include <string.h>

_Static_assert(UNW_X86_64_RBP == SSE__REGNUM_FP && UNW_X86_64_RSP == SSE__REGNUM_SP &&
                   UNW_X86_64_RIP == SSE__REGNUM_PC,
               "libunwind numbers the x86-64 registers as DWARF does");

static const size_t reg_off[SSE__REGNUM_MAX + 1] = {
    [UNW_X86_64_RAX] = offsetof(sse__regs, rax), [UNW_X86_64_RDX] = offsetof(sse__regs, rdx),
    [UNW_X86_64_RCX] = offsetof(sse__regs, rcx), [UNW_X86_64_RBX] = offsetof(sse__regs, rbx),
    [UNW_X86_64_RSI] = offsetof(sse__regs, rsi), [UNW_X86_64_RDI] = offsetof(sse__regs, rdi),
    [UNW_X86_64_RBP] = offsetof(sse__regs, rbp), [UNW_X86_64_RSP] = offsetof(sse__regs, rsp),
    [UNW_X86_64_R8] = offsetof(sse__regs, r8),   [UNW_X86_64_R9] = offsetof(sse__regs, r9),
    [UNW_X86_64_R10] = offsetof(sse__regs, r10), [UNW_X86_64_R11] = offsetof(sse__regs, r11),
    [UNW_X86_64_R12] = offsetof(sse__regs, r12), [UNW_X86_64_R13] = offsetof(sse__regs, r13),
    [UNW_X86_64_R14] = offsetof(sse__regs, r14), [UNW_X86_64_R15] = offsetof(sse__regs, r15),
    [UNW_X86_64_RIP] = offsetof(sse__regs, rip),
};

bool sse__regs_get(const sse__regs *r, int regnum, uint64_t *out) {
  if (regnum < 0 || regnum > SSE__REGNUM_MAX)
    return false;
  memcpy(out, (const char *)r + reg_off[regnum], sizeof *out);
  return true;
}

bool sse__regs_put(sse__regs *r, int regnum, uint64_t v) {
  if (regnum < 0 || regnum > SSE__REGNUM_MAX)
    return false;
  memcpy((char *)r + reg_off[regnum], &v, sizeof v);
  return true;
}

bool sse__arch_elf_native(const unsigned char *e, size_t n) {
  /* e_ident: \177ELF, EI_CLASS 2 (64-bit); e_machine at 18: 62 (x86-64),
   * little-endian. */
  return n >= 20 && e[0] == 0x7f && e[1] == 'E' && e[2] == 'L' && e[3] == 'F' &&
         e[4] == 2 && e[18] == 62 && e[19] == 0;
}
