# tests/: cmocka unit tests (one binary per tests/unit/test_*.c) and the
# fragments of test programs, tools, fuzzers and benchmarks.

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRC))
LIBMPCOLLECT ?= $(BUILD)/libmpcollect.a
UNIT_LIBS = $(LIBMPANALYZE) $(wildcard $(LIBMPCOLLECT)) $(LIBMPTRACE) \
	    $(CMOCKA_LIBS) $(DWARF_LIBS) $(ELF_LIBS) $(ZSTD_LIBS) \
	    -lpthread -ldl -lm

$(UNIT_SRC:%.c=$(BUILD)/%.o): ALL_CFLAGS += $(CMOCKA_CFLAGS) -Ianalyzer -Icollector \
	$(ELF_CFLAGS) $(DWARF_CFLAGS)

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(LIBMPANALYZE) $(LIBMPTRACE) \
		       $(if $(wildcard collector/build.mk),$(LIBMPCOLLECT))
	$(Q)mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $< $(UNIT_LIBS)

## unit: build and run the cmocka unit tests
unit: $(UNIT_BINS)
	$(Q)scripts/run-unit $(UNIT_BINS)

## tests: build the unit tests, test programs and tools without running them
tests: $(UNIT_BINS)

-include $(wildcard tests/*/build.mk)

.PHONY: unit tests
