/*
** test/close.c: sqlite3_close() succeeds after writes through relationship
** tables whose base tables have user triggers that use relationship
** tables (a statement the table kept would otherwise hold the table, and
** the connection could never be closed), and after rel_json() calls
** (which keep prepared statements on the connection). Run by
** test/close.test:
**
**     close <extension> -> one line per scenario: "<name> close=<rc>"
*/
#include <sqlite3.h>
#include <stdio.h>

static const char *azSetup =
  "CREATE TABLE parent(id INTEGER PRIMARY KEY);"
  "CREATE TABLE child(id INTEGER PRIMARY KEY,"
  "                   parent_id INTEGER REFERENCES parent(id));"
  "CREATE TABLE tag(id INTEGER PRIMARY KEY);"
  "CREATE TABLE log(x);"
  "CREATE VIRTUAL TABLE parent_children USING relationship(parent, child);"
  "CREATE VIRTUAL TABLE child_tags USING relationship(child, tag,"
  "    secondary=child_tag);"
  "INSERT INTO parent VALUES (1), (2);"
  "INSERT INTO tag VALUES (1), (2);";

static const struct {
  const char *zName;
  const char *zSql;
} aScenario[] = {
  { "no-trigger",
    "INSERT INTO parent_children(owner, id) VALUES (1, 5);"
    "INSERT INTO parent_children(owner, id) VALUES (1, 6);"
    "DELETE FROM parent_children WHERE id = 5;" },
  { "trigger-reads",
    "CREATE TRIGGER t AFTER INSERT ON child BEGIN"
    "  INSERT INTO log SELECT count(*) FROM parent_children; END;"
    "INSERT INTO parent_children(owner, id) VALUES (1, 5);"
    "INSERT INTO parent_children(owner, id) VALUES (1, 6);" },
  { "trigger-writes",
    "CREATE TRIGGER t AFTER INSERT ON child BEGIN"
    "  INSERT INTO child_tags(owner, id) VALUES (NEW.id, 1); END;"
    "INSERT INTO parent_children(owner, id) VALUES (1, 5);"
    "INSERT INTO parent_children(owner, id) VALUES (2, 6);"
    "UPDATE parent_children SET owner = 2 WHERE id = 5;" },
  { "trigger-added-later",
    "INSERT INTO parent_children(owner, id) VALUES (1, 5);"
    "CREATE TRIGGER t AFTER UPDATE ON child BEGIN"
    "  INSERT INTO log SELECT count(*) FROM parent_children; END;"
    "UPDATE parent_children SET owner = 2 WHERE id = 5;"
    "UPDATE parent_children SET owner = 1 WHERE id = 5;" },
  { "m2m-trigger",
    "CREATE TRIGGER t AFTER INSERT ON child_tag BEGIN"
    "  INSERT INTO log SELECT count(*) FROM child_tags; END;"
    "INSERT INTO child VALUES (5, 1);"
    "INSERT INTO child_tags(owner, id) VALUES (5, 1);"
    "INSERT INTO child_tags(owner, id) VALUES (5, 2);"
    "DELETE FROM child_tags WHERE owner = 5 AND id = 1;" },
  /* rel_json() keeps its look-ups and prepared statements on the
  ** connection: they go when the relationship tables disconnect */
  { "rel-json",
    "INSERT INTO child VALUES (5, 1);"
    "SELECT rel_json('parent', 1, 2);"
    "SELECT rel_json('child', 5, 2);"
    "SELECT rel_json('log', 1);" },
  /* ... not when a relationship reads a relationship table (the kept
  ** statements would hold it connected) */
  { "rel-json-relationship-table-as-target",
    "CREATE VIRTUAL TABLE parent_x USING relationship(parent,"
    "    parent_children, foreign_key=parent_id, create_index=0);"
    "INSERT INTO child VALUES (5, 1);"
    "SELECT rel_json('parent', 1);"
    "SELECT rel_json('parent', 1, 2);" },
  { "rel-json-in-transaction",
    "BEGIN;"
    "INSERT INTO child VALUES (5, 1);"
    "INSERT INTO child_tags(owner, id) VALUES (5, 1);"
    "SELECT rel_json('tag', 1, 3);" },
};

int main(int argc, char **argv){
  size_t i;
  if( argc!=2 ){
    fprintf(stderr, "usage: %s EXTENSION\n", argv[0]);
    return 2;
  }
  for(i=0; i<sizeof(aScenario)/sizeof(aScenario[0]); i++){
    sqlite3 *db = 0;
    char *zErr = 0;
    int rc = sqlite3_open(":memory:", &db);
    if( rc==SQLITE_OK ) rc = sqlite3_enable_load_extension(db, 1);
    if( rc==SQLITE_OK ) rc = sqlite3_load_extension(db, argv[1], 0, &zErr);
    if( rc==SQLITE_OK ) rc = sqlite3_exec(db, azSetup, 0, 0, &zErr);
    if( rc==SQLITE_OK ) rc = sqlite3_exec(db, aScenario[i].zSql, 0, 0, &zErr);
    if( rc!=SQLITE_OK ){
      printf("%s error: %s\n", aScenario[i].zName,
             zErr ? zErr : sqlite3_errmsg(db));
    }
    sqlite3_free(zErr);
    printf("%s close=%d\n", aScenario[i].zName, sqlite3_close(db));
  }
  return 0;
}
