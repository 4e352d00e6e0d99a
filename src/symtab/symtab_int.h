/* Internal to src/symtab: the shared decoded-module cache. */
#ifndef SSE_SYMTAB_INT_H
#define SSE_SYMTAB_INT_H

#include <stdatomic.h>
#include <elfutils/libdwfl.h>
#include "arch/arch.h"
#include "symtab.h"

/* One line-table entry, gdb style: line 0 is an end marker ("no line from
 * here"). Addresses are relative to the module's ELF (absolute = addr +
 * ELF bias of the process's mapping). */
typedef struct sse__lrow {
  uint64_t addr;
  const char *file; /* interned absolute path */
  int line, col;
  bool is_stmt;
} sse__lrow;

typedef struct sse__fsym {
  uint64_t addr, size; /* module-relative */
  const char *name;    /* interned, as in the symbol table ("memcpy@@GLIBC_2.14") */
  const char *key;     /* interned, name without "@VERSION" */
  int rank;            /* 0 global, 1 weak, 2 local: lower is preferred */
} sse__fsym;

/* The line table of one compilation unit, decoded on first use: the rows
 * of that CU exactly as they appear (in the same order) in the whole-module
 * table. rows/nrows are written under the cache mutex before ready is stored
 * with release order. */
typedef struct sse__cuinfo {
  struct sse__cuinfo *next; /* every CU of the entry (for freeing) */
  uint64_t off;             /* CU DIE offset in the module's main Dwarf */
  atomic_bool ready;
  sse__lrow *rows;
  size_t nrows;
} sse__cuinfo;

/* A module-relative address range [lo, hi) of a CU. */
typedef struct sse__curange {
  uint64_t lo, hi, maxhi; /* maxhi: max hi of this and every earlier range */
  sse__cuinfo *cu;
} sse__curange;

/* Decoded module shared by every symtab mapping the same file. The arrays
 * are written once, under the cache mutex, before the matching *_ready flag
 * is stored with release order; readers load the flag with acquire order and
 * then read the arrays without a lock. */
typedef struct sse__modentry {
  struct sse__modentry *next;
  unsigned char *key;
  size_t keylen;
  atomic_bool syms_ready, lines_ready;
  bool has_dwarf;
  sse__fsym *funcs;  /* by address, one per address (best name) */
  size_t nfuncs;
  sse__fsym *names;  /* every function symbol, sorted by key */
  size_t nnames;
  sse__lrow *rows;   /* sorted by address, line-0 markers first at equal addresses */
  size_t nrows;
  const char **files; /* distinct source files of rows */
  size_t nfiles;
  /* Per-CU line tables (sse__modcache_row_at): amap from .debug_aranges,
   * fmap from every CU's DW_AT_ranges / low_pc (built when amap misses), both
   * sorted by lo, written under the cache mutex before their flag is stored
   * with release order. */
  atomic_bool amap_ready, fmap_ready;
  uint64_t delta; /* DWARF address + delta = module-relative address */
  sse__curange *amap, *fmap;
  size_t namap, nfmap;
  sse__cuinfo *cus;
  /* Section ranges for sse__symtab_in_trampoline, module-relative, read from
   * the section headers by symtab.c: sect_state goes 0 (not read) -> 1 (one
   * reader is writing, others compute their own copy) -> 2 (ready, release
   * order). Fixed size: nothing to free. */
  atomic_int sect_state;
  unsigned nplt;
  uint64_t plt_lo[SSE__ARCH_PLT_SECTIONS], plt_hi[SSE__ARCH_PLT_SECTIONS]; /* .plt, .plt.sec, ... */
  uint64_t text_lo, text_hi;     /* .text */
  uint64_t exec_hi;              /* end of the last executable section */
} sse__modentry;

/* Find or create the entry of mod (keyed by build ID, else by path, size
 * and mtime). NULL if the module has no ELF. Thread: takes the cache mutex. */
sse__modentry *sse__modcache_entry(sse__modcache *, Dwfl_Module *mod);
/* Decode the symbols / the whole line table (rows, files: only `break
 * FILE:LINE` needs it; lookups use sse__modcache_row_at) of e from mod if not
 * done yet. */
void sse__modcache_need_syms(sse__modcache *, sse__modentry *e, Dwfl_Module *mod);
void sse__modcache_need_lines(sse__modcache *, sse__modentry *e, Dwfl_Module *mod);
/* gdb's find_pc_sect_line for rel (module-relative) on the line table of
 * the CU containing rel, decoding that CU's line program on first use.
 * Returns the row describing rel or NULL (no line), and *end = sal.end (the
 * next row's address, looked for in the following CUs at the end of the CU's
 * rows; 0 if none). Thread: takes the cache mutex only to decode. */
const sse__lrow *sse__modcache_row_at(sse__modcache *, sse__modentry *e, Dwfl_Module *mod, uint64_t rel,
                                      uint64_t *end);
/* Intern s (copied); NULL for NULL. Thread: takes the cache mutex. */
const char *sse__modcache_intern(sse__modcache *, const char *s);

#endif
