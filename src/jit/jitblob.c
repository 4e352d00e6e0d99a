/* jitblob: parse the JIT agent's blobs, copied from an untrusted process.
 *
 * Every read goes through memcpy at an offset checked against the length of
 * the buffer it reads (inputs need no alignment). Work is linear in the
 * input (plus the sort): a string offset is checked in O(1) against the last
 * NUL of the strings blob, and the line ranges of all records together may
 * not claim more rows than the lines blob has. */
#define _GNU_SOURCE
#include "jit/jitblob.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "agent/sse_agent.h"
#include "symtab/bsearch.h"

#define HDR 16u
#define RECSZ 40u
#define ROWSZ 16u

typedef struct view {
  const uint8_t *p;
  size_t len;      /* header.length: the bytes that count */
  uint32_t count;
} view;

static int read_header(const uint8_t *p, size_t buflen, uint32_t magic, uint16_t entsize,
                       view *v) {
  struct sse_agent_blob_header h;
  if (buflen < HDR)
    return -EBADMSG;
  memcpy(&h, p, sizeof h);
  if (h.magic != magic)
    return -EBADMSG;
  if (h.version != SSE_AGENT_VERSION)
    return -ENOTSUP;
  if (h.entsize != entsize || h.length < HDR || h.length > buflen)
    return -EBADMSG;
  /* Records and rows fill the blob exactly; strings are free-form. */
  if (entsize != 1 && (uint64_t)h.count * entsize != (uint64_t)h.length - HDR)
    return -EBADMSG;
  v->p = p;
  v->len = h.length;
  v->count = h.count;
  return 0;
}

/* A string offset is good iff it lies in the data part and some NUL follows
 * it within the blob, i.e. it is <= the position of the last NUL. */
static bool str_ok(size_t off, size_t lastnul) { return off >= HDR && off <= lastnul; }

static int sym_cmp(const void *a, const void *b) {
  const sse__jitsym *x = a, *y = b;
  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

/* Pass 1 of the parse: every record and its line rows checked against
 * the blobs; *totrows the rows they use. */
static int check_records(const view *R, const view *L, size_t lastnul, uint64_t *totrows) {
  for (uint32_t i = 0; i < R->count; i++) {
    struct sse_agent_record r;
    memcpy(&r, R->p + HDR + (size_t)i * RECSZ, sizeof r);
    if (r.size == 0 || r.size > UINT64_MAX - r.start)
      return -EBADMSG;
    if (!str_ok(r.name, lastnul))
      return -EBADMSG;
    if (r.line_count == 0)
      continue;
    if (r.line_first > L->count || r.line_count > L->count - r.line_first)
      return -EBADMSG;
    *totrows += r.line_count;
    if (*totrows > L->count) /* shared or overlapping ranges: the agent never makes them */
      return -EBADMSG;
    uint64_t prev = 0;
    for (uint32_t j = 0; j < r.line_count; j++) {
      struct sse_agent_line_row row;
      memcpy(&row, L->p + HDR + (size_t)(r.line_first + j) * ROWSZ, sizeof row);
      if (row.addr < r.start || row.addr - r.start >= r.size)
        return -EBADMSG;
      if (j > 0 && row.addr < prev)
        return -EBADMSG;
      prev = row.addr;
      if (row.file != 0 && !str_ok(row.file, lastnul))
        return -EBADMSG;
    }
  }
  return 0;
}

/* Pass 2: the records and rows into syms and rows (everything was checked
 * by pass 1), names pointing into the copy of the strings blob. */
static void fill_syms(const view *R, const view *L, sse__jitsym *syms, sse__jitline *rows,
                      char *strings) {
  size_t ri = 0;
  for (uint32_t i = 0; i < R->count; i++) {
    struct sse_agent_record r;
    memcpy(&r, R->p + HDR + (size_t)i * RECSZ, sizeof r);
    sse__jitsym *s = &syms[i];
    s->start = r.start;
    s->size = r.size;
    s->id = r.id;
    s->name = strings + r.name;
    s->nlines = r.line_count;
    s->lines = r.line_count ? &rows[ri] : NULL;
    for (uint32_t j = 0; j < r.line_count; j++) {
      struct sse_agent_line_row row;
      memcpy(&row, L->p + HDR + (size_t)(r.line_first + j) * ROWSZ, sizeof row);
      rows[ri].addr = row.addr;
      rows[ri].line = row.line;
      rows[ri].file = row.file ? strings + row.file : NULL;
      ri++;
    }
  }
}

int sse__jitblob_parse(const uint8_t *rec, size_t reclen, const uint8_t *str, size_t strlen_,
                       const uint8_t *lines, size_t lineslen, sse__jitsym **out, size_t *n) {
  if (!out || !n)
    return -EINVAL;
  *out = NULL;
  *n = 0;
  if ((!rec && reclen) || (!str && strlen_) || (!lines && lineslen))
    return -EINVAL;
  if (reclen == 0)
    return 0;

  view R, S = {0}, L = {0};
  int err = read_header(rec, reclen, SSE_AGENT_REC_MAGIC, RECSZ, &R);
  if (err)
    return err;
  if (strlen_ && (err = read_header(str, strlen_, SSE_AGENT_STR_MAGIC, 1, &S)))
    return err;
  if (lineslen && (err = read_header(lines, lineslen, SSE_AGENT_LINE_MAGIC, ROWSZ, &L)))
    return err;
  if (R.count == 0)
    return 0;

  size_t lastnul = 0; /* 0: no string is valid */
  if (S.len > HDR) {
    const uint8_t *z = memrchr(S.p + HDR, 0, S.len - HDR);
    if (z)
      lastnul = (size_t)(z - S.p);
  }

  uint64_t totrows = 0;
  if ((err = check_records(&R, &L, lastnul, &totrows)))
    return err;

  /* One allocation: syms, rows, strings. Sizes are bounded by the inputs,
   * but check the arithmetic anyway. */
  size_t symbytes, rowbytes, total;
  if (__builtin_mul_overflow((size_t)R.count, sizeof(sse__jitsym), &symbytes) ||
      __builtin_mul_overflow((size_t)totrows, sizeof(sse__jitline), &rowbytes) ||
      __builtin_add_overflow(symbytes, rowbytes, &total) ||
      __builtin_add_overflow(total, S.len, &total))
    return -ENOMEM;
  uint8_t *mem = malloc(total ? total : 1);
  if (!mem)
    return -ENOMEM;
  sse__jitsym *syms = (sse__jitsym *)mem;
  sse__jitline *rows = (sse__jitline *)(mem + symbytes);
  char *strings = (char *)(mem + symbytes + rowbytes);
  if (S.len)
    memcpy(strings, S.p, S.len);

  fill_syms(&R, &L, syms, rows, strings);
  qsort(syms, R.count, sizeof *syms, sym_cmp);
  uint64_t m = 0;
  for (uint32_t i = 0; i < R.count; i++) {
    uint64_t end = syms[i].start + syms[i].size;
    if (end > m)
      m = end;
    syms[i].max_end = m;
  }
  *out = syms;
  *n = R.count;
  return 0;
}

void sse__jitblob_free(sse__jitsym *syms) { free(syms); }

const sse__jitsym *sse__jitblob_lookup(const sse__jitsym *syms, size_t n, uint64_t pc) {
  if (!syms || n == 0)
    return NULL;
  size_t lo = SSE__BSEARCH_LE(syms, n, start, pc); /* syms with start <= pc */
  /* Walk back while an earlier region could still reach pc (max_end is the
   * prefix maximum of ends, so the walk stops at the first gap). */
  for (size_t i = lo; i-- > 0;) {
    if (syms[i].max_end <= pc)
      break;
    if (pc - syms[i].start < syms[i].size)
      return &syms[i];
  }
  return NULL;
}

const sse__jitsym *sse__jitblob_find(const sse__jitsym *syms, size_t n, const char *name) {
  if (!syms || !name)
    return NULL;
  for (size_t i = 0; i < n; i++)
    if (strcmp(syms[i].name, name) == 0)
      return &syms[i];
  return NULL;
}

int sse__jitblob_line(const sse__jitsym *sym, uint64_t pc, uint32_t *line, const char **file) {
  if (!sym || pc < sym->start || pc - sym->start >= sym->size || sym->nlines == 0)
    return -ENOENT;
  size_t lo = SSE__BSEARCH_LE(sym->lines, sym->nlines, addr, pc);
  if (lo == 0)
    return -ENOENT;
  if (line)
    *line = sym->lines[lo - 1].line;
  if (file)
    *file = sym->lines[lo - 1].file;
  return 0;
}
