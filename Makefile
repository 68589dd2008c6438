# sqlite-relationship: make demo | make test | make test-asan | make clean
#
# Every target that needs a tool first runs tools/deps.sh, which installs
# what is missing (as root on Debian) or names it and stops.

SHELL   := /bin/bash
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra
BUILD   := build
SRC     := $(sort $(wildcard ext/*.c))
HDR     := $(wildcard ext/*.h)
TCLSH   ?= tclsh

.PHONY: all deps test-deps demo test test-asan test-oom test-valgrind fuzz fuzz-smoke clean

all: $(BUILD)/relationship.so

deps:
	@tools/deps.sh build

test-deps:
	@tools/deps.sh build test

$(BUILD)/relationship.so: $(SRC) $(HDR) | deps
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS) $(WARN) -fPIC -shared -o $@ $(SRC)

# The sanitizer build: AddressSanitizer + UndefinedBehaviorSanitizer,
# stopping at the first report.
$(BUILD)/asan/relationship.so: $(SRC) $(HDR) | deps
	@mkdir -p $(BUILD)/asan
	$(CC) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	  -fno-sanitize-recover=undefined $(WARN) -fPIC -shared -o $@ $(SRC)

demo: $(BUILD)/relationship.so
	sqlite3 :memory: < sql/one_to_many.sql

test: $(BUILD)/relationship.so | test-deps
	@REL_EXT=$(CURDIR)/$(BUILD)/relationship $(TCLSH) test/all.tcl

# tclsh is not instrumented, so the sanitizer runtimes are preloaded.
# LeakSanitizer reports memory still unreachable at exit.
test-asan: $(BUILD)/asan/relationship.so | test-deps
	@REL_EXT=$(CURDIR)/$(BUILD)/asan/relationship \
	  LD_PRELOAD="$$($(CC) -print-file-name=libasan.so) $$($(CC) -print-file-name=libubsan.so)" \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(TCLSH) test/all.tcl

# The core scenarios under valgrind memcheck: any error, or a definite
# leak, fails the run (the plain build; tclsh itself is not checked for
# leaks of its own: only definite ones count).
VALGRIND_TESTS ?= test/core.test test/collection.test test/m2m.test test/cascade.test test/hostile.test
test-valgrind: $(BUILD)/relationship.so | test-deps
	@tools/deps.sh valgrind
	@for t in $(VALGRIND_TESTS); do \
	  echo "valgrind $$t"; \
	  REL_EXT=$(CURDIR)/$(BUILD)/relationship valgrind -q --error-exitcode=99 \
	    --leak-check=full --errors-for-leak-kinds=definite \
	    --show-leak-kinds=definite $(TCLSH) $$t | tail -1; \
	  rc=$${PIPESTATUS[0]}; [ "$$rc" = 0 ] || { echo "valgrind: $$t failed ($$rc)"; exit 1; }; \
	done

# The out-of-memory sweep (test/oom.c): the extension compiled into the
# driver, under ASan+UBSan; its last line counts the failure points.
SANFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
  -fno-sanitize-recover=undefined
$(BUILD)/oom: test/oom.c $(SRC) $(HDR) | deps
	@mkdir -p $(BUILD)
	$(CC) $(SANFLAGS) $(WARN) -Wno-missing-field-initializers -DSQLITE_CORE -Iext -o $@ test/oom.c $(SRC) -lsqlite3

test-oom: $(BUILD)/oom
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(BUILD)/oom

# libFuzzer targets (clang from Debian). The seed corpora are in
# test/fuzz/<target>/; new inputs found go to build/fuzz/<target>/, crashes
# to build/fuzz/. make fuzz runs each for FUZZ_SECONDS, make fuzz-smoke
# briefly (CI).
FUZZ_TARGETS := declare
FUZZ_SECONDS ?= 120
$(BUILD)/fuzz_%: test/fuzz_%.c $(SRC) $(HDR)
	@tools/deps.sh fuzz
	@mkdir -p $(BUILD)/fuzz
	clang -O1 -g -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined -DSQLITE_CORE -Iext -o $@ $< $(SRC) -lsqlite3

fuzz: $(FUZZ_TARGETS:%=$(BUILD)/fuzz_%)
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(BUILD)/fuzz/$$t; \
	  echo "fuzz $$t: $(FUZZ_SECONDS)s"; \
	  ASAN_OPTIONS=detect_leaks=$(FUZZ_LEAKS) $(BUILD)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
	    -artifact_prefix=$(BUILD)/fuzz/ -print_final_stats=1 \
	    $(BUILD)/fuzz/$$t test/fuzz/$$t 2>&1 | grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|Test unit written'; \
	  [ "$${PIPESTATUS[0]}" = 0 ] || { echo "fuzz $$t: failed"; exit 1; }; \
	done

FUZZ_LEAKS ?= 1
fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=15

clean:
	rm -rf $(BUILD)
