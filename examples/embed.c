/*
** examples/embed.c: sqlite-relationship linked into a program.
**
** Build against the installed library (make install):
**   cc embed.c $(pkg-config --cflags --libs relationship) -lsqlite3
** or with the single-file source (make dist):
**   cc -DSQLITE_CORE -Ibuild -Iext embed.c build/relationship.c -lsqlite3
**
** sqlite3_auto_extension() registers the extension on every connection the
** program opens afterwards; nothing is loaded from disk.
*/
#include <stdio.h>
#include <sqlite3.h>
#include "relationship.h"

/* Print each row of a result as "a|b|c" (sqlite3_exec callback). */
static int printRow(void *pArg, int nCol, char **azVal, char **azCol){
  int i;
  (void)pArg; (void)azCol;
  for(i=0; i<nCol; i++){
    printf("%s%s", i ? "|" : "", azVal[i] ? azVal[i] : "NULL");
  }
  printf("\n");
  return 0;
}

int main(void){
  sqlite3 *db = 0;
  char *zErr = 0;
  int rc;
  const char *zSql =
    "CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);"
    "CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT,"
    "                   parent_id INTEGER REFERENCES parent(id));"
    "CREATE VIRTUAL TABLE child_parent"
    "  USING relationship(child, parent, backref=children);"
    "INSERT INTO parent(name) VALUES ('father');"
    "INSERT INTO parent_children(owner, name) VALUES (1, 'son'), (1, 'daughter');"
    "SELECT 'version', rel_version();"
    "SELECT p.name, c.name FROM parent p JOIN parent_children(p.id) c;"
    "SELECT c.name, p.name FROM child c JOIN child_parent(c.id) p;";

  rc = sqlite3_auto_extension((void(*)(void))sqlite3_relationship_init);
  if( rc==SQLITE_OK ) rc = sqlite3_open(":memory:", &db);
  if( rc==SQLITE_OK ) rc = sqlite3_exec(db, zSql, printRow, 0, &zErr);
  if( rc!=SQLITE_OK ){
    fprintf(stderr, "embed: %s\n", zErr ? zErr : sqlite3_errmsg(db));
    sqlite3_free(zErr);
    sqlite3_close(db);
    return 1;
  }
  printf("header %s\n", SQLITE_RELATIONSHIP_VERSION);
  sqlite3_close(db);
  return 0;
}
