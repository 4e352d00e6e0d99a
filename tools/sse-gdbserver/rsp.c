/* rsp.c — the remote serial protocol's framing, apart from any debugging:
 * $<data>#<2 hex checksum>, '+'/'-' acknowledgements until
 * QStartNoAckMode, '}' escaping of $ # } *, run-length encoding of
 * replies, and the lone \x03 byte a client sends to interrupt. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdbserver.h"

void rsp_init(rsp_conn *c, int in_fd, int out_fd) {
  memset(c, 0, sizeof *c);
  c->in_fd = in_fd;
  c->out_fd = out_fd;
}

void rsp_close(rsp_conn *c) {
  if (c->in_fd >= 0) close(c->in_fd);
  if (c->out_fd >= 0 && c->out_fd != c->in_fd) close(c->out_fd);
  c->in_fd = c->out_fd = -1;
  free(c->last);
  c->last = NULL;
  c->closed = true;
}

unsigned rsp_checksum(const char *data, size_t len) {
  unsigned sum = 0;
  for (size_t i = 0; i < len; i++) sum += (unsigned char)data[i];
  return sum & 0xff;
}

bool rsp_buffered(const rsp_conn *c) { return c->rpos < c->rlen; }

bool rsp_buffered_interrupt(const rsp_conn *c) {
  return c->rpos < c->rlen && memchr(c->rbuf + c->rpos, 0x03, c->rlen - c->rpos);
}

/* Refill the read buffer, blocking. False at EOF or on an error. */
static bool fill(rsp_conn *c) {
  if (c->closed) return false;
  for (;;) {
    ssize_t r = read(c->in_fd, c->rbuf, sizeof c->rbuf);
    if (r > 0) {
      c->rpos = 0;
      c->rlen = (size_t)r;
      return true;
    }
    if (r < 0 && errno == EINTR) continue;
    c->closed = true;
    return false;
  }
}

/* Next byte, blocking; -1 at EOF. */
static int getbyte(rsp_conn *c) {
  if (c->rpos >= c->rlen && !fill(c)) return -1;
  return c->rbuf[c->rpos++];
}

int rsp_poll_byte(rsp_conn *c) {
  if (c->rpos < c->rlen) return c->rbuf[c->rpos++];
  if (c->closed) return -2;
  struct pollfd pfd = {.fd = c->in_fd, .events = POLLIN};
  int r = poll(&pfd, 1, 0);
  if (r <= 0) return -1;
  if (!fill(c)) return -2;
  return c->rbuf[c->rpos++];
}

static bool write_all(rsp_conn *c, const char *p, size_t n) {
  while (n > 0 && !c->closed) {
    ssize_t w = write(c->out_fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      c->closed = true;
      return false;
    }
    p += w;
    n -= (size_t)w;
  }
  return !c->closed;
}

static int hexval(int ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

/* Expand run-length encoding in place (clients do not send it, but the
 * protocol allows it everywhere). False when it would overflow cap. */
static bool rle_decode(char *buf, size_t *len, size_t cap) {
  if (!memchr(buf, '*', *len)) return true;
  char *tmp = malloc(cap + 1);
  if (!tmp) return false;
  size_t o = 0;
  for (size_t i = 0; i < *len; i++) {
    if (buf[i] == '*' && o > 0 && i + 1 < *len) {
      int n = (unsigned char)buf[++i] - 29;
      if (n < 0 || o + (size_t)n > cap) {
        free(tmp);
        return false;
      }
      memset(tmp + o, tmp[o - 1], (size_t)n);
      o += (size_t)n;
    } else {
      if (o >= cap) {
        free(tmp);
        return false;
      }
      tmp[o++] = buf[i];
    }
  }
  memcpy(buf, tmp, o);
  buf[o] = 0;
  *len = o;
  free(tmp);
  return true;
}

rsp_kind rsp_recv(rsp_conn *c, char *buf, size_t *len) {
  for (;;) {
    int ch = getbyte(c);
    if (ch < 0) return RSP_EOF;
    if (ch == 0x03) return RSP_INTERRUPT;
    if (ch != '$') continue; /* acks, garbage between packets */
    size_t n = 0;
    bool overlong = false;
    unsigned sum = 0;
    for (;;) {
      ch = getbyte(c);
      if (ch < 0) return RSP_EOF;
      if (ch == '#') break;
      if (ch == '$') { /* a new packet starts: the old one was cut */
        n = 0;
        sum = 0;
        overlong = false;
        continue;
      }
      sum += (unsigned)ch;
      if (n < RSP_PACKET_SIZE)
        buf[n++] = (char)ch;
      else
        overlong = true;
    }
    int h1 = getbyte(c), h2 = h1 < 0 ? -1 : getbyte(c);
    if (h2 < 0) return RSP_EOF;
    int v1 = hexval(h1), v2 = hexval(h2);
    bool good = v1 >= 0 && v2 >= 0 && (unsigned)(v1 * 16 + v2) == (sum & 0xff);
    buf[n] = 0;
    /* the '+' goes out with the reply, in one write (rsp_send) */
    if (!c->noack && good) c->ack_pending = true;
    if (!c->noack && !good && !write_all(c, "-", 1)) return RSP_EOF;
    if (!good) continue; /* the client sends it again */
    if (overlong) return RSP_TOO_LONG;
    if (!rle_decode(buf, &n, RSP_PACKET_SIZE)) return RSP_TOO_LONG;
    *len = n;
    return RSP_PACKET;
  }
}

size_t rsp_unescape(char *data, size_t len) {
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    if (data[i] == '}' && i + 1 < len)
      data[o++] = (char)(data[++i] ^ 0x20);
    else
      data[o++] = data[i];
  }
  return o;
}

size_t rsp_rle_encode(const char *src, size_t len, char *dst, size_t cap) {
  size_t o = 0;
  for (size_t i = 0; i < len && o < cap;) {
    char ch = src[i];
    size_t run = 1;
    /* '}' starts an escape pair: never the base of a run */
    while (ch != '}' && i + run < len && src[i + run] == ch && run < 98) run++;
    if (i > 0 && src[i - 1] == '}') run = 1; /* ch is an escaped byte */
    size_t rep = run - 1;                    /* repeats after the first */
    /* c*N stands for 1 + (N - 29) bytes: worth it from 3 repeats on; the
     * count character may not be '#' (6) or '$' (7). */
    while (rep == 6 || rep == 7) rep--;
    if (rep >= 3 && o + 3 <= cap) {
      dst[o++] = ch;
      dst[o++] = '*';
      dst[o++] = (char)(rep + 29);
      i += rep + 1;
    } else {
      dst[o++] = ch;
      i++;
    }
  }
  return o;
}

bool rsp_send(rsp_conn *c, const char *data, size_t len) {
  if (c->closed) return false;
  /* escape, then encode: at most 2 bytes per byte, plus the frame */
  char *esc = malloc(2 * len + 1);
  char *pkt = malloc(2 * len + 6);
  if (!esc || !pkt) {
    free(esc);
    free(pkt);
    return false;
  }
  size_t e = 0;
  for (size_t i = 0; i < len; i++) {
    char ch = data[i];
    if (ch == '$' || ch == '#' || ch == '}' || ch == '*') {
      esc[e++] = '}';
      esc[e++] = (char)(ch ^ 0x20);
    } else {
      esc[e++] = ch;
    }
  }
  size_t n = 1, at = 0;
  if (c->ack_pending) { /* the request's ack first, in the same write */
    pkt[at++] = '+';
    c->ack_pending = false;
  }
  pkt[at] = '$';
  n += at + rsp_rle_encode(esc, e, pkt + at + 1, 2 * len);
  unsigned sum = rsp_checksum(pkt + at + 1, n - at - 1);
  static const char hex[] = "0123456789abcdef";
  pkt[n++] = '#';
  pkt[n++] = hex[sum >> 4];
  pkt[n++] = hex[sum & 15];
  free(esc);
  free(c->last);
  c->last = pkt;
  c->last_len = n;
  for (int tries = 0; tries < 16; tries++) {
    if (!write_all(c, pkt + (tries ? at : 0), n - (tries ? at : 0))) return false;
    if (c->noack) return true;
    /* wait for the ack; a '-' asks for the packet again */
    for (;;) {
      int ch = getbyte(c);
      if (ch < 0) return false;
      if (ch == '+') return true;
      if (ch == '-') break;
      if (ch == '$') { /* the client gave up waiting: it sends again */
        c->rpos--;
        return true;
      }
    }
  }
  return true;
}

bool rsp_flush_ack(rsp_conn *c) {
  if (!c->ack_pending) return !c->closed;
  c->ack_pending = false;
  return write_all(c, "+", 1);
}

bool rsp_send_str(rsp_conn *c, const char *s) {
  return rsp_send(c, s, strlen(s));
}
