/* fpstate.c — x87/SSE/AVX/AVX-512 registers through ptrace (fpstate.h).
 *
 * The kernel's NT_X86_XSTATE regset is the XSAVE area in its standard
 * (non-compacted) form: the FXSAVE image (512 bytes), the XSAVE header at
 * 512 (XSTATE_BV first), then each component at the offset CPUID leaf 0xD
 * gives (AVX, component 2: the upper halves of ymm0-15, 576 on every CPU
 * so far; AVX-512, components 5 to 7: k0-7, the upper halves of zmm0-15,
 * zmm16-31). The kernel writes the features it enabled (XCR0) into the
 * image's software-reserved bytes, at 464 (asm/user.h: "the first 8 bytes
 * of the sw_usable_bytes[464..471] ... OS enabled xstate mask"), and the
 * init value of a component not in use, so the buffer is complete. For a
 * write, XSTATE_BV gets the bits of the components written: one whose bit
 * is clear would be loaded as its init state, whatever the buffer says. */
#include "ptrace/fpstate.h"
#include "ptrace/park.h"

#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>

#define XSTATE_MAX 16384  /* above every XSAVE size so far (AMX: 11008) */
#define SW_XCR0 464       /* XCR0 in the FXSAVE image's sw_usable_bytes */
#define XSTATE_BV 512
#define FEAT_X87 1u
#define FEAT_SSE 2u
#define FEAT_AVX 4u
#define FX_WRITTEN 416    /* control words, st0-7, xmm0-15 */

#define FEAT_AVX512 0xe0u /* opmask, ZMM_Hi256, Hi16_ZMM */

/* XSAVE component i's offset in the standard form if its size is size;
 * 0: none. */
static unsigned component_offset(unsigned i, unsigned size) {
  unsigned a, b, c, d;
  if (!__get_cpuid_count(0xd, i, &a, &b, &c, &d) || a != size) return 0;
  return b;
}

/* The AVX component's offset in the standard XSAVE form; 0: no AVX. */
static unsigned avx_offset(void) { return component_offset(2, 256); }

/* The AVX-512 components' offsets (opmask, ZMM_Hi256, Hi16_ZMM), when the
 * task's XSAVE area has them all; false: no AVX-512. */
static bool avx512_offsets(const uint8_t *buf, long len, unsigned off[3]) {
  static const unsigned size[3] = {64, 512, 1024};
  uint64_t xfeatures;
  memcpy(&xfeatures, buf + SW_XCR0, sizeof xfeatures);
  if ((xfeatures & FEAT_AVX512) != FEAT_AVX512) return false;
  for (unsigned i = 0; i < 3; i++) {
    off[i] = component_offset(5 + i, size[i]);
    if (!off[i] || (long)(off[i] + size[i]) > len) return false;
  }
  return true;
}

/* Between the XSAVE area and z: into buf (to) or out of it. */
static void avx512_copy(uint8_t *buf, const unsigned off[3], sse__avx512 *z, bool to) {
  uint8_t *part[3] = {&z->k[0][0], &z->zmmh[0][0], &z->hi16_zmm[0][0]};
  static const size_t size[3] = {64, 512, 1024};
  for (unsigned i = 0; i < 3; i++) {
    if (to)
      memcpy(buf + off[i], part[i], size[i]);
    else
      memcpy(part[i], buf + off[i], size[i]);
  }
}

/* The whole XSAVE area into buf (XSTATE_MAX bytes); its length or -errno. */
static long get_xstate(pid_t tid, uint8_t *buf) {
  struct iovec iov = {.iov_base = buf, .iov_len = XSTATE_MAX};
  errno = 0;
  if (ptrace(PTRACE_GETREGSET, tid, (void *)(long)NT_X86_XSTATE, &iov) == -1)
    return errno ? -errno : -EIO;
  return (long)iov.iov_len;
}

static bool has_avx_state(const uint8_t *buf, long len, unsigned off) {
  uint64_t xfeatures;
  memcpy(&xfeatures, buf + SW_XCR0, sizeof xfeatures);
  return off && (xfeatures & FEAT_AVX) && (long)off + SSE__YMMH_SIZE <= len;
}

int sse__pt_get_fpstate(pid_t tid, uint8_t fx[SSE__FXSAVE_SIZE],
                        uint8_t ymmh[16][16], bool *has_avx, sse__avx512 *z) {
  sse__pt_before(tid); /* ptrace/park.h */
  memset(ymmh, 0, SSE__YMMH_SIZE);
  *has_avx = false;
  if (z) memset(z, 0, sizeof *z);
  uint8_t *buf = malloc(XSTATE_MAX);
  if (!buf) return -ENOMEM;
  long len = get_xstate(tid, buf);
  if (len < 0 && len != -ESRCH) { /* no XSAVE regset: the FXSAVE image */
    free(buf);
    errno = 0;
    if (ptrace(PTRACE_GETFPREGS, tid, NULL, fx) == -1) return errno ? -errno : -EIO;
    return 0;
  }
  if (len < 0 || len < SSE__FXSAVE_SIZE) {
    free(buf);
    return len < 0 ? (int)len : -EIO;
  }
  memcpy(fx, buf, SSE__FXSAVE_SIZE);
  unsigned off = avx_offset();
  if (has_avx_state(buf, len, off)) {
    memcpy(ymmh, buf + off, SSE__YMMH_SIZE);
    *has_avx = true;
  }
  unsigned zoff[3];
  if (z && *has_avx && avx512_offsets(buf, len, zoff)) {
    avx512_copy(buf, zoff, z, false);
    z->present = true;
  }
  free(buf);
  return 0;
}

int sse__pt_set_fpstate(pid_t tid, const uint8_t fx[SSE__FXSAVE_SIZE],
                        const uint8_t ymmh[16][16], const sse__avx512 *z) {
  sse__pt_before(tid); /* ptrace/park.h */
  uint8_t *buf = malloc(XSTATE_MAX);
  if (!buf) return -ENOMEM;
  long len = get_xstate(tid, buf);
  if (len < 0 && len != -ESRCH) { /* no XSAVE regset */
    struct user_fpregs_struct f;
    free(buf);
    errno = 0;
    if (ptrace(PTRACE_GETFPREGS, tid, NULL, &f) == -1) return errno ? -errno : -EIO;
    memcpy(&f, fx, FX_WRITTEN);
    if (ptrace(PTRACE_SETFPREGS, tid, NULL, &f) == -1) return errno ? -errno : -EIO;
    return 0;
  }
  if (len < 0 || len < XSTATE_BV + 8) {
    free(buf);
    return len < 0 ? (int)len : -EIO;
  }
  memcpy(buf, fx, FX_WRITTEN);
  uint64_t bv;
  memcpy(&bv, buf + XSTATE_BV, sizeof bv);
  bv |= FEAT_X87 | FEAT_SSE;
  unsigned off = avx_offset();
  if (has_avx_state(buf, len, off)) {
    memcpy(buf + off, ymmh, SSE__YMMH_SIZE);
    bv |= FEAT_AVX;
    unsigned zoff[3];
    if (z && z->present && avx512_offsets(buf, len, zoff)) {
      avx512_copy(buf, zoff, (sse__avx512 *)z, true);
      bv |= FEAT_AVX512;
    }
  }
  memcpy(buf + XSTATE_BV, &bv, sizeof bv);
  struct iovec iov = {.iov_base = buf, .iov_len = (size_t)len};
  errno = 0;
  long r = ptrace(PTRACE_SETREGSET, tid, (void *)(long)NT_X86_XSTATE, &iov);
  int err = r == -1 ? (errno ? -errno : -EIO) : 0;
  free(buf);
  return err;
}
