/* Arrays that grow by doubling (the tables built while decoding). */
#ifndef SSE_SYMTAB_VEC_H
#define SSE_SYMTAB_VEC_H

#include <stddef.h>
#include <stdlib.h>

/* Room for one more element: v holds n elements of elem bytes in room for
 * *cap. Returns v, or the array moved to a larger allocation (*cap then
 * twice as many, or first when it was empty), or NULL when out of memory
 * (v then unchanged and still the caller's). */
static inline void *sse__vec_room(void *v, size_t n, size_t *cap, size_t elem, size_t first) {
  if (n < *cap)
    return v;
  size_t ncap = *cap ? *cap * 2 : first;
  void *nv = realloc(v, ncap * elem);
  if (nv != NULL)
    *cap = ncap;
  return nv;
}

#endif
