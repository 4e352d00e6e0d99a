/* What the DWARF answers at a module-relative pc, kept with the module and
 * in its index file (pcmemo.c): the inline chain (sse__symtab_inline_chain)
 * and the DWARF function name (sse__symtab_dwarf_func_name). Both are a
 * function of the module's file and the pc alone, so a process that finds
 * them in the index never opens the module's DWARF to step, look up,
 * place breakpoints or print bt. Thread: any; a memo has its own lock. */
#ifndef SSE_SYMTAB_PCMEMO_H
#define SSE_SYMTAB_PCMEMO_H

#include "symtab_int.h"

struct sse__ixw;
typedef struct sse__pcmemo sse__pcmemo;
/* The chain at pc of m (resolved): true and *k (as the chain returns it)
 * when known; out holds min(k, max) blocks. st->mu held. */
bool sse__pcmemo_chain(sse__symtab *st, smod *m, uint64_t pc, sse__inline *out, int max, int *k);
/* Keep the k blocks v found at pc (not when k > max: some are missing). */
void sse__pcmemo_put_chain(sse__symtab *st, smod *m, uint64_t pc, const sse__inline *v, int k, int max);
/* The DWARF function name at pc (NULL: none) when known. */
bool sse__pcmemo_name(sse__symtab *st, smod *m, uint64_t pc, const char **name);
void sse__pcmemo_put_name(sse__symtab *st, smod *m, uint64_t pc, const char *name);
/* sse__symtab_inline_chain's work (st->mu held): the memo's answer, else
 * chain(st, pc, out, max)'s, then kept. */
int sse__pcmemo_inline_chain(sse__symtab *st, uint64_t pc, sse__inline *out, int max,
                             int (*chain)(sse__symtab *, uint64_t, sse__inline *, int));
/* sse__symtab_dwarf_func_name through the memo. */
const char *sse__pcmemo_func_name(sse__symtab *st, smod *m, uint64_t pc, const char *elf_name);
/* Whether e learned something its index file lacks. */
bool sse__pcmemo_dirty(sse__modentry *e);
/* Add e's answers to w: those learned since the last write (only_new: a
 * segment), else every one (the file's and the new ones: a whole file).
 * *upto: how many learned answers that covers, for sse__pcmemo_saved once
 * w is written. false: no memory. */
bool sse__pcmemo_save(sse__modentry *e, struct sse__ixw *w, bool only_new, size_t *upto);
/* The first upto answers learned are in the file now. */
void sse__pcmemo_saved(sse__modentry *e, size_t upto);
void sse__pcmemo_free(sse__modentry *e);

#endif
