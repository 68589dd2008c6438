/*
** bench/floor.c: the floor of a relationship table's full scan as Python
** sees it (bench/orm.py, row orm_selectin_floor). A loadable extension,
** built as build/benchfloor.so; benchmarks only, never installed.
**
**     .load build/benchfloor
**     CREATE VIRTUAL TABLE temp.zero USING zero(child, id, name, parent_id);
**     SELECT id, name, parent_id FROM zero;    -- the rows, from memory
**     SELECT bench_inner('SELECT id, name, parent_id FROM child'
**                        ' WHERE parent_id IS NOT NULL');   -- CPU ns
**
** Any virtual table that reads its rows through an SQLite statement pays
** two things a row, which this file measures apart:
**
**   zero         the interface alone. A virtual table over the rows of
**                TABLE whose last named column is not NULL, read into
**                memory when the table is created (outside the measured
**                part). xFilter starts at the first row, xNext moves on,
**                xColumn is one sqlite3_result_int64() or
**                sqlite3_result_text(-1, SQLITE_TRANSIENT): text must be
**                copied by a table that reads it from a statement, whose
**                value is gone at the next step (bench/bench.c says why
**                SQLITE_STATIC is not an option). Nothing is read.
**
**   bench_inner  the least reading: the statement SQL stepped to its end
**                in C, each column's value fetched once with
**                sqlite3_column_value() and not copied. Returns the
**                process CPU time it took, in nanoseconds.
**
** Their sum (the Python run over zero, plus bench_inner's time) is less
** than any such table can cost: it leaves out the column-by-column
** forwarding between the two and every check.
**
** The same two parts for bench/bench.c's Ir rows are its "zero" and
** "inner" variants; this file exists because Python's sqlite3 module
** cannot register a virtual table.
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1
#include <string.h>
#include <time.h>

/* One cell: an integer, or text (zText, owned), or NULL. */
typedef struct ZeroCell ZeroCell;
struct ZeroCell { int eType; sqlite3_int64 iVal; char *zText; };

typedef struct ZeroTab ZeroTab;
struct ZeroTab {
  sqlite3_vtab base;
  int nCol;               /* columns a row */
  sqlite3_int64 nRow;     /* rows */
  ZeroCell *aCell;        /* nRow*nCol cells, row by row */
};

typedef struct ZeroCur ZeroCur;
struct ZeroCur {
  sqlite3_vtab_cursor base;
  sqlite3_int64 iRow;     /* the current row */
};

/* Free a ZeroTab and its cells (NULL-safe). */
static void zeroFree(ZeroTab *t){
  sqlite3_int64 i;
  if( t==0 ) return;
  for(i=0; i<t->nRow*t->nCol; i++) sqlite3_free(t->aCell[i].zText);
  sqlite3_free(t->aCell);
  sqlite3_free(t);
}

/* Read every row of zSql (nCol columns, integers, text or NULL) into t. */
static int zeroLoad(sqlite3 *db, ZeroTab *t, const char *zSql, char **pzErr){
  sqlite3_stmt *p = 0;
  sqlite3_int64 nAlloc = 0;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &p, 0);
  while( rc==SQLITE_OK && sqlite3_step(p)==SQLITE_ROW ){
    int i;
    if( t->nRow==nAlloc ){
      ZeroCell *a;
      nAlloc = nAlloc ? 2*nAlloc : 1024;
      a = sqlite3_realloc64(t->aCell, nAlloc*t->nCol*sizeof(ZeroCell));
      if( a==0 ){ rc = SQLITE_NOMEM; break; }
      t->aCell = a;
    }
    for(i=0; i<t->nCol; i++){
      ZeroCell *c = &t->aCell[t->nRow*t->nCol + i];
      memset(c, 0, sizeof(*c));
      c->eType = sqlite3_column_type(p, i);
      if( c->eType==SQLITE_INTEGER ){
        c->iVal = sqlite3_column_int64(p, i);
      }else if( c->eType==SQLITE_TEXT ){
        c->zText = sqlite3_mprintf("%s", sqlite3_column_text(p, i));
        if( c->zText==0 ) rc = SQLITE_NOMEM;
      }else{
        c->eType = SQLITE_NULL;
      }
    }
    t->nRow++;                  /* its cells are freed with it */
  }
  if( rc!=SQLITE_OK ){
    *pzErr = sqlite3_mprintf("zero: %s", rc==SQLITE_NOMEM ? "out of memory"
                             : sqlite3_errmsg(db));
  }else{
    rc = sqlite3_finalize(p);   /* a failed step's code and message */
    p = 0;
    if( rc!=SQLITE_OK ) *pzErr = sqlite3_mprintf("zero: %s", sqlite3_errmsg(db));
  }
  sqlite3_finalize(p);
  return rc;
}

/* zero(TABLE, COLUMN, ...): the columns named, of the rows of TABLE whose
** last column named is not NULL. */
static int zeroConnect(sqlite3 *db, void *pAux, int argc,
                       const char *const *argv, sqlite3_vtab **ppVtab,
                       char **pzErr){
  sqlite3_str *pSchema, *pSelect;
  char *zSchema, *zSelect;
  ZeroTab *t;
  int i, rc;
  (void)pAux;
  if( argc<5 ){
    *pzErr = sqlite3_mprintf("zero: usage: zero(TABLE, COLUMN, ...)");
    return SQLITE_ERROR;
  }
  for(i=4; i<argc; i++){       /* (a double-quoted unknown name would be
                               ** taken as a string: SQLite's DQS) */
    if( sqlite3_table_column_metadata(db, 0, argv[3], argv[i], 0, 0, 0, 0, 0) ){
      *pzErr = sqlite3_mprintf("zero: %s", sqlite3_errmsg(db));
      return SQLITE_ERROR;
    }
  }
  pSchema = sqlite3_str_new(db);
  pSelect = sqlite3_str_new(db);
  sqlite3_str_appendall(pSchema, "CREATE TABLE x(");
  sqlite3_str_appendall(pSelect, "SELECT ");
  for(i=4; i<argc; i++){
    sqlite3_str_appendf(pSchema, "%s\"%w\"", i>4 ? ", " : "", argv[i]);
    sqlite3_str_appendf(pSelect, "%s\"%w\"", i>4 ? ", " : "", argv[i]);
  }
  sqlite3_str_appendall(pSchema, ")");
  sqlite3_str_appendf(pSelect, " FROM \"%w\" WHERE \"%w\" IS NOT NULL",
                      argv[3], argv[argc-1]);
  zSchema = sqlite3_str_finish(pSchema);
  zSelect = sqlite3_str_finish(pSelect);
  t = sqlite3_malloc64(sizeof(*t));
  if( zSchema==0 || zSelect==0 || t==0 ){
    rc = SQLITE_NOMEM;
  }else{
    memset(t, 0, sizeof(*t));
    t->nCol = argc-4;
    rc = sqlite3_declare_vtab(db, zSchema);
    if( rc==SQLITE_OK ) rc = zeroLoad(db, t, zSelect, pzErr);
  }
  sqlite3_free(zSchema);
  sqlite3_free(zSelect);
  if( rc!=SQLITE_OK ){
    zeroFree(t);
    return rc;
  }
  *ppVtab = &t->base;
  return SQLITE_OK;
}

static int zeroDisconnect(sqlite3_vtab *pVtab){
  zeroFree((ZeroTab*)pVtab);
  return SQLITE_OK;
}

/* Every row, in the order read: no constraint is used. */
static int zeroBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *p){
  p->estimatedCost = (double)((ZeroTab*)pVtab)->nRow;
  p->estimatedRows = ((ZeroTab*)pVtab)->nRow;
  return SQLITE_OK;
}

static int zeroOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  ZeroCur *c = sqlite3_malloc64(sizeof(*c));
  (void)pVtab;
  if( c==0 ) return SQLITE_NOMEM;
  memset(c, 0, sizeof(*c));
  *ppCur = &c->base;
  return SQLITE_OK;
}

static int zeroClose(sqlite3_vtab_cursor *cur){
  sqlite3_free(cur);
  return SQLITE_OK;
}

static int zeroFilter(sqlite3_vtab_cursor *cur, int idxNum,
                      const char *idxStr, int argc, sqlite3_value **argv){
  (void)idxNum; (void)idxStr; (void)argc; (void)argv;
  ((ZeroCur*)cur)->iRow = 0;
  return SQLITE_OK;
}

static int zeroNext(sqlite3_vtab_cursor *cur){
  ((ZeroCur*)cur)->iRow++;
  return SQLITE_OK;
}

static int zeroEof(sqlite3_vtab_cursor *cur){
  return ((ZeroCur*)cur)->iRow >= ((ZeroTab*)cur->pVtab)->nRow;
}

static int zeroColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  ZeroTab *t = (ZeroTab*)cur->pVtab;
  ZeroCell *c = &t->aCell[((ZeroCur*)cur)->iRow*t->nCol + i];
  if( c->eType==SQLITE_INTEGER ) sqlite3_result_int64(ctx, c->iVal);
  else if( c->eType==SQLITE_TEXT ){
    sqlite3_result_text(ctx, c->zText, -1, SQLITE_TRANSIENT);
  }
  return SQLITE_OK;             /* NULL: the result is NULL already */
}

static int zeroRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *pRowid){
  *pRowid = ((ZeroCur*)cur)->iRow + 1;
  return SQLITE_OK;
}

static sqlite3_module zeroModule = {
  /* iVersion    */ 0,
  /* xCreate     */ zeroConnect,
  /* xConnect    */ zeroConnect,
  /* xBestIndex  */ zeroBestIndex,
  /* xDisconnect */ zeroDisconnect,
  /* xDestroy    */ zeroDisconnect,
  /* xOpen       */ zeroOpen,
  /* xClose      */ zeroClose,
  /* xFilter     */ zeroFilter,
  /* xNext       */ zeroNext,
  /* xEof        */ zeroEof,
  /* xColumn     */ zeroColumn,
  /* xRowid      */ zeroRowid,
  /* xUpdate     */ 0,
  /* xBegin      */ 0,
  /* xSync       */ 0,
  /* xCommit     */ 0,
  /* xRollback   */ 0,
  /* xFindMethod */ 0,
  /* xRename     */ 0,
  /* xSavepoint  */ 0,
  /* xRelease    */ 0,
  /* xRollbackTo */ 0,
  /* xShadowName */ 0
};

/* bench_inner(SQL): step SQL to its end, each column's value fetched once
** (sqlite3_column_value) and not copied; the process CPU time it took, in
** nanoseconds. */
static void benchInnerFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  sqlite3_stmt *p = 0;
  struct timespec t0, t1;
  int rc, i, n;
  (void)argc;
  rc = sqlite3_prepare_v2(db, (const char*)sqlite3_value_text(argv[0]), -1,
                          &p, 0);
  if( rc!=SQLITE_OK ){
    sqlite3_result_error(ctx, sqlite3_errmsg(db), -1);
    return;
  }
  n = sqlite3_column_count(p);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
  while( (rc = sqlite3_step(p))==SQLITE_ROW ){
    for(i=0; i<n; i++) sqlite3_column_value(p, i);
  }
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
  if( rc!=SQLITE_DONE ){
    sqlite3_result_error(ctx, sqlite3_errmsg(db), -1);
  }else{
    sqlite3_result_int64(ctx, (t1.tv_sec - t0.tv_sec)*(sqlite3_int64)1000000000
                              + (t1.tv_nsec - t0.tv_nsec));
  }
  sqlite3_finalize(p);
}

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_benchfloor_init(sqlite3 *db, char **pzErrMsg,
                            const sqlite3_api_routines *pApi){
  int rc;
  SQLITE_EXTENSION_INIT2(pApi);
  (void)pzErrMsg;
  rc = sqlite3_create_module(db, "zero", &zeroModule, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function(db, "bench_inner", 1, SQLITE_UTF8, 0,
                                 benchInnerFunc, 0, 0);
  }
  return rc;
}
