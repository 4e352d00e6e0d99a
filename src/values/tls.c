/* Thread-local variables (DW_OP_form_tls_address, GNU_push_tls_address):
 * the offset on the stack is from the start of the module's TLS block in
 * the frame's thread. x86-64 glibc (TLS variant II): the thread pointer
 * fs_base points at the TCB, whose second word is the dtv; dtv[m] (16
 * bytes each: the block's address, then what to free) is the block of the
 * module of TLS id m. The executable's id is always 1 (rtld.c gives the
 * main map the first id when it has a PT_TLS); a shared library's is in
 * its link_map, which sse does not read yet. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "values/values.h"

/* Whether mod is the process's executable. */
static bool is_executable(sse__vctx *c, Dwfl_Module *mod) {
  const char *file = NULL;
  if (!mod || !dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, &file, NULL) || !file)
    return false;
  char link[64], exe[PATH_MAX], real[PATH_MAX];
  snprintf(link, sizeof link, "/proc/%d/exe", (int)c->proc->pid);
  ssize_t n = readlink(link, exe, sizeof exe - 1);
  if (n <= 0) return false;
  exe[n] = 0;
  return realpath(file, real) && strcmp(real, exe) == 0;
}

int sse__tls_address(sse__vctx *c, uint64_t offset, uint64_t *out) {
  if (!c->thread) return sse__verr(c, "Cannot access memory at address 0x%llx",
                                   (unsigned long long)offset);
  if (!is_executable(c, c->var_mod))
    return sse__verr(c, "Cannot find thread-local storage for a shared library yet.");
  sse__regs r;
  if (sse__thread_getregs(c->thread, &r) != 0) return sse__verr(c, "Cannot read the registers.");
  uint64_t dtv, block;
  if (sse__mem(c, r.fs_base + 8, &dtv, 8) || sse__mem(c, dtv + 16 * 1, &block, 8)) return -1;
  if (block == 0 || block == UINT64_MAX) /* TLS_DTV_UNALLOCATED */
    return sse__verr(c, "Cannot find thread-local variables on this target");
  *out = block + offset;
  return 0;
}
