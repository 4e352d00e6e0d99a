/* libFuzzer target for the JIT blob parser (src/symtab/jitblob.c).
 *
 * Input: three little-endian u32 lengths (records, strings, lines), then
 * the three blobs back to back; lengths past the end are clamped. Each blob
 * is copied into its own exact-size heap buffer so ASan catches a read one
 * byte past any of them (inside one fuzzer buffer it would land in the next).
 *
 * Build and run (needs libclang-rt-14-dev); the corpus dir given first
 * receives new units, so pass a scratch copy, the seeds second:
 *   clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
 *     -Isrc/symtab -Isrc/agent tests/fuzz/fuzz_jitblob.c src/symtab/jitblob.c \
 *     -o build/fuzz_jitblob
 *   mkdir -p build/fuzz-corpus && build/fuzz_jitblob -max_total_time=20 \
 *     build/fuzz-corpus tests/fuzz/corpus/jitblob
 * Run by tests/fuzz/run_fuzz.sh (make fuzz; 10 s in make check).
 * Seeds come from the real agent: tests/fuzz/gen_jitblob_seed.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jitblob.h"

static uint8_t *take(const uint8_t **p, size_t *left, uint32_t want, size_t *len) {
  size_t n = want < *left ? want : *left;
  *len = n;
  if (n == 0)
    return NULL;
  uint8_t *b = malloc(n);
  if (!b)
    abort();
  memcpy(b, *p, n);
  *p += n;
  *left -= n;
  return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 12)
    return 0;
  uint32_t l[3];
  memcpy(l, data, 12);
  const uint8_t *p = data + 12;
  size_t left = size - 12, rl, sl, ll;
  uint8_t *r = take(&p, &left, l[0], &rl);
  uint8_t *s = take(&p, &left, l[1], &sl);
  uint8_t *li = take(&p, &left, l[2], &ll);

  sse__jitsym *syms;
  size_t n;
  if (sse__jitblob_parse(r, rl, s, sl, li, ll, &syms, &n) == 0) {
    /* Inputs are gone: the table must stand on its own. */
    free(r), free(s), free(li);
    r = s = li = NULL;
    for (size_t i = 0; i < n; i++) {
      const sse__jitsym *x = &syms[i];
      volatile size_t k = strlen(x->name);
      (void)k;
      if (sse__jitblob_find(syms, n, x->name) == NULL)
        abort();
      const sse__jitsym *y = sse__jitblob_lookup(syms, n, x->start);
      if (!y || x->start - y->start >= y->size)
        abort();
      uint32_t line;
      const char *file;
      for (size_t j = 0; j < x->nlines; j++) {
        if (sse__jitblob_line(x, x->lines[j].addr, &line, &file) != 0)
          abort();
        if (file)
          k = strlen(file);
      }
      sse__jitblob_line(x, x->start + x->size - 1, &line, &file);
      sse__jitblob_lookup(syms, n, x->start + x->size);
      sse__jitblob_lookup(syms, n, x->start - 1);
    }
    sse__jitblob_free(syms);
  }
  free(r);
  free(s);
  free(li);
  return 0;
}
