# tests/apps/: the programs the recorder's end-to-end tests record, each with
# known answers by construction (see each file's header comment), and the
# bench workloads of tests/bench/workloads/.
#
# They are built without SAN_FLAGS even under SAN=1: a sanitizer runtime
# interposes malloc itself and refuses to run behind a preloaded library.
# Each program is compiled and linked in one step (the sources are tiny).

APPS_DIR := $(BUILD)/tests/apps
APPS_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARN) -O2 -g -Itests/apps
APPS_CXXFLAGS = -std=gnu++17 $(filter-out -Wstrict-prototypes -Wmissing-prototypes,$(WARN)) -O2 -g -Itests/apps
APPS_COMMON = tests/apps/apps.c
APPS_DEPS = tests/apps/apps.c tests/apps/apps.h tests/apps/build.mk

APPS_SIMPLE := basic threads forkexec exec_target closefds dlopen sigalloc \
	       ctor_dtor exits exec_fail crossfree sampled demo manythreads mmaps \
	       forkthreads sigexit
APPS := $(APPS_SIMPLE:%=$(APPS_DIR)/%) $(APPS_DIR)/deep $(APPS_DIR)/deep_fp \
	$(APPS_DIR)/cxx $(APPS_DIR)/libmpt_dltarget.so $(APPS_DIR)/static
# markers needs the markers API header of the collector.
ifneq ($(wildcard collector/mprec.h),)
APPS += $(APPS_DIR)/markers
endif

APPS_LIBS_threads = -pthread
APPS_LIBS_forkthreads = -pthread
APPS_LIBS_closefds = -pthread
APPS_LIBS_crossfree = -pthread
APPS_LIBS_manythreads = -pthread
APPS_LIBS_dlopen = -ldl

$(APPS_SIMPLE:%=$(APPS_DIR)/%): $(APPS_DIR)/%: tests/apps/%.c $(APPS_DEPS)
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(APPS_CFLAGS) -o $@ $< $(APPS_COMMON) $(APPS_LIBS_$*)

$(APPS_DIR)/markers: tests/apps/markers.c collector/mprec.h $(APPS_DEPS)
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(APPS_CFLAGS) -Icollector -o $@ $< $(APPS_COMMON) -ldl

# The chain main -> a -> b -> c must come from CFI alone in `deep`, and from
# frame pointers in `deep_fp`.
$(APPS_DIR)/deep: tests/apps/deep.c $(APPS_DEPS)
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(APPS_CFLAGS) -fomit-frame-pointer -o $@ $< $(APPS_COMMON)

$(APPS_DIR)/deep_fp: tests/apps/deep.c $(APPS_DEPS)
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(APPS_CFLAGS) -fno-omit-frame-pointer -o $@ $< $(APPS_COMMON)

$(APPS_DIR)/static: tests/apps/static.c $(APPS_DEPS)
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(APPS_CFLAGS) -static -o $@ $< $(APPS_COMMON)

$(APPS_DIR)/cxx: tests/apps/cxx.cc $(APPS_DEPS)
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CXX) $(APPS_CXXFLAGS) -o $@ $<

$(APPS_DIR)/libmpt_dltarget.so: tests/apps/dltarget.c $(APPS_DEPS)
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(APPS_CFLAGS) -fPIC -shared -o $@ $< $(APPS_COMMON)

# Bench workloads: built like a distribution builds (-O2, no frame pointers).
WORKLOADS_DIR := $(BUILD)/tests/bench/workloads
WORKLOADS := $(WORKLOADS_DIR)/churn

$(WORKLOADS_DIR)/churn: tests/bench/workloads/churn.c tests/apps/build.mk
	$(Q)mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) -std=gnu11 -D_GNU_SOURCE $(WARN) -O2 -g -o $@ $< -pthread

## test-apps: build the programs the recorder's end-to-end tests record
test-apps: $(APPS)
## bench-workloads: build the recorder benchmark's workload programs
bench-workloads: $(WORKLOADS)

check: test-apps
demo: $(APPS_DIR)/demo
bench: test-apps bench-workloads

.PHONY: test-apps bench-workloads
