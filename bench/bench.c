/*
** bench/bench.c: one workload of the SQL comparisons, ours or the
** hand-written reference, chosen on the command line.
**
**     bench/bench EXT WORKLOAD VARIANT SCALE [DBFILE]
**
**   EXT       the extension to load (build/relationship)
**   WORKLOAD  read_lookup read_join read_m2m read_scan link unlink create_link
**             cleanup o2m_link o2m_unlink read_m2o cascade_delete set_null
**             subtree_delete closure_tree closure_graph closure_join
**             json_all_rows
**             scale_gen scale_read
**   VARIANT   ours | ref | fk (cleanup, cascade_delete, set_null,
**             subtree_delete) | forward (the reads, link, unlink,
**             create_link: a plain forwarding virtual
**             table, as the issue measured its budgets against) |
**             forward_checked (create_link: forward, with the owner
**             checked before the new target row, as cheaply as SQLite
**             can: an EXISTS folded into its INSERT) | zero,
**             inner (the reads: the two parts of the reads' floor,
**             below)
**   SCALE     the size knob: 10 for the full sizes, 1 for bench-quick
**             (scale_gen / scale_read: the number of links)
**
** The data is generated first (seeded, the same every run), then the
** measured part runs inside measure(), which callgrind collects alone
** (--toggle-collect=measure). The driver prints one line:
**
**     rows=<n> check=<hash> cpu_ns=<process CPU time of measure()>
**                 maxrss_kib=<peak RSS>
**
** rows and check let bench/run.py verify that ours and the reference
** produced the same result.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

static sqlite3 *db;
static long long nRows = 0;
static unsigned long long check = 0;
static int scale = 10;
static const char *zVariant = "ours";
static const char *zDbFile = 0;
static const char *zState = 0;   /* the tables after a write, checked */
static sqlite3_stmt *pA, *pB, *pC;  /* the workload's statements */

static void die(const char *zWhat){
  fprintf(stderr, "bench: %s: %s\n", zWhat, db ? sqlite3_errmsg(db) : "");
  exit(1);
}
static void exec(const char *zSql){
  char *zErr = 0;
  if( sqlite3_exec(db, zSql, 0, 0, &zErr)!=SQLITE_OK ){
    fprintf(stderr, "bench: %s\n  in: %.200s\n", zErr, zSql);
    exit(1);
  }
}
static sqlite3_stmt *prep(const char *zSql){
  sqlite3_stmt *p = 0;
  if( sqlite3_prepare_v3(db, zSql, -1, SQLITE_PREPARE_PERSISTENT, &p, 0) ){
    fprintf(stderr, "bench: %s\n  in: %s\n", sqlite3_errmsg(db), zSql);
    exit(1);
  }
  return p;
}
static int isOurs(void){ return strcmp(zVariant, "ours")==0; }
/* "forward_checked" (create_link): forward, the owner checked as cheaply
** as SQLite can, folded into the target row's INSERT (fwdDeclare) */
static int isChecked(void){ return strcmp(zVariant, "forward_checked")==0; }
static int isForward(void){
  return strcmp(zVariant, "forward")==0 || isChecked();
}

/* A tiny seeded generator (xorshift64*), so every run is the same work. */
static unsigned long long rngState = 88172645463325252ULL;
static unsigned long long rng(void){
  rngState ^= rngState >> 12; rngState ^= rngState << 25;
  rngState ^= rngState >> 27; return rngState * 2685821657736338717ULL;
}

/* Step a statement to the end, reading every column of every row (as
** an application would) into the check hash. */
static void drain(sqlite3_stmt *p){
  int rc, i, n;
  while( (rc = sqlite3_step(p))==SQLITE_ROW ){
    unsigned long long h = 0;
    n = sqlite3_column_count(p);
    nRows++;
    for(i=0; i<n; i++){
      switch( sqlite3_column_type(p, i) ){
        case SQLITE_INTEGER:
          h = h*31 + (unsigned long long)sqlite3_column_int64(p, i);
          break;
        case SQLITE_TEXT:
          h = h*31 + (unsigned)sqlite3_column_bytes(p, i)
                + sqlite3_column_text(p, i)[0];
          break;
        default:
          h = h*31 + 7;
      }
    }
    check += h*0x9E3779B97F4A7C15ULL ^ (h>>29);  /* order-independent */
  }
  if( rc!=SQLITE_DONE ) die("step");
  sqlite3_reset(p);
}
static void run(sqlite3_stmt *p){
  if( sqlite3_step(p)!=SQLITE_DONE ) die("step");
  sqlite3_reset(p);
  nRows++;
}

/*------------------------------------------------------------------------
** Data
*/
static int nParent, nLeft, nRight, nLinkPer;

/* The relationship declared (zDecl, then zOpts and ")"), or with zOpts
** NULL, the index that hand-written SQL needs made instead (zIndex). */
static void declareOrIndex(const char *zDecl, const char *zOpts,
                           const char *zIndex){
  char zSql[500];
  if( zOpts ){
    snprintf(zSql, sizeof(zSql), "%s%s)", zDecl, zOpts);
    exec(zSql);
  }else{
    exec(zIndex);
  }
}

/* parent 10,000 (x scale/10) x 10 children; parent_children declared */
static void genOneToMany(void){
  char zSql[1000];
  nParent = 1000*scale;
  exec("CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);"
       "CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT,"
       " parent_id INTEGER REFERENCES parent(id));");
  snprintf(zSql, sizeof(zSql),
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<%d)"
    " INSERT INTO parent SELECT i, 'parent ' || i FROM n;"
    "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i<%d)"
    " INSERT INTO child SELECT i+1, 'child ' || i,"
    " (i*7919) %% %d + 1 FROM n;", nParent, nParent*10-1, nParent);
  exec(zSql);
  /* the declaration creates the index on child(parent_id) */
  exec("CREATE VIRTUAL TABLE parent_children USING relationship(parent, child)");
  if( !isOurs() ) exec("DROP TABLE parent_children;"
                       "CREATE INDEX child_parent_id ON child(parent_id);");
}

/* The one-to-many writes: parent 10,000 (x scale/10), 100,000 children;
** bLinked: each child linked as in genOneToMany (else parent_id NULL);
** zFk: what follows child.parent_id's REFERENCES (an ON DELETE action);
** zOpts: the declaration's options after (parent, child), or 0 for none
** (the hand-written side: the index on child(parent_id) made by hand) */
static void genOneToManyWrites(int bLinked, const char *zFk, const char *zOpts){
  char zSql[1000], zLink[100];
  nParent = 1000*scale;
  snprintf(zSql, sizeof(zSql),
    "CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);"
    "CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT,"
    " parent_id INTEGER REFERENCES parent(id)%s);", zFk);
  exec(zSql);
  snprintf(zLink, sizeof(zLink), "(i*7919) %% %d + 1", nParent);
  snprintf(zSql, sizeof(zSql),
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<%d)"
    " INSERT INTO parent SELECT i, 'parent ' || i FROM n;"
    "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i<%d)"
    " INSERT INTO child SELECT i+1, 'child ' || i, %s FROM n;",
    nParent, nParent*10-1, bLinked ? zLink : "NULL");
  exec(zSql);
  declareOrIndex("CREATE VIRTUAL TABLE parent_children"
                 " USING relationship(parent, child", zOpts,
                 "CREATE INDEX child_parent_id ON child(parent_id)");
}
/* child i's parent in genOneToMany's layout */
static int childParent(int i){ return (int)(((long long)(i-1)*7919) % nParent) + 1; }

/* left x right, nLinkPer links each; bFk: the association's foreign keys
** say ON DELETE CASCADE and no relationship is declared */
static void genManyToMany(int bLinks, int bDeclare, int bFk){
  char zSql[2000];
  nLeft = nRight = 1000*scale;
  nLinkPer = 10;
  exec("CREATE TABLE \"left\"(id INTEGER PRIMARY KEY, name TEXT);"
       "CREATE TABLE \"right\"(id INTEGER PRIMARY KEY, name TEXT);");
  snprintf(zSql, sizeof(zSql),
    "CREATE TABLE association("
    " left_id INTEGER NOT NULL REFERENCES \"left\"(id)%s,"
    " right_id INTEGER NOT NULL REFERENCES \"right\"(id)%s,"
    " PRIMARY KEY(left_id, right_id));"
    "CREATE INDEX association_right ON association(right_id, left_id);"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<%d)"
    " INSERT INTO \"left\" SELECT i, 'left ' || i FROM n;"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<%d)"
    " INSERT INTO \"right\" SELECT i, 'right ' || i FROM n;",
    bFk ? " ON DELETE CASCADE" : "", bFk ? " ON DELETE CASCADE" : "",
    nLeft, nRight);
  exec(zSql);
  if( bLinks ){
    /* left l, k-th link: right ((l*37 + k*1009) mod nRight) + 1, distinct */
    snprintf(zSql, sizeof(zSql),
      "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n"
      " WHERE i<%d) INSERT INTO association SELECT i/10+1,"
      " ((i/10+1)*37 + (i%%10)*1009) %% %d + 1 FROM n;",
      nLeft*nLinkPer-1, nRight);
    exec(zSql);
  }
  if( bDeclare ){
    exec("CREATE VIRTUAL TABLE left_children USING relationship(\"left\","
         " \"right\", secondary=association)");
  }
  if( bFk ) exec("PRAGMA foreign_keys=ON");
}
static int linkRight(int l, int k){ return (l*37 + k*1009) % nRight + 1; }

/*------------------------------------------------------------------------
** Variant "forward" of the reads, link, unlink and create_link: the plain
** forwarding virtual table the issue measured its budgets against, "fwd",
** which does nothing but forward (no check a relationship table owes).
** One kept statement a plan; xColumn hands on the inner value
** (sqlite3_result_value of sqlite3_column_value); xUpdate runs the
** hand-written INSERT or DELETE, with none of the checks a relationship
** table owes (an owner or target that does not exist, a link made twice).
** The table's columns are those of the inner SELECTs, in order, with the
** hidden owner last; the inner SELECTs give the rowid after them.
*/
typedef struct FwdSpec FwdSpec;
struct FwdSpec {
  const char *zSchema;    /* its CREATE TABLE */
  int nCol;               /* columns, the owner (last, HIDDEN) included */
  int iKey;               /* the target key's column */
  const char *zByOwner;   /* SELECT <columns>, <rowid> ... WHERE owner = ?1 */
  const char *zByKey;     /* ... AND key = ?2 */
  const char *zLink;      /* INSERT the link (?1 owner, ?2 key) */
  const char *zNew;       /* INSERT a target row (?1 its name, column 1) */
  const char *zUnlink;    /* DELETE the link whose rowid is ?1 */
  const char *zAll;       /* SELECT <columns>, <rowid> of every link */
};
static FwdSpec fwd;
typedef struct Fwd Fwd;
struct Fwd { sqlite3_vtab base; sqlite3_stmt *ap[6]; };
typedef struct FwdCur FwdCur;
struct FwdCur { sqlite3_vtab_cursor base; sqlite3_stmt *p; int bEof; };

static int fwdConnect(sqlite3 *h, void *pAux, int argc,
                      const char *const *argv, sqlite3_vtab **pp, char **pzErr){
  Fwd *t;
  int rc = sqlite3_declare_vtab(h, fwd.zSchema);
  (void)pAux; (void)argc; (void)argv; (void)pzErr;
  if( rc ) return rc;
  t = sqlite3_malloc(sizeof(*t));
  if( t==0 ) return SQLITE_NOMEM;
  memset(t, 0, sizeof(*t));
  *pp = &t->base;
  return SQLITE_OK;
}
static int fwdDisconnect(sqlite3_vtab *v){
  Fwd *t = (Fwd*)v;
  int i;
  for(i=0; i<6; i++) sqlite3_finalize(t->ap[i]);
  sqlite3_free(t);
  return SQLITE_OK;
}
/* statement i of the table (0 by owner, 1 by key, 2 link, 3 new, 4 unlink,
** 5 every link), prepared on first use and kept, reset */
static sqlite3_stmt *fwdStmt(Fwd *t, int i){
  const char *az[6];
  az[0] = fwd.zByOwner; az[1] = fwd.zByKey; az[2] = fwd.zLink;
  az[3] = fwd.zNew; az[4] = fwd.zUnlink; az[5] = fwd.zAll;
  if( t->ap[i]==0 ) t->ap[i] = prep(az[i]);
  else sqlite3_reset(t->ap[i]);
  return t->ap[i];
}
static int fwdBestIndex(sqlite3_vtab *v, sqlite3_index_info *p){
  int i, iOwner = -1, iKey = -1;
  (void)v;
  for(i=0; i<p->nConstraint; i++){
    if( !p->aConstraint[i].usable
     || p->aConstraint[i].op!=SQLITE_INDEX_CONSTRAINT_EQ ) continue;
    if( p->aConstraint[i].iColumn==fwd.nCol-1 ) iOwner = i;
    if( p->aConstraint[i].iColumn==fwd.iKey ) iKey = i;
  }
  if( iOwner<0 ){ p->estimatedCost = 1e12; return SQLITE_OK; }
  p->aConstraintUsage[iOwner].argvIndex = 1;
  p->aConstraintUsage[iOwner].omit = 1;
  p->idxNum = 1;
  p->estimatedCost = 10;
  p->estimatedRows = 10;
  if( iKey>=0 ){
    p->aConstraintUsage[iKey].argvIndex = 2;
    p->aConstraintUsage[iKey].omit = 1;
    p->idxNum = 2;
    p->estimatedCost = 1;
    p->estimatedRows = 1;
    p->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
  }
  return SQLITE_OK;
}
static int fwdOpen(sqlite3_vtab *v, sqlite3_vtab_cursor **pp){
  FwdCur *c = sqlite3_malloc(sizeof(*c));
  (void)v;
  if( c==0 ) return SQLITE_NOMEM;
  memset(c, 0, sizeof(*c));
  c->bEof = 1;
  *pp = &c->base;
  return SQLITE_OK;
}
static int fwdClose(sqlite3_vtab_cursor *cur){
  FwdCur *c = (FwdCur*)cur;
  if( c->p ) sqlite3_reset(c->p);
  sqlite3_free(c);
  return SQLITE_OK;
}
static int fwdNext(sqlite3_vtab_cursor *cur){
  FwdCur *c = (FwdCur*)cur;
  int rc = sqlite3_step(c->p);
  c->bEof = rc!=SQLITE_ROW;
  return rc==SQLITE_ROW || rc==SQLITE_DONE ? SQLITE_OK : sqlite3_reset(c->p);
}
static int fwdFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                     int argc, sqlite3_value **argv){
  FwdCur *c = (FwdCur*)cur;
  int i;
  (void)idxStr;
  if( idxNum==0 && fwd.zAll==0 ){ c->bEof = 1; return SQLITE_OK; }
  c->p = fwdStmt((Fwd*)cur->pVtab, idxNum==0 ? 5 : idxNum-1);
  for(i=0; i<argc; i++) sqlite3_bind_value(c->p, i+1, argv[i]);
  return fwdNext(cur);
}
static int fwdEof(sqlite3_vtab_cursor *cur){ return ((FwdCur*)cur)->bEof; }
static int fwdColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  sqlite3_result_value(ctx, sqlite3_column_value(((FwdCur*)cur)->p, i));
  return SQLITE_OK;
}
static int fwdRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *pRowid){
  *pRowid = sqlite3_column_int64(((FwdCur*)cur)->p, fwd.nCol);
  return SQLITE_OK;
}
static int fwdRun(sqlite3_stmt *p){
  int rc = sqlite3_step(p);
  return rc==SQLITE_DONE ? SQLITE_OK : sqlite3_reset(p);
}
static int fwdUpdate(sqlite3_vtab *v, int argc, sqlite3_value **argv,
                     sqlite3_int64 *pRowid){
  Fwd *t = (Fwd*)v;
  sqlite3_stmt *p;
  int rc;
  if( argc==1 ){
    p = fwdStmt(t, 4);
    sqlite3_bind_value(p, 1, argv[0]);
    return fwdRun(p);
  }
  if( sqlite3_value_type(argv[2+fwd.iKey])==SQLITE_NULL ){
    p = fwdStmt(t, 3);
    sqlite3_bind_value(p, 1, argv[2+1]);
    if( isChecked() ) sqlite3_bind_value(p, 2, argv[2+fwd.nCol-1]);
    if( (rc = fwdRun(p))!=SQLITE_OK ) return rc;
    p = fwdStmt(t, 2);
    sqlite3_bind_value(p, 1, argv[2+fwd.nCol-1]);
    sqlite3_bind_int64(p, 2, sqlite3_last_insert_rowid(db));
  }else{
    p = fwdStmt(t, 2);
    sqlite3_bind_value(p, 1, argv[2+fwd.nCol-1]);
    sqlite3_bind_value(p, 2, argv[2+fwd.iKey]);
  }
  rc = fwdRun(p);
  *pRowid = sqlite3_last_insert_rowid(db);
  return rc;
}
static sqlite3_module fwdModule = {
  0, fwdConnect, fwdConnect, fwdBestIndex, fwdDisconnect, fwdDisconnect,
  fwdOpen, fwdClose, fwdFilter, fwdNext, fwdEof, fwdColumn, fwdRowid,
  fwdUpdate, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};
/* one-to-many: child's columns; many-to-many: right's */
static void fwdDeclare(int bM2m){
  static const FwdSpec o2m = {
    "CREATE TABLE x(id INTEGER, name TEXT, parent_id INTEGER, owner HIDDEN)",
    4, 0,
    "SELECT id, name, parent_id, parent_id, id FROM child WHERE parent_id = ?1",
    0, 0, 0, 0,
    "SELECT id, name, parent_id, parent_id, id FROM child"
    " WHERE parent_id IS NOT NULL" };
  static const FwdSpec m2m = {
    "CREATE TABLE x(id INTEGER, name TEXT, owner HIDDEN)", 3, 0,
    "SELECT r.id, r.name, a.left_id, a.rowid FROM association a"
    " JOIN \"right\" r ON r.id = a.right_id WHERE a.left_id = ?1",
    /* (an unlink's, which reads no column) */
    "SELECT NULL, NULL, a.left_id, a.rowid FROM association a"
    " WHERE a.left_id = ?1 AND a.right_id = ?2",
    "INSERT INTO association(left_id, right_id) VALUES (?1, ?2)",
    "INSERT INTO \"right\"(name) VALUES (?1)",
    "DELETE FROM association WHERE rowid = ?1", 0 };
  fwd = bM2m ? m2m : o2m;
  if( isChecked() ){
    /* the owner must be there before the new target row is: here the
    ** cheapest form of that check, an EXISTS in the same INSERT (a key
    ** that is no integer stops it before it writes: "datatype mismatch") */
    fwd.zNew = "INSERT INTO \"right\"(id, name) VALUES (CASE WHEN EXISTS("
               "SELECT 1 FROM \"left\" WHERE id = ?2) THEN NULL"
               " ELSE 'no owner' END, ?1)";
  }
  if( sqlite3_create_module(db, "fwd", &fwdModule, 0) ) die("fwd");
  exec("CREATE VIRTUAL TABLE temp.fwd USING fwd");
}

/*------------------------------------------------------------------------
** The floor of the reads (variants "zero" and "inner"): what any virtual
** table that reads its rows through an SQLite statement at each call must
** cost at least, in two parts measured apart and added by bench/run.py.
**
** "zero": the same outer query over "zero", a virtual table with the
** relationship table's columns whose rows are already in memory (read
** before measure()): xFilter finds the owner's rows in an array (a scan:
** every row), xColumn
** is one sqlite3_result_int64() or sqlite3_result_text(SQLITE_TRANSIENT,
** -1: terminated, as ours hands text on). Text is copied as any table
** reading through a statement must copy it: the inner value is gone at
** the inner statement's next step, and SQLite may keep an SQLITE_STATIC
** result longer (an aggregate's copy of it is not a deep one).
** That is the interface's own cost (the outer statement, xFilter, xNext,
** xEof, xColumn, the values handed to the application), with nothing
** read. Its rows are the reference's (the check hash compares them).
**
** "inner": the least reading any such table must do, the inner statement
** alone: bound, stepped and each needed value fetched once with
** sqlite3_column_value(), nothing copied out. By owner (read_lookup): one
** run per owner, its target columns only (the owner's is known). Over a
** join (read_join, read_m2m): one run over every owner in order, the
** cheapest way there is to stream each owner's rows in turn (what our
** merge statement does), the owner column read to see where one ends.
** A scan (read_scan): one run over every link, no order asked for.
*/
typedef struct ZeroRow ZeroRow;
struct ZeroRow { sqlite3_int64 id; char *zName; sqlite3_int64 iOwner; };
static ZeroRow *aZero;        /* every row, by owner */
static int *aZeroStart;       /* owner o's rows: aZeroStart[o-1] .. [o] */
static int nZeroOwner;
typedef struct ZeroCur ZeroCur;
struct ZeroCur {
  sqlite3_vtab_cursor base;
  int i, iEnd;
};
static int zeroOpen(sqlite3_vtab *v, sqlite3_vtab_cursor **pp){
  ZeroCur *c = sqlite3_malloc(sizeof(*c));
  (void)v;
  if( c==0 ) return SQLITE_NOMEM;
  memset(c, 0, sizeof(*c));
  *pp = &c->base;
  return SQLITE_OK;
}
static int zeroClose(sqlite3_vtab_cursor *cur){
  sqlite3_free(cur);
  return SQLITE_OK;
}
static int zeroNext(sqlite3_vtab_cursor *cur){
  ((ZeroCur*)cur)->i++;
  return SQLITE_OK;
}
static int zeroFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                      int argc, sqlite3_value **argv){
  ZeroCur *c = (ZeroCur*)cur;
  sqlite3_int64 o = argc>0 ? sqlite3_value_int64(argv[0]) : 0;
  (void)idxNum; (void)idxStr;
  c->i = c->iEnd = 0;
  if( idxNum==1 && o>=1 && o<=nZeroOwner ){
    c->i = aZeroStart[o-1];
    c->iEnd = aZeroStart[o];
  }else if( idxNum==0 ){        /* a scan: every row */
    c->iEnd = aZeroStart[nZeroOwner];
  }
  return SQLITE_OK;
}
static int zeroEof(sqlite3_vtab_cursor *cur){
  return ((ZeroCur*)cur)->i >= ((ZeroCur*)cur)->iEnd;
}
static int zeroColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  ZeroCur *c = (ZeroCur*)cur;
  ZeroRow *r = &aZero[c->i];
  if( i==0 ) sqlite3_result_int64(ctx, r->id);
  else if( i==1 ) sqlite3_result_text(ctx, r->zName, -1, SQLITE_TRANSIENT);
  else sqlite3_result_int64(ctx, r->iOwner);  /* parent_id, the owner */
  return SQLITE_OK;
}
static int zeroRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *pRowid){
  *pRowid = aZero[((ZeroCur*)cur)->i].id;
  return SQLITE_OK;
}
static sqlite3_module zeroModule = {
  0, fwdConnect, fwdConnect, fwdBestIndex, fwdDisconnect, fwdDisconnect,
  zeroOpen, zeroClose, zeroFilter, zeroNext, zeroEof, zeroColumn, zeroRowid,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};
/* the rows of zAll (owner, id, name; by owner) into memory, and the table
** "zero" over them, with fwdDeclare(bM2m)'s columns */
static void zeroDeclare(int bM2m, int nOwner, const char *zAll){
  sqlite3_stmt *p = prep(zAll);
  int n = 0, nAlloc = 1024;
  nZeroOwner = nOwner;
  aZeroStart = calloc((size_t)nOwner+1, sizeof(int));
  aZero = malloc(nAlloc*sizeof(ZeroRow));
  if( aZeroStart==0 || aZero==0 ) die("out of memory");
  while( sqlite3_step(p)==SQLITE_ROW ){
    int o = sqlite3_column_int(p, 0);
    if( o<1 || o>nOwner ) die("zero: owner out of range");
    if( n==nAlloc ){
      nAlloc *= 2;
      aZero = realloc(aZero, nAlloc*sizeof(ZeroRow));
      if( aZero==0 ) die("out of memory");
    }
    aZero[n].iOwner = o;
    aZero[n].id = sqlite3_column_int64(p, 1);
    aZero[n].zName = strdup((const char*)sqlite3_column_text(p, 2));
    if( aZero[n].zName==0 ) die("out of memory");
    aZeroStart[o] = ++n;        /* owners ascending: o's end so far */
  }
  sqlite3_finalize(p);
  for(n=1; n<=nOwner; n++){     /* an owner with no rows ends where the last did */
    if( aZeroStart[n]<aZeroStart[n-1] ) aZeroStart[n] = aZeroStart[n-1];
  }
  fwdDeclare(bM2m);             /* its columns and xBestIndex */
  if( sqlite3_create_module(db, "zero", &zeroModule, 0) ) die("zero");
  exec("CREATE VIRTUAL TABLE temp.zero USING zero");
}
static void zeroFree(void){
  int i;
  if( aZero==0 ) return;
  for(i=0; i<aZeroStart[nZeroOwner]; i++) free(aZero[i].zName);
  free(aZero);
  free(aZeroStart);
}
#define ZERO_O2M "SELECT parent_id, id, name FROM child ORDER BY parent_id, id"
#define ZERO_M2M "SELECT a.left_id, r.id, r.name FROM association a" \
                 " JOIN \"right\" r ON r.id = a.right_id ORDER BY a.left_id"
static int isZero(void){ return strcmp(zVariant, "zero")==0; }
static int isInner(void){ return strcmp(zVariant, "inner")==0; }

/* the one-to-many reads' data, and the variant's table over it */
static void genOneToManyRead(void){
  genOneToMany();
  if( isForward() ) fwdDeclare(0);
  if( isZero() ) zeroDeclare(0, nParent, ZERO_O2M);
}

/* variant "inner": step pA, fetching the first nCol values of each row
** once (as xColumn would), nothing copied out */
static void innerDrain(int nCol){
  int i;
  while( sqlite3_step(pA)==SQLITE_ROW ){
    nRows++;
    for(i=0; i<nCol; i++) sqlite3_column_value(pA, i);
  }
  sqlite3_reset(pA);
}
static void bodyInnerLookup(void){
  int i;
  for(i=1; i<=nParent; i++){
    sqlite3_bind_int(pA, 1, i);
    innerDrain(2);
  }
}
static void bodyInnerAll(void){ innerDrain(3); }

/*------------------------------------------------------------------------
** Workloads: each a setup and a measured body
*/
static void bodyReadLookup(void){
  int i;
  for(i=1; i<=nParent; i++){
    sqlite3_bind_int(pA, 1, i);
    drain(pA);
  }
}
static void bodyDrainA(void){ drain(pA); }
static void bodyRunA(void){ run(pA); }

static void bodyLink(void){
  int l, k;
  exec("BEGIN");
  for(k=0; k<nLinkPer; k++){
    for(l=1; l<=nLeft; l++){
      sqlite3_bind_int(pA, 1, l);
      sqlite3_bind_int(pA, 2, linkRight(l, k));
      run(pA);
    }
  }
  exec("COMMIT");
}
static void bodyCreateLink(void){
  int l, k;
  char zName[40];
  exec("BEGIN");
  for(k=0; k<nLinkPer; k++){
    for(l=1; l<=nLeft; l++){
      int n = snprintf(zName, sizeof(zName), "new %d %d", l, k);
      if( isOurs() || isForward() ){
        sqlite3_bind_int(pA, 1, l);
        sqlite3_bind_text(pA, 2, zName, n, SQLITE_STATIC);
        run(pA);
      }else{
        sqlite3_bind_text(pA, 1, zName, n, SQLITE_STATIC);
        run(pA);
        sqlite3_bind_int(pB, 1, l);
        sqlite3_bind_int64(pB, 2, sqlite3_last_insert_rowid(db));
        run(pB);
      }
    }
  }
  exec("COMMIT");
}
/* for each of ids 1..n: pB (if any) first, then pA, in one transaction */
static void runEach(int n){
  int i;
  exec("BEGIN");
  for(i=1; i<=n; i++){
    if( pB ){
      sqlite3_bind_int(pB, 1, i);
      run(pB);
    }
    sqlite3_bind_int(pA, 1, i);
    run(pA);
  }
  exec("COMMIT");
}
static void bodyCleanup(void){ runEach(nRight); }

/* one-to-many link / unlink: child i with its parent, in child order */
static void bodyChildLink(void){
  int i;
  exec("BEGIN");
  for(i=1; i<=nParent*10; i++){
    sqlite3_bind_int(pA, 1, childParent(i));
    sqlite3_bind_int(pA, 2, i);
    run(pA);
  }
  exec("COMMIT");
}
/* many-to-one read: every child's parent */
static void bodyReadParent(void){
  int i;
  for(i=1; i<=nParent*10; i++){
    sqlite3_bind_int(pA, 1, i);
    drain(pA);
  }
}
/* delete every parent: pB (if any) first, then pA */
static void bodyParentDelete(void){ runEach(nParent); }
/* After a write workload: what the tables hold, into the check hash (the
** two sides must leave the same rows) */
static void checkState(const char *zSql){
  sqlite3_stmt *p = prep(zSql);
  long long n = nRows;
  drain(p);
  nRows = n;
  sqlite3_finalize(p);
}

/* 100,000-node tree / random graph with cycles */
static int nNode;
/* a random tree of nTree nodes (node i's parent drawn from 1..i-1);
** zFk: what follows parent_id's REFERENCES; zOpts: the options of the
** declaration node_children (0: none declared, the index made by hand) */
static void genTreeFk(int nTree, const char *zFk, const char *zOpts){
  int i;
  char zSql[500];
  sqlite3_stmt *p;
  nNode = nTree;
  snprintf(zSql, sizeof(zSql), "CREATE TABLE node(id INTEGER PRIMARY KEY,"
           " parent_id INTEGER REFERENCES node(id)%s)", zFk);
  exec(zSql);
  declareOrIndex("CREATE VIRTUAL TABLE node_children USING"
                 " relationship(node, node, kind=one_to_many", zOpts,
                 "CREATE INDEX node_parent_id ON node(parent_id)");
  exec("BEGIN");
  p = prep("INSERT INTO node VALUES (?1, ?2)");
  for(i=1; i<=nNode; i++){
    sqlite3_bind_int(p, 1, i);
    if( i==1 ) sqlite3_bind_null(p, 2);
    else sqlite3_bind_int(p, 2, (int)(rng() % (unsigned)(i-1)) + 1);
    run(p);
  }
  sqlite3_finalize(p);
  exec("COMMIT");
}
static void genTree(int nTree){
  genTreeFk(nTree, "", ", foreign_key=parent_id");
}
static void genGraph(void){
  int i, k;
  sqlite3_stmt *p;
  nNode = 10000*scale;
  exec("CREATE TABLE gnode(id INTEGER PRIMARY KEY);"
       "CREATE TABLE edge(lower_id INTEGER NOT NULL REFERENCES gnode(id),"
       " higher_id INTEGER NOT NULL REFERENCES gnode(id),"
       " PRIMARY KEY(lower_id, higher_id));"
       "CREATE INDEX edge_higher ON edge(higher_id, lower_id);"
       "CREATE VIRTUAL TABLE gnode_higher USING relationship(gnode, gnode,"
       " secondary=edge, source_column=lower_id, target_column=higher_id);");
  exec("BEGIN");
  p = prep("INSERT INTO gnode VALUES (?1)");
  for(i=1; i<=nNode; i++){ sqlite3_bind_int(p, 1, i); run(p); }
  sqlite3_finalize(p);
  p = prep("INSERT OR IGNORE INTO edge VALUES (?1, ?2)");
  for(i=1; i<=nNode; i++){
    for(k=0; k<2; k++){            /* two random out-edges: cycles galore */
      sqlite3_bind_int(p, 1, i);
      sqlite3_bind_int(p, 2, (int)(rng() % (unsigned)nNode) + 1);
      run(p);
    }
  }
  sqlite3_finalize(p);
  exec("COMMIT");
}
static int hasClosure(void){
  sqlite3_stmt *p = 0;
  int rc = sqlite3_prepare_v2(db, "SELECT id, depth, parent FROM"
                              " rel_closure('node_children', 1)", -1, &p, 0);
  sqlite3_finalize(p);
  return rc==SQLITE_OK;
}

/*------------------------------------------------------------------------
** Scale: SCALE links in a file database
*/
static void genScale(long long nLink){
  char zSql[2000];
  long long nL = nLink/10;
  exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
       "PRAGMA cache_size=-262144;");
  exec("CREATE TABLE \"left\"(id INTEGER PRIMARY KEY, name TEXT);"
       "CREATE TABLE \"right\"(id INTEGER PRIMARY KEY, name TEXT);"
       "CREATE TABLE association("
       " left_id INTEGER NOT NULL REFERENCES \"left\"(id),"
       " right_id INTEGER NOT NULL REFERENCES \"right\"(id),"
       " PRIMARY KEY(left_id, right_id));");
  snprintf(zSql, sizeof(zSql),
    "BEGIN;"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<%lld)"
    " INSERT INTO \"left\" SELECT i, 'left ' || i FROM n;"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<%lld)"
    " INSERT INTO \"right\" SELECT i, 'right ' || i FROM n;"
    "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n"
    " WHERE i<%lld) INSERT INTO association SELECT i/10+1,"
    " ((i/10+1)*37 + (i%%10)*1009) %% %lld + 1 FROM n;"
    "COMMIT;"
    "CREATE INDEX association_right ON association(right_id, left_id);",
    nL, nL, nLink-1, nL);
  exec(zSql);
  exec("CREATE VIRTUAL TABLE left_children USING relationship(\"left\","
       " \"right\", secondary=association)");
}

/* the collection read of 10,000 seeded owners (10 rows each), then a
** full scan of every link: two lines of output */
static long long nScaleOwners;
static void bodyScaleRead(void){
  int i;
  for(i=0; i<10000; i++){
    sqlite3_bind_int64(pA, 1, (long long)(rng() % (unsigned long long)nScaleOwners) + 1);
    drain(pA);
  }
}

/*------------------------------------------------------------------------
*/
static void (*xBody)(void);
void measure(void);
static double cpuNs = 0;

/* The measured part: callgrind collects only inside this function. */
__attribute__((noinline)) void measure(void){
  xBody();
}
static void timed(void){
  struct timespec t0, t1;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
  measure();
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
  cpuNs = (t1.tv_sec - t0.tv_sec)*1e9 + (t1.tv_nsec - t0.tv_nsec);
}
static void report(void){
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("rows=%lld check=%llu cpu_ns=%.0f maxrss_kib=%ld\n",
         nRows, check, cpuNs, ru.ru_maxrss);
}

int main(int argc, char **argv){
  const char *zExt, *zWork;
  char *zErr = 0;
  if( argc<5 ){
    fprintf(stderr, "usage: %s EXT WORKLOAD VARIANT SCALE [DBFILE]\n", argv[0]);
    return 2;
  }
  zExt = argv[1]; zWork = argv[2]; zVariant = argv[3];
  scale = atoi(argv[4]);
  zDbFile = argc>5 ? argv[5] : ":memory:";
  if( sqlite3_open(zDbFile, &db) ) die("open");
  sqlite3_enable_load_extension(db, 1);
  if( sqlite3_load_extension(db, zExt, 0, &zErr) ){
    fprintf(stderr, "bench: %s\n", zErr); return 1;
  }

  if( strcmp(zWork, "read_lookup")==0 ){
    genOneToManyRead();
    pA = prep(isOurs() ? "SELECT * FROM parent_children(?)"
            : isForward() ? "SELECT * FROM fwd(?)"
            : isZero() ? "SELECT * FROM zero(?)"
            : isInner() ? "SELECT id, name FROM child WHERE parent_id = ?"
                       : "SELECT * FROM child WHERE parent_id = ?");
    xBody = isInner() ? bodyInnerLookup : bodyReadLookup;
  }else if( strcmp(zWork, "read_join")==0 ){
    genOneToManyRead();
    pA = prep(isOurs()
      ? "SELECT p.id, c.* FROM parent p JOIN parent_children(p.id) c"
      : isForward() ? "SELECT p.id, c.* FROM parent p JOIN fwd(p.id) c"
      : isZero() ? "SELECT p.id, c.* FROM parent p JOIN zero(p.id) c"
      : isInner() ? "SELECT id, name, parent_id FROM child"
                    " WHERE parent_id >= 1 ORDER BY parent_id"
      : "SELECT p.id, c.* FROM parent p JOIN child c ON c.parent_id = p.id");
    xBody = isInner() ? bodyInnerAll : bodyDrainA;
  }else if( strcmp(zWork, "read_scan")==0 ){
    /* every link of the one-to-many, as bench/orm.py's loads read them */
    genOneToManyRead();
    pA = prep(isOurs() ? "SELECT id, name, parent_id FROM parent_children"
            : isForward() ? "SELECT id, name, parent_id FROM fwd"
            : isZero() ? "SELECT id, name, parent_id FROM zero"
            : "SELECT id, name, parent_id FROM child"
              " WHERE parent_id IS NOT NULL");
    xBody = isInner() ? bodyInnerAll : bodyDrainA;
  }else if( strcmp(zWork, "read_m2m")==0 ){
    genManyToMany(1, 1, 0);
    if( isForward() ) fwdDeclare(1);
    if( isZero() ) zeroDeclare(1, nLeft, ZERO_M2M);
    pA = prep(isOurs()
      ? "SELECT l.id, r.* FROM \"left\" l JOIN left_children(l.id) r"
      : isForward() ? "SELECT l.id, r.* FROM \"left\" l JOIN fwd(l.id) r"
      : isZero() ? "SELECT l.id, r.* FROM \"left\" l JOIN zero(l.id) r"
      : isInner() ? "SELECT r.id, r.name, a.left_id FROM association a"
                    " JOIN \"right\" r ON r.id = a.right_id"
                    " WHERE a.left_id >= 1 ORDER BY a.left_id"
      : "SELECT l.id, r.* FROM \"left\" l JOIN association a"
        " ON a.left_id = l.id JOIN \"right\" r ON r.id = a.right_id");
    xBody = isInner() ? bodyInnerAll : bodyDrainA;
  }else if( strcmp(zWork, "link")==0 ){
    genManyToMany(0, 1, 0);
    if( isForward() ) fwdDeclare(1);
    pA = prep(isOurs() ? "INSERT INTO left_children(owner, id) VALUES (?, ?)"
              : isForward() ? "INSERT INTO fwd(owner, id) VALUES (?, ?)"
              : "INSERT INTO association(left_id, right_id) VALUES (?, ?)");
    xBody = bodyLink;
  }else if( strcmp(zWork, "unlink")==0 ){
    genManyToMany(1, 1, 0);
    if( isForward() ) fwdDeclare(1);
    pA = prep(isOurs()
      ? "DELETE FROM left_children WHERE owner = ? AND id = ?"
      : isForward() ? "DELETE FROM fwd WHERE owner = ? AND id = ?"
      : "DELETE FROM association WHERE left_id = ? AND right_id = ?");
    xBody = bodyLink;
  }else if( strcmp(zWork, "create_link")==0 ){
    genManyToMany(0, 1, 0);
    if( isForward() ) fwdDeclare(1);
    if( isOurs() || isForward() ){
      pA = prep(isOurs() ? "INSERT INTO left_children(owner, name) VALUES (?, ?)"
                         : "INSERT INTO fwd(owner, name) VALUES (?, ?)");
    }else{
      pA = prep("INSERT INTO \"right\"(name) VALUES (?)");
      pB = prep("INSERT INTO association(left_id, right_id) VALUES (?, ?)");
    }
    xBody = bodyCreateLink;
  }else if( strcmp(zWork, "cleanup")==0 ){
    int bFk = strcmp(zVariant, "fk")==0;
    genManyToMany(1, isOurs(), bFk);
    pA = prep("DELETE FROM \"right\" WHERE id = ?");
    if( strcmp(zVariant, "ref")==0 ){
      pB = prep("DELETE FROM association WHERE right_id = ?");
    }
    xBody = bodyCleanup;
  }else if( strcmp(zWork, "o2m_link")==0 || strcmp(zWork, "o2m_unlink")==0 ){
    /* one-to-many: link 100,000 unlinked children to their parents (the
    ** child's foreign key set) / unlink them again (set NULL) */
    int bLink = strcmp(zWork, "o2m_link")==0;
    genOneToManyWrites(!bLink, "", isOurs() ? "" : 0);
    if( bLink ){
      pA = prep(isOurs() ? "INSERT INTO parent_children(owner, id) VALUES (?, ?)"
                : "UPDATE child SET parent_id = ?1 WHERE id = ?2");
    }else{
      pA = prep(isOurs() ? "DELETE FROM parent_children WHERE owner = ? AND id = ?"
                : "UPDATE child SET parent_id = NULL"
                  " WHERE id = ?2 AND parent_id = ?1");
    }
    xBody = bodyChildLink;
    zState = "SELECT id, parent_id FROM child";
  }else if( strcmp(zWork, "read_m2o")==0 ){
    /* many-to-one: every child's parent, one lookup each */
    genOneToManyWrites(1, "", isOurs() ? "" : 0);
    if( isOurs() ){
      exec("CREATE VIRTUAL TABLE child_parent USING relationship(child, parent)");
    }
    pA = prep(isOurs() ? "SELECT * FROM child_parent(?)"
              : "SELECT p.* FROM child c JOIN parent p ON p.id = c.parent_id"
                " WHERE c.id = ?");
    xBody = bodyReadParent;
  }else if( strcmp(zWork, "cascade_delete")==0
         || strcmp(zWork, "set_null")==0 ){
    /* delete 10,000 parents (10 children each; 10,000 more families
    ** stay): cascade='all, delete-orphan'
    ** deletes the children, the default sets their parent_id NULL; vs
    ** the hand-written statement first, and vs the foreign key's
    ** ON DELETE action with PRAGMA foreign_keys=ON */
    int bCascade = strcmp(zWork, "cascade_delete")==0;
    int bFk = strcmp(zVariant, "fk")==0;
    genOneToManyWrites(1,
      bFk ? (bCascade ? " ON DELETE CASCADE" : " ON DELETE SET NULL") : "",
      isOurs() ? (bCascade ? ", cascade='all, delete-orphan'" : "") : 0);
    {
      /* as many families again, which stay: the check of the tables
      ** after sees that only the deleted parents' children changed */
      char zSql[300];
      snprintf(zSql, sizeof(zSql),
        "INSERT INTO parent SELECT id + %d, name FROM parent;"
        "INSERT INTO child SELECT id + %d, name, parent_id + %d FROM child;",
        nParent, nParent*10, nParent);
      exec(zSql);
    }
    if( bFk ) exec("PRAGMA foreign_keys=ON");
    pA = prep("DELETE FROM parent WHERE id = ?");
    if( strcmp(zVariant, "ref")==0 ){
      pB = prep(bCascade ? "DELETE FROM child WHERE parent_id = ?"
                : "UPDATE child SET parent_id = NULL WHERE parent_id = ?");
    }
    xBody = bodyParentDelete;
    zState = "SELECT id, parent_id FROM child";
  }else if( strcmp(zWork, "subtree_delete")==0 ){
    /* a self-referential tree of 100,000 nodes: node 2's subtree (about
    ** half the tree) deleted in one statement, by cascade='all,
    ** delete-orphan', vs one hand-written WITH RECURSIVE DELETE, and vs
    ** ON DELETE CASCADE */
    int bFk = strcmp(zVariant, "fk")==0;
    genTreeFk(10000*scale, bFk ? " ON DELETE CASCADE" : "",
              isOurs() ? ", cascade='all, delete-orphan'" : 0);
    if( bFk ) exec("PRAGMA foreign_keys=ON");
    pA = prep(strcmp(zVariant, "ref")==0
      ? "WITH RECURSIVE sub(k) AS (SELECT 2 UNION SELECT n.id FROM node n"
        " JOIN sub ON n.parent_id = sub.k)"
        " DELETE FROM node WHERE id IN sub"
      : "DELETE FROM node WHERE id = 2");
    xBody = bodyRunA;
    zState = "SELECT id, parent_id FROM node";
  }else if( strcmp(zWork, "closure_tree")==0
         || strcmp(zWork, "closure_graph")==0 ){
    int bTree = strcmp(zWork, "closure_tree")==0;
    if( bTree ) genTree(10000*scale); else genGraph();
    if( isOurs() ){
      if( !hasClosure() ){ printf("n/a: rel_closure is not in this build\n"); return 0; }
      pA = prep(bTree
        ? "SELECT id, depth FROM rel_closure('node_children', 1) ORDER BY id"
        : "SELECT id FROM rel_closure('gnode_higher', 1) ORDER BY id");
    }else{
      pA = prep(bTree
        ? "WITH RECURSIVE c(id, depth) AS (SELECT 1, 0 UNION"
          " SELECT n.id, c.depth+1 FROM node n JOIN c ON n.parent_id = c.id)"
          " SELECT id, depth FROM c ORDER BY id"
        : "WITH RECURSIVE c(id) AS (SELECT 1 UNION"
          " SELECT e.higher_id FROM edge e JOIN c ON e.lower_id = c.id)"
          " SELECT id FROM c ORDER BY id");
    }
    xBody = bodyDrainA;
  }else if( strcmp(zWork, "closure_join")==0 ){
    /* the closure of every node of a 10,000-node tree (x scale/10), one
    ** rel_closure() search per node in a join, against one WITH RECURSIVE
    ** over every root (a tree: UNION ALL finds each path once) */
    genTree(1000*scale);
    if( isOurs() ){
      if( !hasClosure() ){ printf("n/a: rel_closure is not in this build\n"); return 0; }
      pA = prep("SELECT n.id, c.id, c.depth FROM node n"
                " JOIN rel_closure('node_children', n.id) c");
    }else{
      pA = prep("WITH RECURSIVE c(root, id, depth) AS ("
                " SELECT id, id, 0 FROM node UNION ALL"
                " SELECT c.root, n.id, c.depth+1 FROM node n"
                " JOIN c ON n.parent_id = c.id)"
                " SELECT root, id, depth FROM c");
    }
    xBody = bodyDrainA;
  }else if( strcmp(zWork, "json_all_rows")==0 ){
    /* every parent as JSON with its children embedded, in one statement;
    ** the reference is json_object() over the same rows (same text) */
    genOneToMany();
    pA = prep(isOurs()
      ? "SELECT rel_json('parent', id) FROM parent"
      : "SELECT json_object('id', p.id, 'name', p.name, 'children',"
        " (SELECT json_group_array(json_object('id', c.id, 'name', c.name,"
        " 'parent_id', c.parent_id)) FROM (SELECT * FROM child c"
        " WHERE c.parent_id = p.id ORDER BY c.id) c)) FROM parent p");
    xBody = bodyDrainA;
  }else if( strcmp(zWork, "scale_gen")==0 ){
    genScale(atoll(argv[4]));
    report();
    sqlite3_close(db);
    return 0;
  }else if( strcmp(zWork, "scale_read")==0 || strcmp(zWork, "scale_scan")==0 ){
    nScaleOwners = atoll(argv[4])/10;
    if( strcmp(zWork, "scale_read")==0 ){
      pA = prep(isOurs() ? "SELECT * FROM left_children(?)"
        : "SELECT r.* FROM association a JOIN \"right\" r ON r.id = a.right_id"
          " WHERE a.left_id = ?");
      xBody = bodyScaleRead;
    }else{
      pA = prep(isOurs() ? "SELECT owner, * FROM left_children"
        : "SELECT a.left_id, r.* FROM association a JOIN \"right\" r"
          " ON r.id = a.right_id");
      xBody = bodyDrainA;
    }
  }else{
    fprintf(stderr, "bench: unknown workload %s\n", zWork);
    return 2;
  }
  nRows = 0; check = 0;
  timed();
  if( zState ) checkState(zState);
  report();
  sqlite3_finalize(pA);
  sqlite3_finalize(pB);
  sqlite3_finalize(pC);
  if( sqlite3_close(db) ) die("close");
  zeroFree();
  return 0;
}
