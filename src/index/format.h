/* The on-disk layout of an index file (docs/index-format.md). Little-endian
 * x86_64 layout, naturally aligned; every offset is from the start of the
 * file and checked against its size before use. */
#ifndef SSE_INDEX_FORMAT_H
#define SSE_INDEX_FORMAT_H

#include <stdint.h>

#define SSE__IX_MAGIC "SSEINDEX"
#define SSE__IX_VERSION 3u
#define SSE__IX_STRSEC 1u /* the string pool's section id */

typedef struct sse__ixhdr {
  char magic[8];      /* SSE__IX_MAGIC, no NUL */
  uint32_t version;   /* SSE__IX_VERSION */
  uint32_t nsect;     /* entries of the section table after the header */
  uint64_t file_size; /* the whole file */
  uint64_t checksum;  /* sse__ix_checksum of the section table and the key */
  uint32_t keylen;    /* the module's key (B + build ID, or P + path|size|mtime) */
  uint32_t pad;
  uint64_t key_off;
  uint8_t id[20]; /* the directory's ID of the key */
  uint32_t pad2;
} sse__ixhdr;

typedef struct sse__ixsect {
  uint32_t id;   /* what the records are (the symbol layer's numbers) */
  uint32_t elem; /* bytes per record (1 for the string pool) */
  uint64_t off;  /* 8-aligned */
  uint64_t size; /* a multiple of elem */
  uint64_t sum;  /* sse__ix_checksum of the section, checked on its first use */
} sse__ixsect;

#define SSE__IXDIR_MAGIC "SSEIXDIR"
#define SSE__IXDIR_VERSION 1u
#define SSE__IXDIR_NAME "index.dir"
#define SSE__IXDIR_LOCK "index.lock"

/* The directory file: header, N u64 offsets (of each ID's entry), then N*B
 * ID bytes sorted by memcmp, then the entries. */
typedef struct sse__ixdirhdr {
  char magic[8];
  uint32_t version;
  uint32_t idlen; /* B */
  uint64_t n;
  uint64_t file_size;
  uint64_t checksum; /* of bytes [sizeof header, file_size) */
} sse__ixdirhdr;

typedef struct sse__ixdirent {
  uint64_t size;  /* of the index file */
  int64_t mtime;  /* when it was written (eviction: oldest first) */
  char name[48];  /* file name in the directory, NUL-terminated */
} sse__ixdirent;

uint64_t sse__ix_checksum(const void *p, uint64_t n);

#endif
