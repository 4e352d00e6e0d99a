/* vfile.c — the vFile packets: gdb reads the program and its libraries
 * from the target's file system (its default sysroot is "target:"), so
 * nothing needs copying to the machine gdb runs on.
 *
 * Read-only: open with any flag but O_RDONLY, and unlink, are refused
 * (EACCES). Only the descriptors these packets opened can be read or
 * closed. Replies are "F<result>[,<errno>][;<binary data>]", errno in gdb's
 * File-I/O numbering; data escaped by rsp.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gdbserver.h"

#define MAX_FILES 32
static int files[MAX_FILES]; /* our descriptors + 1; 0: free */

/* gdb's File-I/O errno values (gdbsupport/fileio.h) */
static int fio_errno(int e) {
  switch (e) {
    case EPERM: return 1;
    case ENOENT: return 2;
    case EINTR: return 4;
    case EBADF: return 9;
    case EACCES: return 13;
    case EFAULT: return 14;
    case EBUSY: return 16;
    case EEXIST: return 17;
    case ENODEV: return 19;
    case ENOTDIR: return 20;
    case EISDIR: return 21;
    case EINVAL: return 22;
    case ENFILE: return 23;
    case EMFILE: return 24;
    case EFBIG: return 27;
    case ENOSPC: return 28;
    case ESPIPE: return 29;
    case EROFS: return 30;
    case ENAMETOOLONG: return 91;
    default: return 9999;
  }
}

static void fail(gs_session *s, int e) { gs_reply(s, "F-1,%x", fio_errno(e)); }

static int hexval(int ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

/* A hex-encoded file name up to `,` or the end into name (cap bytes). */
static bool get_name(const char **p, char *name, size_t cap) {
  size_t n = 0;
  const char *q = *p;
  while (*q && *q != ',') {
    int h = hexval((unsigned char)q[0]), l = h < 0 ? -1 : hexval((unsigned char)q[1]);
    if (l < 0 || n + 1 >= cap) return false;
    name[n++] = (char)(h << 4 | l);
    q += 2;
  }
  name[n] = 0;
  *p = q;
  return n > 0 && !memchr(name, 0, n);
}

/* Comma-separated hex numbers. */
static bool get_nums(const char *p, unsigned long long *v, int count) {
  for (int i = 0; i < count; i++) {
    char *e;
    errno = 0;
    v[i] = strtoull(p, &e, 16);
    if (e == p || errno) return false;
    if (i + 1 < count && *e != ',') return false;
    if (i + 1 == count && *e) return false;
    p = e + 1;
  }
  return true;
}

static int fd_of(unsigned long long h) {
  return h < MAX_FILES && files[h] ? files[h] - 1 : -1;
}

void gs_vfile_setfs(gs_session *s, char *a) {
  /* 0: the server's own file system, which is the program's */
  unsigned long long pid;
  if (!get_nums(a, &pid, 1)) {
    fail(s, EINVAL);
    return;
  }
  if (pid != 0 && pid != (unsigned long long)s->pid)
    fail(s, ENOSYS);
  else
    gs_reply(s, "F0");
}

void gs_vfile_open(gs_session *s, char *a) {
  char name[4096];
  const char *p = a;
  unsigned long long fm[2];
  if (!get_name(&p, name, sizeof name) || *p != ',' || !get_nums(p + 1, fm, 2)) {
    fail(s, EINVAL);
    return;
  }
  if (fm[0] != 0) { /* gdb's O_RDONLY is 0 */
    fail(s, EACCES);
    return;
  }
  int slot = -1;
  for (int i = 0; i < MAX_FILES && slot < 0; i++)
    if (!files[i]) slot = i;
  if (slot < 0) {
    fail(s, EMFILE);
    return;
  }
  int fd = open(name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fail(s, errno);
    return;
  }
  files[slot] = fd + 1;
  gs_reply(s, "F%x", slot);
}

void gs_vfile_pread(gs_session *s, char *a) {
  unsigned long long v[3]; /* fd, count, offset */
  if (!get_nums(a, v, 3)) {
    fail(s, EINVAL);
    return;
  }
  int fd = fd_of(v[0]);
  if (fd < 0) {
    fail(s, EBADF);
    return;
  }
  /* room for the header; the escaping rsp.c adds is its own business */
  size_t max = RSP_PACKET_SIZE - 32;
  size_t count = v[1] < max ? (size_t)v[1] : max;
  char buf[RSP_PACKET_SIZE];
  ssize_t n = pread(fd, buf, count, (off_t)v[2]);
  if (n < 0) {
    fail(s, errno);
    return;
  }
  int hl = snprintf(s->reply, 32, "F%zx;", (size_t)n);
  memcpy(s->reply + hl, buf, (size_t)n);
  s->reply_len = (size_t)hl + (size_t)n;
}

void gs_vfile_close(gs_session *s, char *a) {
  unsigned long long h;
  if (!get_nums(a, &h, 1) || fd_of(h) < 0) {
    fail(s, EBADF);
    return;
  }
  close(fd_of(h));
  files[h] = 0;
  gs_reply(s, "F0");
}

static size_t put_be(char *dst, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) dst[i] = (char)(v >> (8 * (bytes - 1 - i)));
  return (size_t)bytes;
}

/* struct fio_stat: big-endian, 32-bit fields but for size, blksize and
 * blocks (64-bit). */
void gs_vfile_fstat(gs_session *s, char *a) {
  unsigned long long h;
  struct stat st;
  if (!get_nums(a, &h, 1) || fd_of(h) < 0) {
    fail(s, EBADF);
    return;
  }
  if (fstat(fd_of(h), &st) != 0) {
    fail(s, errno);
    return;
  }
  char b[64];
  size_t o = 0;
  o += put_be(b + o, st.st_dev, 4);
  o += put_be(b + o, st.st_ino, 4);
  o += put_be(b + o, st.st_mode, 4);
  o += put_be(b + o, st.st_nlink, 4);
  o += put_be(b + o, st.st_uid, 4);
  o += put_be(b + o, st.st_gid, 4);
  o += put_be(b + o, st.st_rdev, 4);
  o += put_be(b + o, (uint64_t)st.st_size, 8);
  o += put_be(b + o, (uint64_t)st.st_blksize, 8);
  o += put_be(b + o, (uint64_t)st.st_blocks, 8);
  o += put_be(b + o, (uint64_t)st.st_atime, 4);
  o += put_be(b + o, (uint64_t)st.st_mtime, 4);
  o += put_be(b + o, (uint64_t)st.st_ctime, 4);
  int hl = snprintf(s->reply, 32, "F%zx;", o);
  memcpy(s->reply + hl, b, o);
  s->reply_len = (size_t)hl + o;
}

void gs_vfile_readlink(gs_session *s, char *a) {
  char name[4096], target[4096];
  const char *p = a;
  if (!get_name(&p, name, sizeof name) || *p) {
    fail(s, EINVAL);
    return;
  }
  ssize_t n = readlink(name, target, sizeof target);
  if (n < 0) {
    fail(s, errno);
    return;
  }
  int hl = snprintf(s->reply, 32, "F%zx;", (size_t)n);
  memcpy(s->reply + hl, target, (size_t)n);
  s->reply_len = (size_t)hl + (size_t)n;
}

void gs_vfile_unlink(gs_session *s, char *a) { fail(s, EACCES); }

void gs_vfile_close_all(void) {
  for (int i = 0; i < MAX_FILES; i++)
    if (files[i]) {
      close(files[i] - 1);
      files[i] = 0;
    }
}
