/* sse_index_file: the public entry point of the pre-indexing tool. The
 * module cache is safe from any thread, so this runs on the caller's. */
#include <errno.h>

#include "internal.h"
#include "symtab/symtab.h"

sse_err sse_index_file(sse_engine *engine, const char *path, bool *was_indexed) {
  if (was_indexed)
    *was_indexed = false;
  if (engine == NULL || path == NULL)
    return SSE_E_INVAL;
  int rc = sse__modcache_index_file(engine->modcache, path);
  if (rc == 1 && was_indexed)
    *was_indexed = true;
  switch (rc) {
  case 0:
  case 1:
    return SSE_OK;
  case -ENOENT:
    return SSE_E_NOTFOUND;
  case -ENOMEM:
    return SSE_E_NOMEM;
  case -ENOEXEC:
  case -ENOTSUP:
    return SSE_E_INVAL;
  default:
    return SSE_E_SYS;
  }
}

sse_err sse_set_download_progress(sse_engine *engine, sse_download_fn fn, void *arg) {
  if (engine == NULL)
    return SSE_E_INVAL;
  sse__modcache_set_progress(engine->modcache, fn, arg);
  return SSE_OK;
}
