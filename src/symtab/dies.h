/* DWARF access for the layers above (src/values): run a function with the
 * process's Dwfl, the module and the compilation unit holding a pc, under
 * the symtab's mutex. The DIEs handed out are valid only inside the call
 * (a refresh may drop the module's Dwarf once the mutex is released). */
#ifndef SSE_SYMTAB_DIES_H
#define SSE_SYMTAB_DIES_H

#include <elfutils/libdwfl.h>
#include <stdint.h>

#include "symtab/symtab.h"

typedef struct sse__dwarf_at {
  Dwfl *dwfl;
  Dwfl_Module *mod; /* the module holding pc, or NULL */
  Dwarf_Die *cu;    /* the CU holding pc, or NULL (no DWARF there) */
  Dwarf_Addr bias;  /* DWARF address + bias = address in the process */
  sse__symtab *st;
} sse__dwarf_at;

/* Inside fn: the slot a layer above keeps data in with mod's shared
 * entry of the module cache (every process mapping the same file shares
 * it), and the function that frees it with the cache. NULL when mod is
 * not one of the process's modules or has no ELF. */
void **sse__dwarf_ext_slot(const sse__dwarf_at *at, Dwfl_Module *mod, void (*ext_free)(void *));
/* The same, and what the module's index keeps of the slot: ext_save
 * serializes it (a malloc'd blob of *n bytes, 8-aligned, NULL when
 * nothing is new) when the module cache writes the index at its end;
 * *blob (*n bytes, in the mapped file, valid as long as the slot) is the
 * blob the index has, NULL if none. */
void **sse__dwarf_ext_slot_saved(const sse__dwarf_at *at, Dwfl_Module *mod, void (*ext_free)(void *),
                                 void *(*ext_save)(void *ext, size_t *n), const void **blob, size_t *n);

/* The CU of mod holding pc (an address of the process), *bias set; NULL
 * when none does. Where the module has no .debug_aranges (clang's DWARF 5)
 * every CU's ranges are looked at. Caller holds the symtab's mutex. */
Dwarf_Die *sse__symtab_cu_at(Dwfl_Module *mod, uint64_t pc, Dwarf_Addr *bias);

/* fn(arg, at) with st's mutex held: fn must not call back into st (nor
 * anything that does: the unwinder, sse__proc_lookup). Returns fn's
 * value, or <0 (negated errno) when the modules cannot be read. */
int sse__symtab_with_dwarf(sse__symtab *st, uint64_t pc,
                           int (*fn)(void *arg, const sse__dwarf_at *at), void *arg);

#endif
