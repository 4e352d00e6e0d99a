/* jit: one process's copies of the JIT agent's blobs (src/agent), parsed
 * lazily on lookup (jitblob.c does the untrusted-input parsing).
 *
 * The symbol thread stores whole copies each time the agent's helper thread
 * stops at sse_agent_checkpoint; the tracer thread (and any other) looks
 * pcs and names up in them. Thread: every function is safe from any thread;
 * one mutex per table. Strings handed out (function, file) are interned in
 * the sse__modcache and live until sse__modcache_free. */
#ifndef SSE_SYMTAB_JIT_H
#define SSE_SYMTAB_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "symtab/symtab.h"

typedef struct sse__jit sse__jit;

sse__jit *sse__jit_new(sse__modcache *cache);
void sse__jit_free(sse__jit *);
/* Drop every copy (exec: a new address space). */
void sse__jit_clear(sse__jit *);

/* Generation of the stored copy (0: none) and, if blobgen is not NULL, the
 * generation of each of the three blob copies. */
uint64_t sse__jit_generation(sse__jit *, uint64_t blobgen[3]);

/* Store a new copy of generation `gen`: for each i, bufs[i] (malloc'd,
 * lens[i] bytes, ownership taken) replaces blob i, with its generation
 * gens[i]; bufs[i] == NULL keeps the blob copied before. */
void sse__jit_store(sse__jit *, uint64_t gen, uint8_t *bufs[3], const size_t lens[3],
                    const uint64_t gens[3]);

/* The JIT symbol containing pc: function, func_lo/hi, offset and, where the
 * agent gave a line table, file/line and the row's [line_lo, line_hi).
 * module is NULL. Returns 0, or -1 when pc is in no JIT symbol. */
int sse__jit_lookup(sse__jit *, uint64_t pc, sse__loc *out);
/* Start address of the JIT symbol named `name`. 0 or -1. */
int sse__jit_func_addr(sse__jit *, const char *name, uint64_t *entry);
/* Number of symbols in the current copy (parsing it if needed); calls fn
 * (may be NULL) for each, with the table locked: fn must not call back
 * into this table. -1 if the copy does not parse. */
long sse__jit_foreach(sse__jit *, void (*fn)(const char *name, uint64_t start, uint64_t size, void *arg),
                      void *arg);

#endif
