/*
** test/fuzz_declare.c: libFuzzer target for declarations (make fuzz,
** make fuzz-smoke).
**
** The input is an option string (and, after a first newline, a second
** one for a declaration over a self-referential table). Over a fixed
** schema with hostile names, it is passed both to rel_declare() (as a
** bound value) and spliced into CREATE VIRTUAL TABLE ... USING
** relationship(...) text. When a declaration succeeds, every entry of
** azUse[] runs on it (reads, writes, rel_list, DROP); errors are fine,
** crashes, sanitizer reports and leaks are not. Adding a use for a new
** feature is one line in azUse[].
*/
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int sqlite3_relationship_init(sqlite3*, char**, const sqlite3_api_routines*);

static const char zSchema[] =
  "CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);"
  "CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT,"
  "  parent_id INTEGER REFERENCES parent(id), other_id INTEGER);"
  "CREATE TABLE \"we\"\"ird ]\"(\"i d\" INTEGER PRIMARY KEY, \"select\" TEXT,"
  "  \"up\" INTEGER REFERENCES \"we\"\"ird ]\"(\"i d\"));"
  "CREATE TABLE assoc(parent_id INTEGER REFERENCES parent(id),"
  "  child_id INTEGER REFERENCES child(id), extra TEXT);"
  "INSERT INTO parent VALUES (1,'p1'),(2,'p2');"
  "INSERT INTO child VALUES (1,'c1',1,2),(2,'c2',NULL,1);"
  "INSERT INTO \"we\"\"ird ]\" VALUES (1,'a',NULL),(2,'b',1);"
  "INSERT INTO assoc VALUES (1,1,'x');";

/* What runs on each declared relationship table; %w is its name. */
static const char *azUse[] = {
  "SELECT * FROM \"%w\"",
  "SELECT owner, * FROM \"%w\" WHERE owner IN (1, 2) ORDER BY 1",
  "SELECT * FROM \"%w\"(1)",
  "INSERT INTO \"%w\"(owner, rowid) VALUES (1, 2)",
  "INSERT OR REPLACE INTO \"%w\"(owner) VALUES (2)",
  "UPDATE \"%w\" SET owner = 2 WHERE owner = 1",
  "DELETE FROM \"%w\" WHERE owner = 2",
  "SELECT * FROM rel_list",
  "DELETE FROM parent WHERE id = 1",
  "DROP TABLE \"%w\"",
};

static void useAll(sqlite3 *db){
  sqlite3_stmt *pList = 0;
  char **azName = 0;
  int nName = 0, i, j;
  if( sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE sql LIKE"
        " 'CREATE VIRTUAL TABLE%'", -1, &pList, 0) ) return;
  while( sqlite3_step(pList)==SQLITE_ROW && nName<8 ){
    char **azNew = realloc(azName, sizeof(char*)*(nName+1));
    if( azNew==0 ) break;
    azName = azNew;
    azName[nName++] = strdup((const char*)sqlite3_column_text(pList, 0));
  }
  sqlite3_finalize(pList);
  for(i=0; i<nName; i++){
    for(j=0; j<(int)(sizeof(azUse)/sizeof(azUse[0])); j++){
      char *zSql = sqlite3_mprintf(azUse[j], azName[i]);
      sqlite3_exec(db, zSql, 0, 0, 0);
      sqlite3_free(zSql);
    }
    free(azName[i]);
  }
  free(azName);
}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData){
  static int bInit = 0;
  sqlite3 *db = 0;
  sqlite3_stmt *pStmt = 0;
  char *zIn, *zOpt2, *zSql;
  if( nData>4000 ) return 0;
  if( !bInit ){
    sqlite3_auto_extension((void(*)(void))sqlite3_relationship_init);
    bInit = 1;
  }
  zIn = malloc(nData+1);
  if( zIn==0 ) return 0;
  memcpy(zIn, aData, nData);
  zIn[nData] = 0;
  zOpt2 = strchr(zIn, '\n');
  if( zOpt2 ) *zOpt2++ = 0;

  sqlite3_open(":memory:", &db);
  sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 100000);
  sqlite3_exec(db, zSchema, 0, 0, 0);

  /* 1. through rel_declare(), the options as a bound value */
  if( sqlite3_prepare_v2(db, "SELECT rel_declare('parent_kids', 'parent',"
        " 'child', ?1)", -1, &pStmt, 0)==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, zIn, -1, SQLITE_STATIC);
    sqlite3_step(pStmt);
    sqlite3_finalize(pStmt);
  }
  /* 2. spliced into the declaration's text, as a user would type it */
  zSql = sqlite3_mprintf("CREATE VIRTUAL TABLE \"we\"\"ird ]_x\" USING"
      " relationship(\"we\"\"ird ]\", \"we\"\"ird ]\", %s)",
      zOpt2 ? zOpt2 : zIn);
  sqlite3_exec(db, zSql, 0, 0, 0);
  sqlite3_free(zSql);
  useAll(db);
  sqlite3_close(db);
  free(zIn);
  return 0;
}
