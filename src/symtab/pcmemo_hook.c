/* The symtab's two DWARF questions through the per-pc memo (pcmemo.h):
 * the memo's answer when it has one, else the DIEs' (inline_chain.c),
 * then kept. */
#include "symtab/pcmemo.h"

int sse__pcmemo_inline_chain(sse__symtab *st, uint64_t pc, sse__inline *out, int max,
                             int (*chain)(sse__symtab *, uint64_t, sse__inline *, int)) {
  smod *m = sse__symtab_ensure(st) == 0 ? sse__symtab_mod_at(st, pc) : NULL;
  int k;
  if (m != NULL && m->entry != NULL && sse__pcmemo_chain(st, m, pc, out, max, &k))
    return k;
  k = chain(st, pc, out, max);
  if (m != NULL && m->entry != NULL && k >= 0)
    sse__pcmemo_put_chain(st, m, pc, out, k, max);
  return k;
}

const char *sse__pcmemo_func_name(sse__symtab *st, smod *m, uint64_t pc, const char *elf_name) {
  const char *n;
  if (m->entry != NULL && sse__pcmemo_name(st, m, pc, &n))
    return n;
  n = sse__symtab_dwarf_func_name(st, m, pc, elf_name);
  if (m->entry != NULL)
    sse__pcmemo_put_name(st, m, pc, n);
  return n;
}
