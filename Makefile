# sqlite-relationship: make demo | make tour | make test | make test-asan | make diagram | make clean
#                      make install [PREFIX=/usr/local] [DESTDIR=] | make uninstall
#                      make dist (build/relationship.c, the single-file source)
#                      make test-sqlite-latest (the suite on a newer SQLite)
#                      make bench | make bench-quick (bench/: ours against hand-written SQL and the ORM)
#                      make test-cluster (a 3-node dqlite cluster on 127.0.0.1)
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
PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
PCDIR   ?= $(LIBDIR)/pkgconfig
VERSION := $(shell sed -n 's/^\#define SQLITE_RELATIONSHIP_VERSION  *"\(.*\)"/\1/p' ext/relationship.h)
LATEST  := $(shell sed -n 's/^want=//p' tools/sqlite-latest.sh)
STATOBJ := $(patsubst ext/%.c,$(BUILD)/static/%.o,$(SRC))

.PHONY: all deps test-deps demo tour test test-asan test-oom test-valgrind fuzz fuzz-smoke diagram test-sqlite-latest dist install uninstall clean $(BUILD)/relationship.pc bench-deps bench bench-quick cluster-deps test-cluster

all: $(BUILD)/relationship.so $(BUILD)/librelationship.a $(BUILD)/relationship.c

deps:
	@tools/deps.sh build

test-deps:
	@tools/deps.sh build test hosts

cluster-deps:
	@tools/deps.sh build cluster

$(BUILD)/relationship.so: $(SRC) $(HDR) | deps
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS) $(WARN) -fPIC -shared -o $@ $(SRC)

# The static library, for programs that link the extension in and register
# it with sqlite3_auto_extension: the same sources, compiled with SQLITE_CORE.
$(BUILD)/static/%.o: ext/%.c $(HDR) | deps
	@mkdir -p $(BUILD)/static
	$(CC) $(CFLAGS) $(WARN) -DSQLITE_CORE -fPIC -c -o $@ $<

$(BUILD)/librelationship.a: $(STATOBJ)
	rm -f $@
	ar rcs $@ $(STATOBJ)

# The single-file distribution, to drop next to a program's sqlite3.c.
dist: $(BUILD)/relationship.c
$(BUILD)/relationship.c: $(SRC) $(HDR) tools/amalgamate.sh
	@mkdir -p $(BUILD)
	tools/amalgamate.sh $(HDR) $(SRC) > $@.tmp && mv $@.tmp $@

$(BUILD)/relationship.pc: ext/relationship.h Makefile
	@mkdir -p $(BUILD)
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCDIR)' '' \
	  'Name: relationship' \
	  'Description: SQLAlchemy relationship() patterns as a SQLite extension' \
	  'Version: $(VERSION)' \
	  'Requires.private: sqlite3' \
	  'Cflags: -I$${includedir}' \
	  'Libs: -L$${libdir} -lrelationship' > $@

# Installs the loadable extension, the static library, the public header
# and the pkg-config file. DESTDIR is prepended for staged installs.
install: $(BUILD)/relationship.so $(BUILD)/librelationship.a $(BUILD)/relationship.pc
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) $(DESTDIR)$(PCDIR)
	install -m 755 $(BUILD)/relationship.so $(DESTDIR)$(LIBDIR)/relationship.so
	install -m 644 $(BUILD)/librelationship.a $(DESTDIR)$(LIBDIR)/librelationship.a
	install -m 644 ext/relationship.h $(DESTDIR)$(INCDIR)/relationship.h
	install -m 644 $(BUILD)/relationship.pc $(DESTDIR)$(PCDIR)/relationship.pc

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/relationship.so \
	  $(DESTDIR)$(LIBDIR)/librelationship.a \
	  $(DESTDIR)$(INCDIR)/relationship.h \
	  $(DESTDIR)$(PCDIR)/relationship.pc

# The sanitizer build: AddressSanitizer + UndefinedBehaviorSanitizer,
# stopping at the first report.
$(BUILD)/asan/relationship.so: $(SRC) $(HDR) | deps
	@mkdir -p $(BUILD)/asan
	$(CC) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	  -fno-sanitize-recover=undefined $(WARN) -fPIC -shared -o $@ $(SRC)

# The tour: the main example, then how to run each of the others.
demo: $(BUILD)/relationship.so
	@echo '== sqlite3 :memory: < sql/one_to_many.sql'
	@sqlite3 :memory: < sql/one_to_many.sql
	@echo
	@echo '== more, one script per pattern (make tour runs them all):'
	@for f in sql/*.sql; do echo "  sqlite3 :memory: < $$f"; done

# Every script of sql/, one after the other, as make demo runs the first.
tour: $(BUILD)/relationship.so
	@for f in sql/*.sql; do echo "== sqlite3 :memory: < $$f"; \
	  sqlite3 :memory: < $$f || exit 1; echo; done

test: $(BUILD)/relationship.so $(BUILD)/librelationship.a $(BUILD)/relationship.c | test-deps
	@REL_EXT=$(CURDIR)/$(BUILD)/relationship $(TCLSH) test/all.tcl

# tclsh is not instrumented, so the sanitizer runtimes are preloaded.
# LeakSanitizer reports memory still unreachable at exit.
test-asan: $(BUILD)/asan/relationship.so $(BUILD)/librelationship.a $(BUILD)/relationship.c | test-deps
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

# The same suite on a newer SQLite (tools/sqlite-latest.sh builds it from
# the amalgamation an npm package ships): Tcl, Python and the programs the
# tests build run on it through LD_LIBRARY_PATH, the shell is its own, and
# test/hosts.test checks that sqlite_version() says so.
$(BUILD)/sqlite-latest/libsqlite3.so.0: tools/sqlite-latest.sh | deps
	@tools/deps.sh latest
	tools/sqlite-latest.sh

test-sqlite-latest: $(BUILD)/relationship.so $(BUILD)/librelationship.a \
    $(BUILD)/relationship.c $(BUILD)/sqlite-latest/libsqlite3.so.0 | test-deps
	@PATH=$(CURDIR)/$(BUILD)/sqlite-latest:$$PATH \
	  LD_LIBRARY_PATH=$(CURDIR)/$(BUILD)/sqlite-latest \
	  REL_SQLITE_VERSION=$(LATEST) \
	  REL_EXT=$(CURDIR)/$(BUILD)/relationship $(TCLSH) test/all.tcl

# The core scenarios under valgrind memcheck: any error, or a definite
# leak, fails the run (the plain build; tclsh itself is not checked for
# leaks of its own: only definite ones count).
VALGRIND_TESTS ?= test/core.test test/collection.test test/m2m.test test/atomic.test test/cascade.test test/hostile.test test/json.test test/closure.test test/drift.test
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

# Each scenario runs in a process of its own, OOM_JOBS at a time (one a
# core); the lines are printed in the table's order, then the totals.
OOM_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
test-oom: $(BUILD)/oom
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(BUILD)/oom -j $(OOM_JOBS)

# libFuzzer targets (clang from Debian). The seed corpora are in
# test/fuzz/<target>/; new inputs found go to build/fuzz/<target>/, crashes
# to build/fuzz/. make fuzz runs each for FUZZ_SECONDS, make fuzz-smoke
# briefly (CI).
FUZZ_TARGETS := declare ops
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

bench-deps:
	@tools/deps.sh build bench

# The benchmarks (bench/): ours against hand-written SQL (callgrind
# instruction counts) and SQLAlchemy's ORM (CPU-time medians); one line
# per comparison, also in build/bench.tsv. Not part of make test.
$(BUILD)/bench: bench/bench.c | bench-deps
	@mkdir -p $(BUILD)
	$(CC) -O2 -g $(WARN) -o $@ bench/bench.c -lsqlite3

# bench/orm.py's floor of a scan from Python: a loadable extension of
# its own (bench/floor.c), never installed
$(BUILD)/benchfloor.so: bench/floor.c | bench-deps
	@mkdir -p $(BUILD)
	$(CC) -O2 -g $(WARN) -fPIC -shared -o $@ bench/floor.c

bench: $(BUILD)/relationship.so $(BUILD)/bench $(BUILD)/benchfloor.so | bench-deps
	/usr/bin/python3 bench/run.py

bench-quick: $(BUILD)/relationship.so $(BUILD)/bench $(BUILD)/benchfloor.so | bench-deps
	/usr/bin/python3 bench/run.py --quick

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
