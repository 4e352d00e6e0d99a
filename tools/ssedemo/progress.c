/* Downloads from debuginfod servers, as gdb shows them: a progress line on
 * stderr while the debug file arrives, and where the symbols came from
 * once it is in. */
#include <stdio.h>
#include <string.h>

#include "demo.h"

static void on_download(const char *url, long done, long total, void *arg) {
  (void)arg;
  /* Called on an engine thread: stderr only, no engine calls. */
  if (total > 0 && done >= total)
    fprintf(stderr, "\rDownloaded %ld bytes: symbols from %s\n", done, url);
  else if (total > 0)
    fprintf(stderr, "\rDownloading %s: %ld%% (%ld of %ld bytes)", url, done * 100 / total, done, total);
  else
    fprintf(stderr, "\rDownloading %s: %ld bytes", url, done);
  fflush(stderr);
}

void demo_progress_register(sse_engine *eng) { sse_set_download_progress(eng, on_download, NULL); }
