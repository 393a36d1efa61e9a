# formats/: the trace library, libmptrace.a (objects are PIC so they can be
# linked into shared objects too).

FORMATS_SRC := $(wildcard formats/*.c)
FORMATS_OBJ := $(FORMATS_SRC:%.c=$(BUILD)/%.o)
LIBMPTRACE := $(BUILD)/libmptrace.a

$(LIBMPTRACE): $(FORMATS_OBJ)
	$(QUIET_AR)rm -f $@ && ar rcs $@ $^

all: $(LIBMPTRACE)
