/*
** test/fuzz_ops.c: libFuzzer target for operation sequences (make fuzz,
** make fuzz-smoke).
**
** Two databases hold the same base tables:
**
**   parent(id, name) / child(id, name, parent_id)   one-to-many
**   "left"(id, name) / "right"(id, name) through association   many-to-many
**   person(id, name) / passport(id, person_id)       one-to-one (uselist=0)
**
** Database A declares the relationships (parent_children with a backref,
** its cascade chosen by the input's first byte: the default or
** 'all, delete-orphan'; left_rights and right_lefts with back_populates;
** person_passport with uselist=0) and runs each operation through the
** relationship tables (or as plain SQL on the base tables, which the
** triggers watch). Database B has no relationship tables and no triggers:
** each operation runs there as the hand-written SQL the extension stands
** for (INSERT INTO association, UPDATE child SET parent_id, the cleanup a
** trigger does), inside a SAVEPOINT, with fail_if(cond) raising the error
** the extension is expected to raise.
**
** The rest of the input is a sequence of operations, 3 bytes each: the
** operation, then two small numbers (keys 1 to 4, or a key and a second
** key). After each operation: A and B both succeeded or both failed, and
** every base table holds exactly the same rows in both; anything else
** aborts. Errors expected on both sides: linking to an owner that does
** not exist, a link that exists already (plain INSERT), a move to an
** owner that does not exist or onto an existing many-to-many link, a
** duplicate key in a plain INSERT, a second passport for a person.
*/
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sqlite3_relationship_init(sqlite3*, char**, const sqlite3_api_routines*);

static const char zBase[] =
  "CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);"
  "CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT,"
  "  parent_id INTEGER REFERENCES parent(id));"
  "CREATE TABLE \"left\"(id INTEGER PRIMARY KEY, name TEXT);"
  "CREATE TABLE \"right\"(id INTEGER PRIMARY KEY, name TEXT);"
  "CREATE TABLE person(id INTEGER PRIMARY KEY, name TEXT);"
  "CREATE TABLE passport(id INTEGER PRIMARY KEY,"
  "  person_id INTEGER REFERENCES person(id));"
  "CREATE TABLE association(left_id INTEGER NOT NULL REFERENCES"
  "  \"left\"(id), right_id INTEGER NOT NULL REFERENCES \"right\"(id),"
  "  PRIMARY KEY(left_id, right_id));";

static const char zRows[] =
  "INSERT INTO parent VALUES (1,'p1'),(2,'p2'),(3,'p3');"
  "INSERT INTO child VALUES (1,'c1',1),(2,'c2',1),(3,'c3',2);"
  "INSERT INTO \"left\" VALUES (1,'l1'),(2,'l2'),(3,'l3');"
  "INSERT INTO \"right\" VALUES (1,'r1'),(2,'r2'),(3,'r3');"
  "INSERT INTO association VALUES (1,1),(1,2),(2,2);"
  "INSERT INTO person VALUES (1,'a'),(2,'b'),(3,'c');"
  "INSERT INTO passport VALUES (1,1),(2,2);";

static const char *const azDump[] = {
  "SELECT 'parent', * FROM parent ORDER BY id",
  "SELECT 'child', * FROM child ORDER BY id",
  "SELECT 'left', * FROM \"left\" ORDER BY id",
  "SELECT 'right', * FROM \"right\" ORDER BY id",
  "SELECT 'association', * FROM association ORDER BY 2, 3",
  "SELECT 'person', * FROM person ORDER BY id",
  "SELECT 'passport', * FROM passport ORDER BY id",
};

/* fail_if(X): an error when X is true (B's stand-in for the triggers) */
static void failIfFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc;
  if( sqlite3_value_int(argv[0]) ){
    sqlite3_result_error(ctx, "fail_if", -1);
  }else{
    sqlite3_result_null(ctx);
  }
}

typedef struct Str Str;
struct Str { char *z; size_t n, nAlloc; };
static void strAdd(Str *p, const char *z){
  size_t n = strlen(z);
  if( p->n+n+1>p->nAlloc ){
    p->nAlloc = (p->n+n+1)*2;
    p->z = realloc(p->z, p->nAlloc);
    if( p->z==0 ) abort();
  }
  memcpy(p->z+p->n, z, n+1);
  p->n += n;
}

static void dumpDb(sqlite3 *db, Str *p){
  size_t i;
  p->n = 0;
  strAdd(p, "");
  for(i=0; i<sizeof(azDump)/sizeof(azDump[0]); i++){
    sqlite3_stmt *pStmt = 0;
    if( sqlite3_prepare_v2(db, azDump[i], -1, &pStmt, 0) ) abort();
    while( sqlite3_step(pStmt)==SQLITE_ROW ){
      int j;
      for(j=0; j<sqlite3_column_count(pStmt); j++){
        const char *z = (const char*)sqlite3_column_text(pStmt, j);
        strAdd(p, z ? z : "NULL");
        strAdd(p, "|");
      }
      strAdd(p, "\n");
    }
    sqlite3_finalize(pStmt);
  }
}

/* Run zSql on B inside a savepoint: all of it or nothing. */
static int runB(sqlite3 *db, const char *zSql){
  int rc = sqlite3_exec(db, "SAVEPOINT op", 0, 0, 0);
  if( rc ) return rc;
  rc = sqlite3_exec(db, zSql, 0, 0, 0);
  if( rc ){
    sqlite3_exec(db, "ROLLBACK TO op", 0, 0, 0);
  }
  sqlite3_exec(db, "RELEASE op", 0, 0, 0);
  return rc;
}

static int bVerbose = -1;

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData){
  static int bInit = 0;
  sqlite3 *dbA = 0, *dbB = 0;
  Str dumpA = {0, 0, 0}, dumpB = {0, 0, 0};
  int bOrphan;
  size_t i;
  if( nData<1 || nData>600 ) return 0;
  if( !bInit ){
    sqlite3_auto_extension((void(*)(void))sqlite3_relationship_init);
    bInit = 1;
  }
  if( bVerbose<0 ) bVerbose = getenv("FUZZ_OPS_VERBOSE")!=0;
  bOrphan = aData[0] & 1;

  sqlite3_open(":memory:", &dbA);
  sqlite3_open(":memory:", &dbB);
  sqlite3_create_function(dbB, "fail_if", 1, SQLITE_UTF8, 0, failIfFunc, 0, 0);
  if( sqlite3_exec(dbA, zBase, 0, 0, 0) || sqlite3_exec(dbB, zBase, 0, 0, 0)
   || sqlite3_exec(dbA, bOrphan
        ? "CREATE VIRTUAL TABLE parent_children USING relationship(parent,"
          " child, cascade='all, delete-orphan', backref=parent)"
        : "CREATE VIRTUAL TABLE parent_children USING relationship(parent,"
          " child, backref=parent)", 0, 0, 0)
   || sqlite3_exec(dbA,
        "CREATE VIRTUAL TABLE left_rights USING relationship(\"left\","
        " \"right\", secondary=association, back_populates=right_lefts);"
        "CREATE VIRTUAL TABLE right_lefts USING relationship(\"right\","
        " \"left\", secondary=association, back_populates=left_rights);"
        "CREATE VIRTUAL TABLE person_passport USING relationship(person,"
        " passport, uselist=0);", 0, 0, 0)
   || sqlite3_exec(dbA, zRows, 0, 0, 0) || sqlite3_exec(dbB, zRows, 0, 0, 0)
  ){
    fprintf(stderr, "fuzz_ops: setup: %s / %s\n", sqlite3_errmsg(dbA),
            sqlite3_errmsg(dbB));
    abort();
  }

  for(i=1; i+2<nData+0 && i<1+3*64; i+=3){
    int op = aData[i] % 20;
    int x = 1 + aData[i+1] % 4, y = 1 + aData[i+2] % 4;
    int n = (int)i;                 /* a fresh name */
    char *zA = 0, *zB = 0;
    int rcA, rcB;
    switch( op ){
      case 0:   /* link child y to parent x */
        zA = sqlite3_mprintf(
            "INSERT INTO parent_children(owner, id) VALUES (%d, %d)", x, y);
        zB = sqlite3_mprintf(
            "SELECT fail_if(NOT EXISTS(SELECT 1 FROM parent WHERE id=%d));"
            "SELECT fail_if(EXISTS(SELECT 1 FROM child WHERE id=%d"
            "  AND parent_id=%d));"
            "UPDATE child SET parent_id=%d WHERE id=%d;"
            "INSERT INTO child(id, parent_id) SELECT %d, %d"
            "  WHERE NOT EXISTS(SELECT 1 FROM child WHERE id=%d);",
            x, y, x, x, y, y, x, y);
        break;
      case 1:   /* create a child and link it to parent x */
        zA = sqlite3_mprintf(
            "INSERT INTO parent_children(owner, name) VALUES (%d, 'n%d')", x, n);
        zB = sqlite3_mprintf(
            "SELECT fail_if(NOT EXISTS(SELECT 1 FROM parent WHERE id=%d));"
            "INSERT INTO child(name, parent_id) VALUES ('n%d', %d);", x, n, x);
        break;
      case 2:   /* unlink child y from parent x */
        zA = sqlite3_mprintf(
            "DELETE FROM parent_children WHERE owner=%d AND id=%d", x, y);
        zB = sqlite3_mprintf(bOrphan
            ? "DELETE FROM child WHERE id=%d AND parent_id=%d;"
            : "UPDATE child SET parent_id=NULL WHERE id=%d AND parent_id=%d;",
            y, x);
        break;
      case 3:   /* move the children of parent x to parent y */
        zA = sqlite3_mprintf(
            "UPDATE parent_children SET owner=%d WHERE owner=%d", y, x);
        zB = sqlite3_mprintf(
            "SELECT fail_if(EXISTS(SELECT 1 FROM child WHERE parent_id=%d)"
            "  AND NOT EXISTS(SELECT 1 FROM parent WHERE id=%d));"
            "UPDATE child SET parent_id=%d WHERE parent_id=%d;", x, y, y, x);
        break;
      case 4:   /* delete parent x in plain SQL */
        zA = sqlite3_mprintf("DELETE FROM parent WHERE id=%d", x);
        zB = sqlite3_mprintf(bOrphan
            ? "DELETE FROM child WHERE parent_id=%d"
              "  AND EXISTS(SELECT 1 FROM parent WHERE id=%d);"
              "DELETE FROM parent WHERE id=%d;"
            : "UPDATE child SET parent_id=NULL WHERE parent_id=%d"
              "  AND EXISTS(SELECT 1 FROM parent WHERE id=%d);"
              "DELETE FROM parent WHERE id=%d;", x, x, x);
        break;
      case 5:   /* delete child x in plain SQL */
        zA = sqlite3_mprintf("DELETE FROM child WHERE id=%d", x);
        zB = sqlite3_mprintf("%s", zA);
        break;
      case 6:   /* link child y to parent x, ignoring a duplicate */
        zA = sqlite3_mprintf(
            "INSERT OR IGNORE INTO parent_children(owner, id) VALUES (%d, %d)",
            x, y);
        zB = sqlite3_mprintf(
            "UPDATE child SET parent_id=%d WHERE id=%d"
            "  AND EXISTS(SELECT 1 FROM parent WHERE id=%d);"
            "INSERT INTO child(id, parent_id) SELECT %d, %d"
            "  WHERE NOT EXISTS(SELECT 1 FROM child WHERE id=%d)"
            "  AND EXISTS(SELECT 1 FROM parent WHERE id=%d);",
            x, y, x, y, x, y, x);
        break;
      case 7:   /* a parent row, plain */
        zA = sqlite3_mprintf("INSERT INTO parent VALUES (%d, 'p%d')", x, n);
        zB = sqlite3_mprintf("%s", zA);
        break;
      case 8:   /* link right y to left x (or the reverse side) */
      case 9:
        zA = op==8
          ? sqlite3_mprintf(
              "INSERT INTO left_rights(owner, id) VALUES (%d, %d)", x, y)
          : sqlite3_mprintf(
              "INSERT INTO right_lefts(owner, id) VALUES (%d, %d)", y, x);
        zB = sqlite3_mprintf(
            "SELECT fail_if(NOT EXISTS(SELECT 1 FROM \"%s\" WHERE id=%d));"
            "INSERT INTO \"%s\"(id) SELECT %d"
            "  WHERE NOT EXISTS(SELECT 1 FROM \"%s\" WHERE id=%d);"
            "INSERT INTO association VALUES (%d, %d);",
            op==8 ? "left" : "right", op==8 ? x : y,
            op==8 ? "right" : "left", op==8 ? y : x,
            op==8 ? "right" : "left", op==8 ? y : x, x, y);
        break;
      case 10:  /* unlink right y from left x */
        zA = sqlite3_mprintf(
            "DELETE FROM left_rights WHERE owner=%d AND id=%d", x, y);
        zB = sqlite3_mprintf(
            "DELETE FROM association WHERE left_id=%d AND right_id=%d", x, y);
        break;
      case 11:  /* move the links of left x to left y */
        zA = sqlite3_mprintf(
            "UPDATE left_rights SET owner=%d WHERE owner=%d", y, x);
        zB = sqlite3_mprintf(
            "SELECT fail_if(EXISTS(SELECT 1 FROM association WHERE left_id=%d)"
            "  AND NOT EXISTS(SELECT 1 FROM \"left\" WHERE id=%d));"
            "UPDATE association SET left_id=%d WHERE left_id=%d;", x, y, y, x);
        break;
      case 12:  /* delete left x, plain */
        zA = sqlite3_mprintf("DELETE FROM \"left\" WHERE id=%d", x);
        zB = sqlite3_mprintf("DELETE FROM association WHERE left_id=%d"
            "  AND EXISTS(SELECT 1 FROM \"left\" WHERE id=%d);"
            "DELETE FROM \"left\" WHERE id=%d;", x, x, x);
        break;
      case 13:  /* delete right x, plain */
        zA = sqlite3_mprintf("DELETE FROM \"right\" WHERE id=%d", x);
        zB = sqlite3_mprintf("DELETE FROM association WHERE right_id=%d"
            "  AND EXISTS(SELECT 1 FROM \"right\" WHERE id=%d);"
            "DELETE FROM \"right\" WHERE id=%d;", x, x, x);
        break;
      case 14:  /* link right y to left x, ignoring a duplicate */
        zA = sqlite3_mprintf(
            "INSERT OR IGNORE INTO left_rights(owner, id) VALUES (%d, %d)",
            x, y);
        zB = sqlite3_mprintf(
            "INSERT INTO \"right\"(id) SELECT %d"
            "  WHERE NOT EXISTS(SELECT 1 FROM \"right\" WHERE id=%d)"
            "  AND EXISTS(SELECT 1 FROM \"left\" WHERE id=%d);"
            "INSERT OR IGNORE INTO association SELECT %d, %d"
            "  WHERE EXISTS(SELECT 1 FROM \"left\" WHERE id=%d);",
            y, y, x, x, y, x);
        break;
      case 15:  /* a left and a right row, plain */
        zA = sqlite3_mprintf("INSERT INTO \"left\" VALUES (%d, 'l%d');"
                             "INSERT INTO \"right\" VALUES (%d, 'r%d');",
                             x, n, y, n);
        zB = sqlite3_mprintf("%s", zA);
        break;
      case 16:  /* assign passport y to person x (one-to-one) */
        zA = sqlite3_mprintf(
            "INSERT INTO person_passport(owner, id) VALUES (%d, %d)", x, y);
        zB = sqlite3_mprintf(
            "SELECT fail_if(NOT EXISTS(SELECT 1 FROM person WHERE id=%d));"
            "UPDATE passport SET person_id=NULL WHERE person_id=%d AND id<>%d;"
            "UPDATE passport SET person_id=%d WHERE id=%d;"
            "INSERT INTO passport(id, person_id) SELECT %d, %d"
            "  WHERE NOT EXISTS(SELECT 1 FROM passport WHERE id=%d);",
            x, x, y, x, y, y, x, y);
        break;
      case 17:  /* a passport for person x, plain: refused if it has one */
        zA = sqlite3_mprintf(
            "INSERT INTO passport(person_id) VALUES (%d)", x);
        zB = sqlite3_mprintf(
            "SELECT fail_if(EXISTS(SELECT 1 FROM passport WHERE person_id=%d));"
            "INSERT INTO passport(person_id) VALUES (%d);", x, x);
        break;
      case 18:  /* delete person x, plain; or unlink their passport */
        if( y & 1 ){
          zA = sqlite3_mprintf("DELETE FROM person WHERE id=%d", x);
          zB = sqlite3_mprintf(
              "UPDATE passport SET person_id=NULL WHERE person_id=%d"
              "  AND EXISTS(SELECT 1 FROM person WHERE id=%d);"
              "DELETE FROM person WHERE id=%d;", x, x, x);
        }else{
          zA = sqlite3_mprintf(
              "DELETE FROM person_passport WHERE owner=%d", x);
          zB = sqlite3_mprintf(
              "UPDATE passport SET person_id=NULL WHERE person_id=%d", x);
        }
        break;
      default:  /* 19: BEGIN, or ROLLBACK/COMMIT when one is open */
        if( sqlite3_get_autocommit(dbA) ){
          zA = sqlite3_mprintf("BEGIN");
        }else{
          zA = sqlite3_mprintf((x & 1) ? "ROLLBACK" : "COMMIT");
        }
        zB = sqlite3_mprintf("%s", zA);
        break;
    }
    if( zA==0 || zB==0 ) abort();
    rcA = sqlite3_exec(dbA, zA, 0, 0, 0);
    if( op==19 || op==7 || op==15 ){
      rcB = sqlite3_exec(dbB, zB, 0, 0, 0);
      if( op==15 && rcB ){
        /* two statements: a failing second leaves the first, as on A */
      }
    }else{
      rcB = runB(dbB, zB);
    }
    if( bVerbose ){
      fprintf(stderr, "op %d: %s -> %d %s\n", op, zA, rcA,
              rcA ? sqlite3_errmsg(dbA) : "");
    }
    if( (rcA==SQLITE_OK)!=(rcB==SQLITE_OK) ){
      fprintf(stderr, "fuzz_ops: A %s (%s), B %s (%s)\n  A: %s\n  B: %s\n",
              rcA ? "failed" : "succeeded", sqlite3_errmsg(dbA),
              rcB ? "failed" : "succeeded", sqlite3_errmsg(dbB), zA, zB);
      abort();
    }
    dumpDb(dbA, &dumpA);
    dumpDb(dbB, &dumpB);
    if( strcmp(dumpA.z, dumpB.z) ){
      fprintf(stderr, "fuzz_ops: tables differ after\n  A: %s\n  B: %s\n"
              "--- A\n%s--- B\n%s", zA, zB, dumpA.z, dumpB.z);
      abort();
    }
    sqlite3_free(zA);
    sqlite3_free(zB);
  }
  sqlite3_close(dbA);
  sqlite3_close(dbB);
  free(dumpA.z);
  free(dumpB.z);
  return 0;
}
