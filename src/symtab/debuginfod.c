/* debuginfod: libdwfl's standard find_debuginfo already asks the servers
 * of DEBUGINFOD_URLS for a module's debug file when none is found on disk
 * (downloaded into DEBUGINFOD_CACHE_PATH, then indexed like any file).
 * What sse adds: the download's progress, reported to the cache's
 * progress callback (sse_set_download_progress), with the URL it comes
 * from. */
#define _GNU_SOURCE
#include <elfutils/debuginfod.h>
#include <stdlib.h>

#include "symtab_int.h"

static int on_progress(debuginfod_client *cl, long done, long total) {
  sse__modcache *c = debuginfod_get_user_data(cl);
  const char *url = debuginfod_get_url(cl);
  /* Before a server answers there is no URL (and nothing to report). */
  if (c != NULL && url != NULL)
    sse__modcache_progress(c, url, done, total);
  return 0; /* go on */
}

void sse__symtab_debuginfod_init(sse__symtab *st) {
  const char *urls = getenv("DEBUGINFOD_URLS");
  if (urls == NULL || urls[0] == '\0')
    return; /* libdwfl does not load the client library then */
  debuginfod_client *cl = dwfl_get_debuginfod_client(st->dwfl);
  if (cl == NULL)
    return;
  debuginfod_set_user_data(cl, st->cache);
  debuginfod_set_progressfn(cl, on_progress);
}
