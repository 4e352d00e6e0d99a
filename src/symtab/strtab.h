/* The string interner: one copy of each distinct string, handed out as a
 * const char * that stays valid until the table is freed, so interned
 * strings compare equal by pointer. The module cache keeps its names,
 * files and paths in one, the engine its location strings in another.
 *
 * Thread: safe from any thread. One mutex per table, a leaf lock: nothing
 * else is taken while it is held, so callers may hold their own locks. */
#ifndef SSE_SYMTAB_STRTAB_H
#define SSE_SYMTAB_STRTAB_H

#include <stddef.h>

typedef struct sse__strtab sse__strtab;

/* NULL when out of memory. */
sse__strtab *sse__strtab_new(void);
/* Frees every string handed out. NULL is fine. */
void sse__strtab_free(sse__strtab *);
/* The interned copy of s; NULL for NULL, or when out of memory. */
const char *sse__strtab_intern(sse__strtab *, const char *s);
/* The interned copy of the n bytes at s (no NUL needed among them). */
const char *sse__strtab_intern_n(sse__strtab *, const char *s, size_t n);

#endif
