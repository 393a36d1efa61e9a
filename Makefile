# mptrace: one GNU Makefile, no autotools.
#
# Knobs (make VAR=value):
#   CC=cc            compiler
#   CFLAGS=-O2 -g    optimisation and debug flags
#   BUILD=build      where objects, libraries, commands and test logs go;
#                    use your own (BUILD=build-x) to build beside others
#   V=1              show the full commands
#   DEVELOPER=1      add -Werror and extra warnings
#   SAN=1            build with AddressSanitizer + UndefinedBehaviorSanitizer
#                    (output goes to build-san/)
#   PREFIX=/usr/local, DESTDIR=   where `make install` puts things
#   NO_DEPS=1        do not run scripts/install-deps
#   E2E=PATH...      `make e2e`: only these cases or tests/e2e/ directories
#   FUZZ_SECONDS=N   `make fuzz`: how long to fuzz
#
# `make help` lists the targets.
#
# Layout: formats/ (trace library), collector/ (libmprec.so + mprec),
# analyzer/ (analysis library + one command per mp*.c), tests/.  Each part
# adds its rules in its own build.mk, included below.

CC ?= cc
CXX ?= c++
CFLAGS ?= -O2 -g
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
LIBDIR = $(PREFIX)/lib
INCDIR = $(PREFIX)/include
MANDIR = $(PREFIX)/share/man

ifeq ($(SAN),1)
BUILD ?= build-san
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
	    -fno-sanitize-recover=all
else
BUILD ?= build
SAN_FLAGS =
endif

WARN = -Wall -Wextra -Wno-unused-parameter
ifeq ($(DEVELOPER),1)
WARN += -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wpointer-arith -Wvla
endif

ifneq ($(V),1)
Q = @
QUIET_CC = @echo '  CC      ' $@;
QUIET_LINK = @echo '  LINK    ' $@;
QUIET_AR = @echo '  AR      ' $@;
else
Q =
endif

PKG_CONFIG ?= pkg-config
pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pc_libs = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null || echo $(2))

ZSTD_CFLAGS := $(call pc_cflags,libzstd)
ZSTD_LIBS := $(call pc_libs,libzstd,-lzstd)
ELF_CFLAGS := $(call pc_cflags,libelf)
ELF_LIBS := $(call pc_libs,libelf,-lelf)
# Debian's libdwarf-dev ships no .pc file.
DWARF_CFLAGS := $(shell $(PKG_CONFIG) --cflags libdwarf 2>/dev/null || echo -I/usr/include/libdwarf)
DWARF_LIBS := $(call pc_libs,libdwarf,-ldwarf)
CMOCKA_CFLAGS := $(call pc_cflags,cmocka)
CMOCKA_LIBS := $(call pc_libs,cmocka,-lcmocka)

ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE -fPIC $(WARN) $(CFLAGS) $(SAN_FLAGS) \
	     -Iformats $(ZSTD_CFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SAN_FLAGS)

## all: build every library and command (the default)
all:

# Install missing packages before the first build (scripts/install-deps is
# quick when everything is there).
DEPS_STAMP = $(BUILD)/.deps-ok
$(DEPS_STAMP): scripts/install-deps
	$(Q)mkdir -p $(BUILD)
ifneq ($(NO_DEPS),1)
	$(Q)scripts/install-deps
endif
	$(Q)touch $@

## deps: install the missing build, run-time and test packages (apt-get)
deps:
ifneq ($(NO_DEPS),1)
	$(Q)scripts/install-deps
endif

## help: list the targets
help:
	@sed -n 's/^## \([^:]*\): /  \1\t/p' $(MAKEFILE_LIST) | \
		awk -F'\t' '!seen[$$1]++' | expand -t 20

$(BUILD)/%.o: %.c | $(DEPS_STAMP)
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) $(EXTRA_CFLAGS_$(subst /,_,$*)) -MMD -MP -c -o $@ $<

include formats/build.mk
-include collector/build.mk
-include analyzer/build.mk
-include tests/build.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# Test suites, run by scripts/check: the cmocka unit tests, the end-to-end
# cases of tests/e2e/<cmd>/, and the documentation tests of tests/e2e/doc/.
# Fragments add what the tests need to `check` (or to `tests`).
CHECK_SUITES ?= unit e2e doc
CHECK_ENV = BUILD='$(BUILD)' UNIT_BINS='$(UNIT_BINS)' E2E='$(E2E)'

## check: install what is missing, build everything, run unit, end-to-end and doc tests
check: deps all tests
	$(Q)$(CHECK_ENV) scripts/check $(CHECK_SUITES)

## e2e: build everything, run the end-to-end and doc tests (E2E=... for some)
e2e:
	$(Q)$(MAKE) --no-print-directory check CHECK_SUITES='e2e doc'

## analyzers: build the analyzer commands only
analyzers: $(ANALYZER_CMDS)

## demo: install what is missing, build, record the bundled example and analyze it
demo: deps all
	$(Q)BUILD='$(BUILD)' MAKE='$(MAKE)' scripts/demo

## bench: install what benchmarks compare against, run tests/bench/*.sh, print tables
bench: bench-deps all
	$(Q)BUILD='$(BUILD)' tests/bench/run

bench-deps:
ifneq ($(NO_DEPS),1)
	$(Q)scripts/install-deps --bench
endif

## fuzz: fuzz the trace reader for FUZZ_SECONDS (tests/fuzz/build.mk)
ifeq ($(wildcard tests/fuzz/build.mk),)
fuzz:
	@echo "fuzz: no fuzz target yet (tests/fuzz/build.mk is missing)"
endif

## lint: mandoc -Tlint on every man page, clang-format --dry-run on the C sources
lint:
	$(Q)scripts/lint

## install: install commands, libmprec.so, headers, libmptrace.a and man pages under $(DESTDIR)$(PREFIX)
INSTALL ?= install
MAN_PAGES = $(wildcard man/man1/*.1 man/man3/*.3 man/man5/*.5 man/man7/*.7)
install: all
	$(Q)$(INSTALL) -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(LIBDIR)/mptrace' \
		'$(DESTDIR)$(INCDIR)'
	$(Q)for f in $(BUILD)/bin/mp*; do \
		[ -f "$$f" ] || continue; \
		$(INSTALL) -m 755 "$$f" '$(DESTDIR)$(BINDIR)/' || exit; \
	done
	$(Q)if [ -f $(BUILD)/lib/libmprec.so ]; then \
		$(INSTALL) -m 755 $(BUILD)/lib/libmprec.so \
			'$(DESTDIR)$(LIBDIR)/mptrace/libmprec.so'; fi
	$(Q)$(INSTALL) -m 644 $(LIBMPTRACE) '$(DESTDIR)$(LIBDIR)/libmptrace.a'
	$(Q)$(INSTALL) -m 644 formats/mptrace.h '$(DESTDIR)$(INCDIR)/mptrace.h'
	$(Q)if [ -f collector/mprec.h ]; then \
		$(INSTALL) -m 644 collector/mprec.h '$(DESTDIR)$(INCDIR)/mprec.h'; fi
	$(Q)for m in $(MAN_PAGES); do \
		s=$${m##*.}; \
		$(INSTALL) -d '$(DESTDIR)$(MANDIR)/'man$$s && \
		$(INSTALL) -m 644 $$m '$(DESTDIR)$(MANDIR)/'man$$s/ || exit; \
	done
	@echo "installed under $(DESTDIR)$(PREFIX)"

## uninstall: remove what `make install` installed
INSTALLED_CMDS = mprec $(notdir $(basename $(wildcard analyzer/mp*.c)))
uninstall:
	$(Q)for c in $(INSTALLED_CMDS); do rm -f '$(DESTDIR)$(BINDIR)/'$$c; done
	$(Q)rm -f '$(DESTDIR)$(LIBDIR)/mptrace/libmprec.so' \
		'$(DESTDIR)$(LIBDIR)/libmptrace.a' \
		'$(DESTDIR)$(INCDIR)/mptrace.h' '$(DESTDIR)$(INCDIR)/mprec.h'
	$(Q)rmdir '$(DESTDIR)$(LIBDIR)/mptrace' 2>/dev/null || :
	$(Q)for m in $(sort $(notdir $(MAN_PAGES)) $(INSTALLED_CMDS:%=%.1) \
			mptrace.5 mptrace.7 libmptrace.3); do \
		rm -f '$(DESTDIR)$(MANDIR)/'man$${m##*.}/$$m; done

## clean: remove build, build-san and every build-* directory
clean:
	rm -rf build build-san build-*

.PHONY: all deps help check e2e analyzers demo bench bench-deps fuzz lint \
	install uninstall clean
