# sqlite-relationship: make demo | make test | make test-asan | make diagram |
# make test-cluster | make clean
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

.PHONY: all deps test-deps cluster-deps demo test test-asan diagram \
        test-cluster clean

all: $(BUILD)/relationship.so

deps:
	@tools/deps.sh build

test-deps:
	@tools/deps.sh build test

cluster-deps:
	@tools/deps.sh build cluster

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

# docs/diagram.png, the README's picture: the seeds' schemas of
# sql/diagram.sql, rel_diagram('dot') drawn by Graphviz (Debian's graphviz).
diagram: $(BUILD)/relationship.so
	@tools/deps.sh diagram
	sqlite3 -batch :memory: < sql/diagram.sql > $(BUILD)/diagram.out
	sed -n '/^digraph/,/^}/p' $(BUILD)/diagram.out > $(BUILD)/diagram.dot
	dot -Tpng -Gdpi=120 -Gbgcolor=white -o docs/diagram.png $(BUILD)/diagram.dot

# The extension on a 3-node dqlite cluster (test/cluster/run.sh): the
# sources compiled in with -DSQLITE_CORE and registered in each node by a
# preload library (test/cluster/preload.c); Debian's go-dqlite and
# libdqlite-dev, installed by tools/deps.sh cluster. The run stops by itself.
$(BUILD)/cluster/librelationship_preload.so: test/cluster/preload.c $(SRC) $(HDR) | deps
	@mkdir -p $(BUILD)/cluster
	$(CC) $(CFLAGS) $(WARN) -DSQLITE_CORE -fPIC -shared -o $@ \
	  test/cluster/preload.c $(SRC) -lsqlite3 -ldl -lpthread

test-cluster: cluster-deps $(BUILD)/relationship.so \
              $(BUILD)/cluster/librelationship_preload.so
	timeout -k 10 180 test/cluster/run.sh

clean:
	rm -rf $(BUILD)
