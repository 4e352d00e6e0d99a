/* A module's transcoded type table (types.c's shared store) in the
 * module's on-disk index (docs/index-format.md, section 13): the records
 * serialized into one self-contained blob of fixed-size records (types,
 * members, enumerators, parameters, a string pool) that the symbol layer
 * keeps as an opaque section, and deserialized into a new store when the
 * module's first request finds the blob, so a later process prints and
 * ptypes without transcoding a type DIE again. Every count, index and
 * string offset of the blob is checked before it is used: a bad blob is
 * ignored (the types are transcoded from DWARF then). Strings are used in
 * place in the mapped file (it lives as long as the store). */
#include <stdlib.h>
#include <string.h>

#include "values/values.h"

#define TI_MAGIC 0x50595453u /* "STYP" */
#define TI_VERSION 3u
#define TI_NONE UINT32_MAX

typedef struct ti_hdr {
  uint32_t magic, version;
  uint32_t ntypes, nmembers, nenums, nparams;
  uint32_t strsize, pad;
} ti_hdr;

typedef struct ti_type {
  uint64_t off, size;
  int64_t count;
  uint32_t kind, name; /* name: string offset or TI_NONE */
  uint32_t target;     /* record index + 1, 0 none */
  uint32_t n, first;   /* members / enumerators / params from first */
  uint32_t flags;      /* TF_* */
  uint32_t cls, pad;   /* MEMPTR: the class's record index + 1 */
} ti_type;

typedef struct ti_member {
  uint64_t offset;
  uint32_t name, type; /* type: record index + 1 */
  uint32_t bit_off, bit_size;
  uint32_t flags, linkage; /* MF_*; linkage: string offset or TI_NONE */
  int64_t vbase_off;       /* MF_VIRTUAL: the offset's place in the vtable */
} ti_member;

typedef struct ti_enum {
  int64_t value;
  uint32_t name, pad;
} ti_enum;

enum { TF_SIGNED = 1, TF_COMPLETE = 2, TF_PROTO = 4, TF_CXX = 8, TF_ENUMCLASS = 16, TF_BAD = 32, TF_VARARGS = 64,
       TF_REF_SHIFT = 8 };
enum { MF_BASE = 1, MF_STATIC = 2, MF_VIRTUAL = 4 };

/* ---- saving ---- */

typedef struct tvec {
  sse__vtype **v;
  size_t n, cap;
  bool oom;
} tvec;

/* The records to write: every one of the store's memo and what they
 * reach (the store's void, members' and parameters' types). Each record
 * is numbered by its place; a linear search keeps the code small (the
 * tables have hundreds of records). */
static size_t find_rec(const tvec *t, const sse__vtype *x) {
  for (size_t i = 0; i < t->n; i++)
    if (t->v[i] == x)
      return i;
  return t->n;
}

static void add_rec(tvec *t, sse__vtype *x) {
  if (x == NULL || t->oom || find_rec(t, x) < t->n)
    return;
  if (t->n == t->cap) {
    size_t nc = t->cap ? t->cap * 2 : 64;
    sse__vtype **nv = realloc(t->v, nc * sizeof *nv);
    if (nv == NULL) {
      t->oom = true;
      return;
    }
    t->v = nv;
    t->cap = nc;
  }
  t->v[t->n++] = x;
}

static void collect(sse__tstore *st, tvec *t) {
  for (size_t i = 0; i < st->memo_cap; i++)
    add_rec(t, st->memo[i]);
  for (size_t i = 0; i < t->n && !t->oom; i++) { /* grows as it goes */
    sse__vtype *x = t->v[i];
    add_rec(t, x->target);
    add_rec(t, x->cls);
    for (size_t j = 0; x->members && j < x->n; j++)
      add_rec(t, x->members[j].type);
    for (size_t j = 0; x->params && j < x->n; j++)
      add_rec(t, x->params[j]);
  }
}

typedef struct sbuf {
  char *p;
  size_t n, cap;
  bool oom;
} sbuf;

static uint32_t put_str(sbuf *s, const char *str) {
  if (str == NULL || s->oom)
    return TI_NONE;
  size_t len = strlen(str) + 1;
  if (s->n + len > s->cap) {
    size_t nc = s->cap ? s->cap * 2 : 4096;
    while (nc < s->n + len)
      nc *= 2;
    char *np = nc < TI_NONE ? realloc(s->p, nc) : NULL;
    if (np == NULL) { /* s->p is still the caller's to free */
      s->oom = true;
      return TI_NONE;
    }
    s->p = np;
    s->cap = nc;
  }
  memcpy(s->p + s->n, str, len);
  s->n += len;
  return (uint32_t)(s->n - len);
}

static uint32_t idx1(const tvec *t, const sse__vtype *x) {
  return x ? (uint32_t)find_rec(t, x) + 1 : 0;
}

static uint32_t type_flags(const sse__vtype *x) {
  return (x->is_signed ? TF_SIGNED : 0) | (x->complete ? TF_COMPLETE : 0) | (x->prototyped ? TF_PROTO : 0) |
         (x->cxx ? TF_CXX : 0) | (x->enum_class ? TF_ENUMCLASS : 0) | (x->bad ? TF_BAD : 0) |
         (x->varargs ? TF_VARARGS : 0) |
         (uint32_t)x->ref << TF_REF_SHIFT;
}

/* The counts of the blob's tables for the records of t. */
static void count_parts(const tvec *t, ti_hdr *h) {
  *h = (ti_hdr){.magic = TI_MAGIC, .version = TI_VERSION, .ntypes = (uint32_t)t->n};
  for (size_t i = 0; i < t->n; i++) {
    const sse__vtype *x = t->v[i];
    h->nmembers += x->members ? (uint32_t)x->n : 0;
    h->nenums += x->enums ? (uint32_t)x->n : 0;
    h->nparams += x->params ? (uint32_t)x->n : 0;
  }
}

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

/* Fill the tables after the header of blob (room for h's counts). */
static void fill(const tvec *t, const ti_hdr *h, unsigned char *blob, sbuf *s) {
  ti_type *ty = (ti_type *)(blob + sizeof *h);
  ti_member *me = (ti_member *)(ty + h->ntypes);
  ti_enum *en = (ti_enum *)(me + h->nmembers);
  uint32_t *pa = (uint32_t *)(en + h->nenums);
  uint32_t km = 0, ke = 0, kp = 0;
  for (size_t i = 0; i < t->n; i++) {
    const sse__vtype *x = t->v[i];
    uint32_t first = x->members ? km : x->enums ? ke : x->params ? kp : 0;
    ty[i] = (ti_type){.off = x->off, .size = x->size, .count = x->count, .kind = (uint32_t)x->kind,
                      .name = put_str(s, x->name), .target = idx1(t, x->target),
                      .n = x->members || x->enums || x->params ? (uint32_t)x->n : 0, .first = first,
                      .flags = type_flags(x), .cls = idx1(t, x->cls)};
    for (size_t j = 0; x->members && j < x->n; j++) {
      const sse__member *m = &x->members[j];
      me[km++] = (ti_member){.offset = m->offset, .name = put_str(s, m->name), .type = idx1(t, m->type),
                             .bit_off = m->bit_off, .bit_size = m->bit_size,
                             .flags = (m->is_base ? MF_BASE : 0) | (m->is_static ? MF_STATIC : 0) |
                                      (m->is_virtual ? MF_VIRTUAL : 0),
                             .linkage = put_str(s, m->linkage), .vbase_off = m->vbase_off};
    }
    for (size_t j = 0; x->enums && j < x->n; j++)
      en[ke++] = (ti_enum){.value = x->enums[j].value, .name = put_str(s, x->enums[j].name)};
    for (size_t j = 0; x->params && j < x->n; j++)
      pa[kp++] = idx1(t, x->params[j]);
  }
}

void *sse__typeindex_save(void *ext, size_t *nout) {
  sse__tstore *st = ext;
  if (st == NULL || st->memo_n == st->saved)
    return NULL; /* nothing transcoded since the store was loaded or saved */
  tvec t = {0};
  collect(st, &t);
  ti_hdr h;
  count_parts(&t, &h);
  size_t tables = sizeof h + h.ntypes * sizeof(ti_type) + h.nmembers * sizeof(ti_member) +
                  h.nenums * sizeof(ti_enum) + h.nparams * sizeof(uint32_t);
  unsigned char *blob = t.oom ? NULL : calloc(1, align8(tables));
  sbuf s = {0};
  if (blob != NULL)
    fill(&t, &h, blob, &s);
  unsigned char *out = blob && !s.oom ? realloc(blob, align8(tables) + align8(s.n)) : NULL;
  if (out == NULL) {
    free(blob);
    free(s.p);
    free(t.v);
    return NULL;
  }
  h.strsize = (uint32_t)align8(s.n); /* NUL padding: the pool ends in a NUL */
  memset(out + align8(tables), 0, h.strsize);
  memcpy(out + align8(tables), s.p, s.n);
  memcpy(out, &h, sizeof h);
  *nout = align8(tables) + h.strsize;
  st->saved = st->memo_n;
  free(s.p);
  free(t.v);
  return out;
}

/* ---- loading ---- */

typedef struct tblob {
  const ti_hdr *h;
  const ti_type *ty;
  const ti_member *me;
  const ti_enum *en;
  const uint32_t *pa;
  const char *str;
} tblob;

/* The tables of the n bytes at p, every count within the blob. */
static bool parse(const void *p, size_t n, tblob *b) {
  const ti_hdr *h = p;
  if (p == NULL || n < sizeof *h || h->magic != TI_MAGIC || h->version != TI_VERSION || h->ntypes == 0)
    return false;
  uint64_t tables = sizeof *h + (uint64_t)h->ntypes * sizeof(ti_type) + (uint64_t)h->nmembers * sizeof(ti_member) +
                    (uint64_t)h->nenums * sizeof(ti_enum) + (uint64_t)h->nparams * sizeof(uint32_t);
  if (tables > n || align8(tables) + (uint64_t)h->strsize != n || h->strsize == 0)
    return false;
  b->h = h;
  b->ty = (const ti_type *)(h + 1);
  b->me = (const ti_member *)(b->ty + h->ntypes);
  b->en = (const ti_enum *)(b->me + h->nmembers);
  b->pa = (const uint32_t *)(b->en + h->nenums);
  b->str = (const char *)p + align8(tables);
  return b->str[h->strsize - 1] == '\0';
}

static bool str_ok(const tblob *b, uint32_t off) { return off == TI_NONE || off < b->h->strsize; }
static const char *str_at(const tblob *b, uint32_t off) { return off == TI_NONE ? NULL : b->str + off; }
static bool ref_ok(const tblob *b, uint32_t r) { return r <= b->h->ntypes; }

/* Whether record i's fields all point inside the blob. */
static bool type_ok(const tblob *b, const ti_type *x) {
  if (x->kind > SSE__TY_MEMPTR || !str_ok(b, x->name) || !ref_ok(b, x->target) || !ref_ok(b, x->cls))
    return false;
  bool mem = x->kind == SSE__TY_STRUCT || x->kind == SSE__TY_UNION, en = x->kind == SSE__TY_ENUM,
       par = x->kind == SSE__TY_FUNC;
  uint64_t lim = mem ? b->h->nmembers : en ? b->h->nenums : par ? b->h->nparams : 0;
  if (x->n > 0 && (uint64_t)x->first + x->n > lim)
    return false;
  for (uint32_t j = 0; j < x->n; j++) {
    const ti_member *m = mem ? &b->me[x->first + j] : NULL;
    if (m && (!str_ok(b, m->name) || !str_ok(b, m->linkage) || !ref_ok(b, m->type) || m->type == 0))
      return false;
    if (en && !str_ok(b, b->en[x->first + j].name))
      return false;
    if (par && (!ref_ok(b, b->pa[x->first + j]) || b->pa[x->first + j] == 0))
      return false;
  }
  return true;
}

static sse__vtype *rec_of(sse__vtype *v, uint32_t r) { return r ? &v[r - 1] : NULL; }

/* Record i of the blob into v[i] (its parts in the store's arena). */
static bool load_one(sse__tstore *st, const tblob *b, sse__vtype *v, uint32_t i, const void *dw) {
  const ti_type *x = &b->ty[i];
  sse__vtype *t = &v[i];
  *t = (sse__vtype){.kind = (sse__tkind)x->kind, .name = str_at(b, x->name), .size = x->size,
                    .is_signed = x->flags & TF_SIGNED, .complete = x->flags & TF_COMPLETE,
                    .prototyped = x->flags & TF_PROTO, .ref = (unsigned char)(x->flags >> TF_REF_SHIFT),
                    .cxx = x->flags & TF_CXX, .enum_class = x->flags & TF_ENUMCLASS, .bad = x->flags & TF_BAD,
                    .varargs = x->flags & TF_VARARGS,
                    .target = rec_of(v, x->target), .cls = rec_of(v, x->cls), .count = x->count, .n = x->n, .off = x->off,
                    .dw = NULL, .dwarf = x->off ? dw : NULL}; /* a shared store's key: the offset alone */
  bool mem = t->kind == SSE__TY_STRUCT || t->kind == SSE__TY_UNION;
  if (mem && x->n && (t->members = sse__arena_alloc(&st->blocks, x->n * sizeof *t->members)) == NULL)
    return false;
  for (uint32_t j = 0; mem && j < x->n; j++) {
    const ti_member *m = &b->me[x->first + j];
    t->members[j] = (sse__member){.name = str_at(b, m->name), .type = rec_of(v, m->type), .offset = m->offset,
                                  .bit_off = m->bit_off, .bit_size = m->bit_size, .is_base = m->flags & MF_BASE,
                                  .is_static = m->flags & MF_STATIC, .is_virtual = m->flags & MF_VIRTUAL,
                                  .vbase_off = m->vbase_off, .linkage = str_at(b, m->linkage)};
  }
  if (t->kind == SSE__TY_ENUM && x->n && (t->enums = sse__arena_alloc(&st->blocks, x->n * sizeof *t->enums)) == NULL)
    return false;
  for (uint32_t j = 0; t->kind == SSE__TY_ENUM && j < x->n; j++)
    t->enums[j] = (sse__enumerator){.name = str_at(b, b->en[x->first + j].name), .value = b->en[x->first + j].value};
  if (t->kind == SSE__TY_FUNC && x->n && (t->params = sse__arena_alloc(&st->blocks, x->n * sizeof *t->params)) == NULL)
    return false;
  for (uint32_t j = 0; t->kind == SSE__TY_FUNC && j < x->n; j++)
    t->params[j] = rec_of(v, b->pa[x->first + j]);
  return true;
}

/* Whether following targets from record i ends within a bound (a chain
 * that loops would hang whoever strips typedefs and qualifiers). */
static bool chain_ends(const tblob *b, uint32_t i) {
  uint32_t r = i + 1;
  for (int k = 0; k < 64 && r != 0; k++)
    r = b->ty[r - 1].target;
  return r == 0;
}

bool sse__typeindex_load(sse__tstore *st, const void *blob, size_t n, const void *dw) {
  tblob b;
  if (!parse(blob, n, &b))
    return false;
  for (uint32_t i = 0; i < b.h->ntypes; i++)
    if (!type_ok(&b, &b.ty[i]))
      return false;
  for (uint32_t i = 0; i < b.h->ntypes; i++) /* every target checked first */
    if (!chain_ends(&b, i))
      return false;
  sse__vtype *v = sse__arena_alloc(&st->blocks, b.h->ntypes * sizeof *v);
  if (v == NULL)
    return false;
  /* Every record whole before any is found by the lookups. */
  for (uint32_t i = 0; i < b.h->ntypes; i++)
    if (!load_one(st, &b, v, i, dw))
      return false;
  for (uint32_t i = 0; i < b.h->ntypes; i++) {
    if (v[i].off != 0 && !sse__tstore_put(st, &v[i]))
      return false;
    if (v[i].off == 0 && v[i].kind == SSE__TY_VOID && st->t_void == NULL)
      st->t_void = &v[i];
  }
  st->saved = st->memo_n;
  return true;
}
