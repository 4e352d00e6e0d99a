/* sse's shared on-disk symbol index (docs/index-format.md): one file per
 * module, keyed by build ID (or path, size and mtime), holding sections of
 * fixed-size records and a string pool at offsets (never pointers), checked
 * whole before use and then read in place through mmap(PROT_READ), so every
 * debugger process mapping the same file shares its pages; what a process
 * learns later is appended as a segment (an image of its own). A directory
 * file keeps the sorted build-ID table. This layer knows files, sections and
 * bounds; what the records mean is the symbol layer's (src/symtab/persist.c).
 *
 * Thread: every function is safe from any thread; an sse__index is
 * read-only once opened, an sse__ixw belongs to one thread. Calls nothing
 * above it. */
#ifndef SSE_INDEX_H
#define SSE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* B of the directory's build-ID table: a key of another length (another
 * build-ID size, a path) is hashed to B bytes; the file's header keeps the
 * whole key, checked on open. */
#define SSE__IX_IDLEN 20
#define SSE__IX_NOSTR UINT32_MAX

typedef struct sse__index sse__index; /* one mapped, validated file */
typedef struct sse__ixw sse__ixw;     /* a file being built */

/* The cache directory: opt when set (an engine option), else
 * $SSE_CACHE_DIR, else $XDG_CACHE_HOME/sse, else $HOME/.cache/sse; "off"
 * (option or variable) or "" disables it. malloc'd, NULL when off. */
char *sse__index_cache_dir(const char *opt);
/* The size cap in bytes: $SSE_CACHE_MAX (a number, K, M or G after it),
 * else 1 GB. */
uint64_t sse__index_cache_cap(void);

/* The directory's B-byte ID of key. */
void sse__index_digest(const unsigned char *key, size_t keylen, unsigned char out[SSE__IX_IDLEN]);

/* Open the index of key in dir, found through the directory file: NULL
 * when there is none or it is not valid (truncated, corrupt, another
 * version, another key); *why (may be NULL) then says which, NULL if
 * simply absent. */
sse__index *sse__index_open(const char *dir, const unsigned char *key, size_t keylen, const char **why);
/* The same over n bytes in memory (kept, not copied: the fuzzer); key NULL
 * accepts any key. */
sse__index *sse__index_from_mem(const void *buf, size_t n, const unsigned char *key, size_t keylen,
                                const char **why);
void sse__index_close(sse__index *);
/* Section id's records (elem bytes each, as written): NULL and *count 0 when
 * absent, of another record size, or not matching its checksum (checked on
 * its first use; sse__index_damaged then tells). */
const void *sse__index_section(const sse__index *, uint32_t id, size_t elem, size_t *count);
/* The NUL-terminated string at off of the string section; NULL when off is
 * SSE__IX_NOSTR or out of bounds. */
const char *sse__index_str(const sse__index *, uint32_t off);
/* The string pool in place (*n bytes; the last is a NUL, so every offset
 * below *n starts a terminated string); NULL and 0 when empty. */
const char *sse__index_pool(const sse__index *, size_t *n);
/* Whether a section failed its checksum: the file is to be rebuilt. */
bool sse__index_damaged(const sse__index *);
/* The file's size (the mapping). */
size_t sse__index_size(const sse__index *);
/* Segments: a file is its first image and the images appended to it since
 * (sse__ixw_append), each checked as a whole file is, with the first's
 * key. sse__index_open's result is the first; next the following one,
 * NULL after the last. Sections and strings are each segment's own. */
const sse__index *sse__index_next(const sse__index *);
/* How many segments the file has (of any of them). */
size_t sse__index_segments(const sse__index *);
/* Whether bytes after the last valid segment were ignored (a torn
 * append). */
bool sse__index_torn(const sse__index *);
/* The bytes of the valid segments from this one on. */
size_t sse__index_valid_size(const sse__index *);

sse__ixw *sse__ixw_new(void);
void sse__ixw_free(sse__ixw *);
/* Add a section (copied). false when out of memory. */
bool sse__ixw_section(sse__ixw *, uint32_t id, uint32_t elem, const void *p, size_t count);
/* The offset of s in the string pool (one copy of each distinct string);
 * SSE__IX_NOSTR for NULL or out of memory. */
uint32_t sse__ixw_str(sse__ixw *, const char *s);
/* Write the file of key into dir: a temporary file renamed into place,
 * then the directory file updated (under a lock) and the oldest files
 * evicted beyond the cap. 0, or a negated errno (EACCES, EROFS, ENOSPC:
 * the directory is unusable). */
int sse__ixw_commit(sse__ixw *, const char *dir, const unsigned char *key, size_t keylen);
/* Append w as a segment to the file of key in dir, under an flock on the
 * file: the bytes after its last valid segment (a torn append) are cut
 * first. When there is no valid file, w is written as a new one
 * (sse__ixw_commit). *nseg (may be NULL): the file's segments after it.
 * 0 or a negated errno. */
int sse__ixw_append(sse__ixw *, const char *dir, const unsigned char *key, size_t keylen, size_t *nseg);
/* The whole file image as sse__ixw_commit would write it (malloc'd, *n). */
void *sse__ixw_image(sse__ixw *, const unsigned char *key, size_t keylen, size_t *n);

/* ---- the directory file (dirfile.c) ---- */
/* Look up id: the index file's name (malloc'd), NULL when absent. */
char *sse__ixdir_lookup(const char *dir, const unsigned char id[SSE__IX_IDLEN]);
/* Record name (size bytes) for id, evict the oldest beyond cap (never
 * keep_name). 0 or a negated errno. Takes the directory's lock. */
int sse__ixdir_add(const char *dir, const unsigned char id[SSE__IX_IDLEN], const char *name, uint64_t cap);

#endif
