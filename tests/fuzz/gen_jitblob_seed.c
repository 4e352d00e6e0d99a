/* Writes fuzz seeds for fuzz_jitblob made by the real agent: registers a few
 * symbols (with and without line tables), dumps the blobs from the
 * descriptor in the fuzzer's input format (3 u32 lengths, then the blobs).
 * Usage: gen_jitblob_seed DIR   (writes DIR/seed_agent_3 and DIR/seed_agent_unreg) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sse_agent.h"

static void dump(const char *dir, const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (!f) {
    perror(path);
    exit(1);
  }
  uint32_t l[3];
  for (int i = 0; i < 3; i++)
    l[i] = (uint32_t)sse_agent_descriptor.blobs[i].size;
  fwrite(l, sizeof l, 1, f);
  for (int i = 0; i < 3; i++)
    fwrite((const void *)(uintptr_t)sse_agent_descriptor.blobs[i].addr, 1, l[i], f);
  fclose(f);
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : ".";
  sse_agent_line ln[] = {{0x1000, 1, "jit_src.txt"}, {0x1004, 2, "jit_src.txt"},
                         {0x1008, 7, "other.txt"}, {0x1018, 3, NULL}};
  uint64_t h[3];
  if (sse_agent_register(0x1000, 0x20, "jit_caller", ln, 4, &h[0]) ||
      sse_agent_register(0x2000, 0x6, "jit_answer", NULL, 0, &h[1]) ||
      sse_agent_register(0x1010, 0x100, "overlapping", ln + 3, 1, &h[2]))
    return 1;
  dump(dir, "seed_agent_3");
  if (sse_agent_unregister(h[1]))
    return 1;
  dump(dir, "seed_agent_unreg");
  return 0;
}
