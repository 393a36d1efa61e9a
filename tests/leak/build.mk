# tests/leak/: programs that leak known blocks in each of memcheck's kinds,
# each built twice: plain (for valgrind) and with inproc.c, which classifies
# the live blocks at exit with collector/leakscan.c.  check-valgrind.sh runs
# both and compares them with valgrind's own totals.
#
# Built without SAN_FLAGS even under SAN=1: valgrind and the malloc
# interposition of inproc.c both need the plain libc allocator.

LEAK_DIR := $(BUILD)/tests/leak
LEAK_CASES := list interior cache cycle threads fork heuristics dlopen tls uexit
LEAK_CXX_CASES := multi
LEAK_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARN) -O2 -g -Itests/leak \
	      -Iformats -Icollector
LEAK_DEPS = tests/leak/common.c tests/leak/leak.h tests/leak/build.mk
LEAK_CXXFLAGS = -std=gnu++17 -D_GNU_SOURCE \
	$(filter-out -Wstrict-prototypes -Wmissing-prototypes,$(WARN)) -O2 -g \
	-Itests/leak
LEAK_ALL := $(LEAK_CASES) $(LEAK_CXX_CASES)
LEAK_BINS := $(LEAK_ALL:%=$(LEAK_DIR)/%) $(LEAK_ALL:%=$(LEAK_DIR)/%-inproc) \
	     $(LEAK_DIR)/libleakdl.so $(LEAK_DIR)/bench
LEAK_LIBS_dlopen = -ldl
EXTRA_LEAK_CFLAGS_dlopen = -DLEAK_DLLIB='"$(abspath $(LEAK_DIR))/libleakdl.so"'

$(LEAK_CASES:%=$(LEAK_DIR)/%): $(LEAK_DIR)/%: tests/leak/%.c $(LEAK_DEPS)
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(LEAK_CFLAGS) $(EXTRA_LEAK_CFLAGS_$*) -o $@ $< \
		tests/leak/common.c -pthread $(LEAK_LIBS_$*)

$(LEAK_CASES:%=$(LEAK_DIR)/%-inproc): $(LEAK_DIR)/%-inproc: tests/leak/%.c \
		$(LEAK_DEPS) tests/leak/inproc.c collector/leakscan.c \
		collector/leakscan.h
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(LEAK_CFLAGS) $(EXTRA_LEAK_CFLAGS_$*) -o $@ $< \
		tests/leak/common.c tests/leak/inproc.c collector/leakscan.c \
		-pthread $(LEAK_LIBS_$*)

# The library of the dlopen case.
$(LEAK_DIR)/libleakdl.so: tests/leak/dllib.c $(LEAK_DEPS)
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(LEAK_CFLAGS) -fPIC -shared -o $@ $< tests/leak/common.c

$(LEAK_DIR)/dlopen $(LEAK_DIR)/dlopen-inproc: $(LEAK_DIR)/libleakdl.so

# C++ cases: the C helpers compiled apart, linked by the C++ driver.
$(LEAK_DIR)/common.o: tests/leak/common.c tests/leak/leak.h
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(LEAK_CFLAGS) -c -o $@ $<

$(LEAK_DIR)/inproc.o: tests/leak/inproc.c tests/leak/leak.h collector/leakscan.h
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(LEAK_CFLAGS) -c -o $@ $<

$(LEAK_DIR)/leakscan.o: collector/leakscan.c collector/leakscan.h
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(LEAK_CFLAGS) -c -o $@ $<

$(LEAK_CXX_CASES:%=$(LEAK_DIR)/%): $(LEAK_DIR)/%: tests/leak/%.cc \
		$(LEAK_DIR)/common.o $(LEAK_DEPS)
	$(QUIET_CC)$(CXX) $(LEAK_CXXFLAGS) -o $@ $< $(LEAK_DIR)/common.o

$(LEAK_CXX_CASES:%=$(LEAK_DIR)/%-inproc): $(LEAK_DIR)/%-inproc: tests/leak/%.cc \
		$(LEAK_DIR)/common.o $(LEAK_DIR)/inproc.o $(LEAK_DIR)/leakscan.o \
		$(LEAK_DEPS)
	$(QUIET_CC)$(CXX) $(LEAK_CXXFLAGS) -o $@ $< $(LEAK_DIR)/common.o \
		$(LEAK_DIR)/inproc.o $(LEAK_DIR)/leakscan.o

# Speed of leakscan_classify() on a synthetic heap (run by hand or by make
# bench: $(BUILD)/tests/leak/bench [NBLOCKS]).
$(LEAK_DIR)/bench: tests/leak/bench.c collector/leakscan.c collector/leakscan.h \
		tests/leak/build.mk
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(LEAK_CFLAGS) -o $@ $< collector/leakscan.c

## leak: build the leak validation programs
leak: $(LEAK_BINS)

## check-leak: compare leak programs, valgrind and leakscan (needs valgrind)
check-leak: $(LEAK_BINS)
	$(Q)BUILD=$(abspath $(BUILD)) tests/leak/check-valgrind.sh

all: $(LEAK_BINS)

.PHONY: leak check-leak
