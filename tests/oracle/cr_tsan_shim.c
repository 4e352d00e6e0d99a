/*
 * cr_tsan_shim.c - link into Criterion test binaries ONLY for TSan builds.
 *
 * Criterion 2.4.1 (bundled BoxFort) places its shared-memory arenas at
 *   0x200000000000 + ((rand_r(&seed) & 0x3fffff) << 24)
 * and gives up after 10 candidates that are already mapped (mincore() == 0),
 * returning EAGAIN ("Could not initialize inheritable arena") or, for the
 * per-test context arena, leaving an uninitialised pointer (-> SEGV).
 * Under TSan nearly all of [0x2000_0000_0000, 0x6000_0000_0000) is TSan
 * shadow/meta or PROT_NONE-reserved, so ~all candidates are rejected.
 *
 * This shim interposes rand_r() and, only when the caller is libcriterion,
 * folds the 22-bit slot index into [0x350000, 0x368000), i.e. base addresses
 * in [0x5500_0000_0000, 0x5680_0000_0000): application memory in every
 * x86_64 TSan layout (gcc 12 / clang 14-16 "v2" and clang 19/22 "v3").
 * All other rand_r() callers get the unmodified libc result.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_feature)
# if __has_feature(thread_sanitizer)
#  define CR_SHIM_TSAN 1
# endif
#endif
#if defined(__SANITIZE_THREAD__)
# define CR_SHIM_TSAN 1
#endif

#ifdef CR_SHIM_TSAN
#define BXF_SLOT_MASK 0x3fffff
#define TSAN_SLOT_LO  0x350000   /* 0x550000000000 */
#define TSAN_SLOT_N   0x018000   /* up to 0x568000000000 */

static int called_from_criterion(const void *ret)
{
    static const void *crit_base;       /* load base of libcriterion */
    Dl_info info;
    if (crit_base)
        return dladdr(ret, &info) && info.dli_fbase == crit_base;
    if (!dladdr(ret, &info) || !info.dli_fname
            || !strstr(info.dli_fname, "libcriterion"))
        return 0;
    crit_base = info.dli_fbase;
    return 1;
}

__attribute__((visibility("default")))
int rand_r(unsigned int *seed)
{
    static int (*real_rand_r)(unsigned int *);
    if (!real_rand_r)
        real_rand_r = (int (*)(unsigned int *)) dlsym(RTLD_NEXT, "rand_r");
    int r = real_rand_r(seed);
    if (called_from_criterion(__builtin_return_address(0)))
        r = (r & ~BXF_SLOT_MASK) | (TSAN_SLOT_LO + (r & BXF_SLOT_MASK) % TSAN_SLOT_N);
    return r;
}
#endif
