# analyzer/: libmpanalyze.a (everything but the commands) and one command per
# analyzer/mp*.c.

ANALYZER_CMD_SRC := $(wildcard analyzer/mp*.c)
ANALYZER_LIB_SRC := $(filter-out $(ANALYZER_CMD_SRC),$(wildcard analyzer/*.c))
ANALYZER_LIB_OBJ := $(ANALYZER_LIB_SRC:%.c=$(BUILD)/%.o)
ANALYZER_CMDS := $(patsubst analyzer/%.c,$(BUILD)/bin/%,$(ANALYZER_CMD_SRC))
LIBMPANALYZE := $(BUILD)/libmpanalyze.a

ANALYZER_CFLAGS = -Ianalyzer $(ELF_CFLAGS) $(DWARF_CFLAGS)
ANALYZER_LIBS = $(LIBMPANALYZE) $(LIBMPTRACE) $(DWARF_LIBS) $(ELF_LIBS) \
		$(ZSTD_LIBS) -lm

$(ANALYZER_LIB_OBJ) $(ANALYZER_CMD_SRC:%.c=$(BUILD)/%.o): ALL_CFLAGS += $(ANALYZER_CFLAGS)

$(LIBMPANALYZE): $(ANALYZER_LIB_OBJ)
	$(QUIET_AR)rm -f $@ && ar rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/analyzer/%.o $(LIBMPANALYZE) $(LIBMPTRACE)
	$(Q)mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $< $(ANALYZER_LIBS)

all: $(LIBMPANALYZE) $(ANALYZER_CMDS)
