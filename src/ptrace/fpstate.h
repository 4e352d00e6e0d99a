/* fpstate.h — a task's x87, SSE, AVX and AVX-512 registers through
 * ptrace: the FXSAVE image, the upper halves of ymm0-15 and the AVX-512
 * state (k0-7, the upper halves of zmm0-15, zmm16-31) from the XSAVE area
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

/* The AVX-512 state, XSAVE components 5 (opmask), 6 (ZMM_Hi256) and 7
 * (Hi16_ZMM) as they are laid out there. */
typedef struct sse__avx512 {
  uint8_t k[8][8];          /* k0-k7 */
  uint8_t zmmh[16][32];     /* bits 256-511 of zmm0-15 */
  uint8_t hi16_zmm[16][64]; /* zmm16-31 whole */
  bool present;             /* the task has the state (else all zero) */
} sse__avx512;

/* *has_avx: whether ymmh is the task's (else it is zeroed); z (may be
 * NULL) gets the AVX-512 state. */
int sse__pt_get_fpstate(pid_t tid, uint8_t fx[SSE__FXSAVE_SIZE],
                        uint8_t ymmh[16][16], bool *has_avx, sse__avx512 *z);
/* Writes fx (its first 416 bytes: control, status, st0-7, xmm0-15; the
 * kernel's reserved words are kept), with AVX ymmh, and with AVX-512 z
 * (NULL: that state kept). */
int sse__pt_set_fpstate(pid_t tid, const uint8_t fx[SSE__FXSAVE_SIZE],
                        const uint8_t ymmh[16][16], const sse__avx512 *z);

#endif
