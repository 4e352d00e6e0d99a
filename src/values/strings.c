/* Characters and strings as gdb quotes them (generic_emit_char,
 * generic_printstr): escapes, octal for the rest, runs of more than 10
 * equal characters as 'c' <repeats N times>, at most 200 characters, and
 * a char * read from the target up to its NUL. */
#include <stdio.h>
#include <string.h>

#include "values/values.h"

/* A char * is read in chunks of this many bytes, up to the limit. */
#define CSTR_CHUNK 256
/* The most characters a string shows with `print elements unlimited`. */
#define CSTR_MAX (1u << 20)

/* One character inside quote (' or "). */
void sse__format_char(sse__out *o, int ch, int quote) {
  ch &= 0xff;
  const char *esc = NULL;
  switch (ch) {
    case '\a': esc = "\\a"; break;
    case '\b': esc = "\\b"; break;
    case '\f': esc = "\\f"; break;
    case '\n': esc = "\\n"; break;
    case '\r': esc = "\\r"; break;
    case '\t': esc = "\\t"; break;
    case '\v': esc = "\\v"; break;
    case '\033': esc = "\\033"; break;
    case '\\': esc = "\\\\"; break;
  }
  if (esc) sse__out_puts(o, esc);
  else if (ch == quote) sse__out_printf(o, "\\%c", ch);
  else if (ch >= 32 && ch < 127) sse__out_printf(o, "%c", ch);
  else sse__out_printf(o, "\\%03o", ch);
}

typedef enum pstate { S_START, S_SINGLE, S_REPEAT } pstate;

/* gdb's print_converted_chars_to_obstack over s[0..len). */
static size_t emit_runs(sse__vctx *c, sse__out *o, const unsigned char *s, size_t len) {
  pstate st = S_START;
  size_t i = 0, printed = 0, limit = sse__lim_elems(c), threshold = sse__lim_repeats(c);
  while (i < len && printed < limit && !o->truncated) {
    size_t j = i;
    while (j < len && s[j] == s[i]) j++;
    size_t reps = j - i;
    if (reps > threshold) {
      if (st == S_SINGLE) sse__out_puts(o, "\", ");
      else if (st == S_REPEAT) sse__out_puts(o, ", ");
      sse__out_puts(o, "'");
      sse__format_char(o, s[i], '\'');
      sse__out_printf(o, "' <repeats %zu times>", reps);
      st = S_REPEAT;
    } else {
      if (st == S_REPEAT) sse__out_puts(o, ", \"");
      else if (st == S_START) sse__out_puts(o, "\"");
      for (size_t k = 0; k < reps; k++) sse__format_char(o, s[i], '"');
      st = S_SINGLE;
    }
    printed += reps;
    i = j;
  }
  if (st == S_SINGLE) sse__out_puts(o, "\"");
  return i;
}

/* A char array (or the characters of a string) of len bytes. */
void sse__format_chars(sse__vctx *c, sse__out *o, const unsigned char *s, size_t len,
                       bool force_ellipses) {
  if (!force_ellipses && len > 0 && s[len - 1] == 0) len--;
  if (len == 0) {
    sse__out_puts(o, "\"\"");
    if (force_ellipses) sse__out_puts(o, "...");
    return;
  }
  size_t done = emit_runs(c, o, s, len);
  if (force_ellipses || done < len) sse__out_puts(o, "...");
}

/* Up to max bytes of the string at addr into buf, in chunks (a chunk
 * that cannot be read whole is read byte by byte): its length, *nul set
 * when its NUL was met. */
static size_t cstring_read(sse__vctx *c, uint64_t addr, unsigned char *buf, size_t max, bool *nul) {
  size_t n = 0;
  *nul = false;
  while (n < max) {
    size_t want = max - n < CSTR_CHUNK ? max - n : CSTR_CHUNK, done = 0;
    sse__mem_read(c->proc, addr + n, buf + n, want, &done);
    if (done == 0 && want > 1) want = 1, sse__mem_read(c->proc, addr + n, buf + n, 1, &done);
    void *z = done ? memchr(buf + n, 0, done) : NULL;
    if (z) {
      *nul = true;
      return (size_t)((unsigned char *)z - buf);
    }
    n += done;
    if (done < want) break;
  }
  return n;
}

/* The string a char * points to, as " \"text\"" after its address. */
int sse__format_cstring(sse__vctx *c, uint64_t addr, sse__out *o) {
  size_t limit = sse__lim_elems(c);
  if (limit > CSTR_MAX) limit = CSTR_MAX;
  unsigned char *buf = sse__va_alloc(c, limit + 1);
  if (!buf) return -1;
  bool nul;
  size_t n = cstring_read(c, addr, buf, limit, &nul);
  if (n == 0 && !nul) {
    sse__out_printf(o, " <error: Cannot access memory at address 0x%llx>",
                    (unsigned long long)addr);
    return 0;
  }
  bool more = false;
  if (!nul && n == limit) {
    unsigned char next = 0;
    size_t done = 0;
    more = sse__mem_read(c->proc, addr + n, &next, 1, &done) == SSE_OK && done == 1 && next != 0;
  }
  sse__out_puts(o, " ");
  if (n == 0) {
    sse__out_puts(o, "\"\"");
    return 0;
  }
  /* the NUL is not part of it: keep a trailing 0 byte out of the trim */
  buf[n] = 1;
  size_t done = emit_runs(c, o, buf, n);
  if (more || done < n) sse__out_puts(o, "...");
  return 0;
}
