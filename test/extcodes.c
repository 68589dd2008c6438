/*
** test/extcodes.c: writes through a relationship table on a connection
** with extended result codes on (sqlite3_extended_result_codes()), as many
** C programs have it. A base table's constraint then comes back from our
** inner statements as SQLITE_CONSTRAINT_NOTNULL (1299), not 19: the
** one-statement link must still fall back on its checks, for the message
** and for OR IGNORE (test/extcodes.test).
**
** Usage: extcodes EXTENSION
** Prints each statement's result code and error message.
*/
#include <sqlite3.h>
#include <stdio.h>

static void run(sqlite3 *db, const char *zSql){
  char *zErr = 0;
  int rc = sqlite3_exec(db, zSql, 0, 0, &zErr);
  printf("%d %s\n", rc, zErr ? zErr : "ok");
  sqlite3_free(zErr);
}

int main(int argc, char **argv){
  sqlite3 *db;
  char *zErr = 0;
  if( argc!=2 ){
    fprintf(stderr, "usage: %s EXTENSION\n", argv[0]);
    return 2;
  }
  if( sqlite3_open(":memory:", &db)!=SQLITE_OK ) return 1;
  sqlite3_extended_result_codes(db, 1);
  sqlite3_enable_load_extension(db, 1);
  if( sqlite3_load_extension(db, argv[1], 0, &zErr)!=SQLITE_OK ){
    printf("load: %s\n", zErr);
    return 1;
  }
  run(db, "CREATE TABLE l(id INTEGER PRIMARY KEY);"
          "CREATE TABLE r(id INTEGER PRIMARY KEY);"
          "CREATE VIRTUAL TABLE l_rs USING relationship(l, r, secondary=a);"
          "INSERT INTO l VALUES (1); INSERT INTO r VALUES (1), (2);"
          "CREATE TRIGGER no_2 BEFORE INSERT ON a WHEN NEW.r_id = 2"
          " BEGIN SELECT RAISE(ABORT, 'no r 2'); END");
  run(db, "INSERT INTO l_rs(owner, id) VALUES (9, 1)");
  run(db, "INSERT INTO l_rs(owner, id) VALUES (1, 9)");
  run(db, "INSERT OR IGNORE INTO l_rs(owner, id) VALUES (9, 1), (1, 1)");
  run(db, "INSERT INTO l_rs(owner, id) VALUES (1, 1)");
  run(db, "INSERT OR IGNORE INTO l_rs(owner, id) VALUES (1, 2)");
  {
    sqlite3_stmt *pStmt = 0;
    sqlite3_prepare_v2(db, "SELECT group_concat(l_id || ':' || r_id, ' ')"
                           " FROM a", -1, &pStmt, 0);
    if( pStmt && sqlite3_step(pStmt)==SQLITE_ROW ){
      printf("links %s\n", (const char*)sqlite3_column_text(pStmt, 0));
    }
    sqlite3_finalize(pStmt);
  }
  return sqlite3_close(db)==SQLITE_OK ? 0 : 1;
}
