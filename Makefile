# mptrace: one GNU Makefile, no autotools.
#
# Knobs (make VAR=value):
#   CC=cc            compiler
#   CFLAGS=-O2 -g    optimisation and debug flags
#   V=1              show the full commands
#   DEVELOPER=1      add -Werror and extra warnings
#   SAN=1            build with AddressSanitizer + UndefinedBehaviorSanitizer
#                    (output goes to build-san/)
#   PREFIX=/usr/local, DESTDIR=   where `make install` puts things
#   NO_DEPS=1        do not run scripts/install-deps
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

$(BUILD)/%.o: %.c | $(DEPS_STAMP)
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) $(EXTRA_CFLAGS_$(subst /,_,$*)) -MMD -MP -c -o $@ $<

include formats/build.mk
-include collector/build.mk
-include analyzer/build.mk
-include tests/build.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

.PHONY: all check demo bench fuzz lint install clean
