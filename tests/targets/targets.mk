# targets.mk -- traced test programs for sse (tests/targets/*.c).
#
# Include from the top Makefile (BUILD set by the includer, default build) or
# run standalone:   make -f tests/targets/targets.mk BUILD=build/h-targets
# Outputs go to $(BUILD)/targets/; $(TARGETS) lists them all.
# These are the programs being traced, not the library: they never get the
# library's CFLAGS or sanitizer flags, only TARGET_CFLAGS below.

_sse_tgt_prev_goal := $(.DEFAULT_GOAL)
TARGETS_SRC := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))

BUILD ?= build
CC ?= cc
TBUILD := $(BUILD)/targets
TARGET_CFLAGS := -g -O0 -fno-omit-frame-pointer -Wall
TARGET_NODEBUG_CFLAGS := -O0 -fno-omit-frame-pointer -Wall

# Plain programs: one .c each, built with TARGET_CFLAGS.
TARGETS_SIMPLE := loops_calls recursion libc_calls signal_next bp_loop \
    exit_code long_loop deep_recursion qsort_cmp sighandler_bt stdin_echo \
    detach_target signal_storm exec_next fork_child thread_signal \
    longjmp_target values_target dies_midstep sig_blocked traceme smc_code \
    long_lines detach_signal avx512_regs
TARGETS_THREADED := threads4 thread_start blocked_step many_hits attach_threads \
    idle_threads thread_exits exit_race park_threads

TARGETS := $(addprefix $(TBUILD)/,$(TARGETS_SIMPLE) $(TARGETS_THREADED) \
    libnodebug.so uses_nodebug libdl_target.so dlopen_main \
    loops_calls_buildid stripped/loops_calls_stripped prog32 \
    tail_calls_O2 tail_calls_O2_now tail_calls_O2_clang \
    loops_calls_O2 libc_calls_O2 cxx_shapes cxx_shapes_O2)

.PHONY: targets clean-targets
targets: $(TARGETS)

$(TBUILD) $(TBUILD)/stripped:
	mkdir -p $@

$(addprefix $(TBUILD)/,$(TARGETS_SIMPLE)): $(TBUILD)/%: $(TARGETS_SRC)/%.c | $(TBUILD)
	$(CC) $(TARGET_CFLAGS) -o $@ $<

$(addprefix $(TBUILD)/,$(TARGETS_THREADED)): $(TBUILD)/%: $(TARGETS_SRC)/%.c | $(TBUILD)
	$(CC) $(TARGET_CFLAGS) -pthread -o $@ $<

# Library without any debuginfo (no -g): calls into it have no line info.
$(TBUILD)/libnodebug.so: $(TARGETS_SRC)/nodebug_lib.c | $(TBUILD)
	$(CC) $(TARGET_NODEBUG_CFLAGS) -fPIC -shared -o $@ $<

$(TBUILD)/uses_nodebug: $(TARGETS_SRC)/uses_nodebug.c $(TBUILD)/libnodebug.so | $(TBUILD)
	$(CC) $(TARGET_CFLAGS) -o $@ $< -L$(TBUILD) -lnodebug -Wl,-rpath,'$$ORIGIN'

$(TBUILD)/libdl_target.so: $(TARGETS_SRC)/dlopen_lib.c | $(TBUILD)
	$(CC) $(TARGET_CFLAGS) -fPIC -shared -o $@ $<

$(TBUILD)/dlopen_main: $(TARGETS_SRC)/dlopen_main.c | $(TBUILD)
	$(CC) $(TARGET_CFLAGS) -o $@ $< -ldl

# loops_calls with a build ID; make_stripped.sh strips it and lays out
# DIR/.build-id/xx/yyyy.debug.  A default layout is made in $(TBUILD)/stripped;
# tests may make their own: tests/targets/make_stripped.sh OUTDIR INPUT.
$(TBUILD)/loops_calls_buildid: $(TARGETS_SRC)/loops_calls.c | $(TBUILD)
	$(CC) $(TARGET_CFLAGS) -Wl,--build-id -o $@ $<

$(TBUILD)/stripped/loops_calls_stripped: $(TBUILD)/loops_calls_buildid $(TARGETS_SRC)/make_stripped.sh | $(TBUILD)/stripped
	sh $(TARGETS_SRC)/make_stripped.sh $(TBUILD)/stripped $< >/dev/null

# Optimized code: tail calls through the PLT (lazy and -z now) and locally.
$(TBUILD)/tail_calls_O2: $(TARGETS_SRC)/tail_calls.c | $(TBUILD)
	$(CC) -g -O2 -o $@ $<
$(TBUILD)/tail_calls_O2_now: $(TARGETS_SRC)/tail_calls.c | $(TBUILD)
	$(CC) -g -O2 -Wl,-z,now -o $@ $<
$(TBUILD)/tail_calls_O2_clang: $(TARGETS_SRC)/tail_calls.c | $(TBUILD)
	clang -g -O2 -o $@ $<
TARGETS += $(TBUILD)/tail_calls_O2_clang_now
$(TBUILD)/tail_calls_O2_clang_now: $(TARGETS_SRC)/tail_calls.c | $(TBUILD)
	clang -g -O2 -Wl,-z,now -o $@ $<

# The -O0 stepping programs again at -O2, gcc and clang.
$(TBUILD)/%_O2: $(TARGETS_SRC)/%.c | $(TBUILD)
	$(CC) -g -O2 -o $@ $<
$(TBUILD)/%_O2_clang: $(TARGETS_SRC)/%.c | $(TBUILD)
	clang -g -O2 -o $@ $<

# C++: classes, templates, overloads, operators, std::vector/std::string.
CXX_TARGET ?= g++
$(TBUILD)/cxx_shapes: $(TARGETS_SRC)/cxx_shapes.cc | $(TBUILD)
	$(CXX_TARGET) $(TARGET_CFLAGS) -o $@ $<
$(TBUILD)/cxx_shapes_O2: $(TARGETS_SRC)/cxx_shapes.cc | $(TBUILD)
	$(CXX_TARGET) -g -O2 -o $@ $<

# A 32-bit program (binutils only): refused by name at spawn and attach.
$(TBUILD)/prog32: $(TARGETS_SRC)/prog32.S | $(TBUILD)
	as --32 -o $@.o $<
	ld -m elf_i386 -o $@ $@.o
	rm -f $@.o

# The value tests (issue 12): -O2 builds, with location lists, registers
# and optimized-out values, from gcc and from clang.
TARGETS += $(TBUILD)/values_opt_gcc $(TBUILD)/values_opt_clang
$(TBUILD)/values_opt_gcc: $(TARGETS_SRC)/values_opt.c | $(TBUILD)
	$(CC) -g -O2 -o $@ $<
$(TBUILD)/values_opt_clang: $(TARGETS_SRC)/values_opt.c | $(TBUILD)
	clang -g -O2 -o $@ $<

# ssedap's editor sessions (tests/dap, bench/dap.c).
TARGETS += $(TBUILD)/dap_target
$(TBUILD)/dap_target: $(TARGETS_SRC)/dap_target.c | $(TBUILD)
	$(CC) $(TARGET_CFLAGS) -pthread -o $@ $<
# C++ exceptions (issue 14): gcc -O0, clang -O0, gcc -O2; break locations
# of clang -O2 code.
TARGETS += $(TBUILD)/cxx_exc $(TBUILD)/cxx_exc_clang $(TBUILD)/cxx_exc_O2 \
    $(TBUILD)/loops_calls_O2_clang $(TBUILD)/libc_calls_O2_clang
$(TBUILD)/cxx_exc: $(TARGETS_SRC)/cxx_exc.cc | $(TBUILD)
	$(CXX_TARGET) $(TARGET_CFLAGS) -o $@ $<
$(TBUILD)/cxx_exc_clang: $(TARGETS_SRC)/cxx_exc.cc | $(TBUILD)
	clang++ $(TARGET_CFLAGS) -o $@ $<
$(TBUILD)/cxx_exc_O2: $(TARGETS_SRC)/cxx_exc.cc | $(TBUILD)
	$(CXX_TARGET) -g -O2 -o $@ $<
TARGETS += $(TBUILD)/cxx_exc_O2_clang
$(TBUILD)/cxx_exc_O2_clang: $(TARGETS_SRC)/cxx_exc.cc | $(TBUILD)
	clang++ -g -O2 -o $@ $<
# longjmp out of two frames (issue 13), -O2 with gcc and with clang (the
# %_O2 rules above).
TARGETS += $(TBUILD)/longjmp_target_O2 $(TBUILD)/longjmp_target_O2_clang
# A libstdc++ without SystemTap probes (linked in, its .note.stapsdt
# taken out): catchpoints fall back to __cxa_throw and friends, as gdb's.
TARGETS += $(TBUILD)/cxx_exc_noprobes
$(TBUILD)/cxx_exc_noprobes: $(TARGETS_SRC)/cxx_exc.cc | $(TBUILD)
	$(CXX_TARGET) $(TARGET_CFLAGS) -static-libstdc++ -o $@.tmp $<
	objcopy --remove-section=.note.stapsdt $@.tmp $@
	rm -f $@.tmp
TARGETS += $(TBUILD)/cxx_exc_threads
$(TBUILD)/cxx_exc_threads: $(TARGETS_SRC)/cxx_exc_threads.cc | $(TBUILD)
	$(CXX_TARGET) $(TARGET_CFLAGS) -pthread -o $@ $<

# LLVM's JIT (issue 14): the IR clang emits, for lli.
TARGETS += $(TBUILD)/lli_prog.ll $(TBUILD)/lli_prog_O2.ll
$(TBUILD)/lli_prog.ll: $(TARGETS_SRC)/lli_prog.c | $(TBUILD)
	clang -g -O0 -S -emit-llvm -o $@ $<
$(TBUILD)/lli_prog_O2.ll: $(TARGETS_SRC)/lli_prog.c | $(TBUILD)
	clang -g -O2 -S -emit-llvm -o $@ $<
# sse-gdbserver's FP register tests: known x87, SSE and AVX values.
TARGETS += $(TBUILD)/fp_regs
$(TBUILD)/fp_regs: $(TARGETS_SRC)/fp_regs.c | $(TBUILD)
	$(CC) $(TARGET_CFLAGS) -o $@ $<
# Inline frames three deep (issue 13), -O2 with gcc and with clang (the
# %_O2 rules above).
TARGETS += $(TBUILD)/inline_deep_O2 $(TBUILD)/inline_deep_O2_clang
# The stepping programs at -O2 with clang too, and at -O3 with both.
TARGETS += $(TBUILD)/loops_calls_O2_clang $(TBUILD)/libc_calls_O2_clang \
    $(TBUILD)/loops_calls_O3 $(TBUILD)/loops_calls_O3_clang $(TBUILD)/inline_deep_O3 \
    $(TBUILD)/opt_shapes_O2 $(TBUILD)/opt_shapes_O2_clang \
    $(TBUILD)/opt_shapes_O2_lto $(TBUILD)/opt_shapes_O2_lto_clang
$(TBUILD)/%_O2_lto: $(TARGETS_SRC)/%.c | $(TBUILD)
	$(CC) -g -O2 -flto -o $@ $<
$(TBUILD)/%_O2_lto_clang: $(TARGETS_SRC)/%.c | $(TBUILD)
	clang -g -O2 -flto -fuse-ld=lld -o $@ $<
$(TBUILD)/%_O3: $(TARGETS_SRC)/%.c | $(TBUILD)
	$(CC) -g -O3 -o $@ $<
$(TBUILD)/%_O3_clang: $(TARGETS_SRC)/%.c | $(TBUILD)
	clang -g -O3 -o $@ $<
# Entry values and implicit pointers (issue 12): parameters known from the
# caller's call site, -O2 from gcc (call-site information) and clang.
TARGETS += $(TBUILD)/values_entry_gcc $(TBUILD)/values_entry_clang
$(TBUILD)/values_entry_gcc: $(TARGETS_SRC)/values_entry.c | $(TBUILD)
	$(CC) -g -O2 -o $@ $<
$(TBUILD)/values_entry_clang: $(TARGETS_SRC)/values_entry.c | $(TBUILD)
	clang -g -O2 -o $@ $<

# Arguments of optimized frames (issues 12 and 13): a parameter IPA
# dropped, two tail calls in a row, a call through a pointer; gcc -O2
# (the %_O2 rule above).
TARGETS += $(TBUILD)/frame_args_O2

# C++ values (issue 12): references, C++ type names, demangled symbols.
TARGETS += $(TBUILD)/values_cxx $(TBUILD)/values_cxx_class $(TBUILD)/cxx_values \
    $(TBUILD)/cxx_values2
$(TBUILD)/values_cxx: $(TARGETS_SRC)/values_cxx.cc | $(TBUILD)
	$(CXX_TARGET) $(TARGET_CFLAGS) -o $@ $<
$(TBUILD)/values_cxx_class: $(TARGETS_SRC)/values_cxx_class.cc | $(TBUILD)
	$(CXX_TARGET) $(TARGET_CFLAGS) -o $@ $<
$(TBUILD)/cxx_values: $(TARGETS_SRC)/cxx_values.cc | $(TBUILD)
	$(CXX_TARGET) $(TARGET_CFLAGS) -o $@ $<
$(TBUILD)/cxx_values2: $(TARGETS_SRC)/cxx_values2.cc | $(TBUILD)
	$(CXX_TARGET) $(TARGET_CFLAGS) -o $@ $<

# bench/values (issue 12): a function of 400 locals, five frames deep.
TARGETS += $(TBUILD)/values_big
$(TBUILD)/values_big: $(TARGETS_SRC)/values_big.c | $(TBUILD)
	$(CC) $(TARGET_CFLAGS) -o $@ $<

# __thread variables (issue 12): the TLS block of each thread.
TARGETS += $(TBUILD)/values_tls
$(TBUILD)/values_tls: $(TARGETS_SRC)/values_tls.c | $(TBUILD)
	$(CC) $(TARGET_CFLAGS) -pthread -o $@ $<

clean-targets:
	rm -rf $(TBUILD)

# Standalone (make -f targets.mk): default goal is `targets`.  Included: do not
# steal the includer's default goal.
ifeq ($(words $(MAKEFILE_LIST)),1)
.DEFAULT_GOAL := targets
else
.DEFAULT_GOAL := $(_sse_tgt_prev_goal)
endif

# Conditional breakpoints and watched expressions (issue 12): a function
# called 20,000 times, and one called from four threads.
TARGETS += $(TBUILD)/condbp $(TBUILD)/condbp_threads
$(TBUILD)/condbp: $(TARGETS_SRC)/condbp.c | $(TBUILD)
	$(CC) $(TARGET_CFLAGS) -o $@ $<
$(TBUILD)/condbp_threads: $(TARGETS_SRC)/condbp_threads.c | $(TBUILD)
	$(CC) $(TARGET_CFLAGS) -pthread -o $@ $<
TARGETS += $(TBUILD)/emulate_ops
$(TBUILD)/emulate_ops: $(TARGETS_SRC)/emulate_ops.c | $(TBUILD)
	$(CC) $(TARGET_CFLAGS) -mno-red-zone -o $@ $<
