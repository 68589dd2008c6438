# sqlite-relationship: make demo | make test | make test-asan | make bench |
# make bench-quick | make clean
#
# Every target that needs a tool first runs tools/deps.sh, which installs
# what is missing (as root on Debian) or names it and stops.

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra
BUILD   := build
SRC     := $(sort $(wildcard ext/*.c))
HDR     := $(wildcard ext/*.h)
TCLSH   ?= tclsh

.PHONY: all deps test-deps bench-deps demo test test-asan bench bench-quick clean

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

bench-deps:
	@tools/deps.sh build bench

# The benchmarks (bench/): ours against hand-written SQL (callgrind
# instruction counts) and SQLAlchemy's ORM (CPU-time medians); one line
# per comparison, also in build/bench.tsv. Not part of make test.
$(BUILD)/bench: bench/bench.c | bench-deps
	@mkdir -p $(BUILD)
	$(CC) -O2 -g $(WARN) -o $@ bench/bench.c -lsqlite3

bench: $(BUILD)/relationship.so $(BUILD)/bench | bench-deps
	/usr/bin/python3 bench/run.py

bench-quick: $(BUILD)/relationship.so $(BUILD)/bench | bench-deps
	/usr/bin/python3 bench/run.py --quick

clean:
	rm -rf $(BUILD)
