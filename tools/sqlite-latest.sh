#!/bin/sh
# tools/sqlite-latest.sh: build a newer SQLite than the system's into
# build/sqlite-latest/: libsqlite3.so.0 and a sqlite3 shell, for
# make test-sqlite-latest.
#
# The sources come from the npm package sqlite3 (node-sqlite3), which ships
# SQLite's own sqlite-autoconf tarball (amalgamation and shell.c) in deps/
# (npm checks the package's integrity hash). The pinned version below
# carries SQLite 3.52.0. It is compiled with options close to Debian's.
#
# Programs linked with the system's libsqlite3.so.0 (Tcl's sqlite3 package,
# Python's sqlite3 module) run on this one with
# LD_LIBRARY_PATH=build/sqlite-latest; the shell is built here because
# Debian's refuses a library other than the one it was compiled with.
set -eu
pkg=sqlite3@6.0.1
want=3.52.0
tarball=sqlite-autoconf-3520000
out=build/sqlite-latest
[ -x "$out/sqlite3" ] && [ -f "$out/libsqlite3.so.0" ] && exit 0
mkdir -p "$out/npm"
( cd "$out/npm" && npm pack --silent "$pkg" >/dev/null )
tar -xzf "$out"/npm/sqlite3-*.tgz -C "$out/npm" package/deps/$tarball.tar.gz
tar -xzf "$out/npm/package/deps/$tarball.tar.gz" -C "$out/npm"
for f in sqlite3.c sqlite3.h sqlite3ext.h shell.c; do
  cp "$out/npm/$tarball/$f" "$out/"
done
grep -q "define SQLITE_VERSION  *\"$want\"" "$out/sqlite3.h" \
  || { echo "tools/sqlite-latest.sh: $pkg does not carry SQLite $want" >&2; exit 1; }
${CC:-cc} -O2 -fPIC -shared -Wl,-soname,libsqlite3.so.0 \
  -DSQLITE_ENABLE_COLUMN_METADATA -DSQLITE_ENABLE_UNLOCK_NOTIFY \
  -DSQLITE_ENABLE_PREUPDATE_HOOK -DSQLITE_ENABLE_SESSION \
  -DSQLITE_ENABLE_SNAPSHOT -DSQLITE_ENABLE_DBSTAT_VTAB \
  -DSQLITE_ENABLE_FTS3 -DSQLITE_ENABLE_FTS4 -DSQLITE_ENABLE_FTS5 \
  -DSQLITE_ENABLE_RTREE -DSQLITE_ENABLE_MATH_FUNCTIONS \
  -DSQLITE_ENABLE_DESERIALIZE -DSQLITE_MAX_VARIABLE_NUMBER=250000 \
  -o "$out/libsqlite3.so.0.tmp" "$out/sqlite3.c" -lm -ldl -lpthread
mv "$out/libsqlite3.so.0.tmp" "$out/libsqlite3.so.0"
${CC:-cc} -O2 -I"$out" -o "$out/sqlite3.tmp" "$out/shell.c" \
  "$out/libsqlite3.so.0" -Wl,-rpath,'$ORIGIN' -lm
mv "$out/sqlite3.tmp" "$out/sqlite3"
rm -rf "$out/npm"
