/* jitblob: the debugger-side parser of the JIT agent's blobs (see
 * src/agent/sse_agent.h for the format).
 *
 * The blobs are copied out of the traced program, which is untrusted: every
 * header field, count, offset and string is checked against the copied
 * lengths, and malformed input gives an error, never an out-of-bounds read.
 *
 * Thread: sse__jitblob_parse allocates and touches nothing shared; the
 * lookups only read the table. A parsed table may be read from any number of
 * threads at once; it is freed by whoever owns it, once. */
#ifndef SSE_JITBLOB_H
#define SSE_JITBLOB_H

#include <stddef.h>
#include <stdint.h>

typedef struct sse__jitline {
  uint64_t addr;    /* rows are sorted by addr */
  uint32_t line;
  const char *file; /* NULL if the JIT gave none */
} sse__jitline;

typedef struct sse__jitsym {
  uint64_t start, size;       /* [start, start + size), size > 0, no wrap */
  uint64_t id;                /* the agent's handle: stable across generations */
  const char *name;
  const sse__jitline *lines;  /* nlines rows, NULL if none */
  size_t nlines;
  uint64_t max_end;           /* internal: max end over this and all earlier syms */
} sse__jitsym;

/* Parses copies of the three blobs (records, strings, lines) into a table of
 * *n symbols sorted by start (then id), stored in *out as ONE allocation
 * holding the symbols, their line rows and a copy of the strings: nothing in
 * it points into the inputs, which may be freed at once. Free the table with
 * sse__jitblob_free.
 *
 * reclen == 0 means no records (before the first register): *out = NULL,
 * *n = 0. The strings and lines blobs may be empty (len 0) if no record
 * needs them.
 *
 * Returns 0; -EINVAL (NULL out/n, or a NULL buffer with a nonzero length);
 * -EBADMSG (malformed: bad magic, short header, length or count past the
 * buffer, entry size wrong, offset out of range, unterminated string, empty
 * or wrapping region, line row outside its region or out of order, line
 * ranges claiming more rows than exist); -ENOTSUP (unknown version);
 * -ENOMEM. On error *out = NULL and *n = 0. */
int sse__jitblob_parse(const uint8_t *rec, size_t reclen, const uint8_t *str, size_t strlen_,
                       const uint8_t *lines, size_t lineslen, sse__jitsym **out, size_t *n);

/* Frees a table from sse__jitblob_parse. NULL is fine. */
void sse__jitblob_free(sse__jitsym *syms);

/* The symbol whose region contains pc, or NULL. If regions overlap, the one
 * with the greatest start wins. O(log n) without overlaps. */
const sse__jitsym *sse__jitblob_lookup(const sse__jitsym *syms, size_t n, uint64_t pc);

/* The first symbol (lowest start) named exactly `name`, or NULL. O(n). */
const sse__jitsym *sse__jitblob_find(const sse__jitsym *syms, size_t n, const char *name);

/* Line of pc inside sym: the last row with addr <= pc. Either out pointer may
 * be NULL. Returns 0, or -ENOENT (pc outside sym, no rows, or pc before the
 * first row). */
int sse__jitblob_line(const sse__jitsym *sym, uint64_t pc, uint32_t *line, const char **file);

#endif /* SSE_JITBLOB_H */
