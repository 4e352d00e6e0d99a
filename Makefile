# sse — a threaded ptrace stepping engine for Linux x86_64.
#
#   make            build/libsse.so, build/libsse.a, build/ssedemo,
#                   build/sse-gdbserver, sse.pc
#   make demo       build and run ssedemo on a bundled program
#   make check      build and run every test (SAN=address or SAN=thread for
#                   the sanitizer builds, in build/san-address, build/san-thread)
#   make bench      build the benchmarks and run them
#   make fuzz       run the JIT blob parser's, the expression parser's and
#                   sse-gdbserver's packet parser's fuzzers for longer
#   make install    PREFIX=/usr/local DESTDIR=
#
# Missing Debian packages are installed first by scripts/deps.sh (as root;
# otherwise it prints the apt-get command).

SAN ?=
# The one architecture today: src/arch/$(ARCH) is built and on the include path.
ARCH ?= x86_64
ifeq ($(SAN),)
BUILD ?= build
else
BUILD ?= build/san-$(SAN)
endif
PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
ifeq ($(CC),cc)
CC := gcc
endif

SONAME_MAJOR := 0
VERSION := 0.1.0

DEPS_STAMP := build/.deps-ok
PKGS := libdw libelf libunwind-ptrace capstone
# libdebuginfod: download progress of libdwfl's debuginfod client (issue 17).
PKGS += libdebuginfod

ifeq ($(SAN),address)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
else ifeq ($(SAN),thread)
SANFLAGS := -fsanitize=thread
else ifneq ($(SAN),)
$(error SAN must be empty, address or thread)
endif

# pkg-config is only asked once the packages are there.
pc_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pc_libs = $(shell pkg-config --libs $(1) 2>/dev/null)

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wno-unused-parameter
BASE_CFLAGS := -std=gnu11 $(WARN) -fPIC -fvisibility=hidden -pthread \
	-Iinclude -Isrc -Isrc/arch/$(ARCH) $(call pc_cflags,$(PKGS)) $(SANFLAGS)
LIBS := $(call pc_libs,$(PKGS)) -lpthread -lstdc++

LIB_DIRS := src/arch/$(ARCH) src/ptrace src/engine src/step src/api src/values src/events \
	src/memaccess src/symtab src/unwind src/jit
# The shared on-disk symbol index (issue 17).
LIB_DIRS += src/index
LIB_SRC := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
LIB_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRC))
AGENT_OBJ := $(BUILD)/obj/src/agent/agent.o
DEMO_SRC := $(wildcard tools/ssedemo/*.c)
DEMO_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(DEMO_SRC))
GDBSERVER_SRC := $(wildcard tools/sse-gdbserver/*.c)
GDBSERVER_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(GDBSERVER_SRC))

TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRC))
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

.PHONY: all deps demo check bench fuzz install clean targets-all
all: $(DEPS_STAMP) $(BUILD)/libsse.so $(BUILD)/libsse.a $(BUILD)/ssedemo \
	$(BUILD)/sse-gdbserver $(BUILD)/ssedap \
	$(BUILD)/libsseagent.a $(BUILD)/libsseagent.so $(BUILD)/sse.pc

deps $(DEPS_STAMP): scripts/deps.sh
	@sh scripts/deps.sh
	@mkdir -p build && touch $(DEPS_STAMP)

# Re-run make after the packages arrived so pkg-config flags are right.
ifeq ($(wildcard $(DEPS_STAMP)),)
ifneq ($(MAKECMDGOALS),clean)
ifneq ($(MAKECMDGOALS),deps)
$(info sse: checking build dependencies)
$(shell sh scripts/deps.sh >&2 && mkdir -p build && touch $(DEPS_STAMP))
PKGS_OK := $(shell pkg-config --exists $(PKGS) && echo yes)
ifneq ($(PKGS_OK),yes)
$(error sse: build dependencies are missing; see the message above)
endif
BASE_CFLAGS := -std=gnu11 $(WARN) -fPIC -fvisibility=hidden -pthread \
	-Iinclude -Isrc -Isrc/arch/$(ARCH) $(shell pkg-config --cflags $(PKGS)) $(SANFLAGS)
LIBS := $(shell pkg-config --libs $(PKGS)) -lpthread -lstdc++
endif
endif
endif

$(BUILD)/obj/%.o: %.c $(wildcard include/*.h src/*.h src/*/*.h src/*/*/*.h tools/*/*.h) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(BASE_CFLAGS) -c -o $@ $<

$(BUILD)/libsse.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libsse.so: $(LIB_OBJ)
	$(CC) $(CFLAGS) $(SANFLAGS) -shared -Wl,-soname,libsse.so.$(SONAME_MAJOR) \
		-Wl,--no-undefined -o $@.$(VERSION) $^ $(LIBS)
	ln -sf libsse.so.$(VERSION) $@.$(SONAME_MAJOR)
	ln -sf libsse.so.$(VERSION) $@

# The target-side JIT agent (links into the JIT, not the debugger).
$(BUILD)/libsseagent.a: $(AGENT_OBJ)
	rm -f $@ && ar rcs $@ $^
$(BUILD)/libsseagent.so: $(AGENT_OBJ)
	$(CC) $(CFLAGS) $(SANFLAGS) -shared -Wl,-soname,libsseagent.so.0 -o $@ $^ -lpthread

# Programs (tools/) are clients of sse.h only: compiled with include/ alone
# on the path and linked against libsse.so, which exports the public API and
# nothing else, and without the library's own dependencies (capstone,
# libdw, ...), so any use of an internal breaks their build.
TOOL_CFLAGS := -std=gnu11 $(WARN) -pthread -Iinclude $(SANFLAGS)
$(BUILD)/obj/tools/%.o: tools/%.c $(wildcard include/*.h tools/*/*.h) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TOOL_CFLAGS) -c -o $@ $<

$(BUILD)/ssedemo: $(DEMO_OBJ) $(BUILD)/libsse.so
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $(DEMO_OBJ) -L$(BUILD) -lsse -lreadline \
		-lpthread -Wl,-rpath,'$$ORIGIN:$$ORIGIN/../lib'

# gdb's remote serial protocol (tools/sse-gdbserver).
$(BUILD)/sse-gdbserver: $(GDBSERVER_OBJ) $(BUILD)/libsse.so
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $(GDBSERVER_OBJ) -L$(BUILD) -lsse \
		-lpthread -Wl,-rpath,'$$ORIGIN:$$ORIGIN/../lib'

# The Debug Adapter Protocol server (tools/ssedap): JSON through jansson;
# its debug console runs ssedemo's command files, built in unchanged (all
# but ssedemo.c, its main).
DAP_SRC := $(wildcard tools/ssedap/*.c)
DAP_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(DAP_SRC)) \
	$(filter-out $(BUILD)/obj/tools/ssedemo/ssedemo.o,$(DEMO_OBJ))
$(BUILD)/ssedap: $(DAP_OBJ) $(BUILD)/libsse.so
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $(DAP_OBJ) -L$(BUILD) -lsse -ljansson \
		-lpthread -Wl,-rpath,'$$ORIGIN:$$ORIGIN/../lib'
# sse-index: the shared symbol index built ahead of time (issue 17).
INDEX_TOOL_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tools/sse-index/*.c))
$(BUILD)/sse-index: $(INDEX_TOOL_OBJ) $(BUILD)/libsse.so
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $(INDEX_TOOL_OBJ) -L$(BUILD) -lsse \
		-lpthread -Wl,-rpath,'$$ORIGIN:$$ORIGIN/../lib'
all: $(BUILD)/sse-index

$(BUILD)/sse.pc: Makefile
	@mkdir -p $(dir $@)
	printf 'prefix=%s\nlibdir=$${prefix}/lib\nincludedir=$${prefix}/include\n\nName: sse\nDescription: threaded ptrace stepping engine\nVersion: %s\nRequires.private: libdw libelf libunwind-ptrace capstone\nLibs: -L$${libdir} -lsse\nLibs.private: -lpthread\nCflags: -I$${includedir}\n' \
		'$(PREFIX)' '$(VERSION)' > $@

# ------------------------------------------------------------ test programs
include tests/targets/targets.mk

SYMTAB_TARGETS := $(TBUILD)/symtab_target $(TBUILD)/symtab_target_cet \
	$(TBUILD)/symtab_target_O2 $(TBUILD)/symtab_target_clang
$(TBUILD)/symtab_target: tests/targets/symtab_target.c | $(TBUILD)
	$(CC) -g -O0 -o $@ $<
$(TBUILD)/symtab_target_cet: tests/targets/symtab_target.c | $(TBUILD)
	$(CC) -g -O0 -fcf-protection=full -o $@ $<
$(TBUILD)/symtab_target_O2: tests/targets/symtab_target.c | $(TBUILD)
	$(CC) -g -O2 -o $@ $<
$(TBUILD)/symtab_target_clang: tests/targets/symtab_target.c | $(TBUILD)
	clang -g -O0 -o $@ $<

JIT_TARGETS := $(TBUILD)/jit_agent_target $(TBUILD)/jit_agent_stress
# Traced programs get the agent built with their own flags (never the
# debugger's sanitizers).
$(JIT_TARGETS): $(TBUILD)/%: tests/targets/%.c src/agent/agent.c src/agent/sse_agent.h | $(TBUILD)
	$(CC) -g -O0 -fno-omit-frame-pointer -pthread -Isrc/agent -o $@ $< \
		src/agent/agent.c

# GDB JIT interface (issue 6): gdbjit_code.img is a freestanding image
# linked at a fixed address, which gdbjit_target maps there and registers
# as an in-memory ELF object.
GDBJIT_TARGETS := $(TBUILD)/gdbjit_target $(TBUILD)/gdbjit_code.img
$(TBUILD)/gdbjit_code.img: tests/targets/gdbjit_code.c | $(TBUILD)
	$(CC) -g -O0 -fno-omit-frame-pointer -fno-pie -no-pie -nostdlib -static \
		-Wl,--build-id -Wl,-Ttext-segment=0x7e0000000000 -Wl,-e,jit_entry -o $@ $<
$(TBUILD)/gdbjit_target: tests/targets/gdbjit_target.c | $(TBUILD)
	$(CC) -g -O0 -fno-omit-frame-pointer -Wall -o $@ $<

targets-all: $(TARGETS) $(SYMTAB_TARGETS) $(JIT_TARGETS) $(GDBJIT_TARGETS)

# ------------------------------------------------------------ tests
TEST_CFLAGS := -DTARGETS_DIR='"$(abspath $(TBUILD))"' \
	-DORACLE_SCRIPT_PATH='"$(abspath tests/oracle/gdb_steps.py)"' \
	-DSSE_SRCDIR='"$(abspath .)"' -Itests/oracle -Isrc/agent -Isrc/symtab -Isrc/jit

$(BUILD)/tests/test_%: tests/unit/test_%.c tests/oracle/oracle.c tests/oracle/cr_tsan_shim.c \
		tests/unit/testutil.h $(BUILD)/libsse.a $(BUILD)/libsseagent.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(BASE_CFLAGS) $(TEST_CFLAGS) -o $@ $< tests/oracle/oracle.c \
		tests/oracle/cr_tsan_shim.c \
		$(BUILD)/libsse.a $(BUILD)/libsseagent.a $(LIBS) \
		$(shell pkg-config --libs criterion 2>/dev/null)

# The sse-gdbserver suites share their helpers, and so do the index suites.
$(filter $(BUILD)/tests/test_gdbserver%,$(TEST_BIN)): tests/unit/test_gdbserver.h
$(filter $(BUILD)/tests/test_index%,$(TEST_BIN)): tests/unit/index_helpers.h

# The README's embedding example must compile and run.
$(BUILD)/tests/readme_example: README.md $(BUILD)/libsse.so
	@mkdir -p $(dir $@)
	sed -n '/^```c embed/,/^```/p' README.md | sed '1d;$$d' > $(BUILD)/tests/readme_example.c
	$(CC) $(CFLAGS) $(SANFLAGS) -Iinclude -o $@ $(BUILD)/tests/readme_example.c \
		-L$(BUILD) -lsse -Wl,-rpath,'$(abspath $(BUILD))'

check: all targets-all $(TEST_BIN) $(BUILD)/tests/readme_example
	@sh tests/run_tests.sh $(BUILD) $(SAN)

# ------------------------------------------------------------ demo / bench
demo: all targets-all
	@sh tools/ssedemo/run_demo.sh $(BUILD)

$(BUILD)/bench/%: bench/%.c $(BUILD)/libsse.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(BASE_CFLAGS) -o $@ $< $(BUILD)/libsse.a $(LIBS)

# bench/dap speaks DAP to ssedap and lldb-vscode-14: it needs jansson and
# the adapter, not the library.
$(BUILD)/bench/dap: bench/dap.c $(BUILD)/ssedap
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -std=gnu11 $(WARN) $(SANFLAGS) -o $@ $< -ljansson

bench: all targets-all $(BENCH_BIN)
	@for b in $(BENCH_BIN); do echo "== $$b"; $$b $(abspath $(TBUILD)) || exit 1; done

fuzz: all targets-all
	@sh tests/fuzz/run_fuzz.sh $(BUILD) $${FUZZ_SECONDS:-300}
	@sh tests/fuzz/run_fuzz.sh $(BUILD) $${FUZZ_SECONDS:-300} expr
	@sh tests/fuzz/run_fuzz_rsp.sh $(BUILD) $${FUZZ_SECONDS:-300}
	@sh tests/fuzz/run_fuzz_index.sh $(BUILD) $${FUZZ_SECONDS:-300}

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 644 include/sse.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 src/agent/sse_agent.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(BUILD)/libsse.a $(BUILD)/libsseagent.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libsse.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libsse.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libsse.so.$(SONAME_MAJOR)
	ln -sf libsse.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libsse.so
	install -m 755 $(BUILD)/libsseagent.so $(DESTDIR)$(PREFIX)/lib/
	install -m 644 $(BUILD)/sse.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/
	install -m 755 $(BUILD)/ssedemo $(BUILD)/sse-gdbserver $(DESTDIR)$(PREFIX)/bin/
	install -m 755 $(BUILD)/ssedap $(DESTDIR)$(PREFIX)/bin/
	install -m 755 $(BUILD)/sse-index $(DESTDIR)$(PREFIX)/bin/
	@# A system prefix: the new library is found at once.
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

clean:
	rm -rf build
