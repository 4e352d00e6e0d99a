/* x86_64 debug registers (arch.h): DR7 enable/type/length encoding, DR6
 * decoding, the offsets of DR0-DR7 in struct user (Intel SDM vol. 3,
 * 18.2.4). */
#include "arch/arch.h"

#include <stddef.h>
#include <sys/user.h>

#define DR7_LE (UINT64_C(1) << 8)
#define DR7_ENABLE_MASK UINT64_C(0xff) /* L0 G0 .. L3 G3 */
#define DR6_BS (UINT64_C(1) << 14)

bool sse__arch_dr7_valid(int slot, sse__hw_type type, int len) {
  if (slot < 0 || slot >= SSE__ARCH_HW_SLOTS)
    return false;
  if (type != SSE__HW_EXEC && type != SSE__HW_WRITE && type != SSE__HW_RW)
    return false;
  if (len != 1 && len != 2 && len != 4 && len != 8)
    return false;
  return type != SSE__HW_EXEC || len == 1;
}

static uint64_t slot_mask(int slot) {
  return (UINT64_C(3) << (2 * slot)) | (UINT64_C(0xf) << (16 + 4 * slot));
}

uint64_t sse__arch_dr7_set(uint64_t dr7, int slot, sse__hw_type type, int len) {
  if (!sse__arch_dr7_valid(slot, type, len))
    return dr7;
  /* LEN field: 00 = 1, 01 = 2, 11 = 4, 10 = 8 bytes */
  uint64_t lenbits = len == 1 ? 0 : len == 2 ? 1 : len == 4 ? 3 : 2;
  dr7 &= ~slot_mask(slot);
  dr7 |= UINT64_C(1) << (2 * slot);
  dr7 |= ((uint64_t)type & 3) << (16 + 4 * slot);
  dr7 |= lenbits << (18 + 4 * slot);
  /* gdb (nat/x86-dregs.c) sets DR_LOCAL_SLOWDOWN too; harmless today. */
  return dr7 | DR7_LE;
}

uint64_t sse__arch_dr7_clear(uint64_t dr7, int slot) {
  if (slot < 0 || slot >= SSE__ARCH_HW_SLOTS)
    return dr7;
  dr7 &= ~slot_mask(slot);
  if ((dr7 & DR7_ENABLE_MASK) == 0)
    dr7 &= ~DR7_LE;
  return dr7;
}

bool sse__arch_dr7_enabled(uint64_t dr7, int slot) {
  if (slot < 0 || slot >= SSE__ARCH_HW_SLOTS)
    return false;
  return (dr7 >> (2 * slot)) & 3;
}

int sse__arch_dr6_slot(uint64_t dr6) {
  for (int i = 0; i < SSE__ARCH_HW_SLOTS; i++)
    if (dr6 & (UINT64_C(1) << i))
      return i;
  return -1;
}

bool sse__arch_dr6_single_step(uint64_t dr6) { return (dr6 & DR6_BS) != 0; }

long sse__arch_debugreg_offset(int i) {
  if (i < 0 || i > 7)
    return -1;
  return (long)(offsetof(struct user, u_debugreg) +
                (size_t)i * sizeof(((struct user *)0)->u_debugreg[0]));
}
