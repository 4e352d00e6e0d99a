/* memory.c — disassemble (instructionOffset counted in instructions, a
 * negative one too, as VS Code's disassembly view sends it), readMemory
 * and writeMemory (base64; a 0-byte read is answered with its address). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dap.h"

#define MAX_INSNS 4096

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *base64_encode(const uint8_t *p, size_t n) {
  char *o = malloc(4 * ((n + 2) / 3) + 1), *q = o;
  if (!o) return NULL;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
    *q++ = b64[v >> 18 & 63];
    *q++ = b64[v >> 12 & 63];
    *q++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
    *q++ = i + 2 < n ? b64[v & 63] : '=';
  }
  *q = 0;
  return o;
}

/* Decoded bytes (malloc'ed) or NULL for text that is no base64. */
static uint8_t *base64_decode(const char *s, size_t *n) {
  size_t len = strlen(s);
  uint8_t *o = malloc(len / 4 * 3 + 3);
  uint32_t acc = 0;
  int bits = 0;
  *n = 0;
  for (size_t i = 0; o && i < len && s[i] != '='; i++) {
    const char *c = strchr(b64, s[i]);
    if (!c || !s[i]) {
      free(o);
      return NULL;
    }
    acc = acc << 6 | (uint32_t)(c - b64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      o[(*n)++] = (uint8_t)(acc >> bits);
    }
  }
  return o;
}

static bool mem_ref(json_t *args, uint64_t *addr, char *err, size_t errsz) {
  const char *ref = dap_jstr(args, "memoryReference");
  if (!dap_parse_addr(ref, addr)) {
    snprintf(err, errsz, "not a memory reference: \"%s\"", ref ? ref : "");
    return false;
  }
  *addr += (uint64_t)dap_jint(args, "offset", 0);
  return true;
}

bool dap_read_memory(json_t *args, json_t *body, char *err, size_t errsz) {
  uint64_t addr;
  if (!dap_need_stopped(err, errsz) || !mem_ref(args, &addr, err, errsz)) return false;
  long long count = dap_jint(args, "count", 0);
  if (count < 0 || count > (64 << 20)) {
    snprintf(err, errsz, "readMemory: count %lld is out of range", count);
    return false;
  }
  uint8_t *buf = malloc(count ? (size_t)count : 1);
  size_t done = 0;
  sse_err e = count ? sse_read_memory(S.proc, addr, buf, (size_t)count, &done) : SSE_OK;
  if (!e) done = (size_t)count;
  char *data = base64_encode(buf, done);
  json_object_set_new(body, "address", dap_jaddr(addr));
  json_object_set_new(body, "data", json_string(data ? data : ""));
  if (done < (size_t)count)
    json_object_set_new(body, "unreadableBytes", json_integer((json_int_t)(count - (long long)done)));
  free(data);
  free(buf);
  return true;
}

bool dap_write_memory(json_t *args, json_t *body, char *err, size_t errsz) {
  uint64_t addr;
  if (!dap_need_stopped(err, errsz) || !mem_ref(args, &addr, err, errsz)) return false;
  size_t n = 0;
  const char *data = dap_jstr(args, "data");
  uint8_t *bytes = data ? base64_decode(data, &n) : NULL;
  if (!bytes) {
    snprintf(err, errsz, "writeMemory: \"data\" must be base64");
    return false;
  }
  size_t done = 0;
  sse_err e = sse_write_memory(S.proc, addr, bytes, n, &done);
  free(bytes);
  if (e && !done) {
    snprintf(err, errsz, "Cannot access memory at address 0x%llx", (unsigned long long)addr);
    return false;
  }
  json_object_set_new(body, "bytesWritten", json_integer((json_int_t)done));
  return true;
}

/* Instructions from a start address that lands exactly on addr (x86 has no
 * fixed length: try the function's start, then each byte of a window of
 * 16 bytes an instruction before addr, and keep the first stream that meets
 * addr with back instructions before it, else the one with most). *at
 * gets the index of addr's instruction. */
static sse_insn *decode_before(uint64_t addr, size_t back, size_t *n, size_t *at) {
  uint64_t cand[17], span = 16 * (uint64_t)back;
  int nc = 0;
  sse_location loc;
  if (!sse_lookup(S.proc, addr, &loc) && loc.function && loc.offset && loc.offset <= span)
    cand[nc++] = addr - loc.offset;
  for (int t = 0; t < 16; t++) cand[nc++] = (addr > span ? addr - span : 0) + (uint64_t)t;
  size_t cap = (size_t)span + 2;
  sse_insn *best = NULL, *v = malloc(sizeof *v * cap);
  *n = *at = 0;
  for (int c = 0; c < nc && v; c++) {
    size_t got = 0;
    if (cand[c] >= addr) continue;
    sse_disassemble(S.proc, cand[c], (size_t)(addr - cand[c]) + 1, v, &got);
    for (size_t i = 0; i < got && v[i].addr <= addr; i++) {
      if (v[i].addr != addr || (best && i <= *at)) continue;
      free(best);
      best = v;
      *n = got;
      *at = i;
      v = malloc(sizeof *v * cap);
      break;
    }
    if (best && *at >= back) break;
  }
  free(v);
  return best;
}

static json_t *insn_json(const sse_insn *in) {
  char text[256], bytes[64] = "";
  snprintf(text, sizeof text, "%s%s%s", in->mnemonic, in->operands[0] ? " " : "", in->operands);
  for (unsigned i = 0; i < in->len && i < 16; i++) sprintf(bytes + 3 * i, "%02x ", in->bytes[i]);
  if (in->len) bytes[3 * in->len - 1] = 0;
  json_t *j = json_pack("{s:o, s:s, s:s}", "address", dap_jaddr(in->addr), "instruction", text,
                        "instructionBytes", bytes);
  sse_location loc;
  if (!sse_lookup(S.proc, in->addr, &loc)) {
    if (loc.function && loc.offset == 0) json_object_set_new(j, "symbol", json_string(loc.function));
    if (loc.file && loc.line > 0) {
      json_object_set_new(j, "location", json_pack("{s:s}", "path", loc.file));
      json_object_set_new(j, "line", json_integer(loc.line));
    }
  }
  return j;
}

bool dap_disassemble(json_t *args, json_t *body, char *err, size_t errsz) {
  uint64_t addr;
  if (!dap_need_stopped(err, errsz) || !mem_ref(args, &addr, err, errsz)) return false;
  long long off = dap_jint(args, "instructionOffset", 0);
  long long count = dap_jint(args, "instructionCount", 0);
  if (count <= 0 || count > MAX_INSNS || off < -MAX_INSNS || off > MAX_INSNS) {
    snprintf(err, errsz, "disassemble: instructionCount must be 1..%d", MAX_INSNS);
    return false;
  }
  json_t *arr = json_array();
  json_object_set_new(body, "instructions", arr);
  size_t npre = 0, at = 0, nf = 0;
  sse_insn *pre = off < 0 ? decode_before(addr, (size_t)-off, &npre, &at) : NULL;
  size_t want = off + count > 0 ? (size_t)(off + count) : 0;
  sse_insn *fwd = malloc(sizeof *fwd * (want ? want : 1));
  if (fwd && want) sse_disassemble(S.proc, addr, want, fwd, &nf);
  /* Placeholders where memory has no instruction, so that the view gets
   * exactly count entries. */
  for (long long k = 0; k < count; k++) {
    long long i = off + k, j = (long long)at + i;
    const sse_insn *in = i < 0 ? (pre && j >= 0 && npre ? &pre[j] : NULL)
                               : (fwd && i < (long long)nf ? &fwd[i] : NULL);
    if (in)
      json_array_append_new(arr, insn_json(in));
    else
      json_array_append_new(arr, json_pack("{s:o, s:s, s:s}", "address",
                                           dap_jaddr(addr + (uint64_t)i), "instruction", "??",
                                           "presentationHint", "invalid"));
  }
  free(pre);
  free(fwd);
  return true;
}
