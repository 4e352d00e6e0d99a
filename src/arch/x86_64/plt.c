/* x86_64 PLT stubs and dynamic relocations (arch.h), for the "NAME@plt"
 * names gdb gives PLT entries (BFD's synthetic symbols). */
#include "arch/arch.h"

#include <elf.h>
#include <string.h>

bool sse__arch_is_plt_section(const char *n) {
  return strcmp(n, ".plt") == 0 || strcmp(n, ".plt.sec") == 0 || strcmp(n, ".plt.got") == 0 ||
         strcmp(n, ".iplt") == 0;
}

/* Entries are 16 bytes (push/jmp lazy stubs, the IBT .plt.sec ones), but
 * .plt.got holds 8-byte ones (jmp *GOT; xchg), 16 with IBT (endbr64
 * first) when sh_entsize does not say. */
static uint64_t entry_size(const char *name, const uint8_t *code, uint64_t size, uint64_t entsize) {
  if (strcmp(name, ".plt.got") != 0)
    return 16;
  if (entsize == 8 || entsize == 16)
    return entsize;
  return size >= 4 && code[0] == 0xf3 && code[1] == 0x0f ? 16 : 8;
}

bool sse__arch_plt_entry(const char *name, uint64_t addr, const uint8_t *code, uint64_t size,
                         uint64_t entsize, uint64_t rel, uint64_t *lo, uint64_t *hi,
                         uint64_t *got) {
  uint64_t esz = entry_size(name, code, size, entsize);
  uint64_t off = (rel - addr) / esz * esz;
  if (strcmp(name, ".plt") == 0 && off == 0)
    return false; /* PLT0: the lazy-binding resolver's stub */
  if (off + esz > size)
    return false;
  /* The entry's `jmp *disp32(%rip)` (ff 25) names the slot. */
  uint64_t slot = 0;
  for (uint64_t k = off; k + 6 <= off + esz; k++)
    if (code[k] == 0xff && code[k + 1] == 0x25) {
      int32_t disp;
      memcpy(&disp, code + k + 2, 4);
      slot = addr + k + 6 + (uint64_t)(int64_t)disp;
      break;
    }
  if (slot == 0)
    return false;
  *lo = addr + off;
  *hi = *lo + esz;
  *got = slot;
  return true;
}

sse__reloc_kind sse__arch_reloc_kind(unsigned type) {
  switch (type) {
  case R_X86_64_JUMP_SLOT:
    return SSE__RELOC_JUMP_SLOT;
  case R_X86_64_GLOB_DAT:
    return SSE__RELOC_GLOB_DAT;
  case R_X86_64_IRELATIVE:
    return SSE__RELOC_IRELATIVE;
  default:
    return SSE__RELOC_OTHER;
  }
}
