# tests/fuzz/: the libFuzzer target of the trace reader, built with clang
# (-fsanitize=fuzzer,address,undefined) straight from formats/*.c into
# $(BUILD)/fuzz/.  Seeds: testdata/fuzz/ (small valid traces) and
# testdata/bad/; new inputs go to $(BUILD)/fuzz/corpus, crash reproducers
# to $(BUILD)/fuzz/.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_RSS_MB ?= 1024
FUZZ_FLAGS = -std=gnu11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
	     -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	     -Iformats $(ZSTD_CFLAGS)
FUZZ_READER := $(BUILD)/fuzz/fuzz_reader

$(FUZZ_READER): tests/fuzz/fuzz_reader.c $(wildcard formats/*.c formats/*.h)
	$(Q)mkdir -p $(dir $@)
	$(QUIET_LINK)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_reader.c \
		$(wildcard formats/*.c) $(ZSTD_LIBS)

## fuzz: run the trace-reader fuzzer for FUZZ_SECONDS (default 60)
fuzz: $(FUZZ_READER)
	$(Q)mkdir -p $(BUILD)/fuzz/corpus
	$(Q)UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	$(FUZZ_READER) -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
		-rss_limit_mb=$(FUZZ_RSS_MB) -malloc_limit_mb=$(FUZZ_RSS_MB) \
		-timeout=10 -print_final_stats=1 \
		-artifact_prefix=$(BUILD)/fuzz/ \
		$(BUILD)/fuzz/corpus testdata/fuzz testdata/bad
