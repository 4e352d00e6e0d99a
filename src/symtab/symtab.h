/* sse symbols: modules, functions and line tables through elfutils libdwfl.
 *
 * Thread: every function is safe to call from any thread. Each sse__symtab
 * has its own mutex; the sse__modcache has another. Lock order: symtab
 * before modcache, never the reverse.
 *
 * Lifetimes: every const char * handed out (module paths, function names,
 * source files) is interned in the sse__modcache and stays valid until
 * sse__modcache_free, which must come after every sse__symtab_free of
 * symtabs created on that cache. */
#ifndef SSE_SYMTAB_H
#define SSE_SYMTAB_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct sse__modcache sse__modcache; /* one per engine: decoded modules shared by build ID */
typedef struct sse__symtab sse__symtab;     /* one per traced process */

sse__modcache *sse__modcache_new(void);
void sse__modcache_free(sse__modcache *);
/* Intern s (copied) in the cache's string table; NULL for NULL. Valid
 * until sse__modcache_free. Any thread. */
const char *sse__modcache_intern(sse__modcache *, const char *s);
/* Number of modules whose line table and symbols were made ready so far:
 * decoded, or taken from the on-disk index (each build ID at most once per
 * cache). What was decoded from DWARF: sse__modcache_get_stats. */
unsigned sse__modcache_decode_count(sse__modcache *);
/* Use the shared on-disk symbol index (src/index; docs/index-format.md)
 * in the directory opt names, or the default one when opt is NULL
 * ($SSE_CACHE_DIR, $XDG_CACHE_HOME/sse, ~/.cache/sse); "off" (or
 * SSE_CACHE_DIR=off) turns it off. A new cache has none. Call before the
 * first symtab is created on the cache. */
void sse__modcache_set_index(sse__modcache *, const char *opt);
/* Debug files downloaded by debuginfod (libdwfl does it when
 * DEBUGINFOD_URLS is set): fn(url, done, total, arg) as bytes arrive
 * (total 0 or less when unknown), on the thread loading the module; fn
 * NULL: none. sse__modcache_progress calls it (debuginfod.c). */
typedef void (*sse__progress_fn)(const char *url, long done, long total, void *arg);
void sse__modcache_set_progress(sse__modcache *, sse__progress_fn fn, void *arg);
void sse__modcache_progress(sse__modcache *, const char *url, long done, long total);
/* Decode everything of the ELF file at path (symbols, line tables, CU
 * maps) into c's index: 0, 1 when it was already indexed, or a negated
 * errno (ENOENT, ENOEXEC: no ELF, ENOTSUP: the index is off). */
int sse__modcache_index_file(sse__modcache *c, const char *path);

sse__symtab *sse__symtab_new(sse__modcache *cache, pid_t pid);
void sse__symtab_free(sse__symtab *);

/* Re-read /proc/PID/maps (dwfl_linux_proc_report). Returns 1 if the set of
 * modules changed, 0 if not, <0 (negated errno) on error. Called after exec,
 * at the dynamic linker's r_brk breakpoint, and lazily on first lookup. */
int sse__symtab_refresh(sse__symtab *);

/* Load every module's DWARF on a helper thread now (as gdb reads symbols
 * when a library is loaded), so the first lookup in a big library does not
 * pay for it. Returns at once; sse__symtab_free stops and joins it. */
void sse__symtab_prefetch(sse__symtab *);
/* Whether pc has call-frame information (.eh_frame or .debug_frame);
 * true when pc is in no known module. */
bool sse__symtab_has_cfi(sse__symtab *, uint64_t pc);
/* Until the prefetch thread has nothing left to load (tests). */
void sse__symtab_prefetch_wait(sse__symtab *);

typedef struct sse__loc {
  const char *module;        /* absolute path of the module's main file, or NULL */
  const char *function;      /* symbol name, or NULL */
  uint64_t func_lo, func_hi; /* [lo, hi) of the function (symbol value/size), 0 if unknown */
  uint64_t offset;           /* pc - func_lo */
  const char *file;          /* absolute source path, NULL if no line info */
  int line, column;          /* 0 when no line info */
  uint64_t line_lo, line_hi; /* [lo, hi) of the line-table row run containing pc (gdb's sal.pc/sal.end) */
  bool is_stmt;              /* the row at line_lo is a statement start */
  bool has_line;
} sse__loc;

/* Fill *out for pc. Returns 0 (even if only module or function is known:
 * has_line tells), or a negative value if pc is in no module. */
int sse__symtab_lookup(sse__symtab *, uint64_t pc, sse__loc *out);

/* Function by exact symbol name ("printf"; "memcpy" also finds
 * "memcpy@@GLIBC_2.14"). entry = symbol address; post_prologue = where gdb
 * 13's `break FUNC` puts its breakpoint on x86_64. Either pointer may be
 * NULL. Prefers the main executable, then the first module found. Returns 0
 * or -1 when not found. */
int sse__symtab_func_addr(sse__symtab *, const char *name, uint64_t *entry, uint64_t *post_prologue);
/* The same by exact symbol name only (no C++ name matching). */
int sse__symtab_func_addr_plain(sse__symtab *, const char *name, uint64_t *entry, uint64_t *post_prologue);
/* Without an exact symbol, sse__symtab_func_addr answers with the first of
 * sse__symtab_func_addrs' functions. */

/* gdb's `break NAME` for C++ names (cxxbreak.c): every function, in every
 * module, whose demangled name matches NAME by gdb's linespec rules (the
 * trailing scopes: `area`, `Circle::area`, `shapes::Circle::area`; template
 * arguments optional: `sum`, `sum<int>`; one overload by its parameters:
 * `scale(int)`; `operator==`; `Circle::Circle`, `Circle::~Circle` with
 * every emitted variant; `(anonymous namespace)::f`; a file-static
 * `helper`), plus the plain function of that name if there is one, plus
 * every inlined copy of those functions (C's too, by name: inlbreak.c),
 * at its block's entry as gdb 13 puts it.
 * Returns the number of breakpoint addresses (gdb's post-prologue ones,
 * sorted, distinct) in a malloc'd *out; 0 (*out NULL) when no C++
 * function and no inlined copy matches (use sse__symtab_func_addr); <0 on
 * error. */
ssize_t sse__symtab_func_addrs(sse__symtab *, const char *name, uint64_t **out);

/* Addresses for gdb's `break FILE:LINE` (see breakaddr.c). Returns the count
 * written (<= max), 0 if none, <0 on error. */
int sse__symtab_line_addrs(sse__symtab *, const char *file, int line, uint64_t *addrs, size_t max);
/* gdb's print name of the DWARF function holding pc (printname.c) into
 * buf (func: the function a breakpoint there was set on, or NULL); 0, or
 * -1 when no DWARF function holds it. */
int sse__symtab_print_name(sse__symtab *, uint64_t pc, const char *func, char *buf, size_t n);

/* Whether pc is in code that has line information. */
bool sse__symtab_has_line(sse__symtab *, uint64_t pc);
/* The process address of the .eh_frame_hdr (PT_GNU_EH_FRAME) of the module
 * holding pc, and the module's [lo, hi): 0, or -1 when it has none. */
int sse__symtab_eh_frame_hdr(sse__symtab *, uint64_t pc, uint64_t *hdr, uint64_t *lo, uint64_t *hi);

/* gdb's in_solib_dynsym_resolve_code: pc lies in a PLT section (.plt,
 * .plt.sec, .plt.got, .iplt) of its module, or in the .text of the dynamic
 * linker (the module mapping the main executable's PT_INTERP, else one
 * whose basename starts with "ld-linux" or "ld.so"). `step` walks through
 * such code instead of stopping in it. Section ranges are read once per
 * shared module entry. */
bool sse__symtab_in_trampoline(sse__symtab *, uint64_t pc);

/* Address of _dl_debug_state in the dynamic linker (where r_debug.r_brk
 * points: gdb's shared-library event breakpoint). 0, or -1 if no dynamic
 * linker is mapped or it has no such symbol. addr may be NULL. */
int sse__symtab_dl_debug_state(sse__symtab *, uint64_t *addr);

/* Iterate modules (for "info sharedlibrary"). fn is called with the symtab
 * locked: it must not call back into this symtab. path stays valid until
 * sse__modcache_free. */
void sse__symtab_modules(sse__symtab *,
                         void (*fn)(const char *path, uint64_t lo, uint64_t hi, bool has_dwarf, void *arg),
                         void *arg);

/* JIT support (issue 6): address of the defined data object `name` (e.g.
 * sse_agent_descriptor, __jit_debug_descriptor), main executable first.
 * Returns 0, or -1 if no module defines it. */
int sse__symtab_data_addr(sse__symtab *, const char *name, uint64_t *addr);

/* ---- modules a layer above adds (src/jit: the GDB JIT interface's
 * in-memory ELF objects) ---- */
struct Dwfl;
/* fn(arg, dwfl) reports the extra modules again: it is called with the
 * symtab's mutex held inside every refresh, between libdwfl's report of
 * /proc/PID/maps and dwfl_report_end, and must report each module it
 * keeps with dwfl_report_module (same name and range: libdwfl then keeps
 * the module with its ELF and DWARF); a module not reported again is
 * dropped. One reporter per symtab; fn NULL removes it. */
void sse__symtab_set_reporter(sse__symtab *, void (*fn)(void *arg, struct Dwfl *dwfl), void *arg);
/* Run fn(arg, dwfl) with the symtab's mutex held: fn may report modules
 * (dwfl_report_begin_add ... dwfl_report_end) and change what the reporter
 * reports. When it returns > 0 the symtab is refreshed at once (if it has
 * been refreshed before; else its first lookup does it), so lookups see
 * the change. Returns fn's value. */
int sse__symtab_update(sse__symtab *, int (*fn)(void *arg, struct Dwfl *dwfl), void *arg);

/* ---- inlined functions (gdb's inline frames; docs/inline-stepping.md) ---- */

/* One DW_TAG_inlined_subroutine block containing a pc. Strings are interned
 * (valid until sse__modcache_free). Addresses are absolute. */
typedef struct sse__inline {
  const char *function;       /* the inlined function (DW_AT_abstract_origin's DW_AT_name) */
  const char *caller;         /* the function it is inlined into: the next outer
                                 inline block's function, or the subprogram */
  const char *subprogram;     /* DW_AT_name of the containing (real) subprogram */
  uint64_t sub_entry;         /* the subprogram's gdb BLOCK_ENTRY_PC */
  uint64_t entry;             /* gdb 13's BLOCK_ENTRY_PC as observed (Python
                                 Block.start): the lowest address of the block
                                 (== block_lo; not DW_AT_entry_pc, not the first
                                 listed range) */
  uint64_t block_lo, block_hi;/* gdb's BLOCK_START / BLOCK_END: hull of the ranges */
  uint64_t lo, hi;            /* [lo, hi): the range of the block containing pc */
  const char *call_file;      /* DW_AT_call_file, as the line table names files
                                 (same interned pointer as sse__loc.file); NULL if absent */
  int call_line, call_column; /* DW_AT_call_line / DW_AT_call_column, 0 if absent */
  bool starts_at_pc;          /* gdb's skip_inline_frames test for this block at pc:
                                 entry == pc, or block_starting_point_at(pc) (the
                                 CU has an address map and pc - 1 is not in this
                                 block nor in a block nested in it) */
  int nranges;                /* non-empty ranges of the block */
} sse__inline;

/* The inline blocks containing pc, innermost first (out[0] is the innermost
 * DW_TAG_inlined_subroutine; lexical blocks in between are skipped; the walk
 * ends at the containing DW_TAG_subprogram). Writes at most max entries and
 * returns how many blocks there are (may exceed max: the outermost ones are
 * then missing), 0 when pc is in no inline block or has no DWARF, <0 (negated
 * errno) if pc is in no module. Thread: takes the symtab mutex. */
/* Whether the (physical, DWARF) function at pc returns a value: 1 yes,
 * 0 void, -1 unknown (no debug info). */
int sse__symtab_func_returns(sse__symtab *st, uint64_t pc);
int sse__symtab_inline_chain(sse__symtab *, uint64_t pc, sse__inline *out, int max);

/* sdt.c: the SystemTap SDT probes PROVIDER:NAME of the loaded modules
 * (.note.stapsdt): up to max of them in out, their load addresses and
 * argument strings ("8@%rdi 8@-80(%rbx)", interned). Returns how many
 * there are (at most max), or <0 (negated errno). */
typedef struct sse__sdt {
  uint64_t pc;
  const char *args;
} sse__sdt;
int sse__symtab_sdt_probes(sse__symtab *, const char *provider, const char *name, sse__sdt *out,
                           int max);

/* cfistep.c: one unwind step at look (pc, or pc-1 for a return address)
 * by the CFI (.eh_frame, else .debug_frame) libdwfl has for its module:
 * regs holds the frame's registers by DWARF number (0..16), known a bit
 * per register given; memory through read(arg, addr, &u64) (0: read).
 * 0 with the caller's pc, sp (the CFA) and frame pointer; -ENOENT when
 * there is no CFI for look or its rules need what is not known. */
int sse__symtab_cfi_step(sse__symtab *, uint64_t look, const uint64_t *regs, uint64_t known,
                         int (*read)(void *arg, uint64_t addr, uint64_t *out), void *arg,
                         uint64_t *npc, uint64_t *nsp, uint64_t *nfp);

#endif
