/* Internal to src/jit: one process's JIT state, as jitproc.c (lifetime,
 * lookups), agent_reader.c (the agent protocol's tracer half), gdbjit.c
 * (the GDB JIT interface) and elfobj.c (its objects as modules) share it.
 * Tracer thread, except where said. */
#ifndef SSE_JIT_JITPROC_H
#define SSE_JIT_JITPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "jit/jit.h"
#include "jit/jit_host.h"
#include "symtab/symtab.h"

/* The GDB JIT interface's in-memory ELF objects of one process, as
 * modules of its symtab (elfobj.c). Objects are copied (at most
 * SSE__ELFOBJ_MAX bytes each), keyed by their jit_code_entry's address in
 * the target, and reported again by every refresh until removed. */
#define SSE__ELFOBJ_MAX (64u << 20)
typedef struct sse__elfobjs sse__elfobjs;
/* Installs itself as st's reporter; NULL when out of memory. */
sse__elfobjs *sse__elfobjs_new(sse__symtab *st);
/* Removes the reporter (st must still exist) and the objects. */
void sse__elfobjs_free(sse__elfobjs *);
/* 0, -EEXIST if key is registered already, or a negated errno. */
int sse__elfobjs_add(sse__elfobjs *, uint64_t key, const void *image, size_t size);
/* 0, or -1 if key is unknown. */
int sse__elfobjs_remove(sse__elfobjs *, uint64_t key);
/* Drop them all (exec). */
void sse__elfobjs_clear(sse__elfobjs *);
/* fn(arg, shdr) for each section header of an ELF64 image (bounds
 * checked); the image's e_type, or -1 when its headers do not fit. */
#include <elf.h>
typedef void sse__elfobj_section_fn(void *arg, const Elf64_Shdr *sh);
int sse__elfobj_sections(const void *image, size_t size, sse__elfobj_section_fn *fn, void *arg);

typedef struct sse__jitproc {
  sse__jit *table;       /* the agent's blobs, copied */
  uint64_t desc;         /* &sse_agent_descriptor, 0 until found */
  uint64_t checkpoint;   /* &sse_agent_checkpoint */
  bool cp_site;          /* our int3 at the checkpoint: the hand-over trap */
  bool handed;           /* the helper belongs to the symbol thread */
  /* GDB JIT interface (gdbjit.c) */
  uint64_t gdb_desc;     /* &__jit_debug_descriptor, 0 until found */
  uint64_t gdb_brk;      /* &__jit_debug_register_code */
  bool gdb_site;         /* our int3 there */
  sse__elfobjs *objs;    /* its objects, created on the first */
} sse__jitproc;

/* The host the engine installed (jit_host.h). */
const sse__jit_host *sse__jit_host_get(void);

/* Both the data object `data` and the function `func` are in p's modules
 * (the main executable first): their addresses. */
bool sse__jit_find(sse_process *p, const char *data, uint64_t *data_addr, const char *func,
                   uint64_t *func_addr);

/* Look for the agent's descriptor / the GDB JIT interface in the modules
 * (p->jit exists, p->symtab too). */
void sse__jit_agent_discover(sse_process *p);
void sse__jit_gdb_discover(sse_process *p);

#endif
