/* Hardware breakpoints and watchpoints through the x86 debug registers of a
 * ptrace-stopped thread (PTRACE_PEEKUSER/POKEUSER on struct user's
 * u_debugreg).  The kernel keeps DR0-DR7 per thread; nothing is shared with
 * the target's other threads.
 *
 * Thread: the calling thread must be the tracer of tid, and tid must be in a
 * ptrace stop.  dr7_cache is the caller's mirror of tid's DR7 (0 for a thread
 * never touched); these functions keep it equal to what the kernel holds. */
#ifndef SSE_PTRACE_DEBUGREGS_H
#define SSE_PTRACE_DEBUGREGS_H

#include <stdint.h>
#include <sys/types.h>

#include "arch/arch.h"

/* Set a hardware breakpoint (EXEC, len 1) or watchpoint (WRITE/RW, len 1, 2,
 * 4, 8, addr aligned to len) in slot 0..3.  Writes the address register, then
 * DR7; a slot already enabled is disabled first.  Returns 0 or -errno
 * (-EINVAL for bad arguments, or whatever ptrace says: -ESRCH if tid is not
 * stopped under us, -EINVAL/-EIO if the kernel refuses the address).  After
 * a failure the slot is disabled if it had been enabled (and *dr7_cache
 * says so). */
int sse__hw_set(pid_t tid, int slot, uint64_t addr, sse__hw_type type, int len,
                uint64_t *dr7_cache);
/* Disable slot in DR7 (the address register is left as is).  0 or -errno. */
int sse__hw_clear(pid_t tid, int slot, uint64_t *dr7_cache);
/* Read DR6 (the kernel's virtualised copy: B0-B3 for the slot that fired, BS
 * for a single-step; reserved bits read as 1).  0 or -errno. */
int sse__hw_read_dr6(pid_t tid, uint64_t *dr6);
/* Write DR6 = 0 so the next stop's bits are not mixed with old ones. */
int sse__hw_reset_dr6(pid_t tid);

#endif /* SSE_PTRACE_DEBUGREGS_H */
