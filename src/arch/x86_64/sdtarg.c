/* SystemTap SDT probe arguments on x86-64: "SIZE@OPERAND" separated by
 * spaces, SIZE the byte count (negative: signed), OPERAND in AT&T syntax
 * as the compiler wrote it for the asm: %reg, $imm, disp(%base),
 * disp(%base,%index,scale), sym(%rip) being resolved already to a disp.
 * gdb's stap-probe.c reads the same forms. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"

/* DWARF numbers (as sse__regs_get takes them) of the 64- and 32-bit
 * register names. */
static const char *const names64[] = {"rax", "rdx", "rcx", "rbx", "rsi", "rdi",
                                      "rbp", "rsp", "r8",  "r9",  "r10", "r11",
                                      "r12", "r13", "r14", "r15", "rip"};
static const char *const names32[] = {"eax", "edx", "ecx", "ebx", "esi", "edi",
                                      "ebp", "esp", "r8d", "r9d", "r10d", "r11d",
                                      "r12d", "r13d", "r14d", "r15d", NULL};

/* The register named at *s ("%rbx"), its value; *s moves past it. */
static bool reg_at(const char **s, const sse__regs *r, uint64_t *v) {
  if (**s != '%') return false;
  const char *n = *s + 1;
  size_t len = strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789");
  for (int i = 0; i <= SSE__REGNUM_MAX; i++) {
    bool is64 = strlen(names64[i]) == len && strncmp(n, names64[i], len) == 0;
    bool is32 = names32[i] && strlen(names32[i]) == len && strncmp(n, names32[i], len) == 0;
    if (!is64 && !is32) continue;
    if (!sse__regs_get(r, i, v)) return false;
    if (is32) *v &= 0xffffffffu;
    *s = n + len;
    return true;
  }
  return false;
}

/* A memory operand after its displacement: "(%base[,%index[,scale]])". */
static bool mem_addr(const char *s, const sse__regs *r, int64_t disp, uint64_t *addr) {
  uint64_t base = 0, index = 0;
  if (*s++ != '(' || (*s != ',' && !reg_at(&s, r, &base))) return false;
  long scale = 1;
  if (*s == ',') {
    s++;
    if (!reg_at(&s, r, &index)) return false;
    if (*s == ',') scale = strtol(s + 1, (char **)&s, 10);
  }
  if (*s != ')') return false;
  *addr = base + index * (uint64_t)scale + (uint64_t)disp;
  return true;
}

/* Operand op (up to its end): a value, or a memory address to read. */
static bool operand(const char *op, const sse__regs *r, uint64_t *v, bool *is_mem) {
  *is_mem = false;
  if (*op == '$') {
    *v = (uint64_t)strtoll(op + 1, NULL, 0);
    return true;
  }
  if (*op == '%') return reg_at(&op, r, v);
  char *end;
  int64_t disp = strtoll(op, &end, 0);
  *is_mem = true;
  return mem_addr(end, r, disp, v);
}

int sse__arch_sdt_arg(const char *args, int index, const sse__regs *r, sse__arch_read_fn *read,
                      void *arg, uint64_t *out) {
  const char *a = args;
  for (int i = 0; a && i < index; i++) {
    a = strchr(a, ' ');
    if (a) a++;
  }
  if (!a || !*a) return -1;
  char *at;
  long size = strtol(a, &at, 10);
  if (*at != '@' || size == 0 || labs(size) > 8) return -1;
  char op[64];
  size_t len = strcspn(at + 1, " ");
  if (len >= sizeof op) return -1;
  memcpy(op, at + 1, len);
  op[len] = 0;
  uint64_t v;
  bool is_mem;
  if (!operand(op, r, &v, &is_mem) || (is_mem && read(arg, v, &v) != 0)) return -1;
  unsigned bits = 8 * (unsigned)labs(size);
  if (bits < 64) {
    v &= (1ull << bits) - 1;
    if (size < 0 && (v >> (bits - 1))) v |= ~0ull << bits;
  }
  *out = v;
  return 0;
}
