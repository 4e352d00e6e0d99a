/* sse_source_path(), sse_source_read(): which file a source name means, and
 * its lines. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "symtab/symtab.h"

/* ------------------------------------------------------------ the path */

/* path is want, or ends with "/" + want. */
static bool names_file(const char *path, const char *want) {
  size_t a = strlen(path), b = strlen(want);
  if (a < b || strcmp(path + a - b, want) != 0) return false;
  return a == b || path[a - b - 1] == '/';
}

typedef struct path_req {
  sse_process *p;
  const char *file;
  const char *path;
  sse_err err;
} path_req;

/* Tracer thread. The line tables know the file when `break FILE:1` finds
 * code for it: the first line with code of every file so named. The
 * lookup of each such address gives the file's whole path (the first
 * address whose row is in that file: one moved past a prologue may be in
 * an inlined header's row). */
static void do_path(void *arg) {
  path_req *r = arg;
  r->err = SSE_E_NOTFOUND;
  struct sse__symtab *st = sse__proc_symtab(r->p); /* kept after an exit */
  if (!st) {
    r->err = r->p->exited ? SSE_E_EXITED : SSE_E_NOMEM;
    return;
  }
  uint64_t addrs[64];
  int n = sse__symtab_line_addrs(st, r->file, 1, addrs, 64);
  for (int i = 0; i < n; i++) {
    sse__loc l;
    if (sse__proc_lookup(r->p, addrs[i], &l) == 0 && l.file &&
        names_file(l.file, r->file)) {
      r->path = l.file;
      r->err = SSE_OK;
      return;
    }
  }
}

sse_err sse_source_path(sse_process *p, const char *file, const char **path) {
  if (path) *path = NULL;
  if (!p || !file || !*file || !path) return SSE_E_INVAL;
  if (file[0] == '/') {
    *path = sse__intern(p->engine, file);
    return *path ? SSE_OK : SSE_E_NOMEM;
  }
  path_req r = {.p = p, .file = file};
  sse_err err = sse__engine_call(p->engine, do_path, &r);
  if (err) return err;
  *path = r.path;
  return r.err;
}

/* ------------------------------------------------------------ the text */

/* What sse_source_read hands out: the public part first. */
typedef struct source_buf {
  sse_source pub;
  char *path;
  char *text;
  char **lines;
} source_buf;

void sse_source_free(sse_source *src) {
  source_buf *b = (source_buf *)src;
  if (!b) return;
  free(b->path);
  free(b->text);
  free(b->lines);
  free(b);
}

/* The whole file in a NUL-terminated buffer; NULL with errno set. */
static char *slurp(FILE *f, size_t *len) {
  size_t cap = 65536, n = 0;
  char *s = malloc(cap);
  while (s) {
    n += fread(s + n, 1, cap - n - 1, f);
    if (ferror(f)) {
      int e = errno;
      free(s);
      errno = e ? e : EIO;
      return NULL;
    }
    if (feof(f)) break;
    char *ns = cap * 2 > cap ? realloc(s, cap * 2) : NULL;
    if (!ns) free(s);
    s = ns;
    cap *= 2;
  }
  if (!s) {
    errno = ENOMEM;
    return NULL;
  }
  s[n] = '\0';
  *len = n;
  return s;
}

/* Cut text[0..len) at every '\n'; a last line without one counts. */
static char **split_lines(char *text, size_t len, size_t *nlines) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++) n += text[i] == '\n';
  if (len && text[len - 1] != '\n') n++;
  char **v = malloc((n ? n : 1) * sizeof *v);
  if (!v) return NULL;
  size_t k = 0;
  for (char *p = text; k < n; k++) {
    v[k] = p;
    char *nl = memchr(p, '\n', len - (size_t)(p - text));
    if (!nl) break;
    *nl = '\0';
    p = nl + 1;
  }
  *nlines = n;
  return v;
}

sse_err sse_source_read(const char *path, sse_source **out, int *sys_errno) {
  if (sys_errno) *sys_errno = 0;
  if (out) *out = NULL;
  if (!path || !*path || !out) return SSE_E_INVAL;
  FILE *f = fopen(path, "re");
  if (!f) {
    if (sys_errno) *sys_errno = errno;
    return errno == ENOENT ? SSE_E_NOTFOUND : errno == ENOMEM ? SSE_E_NOMEM : SSE_E_SYS;
  }
  size_t len = 0;
  char *text = slurp(f, &len);
  int eno = errno;
  fclose(f);
  if (!text) {
    if (sys_errno) *sys_errno = eno;
    return eno == ENOMEM ? SSE_E_NOMEM : SSE_E_SYS;
  }
  source_buf *b = calloc(1, sizeof *b);
  if (b) {
    b->text = text;
    b->path = strdup(path);
    b->lines = split_lines(text, len, &b->pub.nlines);
  }
  if (!b || !b->path || !b->lines) {
    if (b) sse_source_free(&b->pub);
    else free(text);
    if (sys_errno) *sys_errno = ENOMEM;
    return SSE_E_NOMEM;
  }
  b->pub.path = b->path;
  b->pub.lines = (const char *const *)b->lines;
  *out = &b->pub;
  return SSE_OK;
}
