/* fpstate.h — a task's x87, SSE and AVX registers through ptrace: the
 * FXSAVE image and the upper halves of ymm0-15 from the XSAVE area
 * (PTRACE_GETREGSET NT_X86_XSTATE), or the FXSAVE image alone
 * (PTRACE_GETFPREGS) where the kernel has no XSAVE regset. Same rules as
 * ptrace.h: 0 or -errno, tracer thread only. */
#ifndef SSE_PTRACE_FPSTATE_H
#define SSE_PTRACE_FPSTATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define SSE__FXSAVE_SIZE 512
#define SSE__YMMH_SIZE 256

/* *has_avx: whether ymmh is the task's (else it is zeroed). */
int sse__pt_get_fpstate(pid_t tid, uint8_t fx[SSE__FXSAVE_SIZE],
                        uint8_t ymmh[16][16], bool *has_avx);
/* Writes fx (its first 416 bytes: control, status, st0-7, xmm0-15; the
 * kernel's reserved words are kept) and, with AVX, ymmh. */
int sse__pt_set_fpstate(pid_t tid, const uint8_t fx[SSE__FXSAVE_SIZE],
                        const uint8_t ymmh[16][16]);

#endif
