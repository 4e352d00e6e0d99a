/* sse-index PATH...: index binaries, libraries and separate debug files
 * (a /usr/lib/debug tree: directories are walked for ELF files) ahead of
 * time into sse's shared on-disk symbol index, as gdb-add-index does for
 * gdb, so the first debugging session starts warm. A client of sse.h. */
#define _GNU_SOURCE
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sse.h"

static sse_engine *engine;
static unsigned nindexed, nfresh, nfailed;
static int quiet;

static int is_elf(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return 0;
  char m[4] = {0};
  size_t k = fread(m, 1, 4, f);
  fclose(f);
  return k == 4 && memcmp(m, "\177ELF", 4) == 0;
}

static void index_one(const char *path) {
  bool was = false;
  sse_err e = sse_index_file(engine, path, &was);
  if (e != SSE_OK) {
    fprintf(stderr, "sse-index: %s: %s\n", path, sse_strerror(e));
    nfailed++;
  } else if (was) {
    nfresh++;
    if (!quiet)
      printf("up to date  %s\n", path);
  } else {
    nindexed++;
    if (!quiet)
      printf("indexed     %s\n", path);
  }
}

static int walk_cb(const char *path, const struct stat *sb, int type, struct FTW *ftw) {
  (void)sb, (void)ftw;
  /* Symbolic links (.build-id/xx/...) are not followed: each file once. */
  if (type == FTW_F && is_elf(path))
    index_one(path);
  return 0;
}

static void usage(void) {
  fprintf(stderr, "usage: sse-index [-q] [--cache-dir DIR] PATH...\n"
                  "  index ELF files (directories: every ELF file below) into sse's symbol index\n"
                  "  (DIR, else $SSE_CACHE_DIR, else $XDG_CACHE_HOME/sse, else ~/.cache/sse)\n");
}

int main(int argc, char **argv) {
  sse_engine_options opts;
  memset(&opts, 0, sizeof opts);
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (strcmp(argv[i], "-q") == 0) {
      quiet = 1;
    } else if (strcmp(argv[i], "--cache-dir") == 0 && i + 1 < argc) {
      opts.cache_dir = argv[++i];
    } else {
      usage();
      return 2;
    }
  }
  if (i >= argc) {
    usage();
    return 2;
  }
  sse_err e = sse_engine_new(&opts, &engine);
  if (e != SSE_OK) {
    fprintf(stderr, "sse-index: %s\n", sse_strerror(e));
    return 1;
  }
  for (; i < argc; i++) {
    struct stat sb;
    if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode))
      nftw(argv[i], walk_cb, 16, FTW_PHYS);
    else
      index_one(argv[i]);
  }
  sse_engine_free(engine);
  printf("sse-index: %u indexed, %u up to date, %u failed\n", nindexed, nfresh, nfailed);
  return nfailed ? 1 : 0;
}
