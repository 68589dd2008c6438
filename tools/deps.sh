#!/bin/sh
# tools/deps.sh: make sure what the build, the demo and the tests need is here.
#
# Checks each need by using it (a header that compiles, a command that runs,
# a Tcl package that loads), not by asking dpkg, so it also works where the
# things came from elsewhere. What is missing is installed with apt-get when
# we are root on Debian; otherwise the missing packages are named and we fail.
#
# Usage: tools/deps.sh [build] [test] [hosts] [latest] [valgrind] [fuzz] [diagram] [bench] [cluster]   (default: build test)
#
# hosts: what test/hosts.test and test/embed.test use: pkg-config, and
# Debian's /usr/bin/python3 (not whatever python3 is first on PATH) with
# its sqlite3 module and SQLAlchemy; and the source of the de_DE locale
# (package locales) that test/locale.test compiles. latest: npm, which
# fetches the newer SQLite that make test-sqlite-latest builds.
# bench: valgrind (callgrind counts), Debian's /usr/bin/python3 with its
# sqlite3 module and python3-sqlalchemy (the ORM comparisons).
set -u
want="${*:-build test}"
missing=""
need() { case " $missing " in *" $1 "*) ;; *) missing="$missing $1" ;; esac; }

for w in $want; do
  case "$w" in
    build)
      command -v "${CC:-cc}" >/dev/null 2>&1 || need gcc
      command -v make >/dev/null 2>&1 || need make
      printf '#include <sqlite3.h>\n#include <sqlite3ext.h>\n' \
        | "${CC:-cc}" -E -x c - >/dev/null 2>&1 || need libsqlite3-dev
      command -v sqlite3 >/dev/null 2>&1 || need sqlite3
      ;;
    test)
      command -v tclsh >/dev/null 2>&1 || need tcl
      # tclsh reading a script on standard input exits 0 even when a command
      # fails, so the failure is turned into the exit status by hand.
      echo 'if {[catch {package require sqlite3}]} {exit 1}' \
        | tclsh >/dev/null 2>&1 || need libsqlite3-tcl
      ;;
    hosts)
      command -v pkg-config >/dev/null 2>&1 || need pkgconf
      command -v ar >/dev/null 2>&1 || need binutils
      /usr/bin/python3 -c 'import sqlite3' >/dev/null 2>&1 || need python3
      /usr/bin/python3 -c 'import sqlalchemy' >/dev/null 2>&1 \
        || need python3-sqlalchemy
      # test/locale.test compiles the de_DE locale with localedef
      [ -f /usr/share/i18n/locales/de_DE ] || need locales
      ;;
    latest)
      command -v npm >/dev/null 2>&1 || need npm
      ;;
    valgrind)
      command -v valgrind >/dev/null 2>&1 || need valgrind
      ;;
    diagram)
      command -v dot >/dev/null 2>&1 || need graphviz
      ;;
    fuzz)
      # libFuzzer: clang, and its runtime (libclang-rt-14-dev on bookworm)
      command -v clang >/dev/null 2>&1 || need clang
      printf 'int LLVMFuzzerTestOneInput(const char *d, long n){return 0;}\n' \
        | clang -fsanitize=fuzzer -x c - -o /tmp/deps-fuzz.$$ >/dev/null 2>&1 \
        || need libclang-rt-14-dev
      rm -f /tmp/deps-fuzz.$$
      ;;
    bench)
      command -v valgrind >/dev/null 2>&1 || need valgrind
      command -v callgrind_annotate >/dev/null 2>&1 || need valgrind
      [ -x /usr/bin/python3 ] || need python3
      /usr/bin/python3 -c 'import sqlite3' >/dev/null 2>&1 || need python3
      /usr/bin/python3 -c 'import sqlalchemy.orm' >/dev/null 2>&1 \
        || need python3-sqlalchemy
      ;;
    cluster)
      # test/cluster: dqlite-demo nodes and the dqlite shell (go-dqlite,
      # which pulls in libdqlite0), and timeout(1) to bound the run.
      command -v dqlite-demo >/dev/null 2>&1 || need go-dqlite
      command -v dqlite >/dev/null 2>&1 || need go-dqlite
      printf '#include <dqlite.h>\n' \
        | "${CC:-cc}" -E -x c - >/dev/null 2>&1 || need libdqlite-dev
      command -v timeout >/dev/null 2>&1 || need coreutils
      ;;
    *) echo "tools/deps.sh: unknown need '$w'" >&2; exit 2 ;;
  esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq $missing >/dev/null \
    || { echo "tools/deps.sh: apt-get install$missing failed" >&2; exit 1; }
  exit 0
fi
echo "missing:$missing" >&2
echo "install them first, for example: sudo apt-get install$missing" >&2
exit 1
