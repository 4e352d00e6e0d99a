/* The ELF symbols of one module, for listing (sse_symbols, sse_symbol_at).
 *
 * Lookups by address and by exact name go through the process's sse__symtab
 * (symtab.h); this reads a module's whole symbol table once per call, on
 * the calling thread, through a libdwfl handle of its own.
 *
 * Thread: any thread, any number at once; nothing is shared. */
#ifndef SSE_SYMTAB_ITERATE_H
#define SSE_SYMTAB_ITERATE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct sse__esym {
  const char *name; /* as in the table ("memcpy@@GLIBC_2.14"); valid for
                       the callback only */
  uint64_t addr;    /* absolute: where the module is mapped */
  uint64_t size;
  bool func;        /* STT_FUNC or STT_GNU_IFUNC; else STT_OBJECT */
  int rank;         /* 0 global, 1 weak or unique, 2 local */
} sse__esym;

/* Call fn for every defined function and data object symbol (not TLS) with
 * a name and a nonzero value of the ELF file at path, mapped at lo (the
 * module's low address, as sse__symtab_modules reports it). The table is
 * the file's .symtab, else that of its separate debuginfo (looked for as
 * the process's symtab looks: SSE_DEBUG_FILE_DIRECTORY, then libdwfl's
 * default path), else .dynsym. fn returns false to stop the walk.
 * Returns 0, or -1 when path cannot be read as ELF (a JIT object's name,
 * [vdso]). */
int sse__symtab_module_symbols(const char *path, uint64_t lo,
                               bool (*fn)(const sse__esym *sym, void *arg),
                               void *arg);

#endif
