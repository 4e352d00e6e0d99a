/* capstone's view of one instruction, for the x86-64 files that need its
 * operands (emulate.c): decode.c keeps the per-thread handle. */
#ifndef SSE_ARCH_X86_64_CS_H
#define SSE_ARCH_X86_64_CS_H

#include <capstone/capstone.h>
#include <stddef.h>
#include <stdint.h>

/* The instruction at addr in buf[0..n), detail on, in this thread's
 * handle (AT&T syntax: its operands in AT&T order, the destination
 * last): valid until the thread's next decode. NULL when capstone
 * refuses the bytes (or cannot be opened). */
const cs_insn *sse__x86_decode_cs(const uint8_t *buf, size_t n, uint64_t addr);

#endif
