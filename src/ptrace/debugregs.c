/* x86 debug registers of a traced thread via PTRACE_PEEKUSER/POKEUSER. */
#include "ptrace/debugregs.h"

#include <errno.h>
#include <stdbool.h>

#include "ptrace/ptrace.h"

static int poke_dr(pid_t tid, int i, uint64_t val) {
  return sse__pt_pokeuser(tid, sse__arch_debugreg_offset(i), val);
}

static int peek_dr(pid_t tid, int i, uint64_t *val) {
  return sse__pt_peekuser(tid, sse__arch_debugreg_offset(i), val);
}

int sse__hw_set(pid_t tid, int slot, uint64_t addr, sse__hw_type type, int len,
                uint64_t *dr7_cache) {
  if (dr7_cache == NULL || !sse__arch_dr7_valid(slot, type, len) ||
      addr % (uint64_t)len != 0)
    return -EINVAL;
  int rc;
  /* The kernel (arch/x86/kernel/ptrace.c) turns each DR0-3 write into a
   * modification of that slot's perf event, validated against the current
   * DR7 type/len; disable first so a new address is never checked against, or
   * armed with, the old type and length. */
  if (sse__arch_dr7_enabled(*dr7_cache, slot)) {
    uint64_t off = sse__arch_dr7_clear(*dr7_cache, slot);
    if ((rc = poke_dr(tid, 7, off)) != 0)
      return rc;
    *dr7_cache = off;
  }
  if ((rc = poke_dr(tid, slot, addr)) != 0)
    return rc;
  uint64_t on = sse__arch_dr7_set(*dr7_cache, slot, type, len);
  /* On failure the kernel restores the previous DR7 itself. */
  if ((rc = poke_dr(tid, 7, on)) != 0)
    return rc;
  *dr7_cache = on;
  return 0;
}

int sse__hw_clear(pid_t tid, int slot, uint64_t *dr7_cache) {
  if (dr7_cache == NULL || slot < 0 || slot >= SSE__ARCH_HW_SLOTS)
    return -EINVAL;
  uint64_t off = sse__arch_dr7_clear(*dr7_cache, slot);
  int rc = poke_dr(tid, 7, off);
  if (rc != 0)
    return rc;
  *dr7_cache = off;
  return 0;
}

int sse__hw_read_dr6(pid_t tid, uint64_t *dr6) {
  if (dr6 == NULL)
    return -EINVAL;
  return peek_dr(tid, 6, dr6);
}

int sse__hw_reset_dr6(pid_t tid) { return poke_dr(tid, 6, 0); }
