/* modules.c — modules (from sse_modules), module events when a library
 * loads or unloads, loadedSources (the source files the session's stops
 * have shown: sse.h lists no source files by module). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dap.h"

static char **known;  /* module paths announced (engine-owned strings) */
static size_t nknown;
static char **sources;
static size_t nsources;

void dap_modules_reset(void) {
  free(known);
  known = NULL;
  nknown = 0;
}

void dap_source_seen(const char *path) {
  for (size_t i = 0; i < nsources; i++)
    if (!strcmp(sources[i], path)) return;
  char **ns = realloc(sources, (nsources + 1) * sizeof *ns);
  if (!ns) return;
  sources = ns;
  sources[nsources++] = strdup(path);
}

static json_t *module_json(const sse_module_info *m) {
  const char *slash = strrchr(m->path, '/');
  char range[64];
  snprintf(range, sizeof range, "0x%llx-0x%llx", (unsigned long long)m->lo,
           (unsigned long long)m->hi);
  return json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", m->path, "name", slash ? slash + 1 : m->path,
                   "path", m->path, "addressRange", range, "symbolStatus",
                   m->has_debuginfo ? "Symbols loaded." : "No debug information.");
}

static sse_module_info *list(size_t *n) {
  *n = 0;
  if (!S.proc || sse_process_exited(S.proc) || sse_modules(S.proc, NULL, 0, n) || !*n) return NULL;
  sse_module_info *m = calloc(*n, sizeof *m);
  if (m && sse_modules(S.proc, m, *n, n)) *n = 0;
  return m;
}

bool dap_modules(json_t *args, json_t *body, char *err, size_t errsz) {
  size_t n;
  sse_module_info *m = list(&n);
  long long start = dap_jint(args, "startModule", 0), count = dap_jint(args, "moduleCount", 0);
  json_t *arr = json_array();
  for (size_t i = start > 0 ? (size_t)start : 0; i < n && (count <= 0 || i < (size_t)(start + count)); i++)
    json_array_append_new(arr, module_json(&m[i]));
  json_object_set_new(body, "modules", arr);
  json_object_set_new(body, "totalModules", json_integer((json_int_t)n));
  free(m);
  return true;
}

void dap_modules_refresh(void) {
  size_t n;
  sse_module_info *m = list(&n);
  char **now = calloc(n ? n : 1, sizeof *now);
  for (size_t i = 0; i < n; i++) {
    now[i] = (char *)m[i].path;
    bool seen = false;
    for (size_t j = 0; j < nknown && !seen; j++) seen = !strcmp(known[j], m[i].path);
    if (!seen)
      dap_event("module", json_pack("{s:s, s:o}", "reason", "new", "module", module_json(&m[i])));
  }
  for (size_t j = 0; j < nknown; j++) {
    bool still = false;
    for (size_t i = 0; i < n && !still; i++) still = !strcmp(known[j], now[i]);
    if (!still)
      dap_event("module", json_pack("{s:s, s:{s:s, s:s}}", "reason", "removed", "module", "id",
                                    known[j], "name", known[j]));
  }
  free(known);
  known = now;
  nknown = n;
  free(m);
}

bool dap_loaded_sources(json_t *args, json_t *body, char *err, size_t errsz) {
  json_t *arr = json_array();
  for (size_t i = 0; i < nsources; i++) {
    const char *slash = strrchr(sources[i], '/');
    json_array_append_new(arr, json_pack("{s:s, s:s}", "name", slash ? slash + 1 : sources[i],
                                         "path", sources[i]));
  }
  json_object_set_new(body, "sources", arr);
  return true;
}
