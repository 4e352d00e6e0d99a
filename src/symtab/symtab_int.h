/* Internal to src/symtab: the shared decoded-module cache (modcache.c), and
 * the per-process symtab (symtab.c) as the other files of the folder read
 * it (lookup.c, breakaddr.c, sections.c, plt.c, trampoline.c,
 * inline_chain.c). */
#ifndef SSE_SYMTAB_INT_H
#define SSE_SYMTAB_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <gelf.h>
#include <elfutils/libdwfl.h>
#include "arch/arch.h"
#include "symtab.h"

/* One line-table entry, gdb style: line 0 is an end marker ("no line from
 * here"). Addresses are relative to the module's ELF (absolute = addr +
 * ELF bias of the process's mapping). The answer of a lookup
 * (sse__modcache_row_at), filled from the table's record. */
typedef struct sse__lrow {
  uint64_t addr;
  const char *file; /* interned absolute path */
  int line, col;
  bool is_stmt;
} sse__lrow;

/* A line-table row as the tables keep it: exactly the index file's record,
 * so a table of a mapped file is searched in place (no copy). file names
 * the source file through the table (sse__rowtab_file). */
typedef struct sse__lrec {
  uint64_t addr;
  uint32_t file;
  int32_t line, col;
  uint32_t is_stmt;
} sse__lrec;

/* A table of rows: in a mapped index file (pool set: file is an offset in
 * that string pool, npool bytes ending in a NUL) or decoded from DWARF
 * (file is an index in files, interned paths; v and files malloc'd). */
typedef struct sse__rowtab {
  const sse__lrec *v;
  size_t n;
  const char *pool;
  size_t npool;
  const char **files;
  size_t nfiles;
  bool owned; /* v and files are freed with the table */
} sse__rowtab;

/* The path of the row's file, NULL when the reference is out of bounds
 * (not interned for a mapped table). */
static inline const char *sse__rowtab_file(const sse__rowtab *t, uint32_t f) {
  if (t->pool != NULL)
    return f < t->npool ? t->pool + f : NULL;
  return f < t->nfiles ? t->files[f] : NULL;
}
void sse__rowtab_free(sse__rowtab *t);
/* The table of the n decoded rows v (file pointers interned): v is freed.
 * false when out of memory (t empty then). */
bool sse__rowtab_from_rows(sse__rowtab *t, sse__lrow *v, size_t n);
/* Sort the n pointers at v by address and keep each once: the count. */
size_t sse__ptrs_unique(const char **v, size_t n);
/* The position of p in the n sorted pointers v (n if absent and last). */
size_t sse__ptrs_find(const char *const *v, size_t n, const char *p);

/* A function symbol as the tables keep it: exactly the index file's
 * record, so a mapped table is searched in place. name and key are
 * offsets in the entry's symbol strings (sse__fsym_name, sse__fsym_key). */
typedef struct sse__fsym {
  uint64_t addr, size; /* module-relative */
  uint32_t name;       /* as in the symbol table ("memcpy@@GLIBC_2.14") */
  uint32_t key;        /* name without "@VERSION" (== name when it has none) */
  int32_t rank;        /* 0 global, 1 weak, 2 local: lower is preferred */
  uint32_t pad;
} sse__fsym;

/* The line table of one compilation unit, decoded on first use: the rows
 * of that CU exactly as they appear (in the same order) in the whole-module
 * table. rows is written under the cache mutex before ready is stored
 * with release order. */
typedef struct sse__cuinfo {
  struct sse__cuinfo *next; /* every CU of the entry (for freeing) */
  uint64_t off;             /* CU DIE offset in the module's main Dwarf */
  atomic_bool ready;
  sse__rowtab rows;
  /* Its rows in the module's index (persist.c): 1 + the record in
   * segment ixseg, 0 if none. fresh: decoded from DWARF, not written yet. */
  const struct sse__index *ixseg;
  uint32_t ixcu;
  bool fresh;
  /* Its producer (DW_AT_producer), as `break` asks it (sse__modcache_cu_llvm):
   * 0 not known yet, SSE__CU_OTHER, SSE__CU_LLVM (clang, flang). */
  uint8_t producer;
  uint32_t saveidx; /* its record in the index being written */
} sse__cuinfo;

enum { SSE__CU_OTHER = 1, SSE__CU_LLVM = 2 };

/* A module-relative address range [lo, hi) of a CU. */
typedef struct sse__curange {
  uint64_t lo, hi, maxhi; /* maxhi: max hi of this and every earlier range */
  sse__cuinfo *cu;
} sse__curange;

/* Module-relative section ranges of a module (sections.c). */
typedef struct sse__sects {
  unsigned nplt;
  uint64_t plt_lo[SSE__ARCH_PLT_SECTIONS], plt_hi[SSE__ARCH_PLT_SECTIONS]; /* .plt, .plt.sec, ... */
  uint64_t text_lo, text_hi; /* .text */
  uint64_t exec_hi;          /* end of the last executable section */
} sse__sects;

/* Decoded module shared by every symtab mapping the same file. The arrays
 * are written once, under the cache mutex, before the matching *_ready flag
 * is stored with release order; readers load the flag with acquire order and
 * then read the arrays without a lock. */
typedef struct sse__modentry {
  struct sse__modentry *next;
  unsigned char *key;
  size_t keylen;
  atomic_bool syms_ready, lines_ready;
  atomic_bool files_ready; /* files (below) known: with lines, or alone from the index */
  bool has_dwarf;
  bool dwarf_checked; /* DWARF was looked for (has_dwarf then says if found) */
  /* The symbols: in the mapped index or decoded (then malloc'd, with
   * their strings: syms_own). Strings at offsets in strs (nstrs bytes,
   * the last a NUL). */
  const sse__fsym *funcs; /* by address, one per address (best name) */
  size_t nfuncs;
  const sse__fsym *names; /* every function symbol, sorted by key */
  size_t nnames;
  const char *strs;
  size_t nstrs;
  bool syms_own;
  sse__rowtab rows; /* sorted by address, line-0 markers first at equal addresses */
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
  /* Section ranges for the lookups (sections.c): sect_state goes 0 (not
   * read) -> 1 (one reader is writing, others compute their own copy) -> 2
   * (ready, release order). Fixed size: nothing to free. */
  atomic_int sect_state;
  sse__sects sects;
  /* What a layer above keeps with the module (src/values: its type
   * table), freed with the entry by ext_free. Tracer thread only. */
  void *ext;
  void (*ext_free)(void *);
  /* ext serialized for the index (sse__dwarf_ext_slot_saved): a malloc'd
   * blob, NULL when nothing is new. Called at the cache's end only. */
  void *(*ext_save)(void *ext, size_t *n);
  /* Its inlined instances by name (inlbreak.c), built on first use. */
  _Atomic(struct sse__inlidx *) inl;
  /* The module's on-disk index (src/index, persist.c): mapped when the
   * entry is created, NULL if none; segs[i] its segment i (the file's
   * first image, then those appended) with the sse__cuinfo of each of its
   * CU records. fresh: the tables (persist.c's F_* bits) decoded from
   * DWARF since and not written yet; nfresh_cus the CUs. dirty: anything
   * not written yet, by sse__persist_flush. file_segs: segments the file
   * has as far as this process knows. Cache mutex. */
  struct sse__index *ix;
  struct sse__ixseg *segs;
  size_t nsegs;
  unsigned fresh, nfresh_cus;
  size_t file_segs;
  bool indexable, dirty;
  bool ix_bad; /* a section of ix failed its checksum (counted once) */
  /* The DWARF's answers per pc (pcmemo.c), created on first use. */
  _Atomic(struct sse__pcmemo *) memo;
} sse__modentry;
void sse__inlidx_free(struct sse__inlidx *);

/* The strings of a function symbol ("" when the offset is out of
 * bounds: a damaged file answers wrong, never crashes). */
static inline const char *sse__fsym_str(const sse__modentry *e, uint32_t off) {
  return off < e->nstrs ? e->strs + off : "";
}
static inline const char *sse__fsym_name(const sse__modentry *e, const sse__fsym *f) {
  return sse__fsym_str(e, f->name);
}
static inline const char *sse__fsym_key(const sse__modentry *e, const sse__fsym *f) {
  return sse__fsym_str(e, f->key);
}

/* Free e and everything it holds (the cache's end). */
void sse__modentry_free(sse__modentry *e);
/* Find or create the entry of mod (keyed by build ID, else by path, size
 * and mtime). NULL if the module has no ELF. Thread: takes the cache mutex. */
sse__modentry *sse__modcache_entry(sse__modcache *, Dwfl_Module *mod);
/* Decode the symbols / the whole line table (rows, files: only `break
 * FILE:LINE` needs it; lookups use sse__modcache_row_at) of e from mod if not
 * done yet. */
void sse__modcache_need_syms(sse__modcache *, sse__modentry *e, Dwfl_Module *mod);
void sse__modcache_need_lines(sse__modcache *, sse__modentry *e, Dwfl_Module *mod);
/* Only e's distinct source files (files, nfiles), without the rows when
 * the index has them: `break FILE:LINE` skips a module none of whose files
 * match without expanding its line table. */
void sse__modcache_need_files(sse__modcache *, sse__modentry *e, Dwfl_Module *mod);
/* gdb's find_pc_sect_line for rel (module-relative) on the line table of
 * the CU containing rel, decoding that CU's line program on first use.
 * Fills *out with the row describing rel and returns true, false if none
 * (no line); *end = sal.end (the next row's address, looked for in the
 * following CUs at the end of the CU's rows; 0 if none). Thread: takes the cache mutex only to decode. */
bool sse__modcache_row_at(sse__modcache *, sse__modentry *e, Dwfl_Module *mod, uint64_t rel, sse__lrow *out,
                          uint64_t *end);

/* Whether the CU containing rel (module-relative) was produced by LLVM
 * (clang, flang: gdb's prologue rules differ), from the index when it
 * knows, else from the CU's DIE (then kept). false when no CU holds rel. */
bool sse__modcache_cu_llvm(sse__modcache *, sse__modentry *e, Dwfl_Module *mod, uint64_t rel);

/* Whether e's module has DWARF as far as e knows (its index, or a
 * decoding): 1, 0, or -1 when not looked for yet. Takes the cache mutex. */
int sse__modcache_has_dwarf(sse__modcache *, sse__modentry *e);

/* Keep save as e's ext serializer; *blob, *n: the ext's blob in e's
 * index (NULL, 0 if none). Takes the cache mutex. */
void sse__modcache_ext_saved(sse__modcache *, sse__modentry *e, void *(*save)(void *ext, size_t *n),
                             const void **blob, size_t *n);

/* ---- the on-disk index (persist.c), cache mutex held ---- */

/* What the index layer counts (tests, benchmarks). */
typedef struct sse__modcache_stats {
  unsigned decodes;    /* syms, whole line tables, CU maps decoded from ELF/DWARF */
  unsigned cu_decodes; /* CU line programs decoded from DWARF */
  unsigned ix_loaded, ix_rejected, ix_written, ix_failed;
} sse__modcache_stats;
void sse__modcache_get_stats(sse__modcache *, sse__modcache_stats *out);
/* The cache directory, NULL when the index is off. */
const char *sse__modcache_index_dir(sse__modcache *);
struct sse__strtab *sse__modcache_strs(sse__modcache *);
sse__modcache_stats *sse__modcache_stats_ref(sse__modcache *);

/* The tables an index file or segment holds (its META flags; e->fresh). */
enum { SSE__IXT_SYMS = 2, SSE__IXT_LINES = 4, SSE__IXT_AMAP = 8, SSE__IXT_FMAP = 16 };
/* Map e's index file if there is a valid one. */
void sse__persist_open(sse__modcache *, sse__modentry *e);
/* The same with ix, a checked file (taken: closed with the entry, or now
 * when its META record is missing). */
void sse__persist_attach(sse__modcache *, sse__modentry *e, struct sse__index *ix);
/* Unmap e's file (the entry's end). */
void sse__persist_forget(sse__modentry *e);
/* Forget e's file (right after the attach: nothing taken from it yet). */
void sse__persist_detach(sse__modcache *, sse__modentry *e);
/* Fill e's symbols / whole line table / CU map (full: every CU's ranges,
 * else .debug_aranges') / u's rows from the index: false when it does not
 * have them (decode them then). */
bool sse__persist_syms(sse__modcache *, sse__modentry *e);
bool sse__persist_lines(sse__modcache *, sse__modentry *e);
bool sse__persist_files(sse__modcache *, sse__modentry *e);
bool sse__persist_map(sse__modcache *, sse__modentry *e, bool full);
bool sse__persist_cu(sse__modcache *, sse__modentry *e, sse__cuinfo *u);
/* Write e's index (everything decoded so far) as a new file. 0 or a
 * negated errno. The ext's blob goes in at the cache's end (at_end of
 * sse__persist_flush), or stays as the file had it. */
int sse__persist_save(sse__modcache *, sse__modentry *e);
/* Write what e decoded since its last write: a segment appended to its
 * file (a new file if it has none), or the whole file again when it is
 * damaged or its segments pile up (compaction); at_end (the cache's end)
 * with the ext's blob. 0, 1 when there was nothing to write, or a negated errno. */
int sse__persist_flush(sse__modcache *, sse__modentry *e, bool at_end);
/* The ext's blob of e's index (the last segment's that has one), NULL
 * and 0 if none. */
const void *sse__persist_ext_blob(sse__modentry *e, size_t *n);
/* Decode everything of mod's entry (sse-index). */
void sse__modcache_decode_all(sse__modcache *, sse__modentry *e, Dwfl_Module *mod);

/* ---- the per-process symtab ---- */

/* One module of the process as libdwfl reports it. */
typedef struct smod {
  Dwfl_Module *mod;
  uint64_t lo, hi;
  const char *name;     /* interned module name as reported */
  const char *path;     /* interned main file, once resolved */
  sse__modentry *entry; /* once resolved; NULL if no ELF */
  uint64_t ebias;
  bool resolved;
} smod;

struct sse__symtab {
  pthread_mutex_t mu;
  sse__modcache *cache;
  pid_t pid;
  /* libdwfl keeps pointers to both for the Dwfl's lifetime. */
  Dwfl_Callbacks cb;
  char *debuginfo_path;
  Dwfl *dwfl;
  bool reported;
  smod *mods; /* sorted by lo */
  size_t nmods;
  const char *exe; /* interned /proc/PID/exe target */
  /* The dynamic linker's module: index in mods, -1 if none; found lazily,
   * forgotten on every refresh (trampoline.c). */
  bool ld_known;
  long ld_idx;
  /* Modules a layer above reports again at each refresh
   * (sse__symtab_set_reporter). */
  void (*reporter)(void *arg, Dwfl *dwfl);
  void *reporter_arg;
  struct inl_cucache *inl_cus; /* per-CU function ranges (inline_chain.c) */
  /* The last C++ function named by sse__symtab_dwarf_func_name: its
   * Dwarf, range and name (inline_chain.c). */
  void *cxx_last_dw;
  uint64_t cxx_last_lo, cxx_last_hi;
  const char *cxx_last_name;
  /* Background load of the modules' DWARF (sse__symtab_prefetch). */
  pthread_t pf_thread;
  bool pf_started, pf_stop, pf_again;
  pthread_mutex_t pf_mu;
  pthread_cond_t pf_done; /* pf_started went false */
};

/* debuginfod.c: report debuginfod downloads of st's Dwfl to the cache's
 * progress callback. */
void sse__symtab_debuginfod_init(sse__symtab *st);

/* Everything below: st->mu held. */

/* Refresh unless done before: 0 or <0. */
int sse__symtab_ensure(sse__symtab *st);
/* The module holding pc, resolved; NULL if none. */
smod *sse__symtab_mod_at(sse__symtab *st, uint64_t pc);
/* m with its main file, bias and shared entry looked up (once). */
smod *sse__symtab_resolve(sse__symtab *st, smod *m);
/* m's entry with its symbols / whole line table decoded; NULL if no ELF. */
const sse__modentry *sse__symtab_syms(sse__symtab *st, smod *m);
const sse__modentry *sse__symtab_lines(sse__symtab *st, smod *m);
/* m's entry with its source files known (files, nfiles; maybe no rows). */
const sse__modentry *sse__symtab_files(sse__symtab *st, smod *m);
/* The function containing rel (module-relative) in e, or NULL. */
const sse__fsym *sse__symtab_func_at(const sse__modentry *e, uint64_t rel);
/* gdb's skip_prologue_sal: the module-relative address of `break FUNC`
 * for function f of m (breakaddr.c). */
uint64_t sse__symtab_post_prologue(sse__symtab *st, smod *m, const sse__fsym *f);
/* The first module, the main executable first, for which match(st, m,
 * arg) is true; NULL if none. */
smod *sse__symtab_first_mod(sse__symtab *st, bool (*match)(sse__symtab *st, smod *m, void *arg),
                            void *arg);
/* The preferred function symbol named name (key), or NULL. */
const sse__fsym *sse__symtab_find_name(const sse__modentry *e, const char *name);
/* gdb's find_pc_sect_line on the line table of the CU containing rel
 * (module-relative): *out the row describing rel and true, false if no
 * line; *end = sal.end. Decodes that CU's line program on first use. */
bool sse__symtab_row_at(sse__symtab *st, smod *m, uint64_t rel, sse__lrow *out, uint64_t *end);

/* The PLT sections, .text and the end of the executable sections of m,
 * read once per shared entry. */
void sse__symtab_sects(smod *m, sse__sects *out);
/* The allocated section of elf holding rel, its header in *sh; NULL if
 * none. */
Elf_Scn *sse__symtab_section_at(Elf *elf, uint64_t rel, GElf_Shdr *sh);
/* The end of the allocated section of m holding rel, or 0. */
uint64_t sse__symtab_section_end(smod *m, uint64_t rel);
/* Copy up to n bytes of m's file image at rel; returns the count. */
size_t sse__symtab_read_code(smod *m, uint64_t rel, unsigned char *buf, size_t n);

/* plt.c: the name ("NAME@plt") of the PLT entry holding rel, and the
 * entry in *lo, *hi; NULL when there is none, *hi then nonzero when rel is
 * in a PLT section all the same. */
const char *sse__symtab_plt_name(sse__symtab *st, smod *m, uint64_t rel, uint64_t *lo, uint64_t *hi);

/* inline_chain.c: the DWARF subprogram's name at pc for C code, NULL when
 * none; forget the per-CU caches (their Dwarf handles go at a refresh). */
const char *sse__symtab_dwarf_func_name(sse__symtab *st, smod *m, uint64_t pc, const char *elf_name);
void sse__symtab_inl_forget(sse__symtab *st);

/* cxxnames.c: C++ names. */
/* DW_LANG_C_plus_plus and its versions. */
bool sse__cxx_lang(int lang);
/* __cxa_demangle of a "_Z" name: malloc'd, or NULL (not mangled, not
 * demangled). */
char *sse__cxx_demangle(const char *mangled);
/* The same, interned in st's cache. */
const char *sse__symtab_demangle(sse__symtab *st, const char *mangled);
/* gdb's name of a C++ subprogram DIE: DW_AT_name qualified with the
 * namespaces and classes of its declaration ("shapes::Circle::area",
 * "(anonymous namespace)::f"); interned, NULL without DW_AT_name. */
const char *sse__symtab_cxx_qualname(sse__symtab *st, Dwarf_Die *die);
/* gdb's frame name of the function whose mangled (ELF or DWARF linkage)
 * name is given: demangled, without return type and parameters
 * ("shapes::Circle::area"); interned, NULL if not a C++ function name. */
const char *sse__symtab_cxx_frame_name(sse__symtab *st, const char *mangled);
/* Where the name of a demangled function starts: past a function
 * template's return type ("int sum<int>(...)": 4), else 0. */
size_t sse__cxx_name_start(const char *demangled);
/* A user's `break NAME` as gdb's linespec reads it ("Circle::area",
 * "f(int)", "sum<int>", "operator=="); NULL if it names no function. */
typedef struct sse__cxx_name sse__cxx_name;
sse__cxx_name *sse__cxx_pattern(const char *user);
void sse__cxx_pattern_free(sse__cxx_name *);
/* Whether the pattern gives a parameter list ("f(int)"). */
bool sse__cxx_has_params(const sse__cxx_name *);
/* Whether the function symbol `mangled` ("_ZNK6shapes6Circle4areaEv") is
 * one gdb's `break NAME` sets a location on. */
bool sse__cxx_matches(const sse__cxx_name *, const char *mangled);
/* inlbreak.c: the entries of the inlined copies of the functions a
 * `break NAME` names (C++: pat matches the origin's linkage name; C: its
 * name is plain), appended to the vector *out (*n used, *cap allocated);
 * *n, or -ENOMEM. st->mu held. */
ssize_t sse__symtab_inline_addrs(sse__symtab *st, const sse__cxx_name *pat, const char *plain, uint64_t **out,
                                 size_t *n, size_t *cap);
/* cxxbreak.c: the first C++ function `break NAME` finds; 0 or -1. */
int sse__symtab_cxx_func_addr(sse__symtab *st, const char *name, uint64_t *entry, uint64_t *post);

#endif
