# collector/: libmprec.so (preloaded into the app), the mprec launcher, and
# libmpcollect.a (launcher-side pure modules that unit tests link).

UNWIND_CFLAGS := $(call pc_cflags,libunwind)
UNWIND_LIBS := $(call pc_libs,libunwind,-lunwind)

# In the app: only libc, libdl, pthreads and libunwind.  Never sanitized (a
# sanitizer runtime cannot live behind a preloaded allocator).
LIBMPREC_SRC := collector/rec.c collector/hooks.c
LIBMPREC_OBJ := $(LIBMPREC_SRC:%.c=$(BUILD)/%.o)
LIBMPREC := $(BUILD)/lib/libmprec.so

$(LIBMPREC_OBJ): SAN_FLAGS =
$(LIBMPREC_OBJ): ALL_CFLAGS += -Icollector $(UNWIND_CFLAGS) \
	-fvisibility=hidden -ftls-model=initial-exec -fno-omit-frame-pointer \
	-fno-builtin-malloc -fno-builtin-free -fno-builtin-calloc \
	-fno-builtin-realloc -fno-stack-protector

$(LIBMPREC): $(LIBMPREC_OBJ)
	$(Q)mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) -shared -o $@ $^ $(filter-out $(SAN_FLAGS),$(LDFLAGS)) \
		-Wl,-z,nodelete -Wl,--no-undefined $(UNWIND_LIBS) -ldl -lpthread

# Launcher-side modules, linkable by unit tests (leakscan.c when present).
MPCOLLECT_SRC := collector/u64map.c \
	$(wildcard collector/leakscan.c)
MPCOLLECT_OBJ := $(MPCOLLECT_SRC:%.c=$(BUILD)/%.o)
LIBMPCOLLECT := $(BUILD)/libmpcollect.a

$(MPCOLLECT_OBJ): ALL_CFLAGS += -Icollector

$(LIBMPCOLLECT): $(MPCOLLECT_OBJ)
	$(QUIET_AR)rm -f $@ && ar rcs $@ $^

MPREC_SRC := collector/mprec.c collector/drain.c collector/scan.c
MPREC_OBJ := $(MPREC_SRC:%.c=$(BUILD)/%.o)
MPREC := $(BUILD)/bin/mprec

$(MPREC_OBJ): ALL_CFLAGS += -Icollector

$(MPREC): $(MPREC_OBJ) $(LIBMPCOLLECT) $(LIBMPTRACE)
	$(Q)mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $(MPREC_OBJ) $(LIBMPCOLLECT) \
		$(LIBMPTRACE) $(ZSTD_LIBS)

all: $(LIBMPREC) $(MPREC) $(LIBMPCOLLECT)

## install-collector: install mprec, libmprec.so, mprec.h and mprec(1)
install-collector: $(LIBMPREC) $(MPREC)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/mptrace \
		$(DESTDIR)$(INCDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(MPREC) $(DESTDIR)$(BINDIR)/mprec
	install -m 755 $(LIBMPREC) $(DESTDIR)$(LIBDIR)/mptrace/libmprec.so
	install -m 644 collector/mprec.h $(DESTDIR)$(INCDIR)/mprec.h
	install -m 644 man/man1/mprec.1 $(DESTDIR)$(MANDIR)/man1/mprec.1


.PHONY: install-collector
