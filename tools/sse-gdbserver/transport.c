/* transport.c — where the protocol's bytes come from: one TCP connection
 * accepted on HOST:PORT (127.0.0.1 when HOST is empty: the protocol has
 * no authentication), or stdin/stdout ("-", main.c). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gdbserver.h"

int transport_listen(const char *hostport, int *port) {
  char host[256] = "";
  const char *colon = strrchr(hostport, ':');
  const char *portstr = hostport;
  if (colon) {
    size_t hl = (size_t)(colon - hostport);
    if (hl >= sizeof host) hl = sizeof host - 1;
    memcpy(host, hostport, hl);
    host[hl] = 0;
    portstr = colon + 1;
  }
  if (!host[0]) strcpy(host, "127.0.0.1");
  char *end;
  long p = strtol(portstr, &end, 10);
  if (!*portstr || *end || p < 0 || p > 65535) {
    fprintf(stderr, "sse-gdbserver: bad port in \"%s\"\n", hostport);
    return -1;
  }
  struct addrinfo hints = {.ai_family = AF_UNSPEC,
                           .ai_socktype = SOCK_STREAM,
                           .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
  struct addrinfo *res;
  int gr = getaddrinfo(host, portstr, &hints, &res);
  if (gr != 0) {
    fprintf(stderr, "sse-gdbserver: %s: %s\n", host, gai_strerror(gr));
    return -1;
  }
  int fd = -1;
  for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0) break;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) {
    fprintf(stderr, "sse-gdbserver: cannot listen on %s:%s: %s\n", host,
            portstr, strerror(errno));
    return -1;
  }
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  *port = (int)p;
  if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
    if (ss.ss_family == AF_INET)
      *port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    else if (ss.ss_family == AF_INET6)
      *port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
  }
  return fd;
}

int transport_accept(int lfd, bool keep) {
  int fd;
  do {
    fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (!keep) close(lfd);
  if (fd < 0) {
    fprintf(stderr, "sse-gdbserver: accept: %s\n", strerror(errno));
    return -1;
  }
  /* small packets, one at a time: no Nagle delay */
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}
