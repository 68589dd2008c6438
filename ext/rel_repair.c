/*
** rel_repair.c: rel_repair([relationship]), which installs again the
** triggers and indexes that the declarations call for and that are not in
** the schema (a base table rebuilt, a trigger dropped by hand).
**
** USAGE
**
**     CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);
**     CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT,
**                        parent_id INTEGER REFERENCES parent(id));
**     CREATE VIRTUAL TABLE parent_children USING relationship(parent, child,
**         cascade='all, delete-orphan');
**
**     -- child rebuilt (the 12 steps of "Making Other Kinds Of Table
**     -- Schema Changes"): DROP TABLE child took the triggers on child and
**     -- the index with it
**     PRAGMA legacy_alter_table = ON;
**     BEGIN;
**     CREATE TABLE child_new(id INTEGER PRIMARY KEY, name TEXT NOT NULL,
**                            parent_id INTEGER REFERENCES parent(id));
**     INSERT INTO child_new SELECT * FROM child;
**     DROP TABLE child;
**     ALTER TABLE child_new RENAME TO child;
**     SELECT rel_repair();
**     -- ["rel_child_parent_id_orphan","rel_child_parent_id_idx"]
**     COMMIT;
**     SELECT rel_repair();                   -- [] : nothing to do
**     SELECT rel_repair('parent_children');  -- only that one's links
**
** HOW IT WORKS
**
** Each schema (pragma_database_list order) is read as rel_check reads it:
** every relationship table's declaration afresh (relReadDecls(); one the
** tables no longer fit is left out, as rel_check reports it), and each
** link once, under the first declaration by name over it. What the
** declarations over the link install now is worked out by the code that
** installs it when they are declared (relLinkTriggers(), rel_triggers.c):
** a trigger of that SQL that is not in the schema (rel_check's "missing
** trigger") is created; one of its name with other SQL ("stale trigger")
** is dropped and created anew; the link's index is created when a
** declaration over it has create_index on and no index starts with the
** column (the "missing index" that declaring would have fixed). Data is
** never touched.
**
** The plan (names and statements) is made first, reading only; the result,
** the names as a JSON array, is made from it; then the statements run
** inside a SAVEPOINT, all of them or (on any error) none, from a statement
** of their own as rel_infer() runs its (rel_infer.c, inferApply()).
*/
#include "relationship_int.h"

/* One thing to install: a trigger or an index. */
typedef struct RepairStep RepairStep;
struct RepairStep {
  char *zName;               /* The trigger's or index's name */
  char *zSql;                /* The statements that install it */
};

/* The state of one rel_repair() call. */
typedef struct RepairCtx RepairCtx;
struct RepairCtx {
  sqlite3 *db;
  const char *zOnly;         /* The relationship argument, or NULL: all */
  int nStep;
  RepairStep *aStep;         /* What to install, in result order */
  int rc;                    /* Error code */
  char *zErr;                /* Error message */
};

/*
** Record an error "rel_repair: <message>" unless one is recorded.
*/
static void repairError(RepairCtx *pCtx, const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  relErrorV(&pCtx->rc, &pCtx->zErr, "rel_repair", 0, zFmt, ap);
  va_end(ap);
}

/*
** Record error rc: the connection's message, or (zErr not NULL) that one.
** Out of memory is recorded without a message.
*/
static void repairDbError(RepairCtx *pCtx, int rc, const char *zErr){
  if( pCtx->rc!=SQLITE_OK ) return;
  pCtx->rc = rc;
  if( rc==SQLITE_NOMEM ) return;
  pCtx->zErr = sqlite3_mprintf("rel_repair: %s",
                               zErr ? zErr : sqlite3_errmsg(pCtx->db));
  if( pCtx->zErr==0 ) pCtx->rc = SQLITE_NOMEM;
}

/*
** Free everything pCtx owns (not pCtx itself).
*/
static void repairClear(RepairCtx *pCtx){
  int i;
  for(i=0; i<pCtx->nStep; i++){
    sqlite3_free(pCtx->aStep[i].zName);
    sqlite3_free(pCtx->aStep[i].zSql);
  }
  sqlite3_free(pCtx->aStep);
  sqlite3_free(pCtx->zErr);
  memset(pCtx, 0, sizeof(*pCtx));
}

/*
** Append a step. Takes zName and zSql (from sqlite3_mprintf(); freed here
** when out of memory, also when either is NULL).
*/
static void repairAdd(RepairCtx *pCtx, char *zName, char *zSql){
  RepairStep *aNew = 0;
  if( zName && zSql && pCtx->rc==SQLITE_OK ){
    aNew = sqlite3_realloc64(pCtx->aStep, sizeof(RepairStep)*(pCtx->nStep+1));
  }
  if( aNew==0 ){
    sqlite3_free(zName);
    sqlite3_free(zSql);
    if( pCtx->rc==SQLITE_OK ) pCtx->rc = SQLITE_NOMEM;
    return;
  }
  pCtx->aStep = aNew;
  aNew[pCtx->nStep].zName = zName;
  aNew[pCtx->nStep].zSql = zSql;
  pCtx->nStep++;
}

/*
** Plan trigger zName of schema zDb, whose SQL is to be "CREATE TRIGGER "
** and zSql (zSql starts with the quoted name): nothing when it is there
** with that SQL, or when a trigger of another name has it (a link column
** renamed: SQLite rewrote the trigger, kept its name; rel_check counts it
** too); dropped and created anew when it is there with other SQL; created
** when it is not.
*/
static void repairTrigger(RepairCtx *pCtx, const char *zDb,
                          const char *zName, const char *zSql){
  sqlite3_stmt *pStmt = 0;
  char *zQuoted = sqlite3_mprintf("\"%w\"", zName);
  const char *zRest = 0;     /* zSql after the name */
  int eHave = -1;            /* -1 no such trigger, 0 other SQL, 1 same */
  int bElsewhere = 0;        /* the same SQL under another name */
  int rc;

  if( zQuoted==0 ){ pCtx->rc = SQLITE_NOMEM; return; }
  if( strncmp(zSql, zQuoted, strlen(zQuoted))==0 ){
    zRest = zSql + strlen(zQuoted);
  }
  sqlite3_free(zQuoted);
  rc = relPrepare(pCtx->db, &pStmt,
      "SELECT (SELECT sql IS ('CREATE TRIGGER ' || ?2) FROM"
      " \"%w\".sqlite_schema WHERE type = 'trigger' AND name = ?1 COLLATE"
      " NOCASE), ?3 IS NOT NULL AND EXISTS (SELECT 1 FROM"
      " \"%w\".sqlite_schema WHERE type = 'trigger' AND sql IS"
      " 'CREATE TRIGGER \"' || replace(name, '\"', '\"\"') || '\"' || ?3)",
      zDb, zDb);
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, zName, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 2, zSql, -1, SQLITE_STATIC);
    if( zRest ) sqlite3_bind_text(pStmt, 3, zRest, -1, SQLITE_STATIC);
    if( sqlite3_step(pStmt)==SQLITE_ROW ){
      if( sqlite3_column_type(pStmt, 0)!=SQLITE_NULL ){
        eHave = sqlite3_column_int(pStmt, 0);
      }
      bElsewhere = sqlite3_column_int(pStmt, 1);
    }
    rc = sqlite3_finalize(pStmt);
  }
  if( rc!=SQLITE_OK ){
    repairDbError(pCtx, rc, 0);
  }else if( eHave==0 ){
    repairAdd(pCtx, sqlite3_mprintf("%s", zName), sqlite3_mprintf(
        "DROP TRIGGER \"%w\".\"%w\"; CREATE TRIGGER \"%w\".%s",
        zDb, zName, zDb, zSql));
  }else if( eHave<0 && !bElsewhere ){
    repairAdd(pCtx, sqlite3_mprintf("%s", zName),
              sqlite3_mprintf("CREATE TRIGGER \"%w\".%s", zDb, zSql));
  }
}

/*
** Plan link pL of schema zDb, under the rules of the declarations
** aDecl[0..nDecl) over it: its triggers in relTriggerPurpose() order,
** then its index.
*/
static void repairLink(RepairCtx *pCtx, const char *zDb, RelLink *pL,
                       RelDecl **aDecl, int nDecl){
  char *azSql[REL_NTRIGGER];
  char *zIndex = 0;
  int i, rc;

  rc = relLinkTriggers(pCtx->db, zDb, pL, aDecl, nDecl, azSql, &zIndex);
  if( rc!=SQLITE_OK ) repairDbError(pCtx, rc, 0);
  for(i=0; pCtx->rc==SQLITE_OK && i<REL_NTRIGGER; i++){
    char *zName;
    if( azSql[i]==0 ) continue;
    zName = sqlite3_mprintf("rel_%s_%s_%s", pL->zChild, pL->zCol,
                            relTriggerPurpose(i));
    if( zName==0 ){ pCtx->rc = SQLITE_NOMEM; break; }
    repairTrigger(pCtx, zDb, zName, azSql[i]);
    sqlite3_free(zName);
  }
  if( pCtx->rc==SQLITE_OK && zIndex ){
    repairAdd(pCtx, sqlite3_mprintf("rel_%s_%s_idx", pL->zChild, pL->zCol),
              zIndex);
    zIndex = 0;
  }
  for(i=0; i<REL_NTRIGGER; i++) sqlite3_free(azSql[i]);
  sqlite3_free(zIndex);
}

/*
** The CREATE VIRTUAL TABLE texts of the relationship tables of schema zDb
** that no longer read (rel_check's "broken declaration"), into *pazSql
** (*pnSql of them; the caller frees each and the array).
*/
static void repairBroken(RepairCtx *pCtx, const char *zDb, char ***pazSql,
                         int *pnSql){
  sqlite3_stmt *pStmt = 0;
  char *zErr = 0;
  int rc = relDeclRows(pCtx->db, zDb, &pStmt, &zErr);
  if( rc!=SQLITE_OK ){
    repairDbError(pCtx, rc, zErr);
    sqlite3_free(zErr);
    return;
  }
  while( pCtx->rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    const char *zName = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zSql = (const char*)sqlite3_column_text(pStmt, 1);
    RelDecl *pDecl = 0;
    char **azNew;
    if( zName==0 || zSql==0 ){ pCtx->rc = SQLITE_NOMEM; break; }
    rc = relDeclRead(pCtx->db, zDb, zName, zSql, &pDecl, &zErr);
    relDeclFree(pDecl);
    sqlite3_free(zErr);
    zErr = 0;
    if( rc==SQLITE_OK ) continue;
    if( rc!=SQLITE_ERROR ){ repairDbError(pCtx, rc, 0); break; }
    azNew = sqlite3_realloc64(*pazSql, sizeof(char*)*(*pnSql+1));
    if( azNew==0 ){ pCtx->rc = SQLITE_NOMEM; break; }
    *pazSql = azNew;
    azNew[*pnSql] = sqlite3_mprintf("%s", zSql);
    if( azNew[*pnSql]==0 ){ pCtx->rc = SQLITE_NOMEM; break; }
    (*pnSql)++;
  }
  /* a step that failed (out of memory) ends the loop: its code is here */
  if( pCtx->rc==SQLITE_OK && rc!=SQLITE_DONE ){
    rc = sqlite3_finalize(pStmt);
    repairDbError(pCtx, rc!=SQLITE_OK ? rc : SQLITE_ERROR, 0);
  }else{
    sqlite3_finalize(pStmt);
  }
}

/*
** Plan schema zDb: the links of every declaration that reads (zOnly NULL),
** each once, under the first declaration by name over it; or only those of
** relationship table zOnly. A link that a declaration that no longer reads
** may be over (relDeclMayLink()) is left as it is: the rules that one adds
** cannot be worked out, and those of the others alone would take them
** away (a cascade made SET NULL).
*/
static void repairSchema(RepairCtx *pCtx, const char *zDb,
                         const char *zOnly){
  RelDecl **aDecl = 0;
  char **azBroken = 0;
  char *zErr = 0;
  int nDecl = 0, nBroken = 0;
  int i, j, k, rc;

  rc = relReadDecls(pCtx->db, zDb, &aDecl, &nDecl, &zErr);
  if( rc!=SQLITE_OK ){
    repairDbError(pCtx, rc, zErr);
    sqlite3_free(zErr);
    return;
  }
  repairBroken(pCtx, zDb, &azBroken, &nBroken);
  for(i=0; pCtx->rc==SQLITE_OK && i<nDecl; i++){
    RelLink aLink[2];
    int nLink;
    if( zOnly && sqlite3_stricmp(aDecl[i]->zName, zOnly)!=0 ) continue;
    nLink = relDeclLinks(aDecl[i], aLink);
    for(k=0; pCtx->rc==SQLITE_OK && k<nLink; k++){
      for(j=0; zOnly==0 && j<i; j++){
        if( relDeclHasLink(aDecl[j], &aLink[k]) ) break;
      }
      if( zOnly==0 && j<i ) continue;
      for(j=0; pCtx->rc==SQLITE_OK && j<nBroken; j++){
        int bMay = 0;
        rc = relDeclMayLink(azBroken[j], aLink[k].zChild, aLink[k].zParent,
                            &bMay);
        if( rc!=SQLITE_OK ) pCtx->rc = rc;
        if( bMay ) break;
      }
      if( j<nBroken ) continue;
      repairLink(pCtx, zDb, &aLink[k], aDecl, nDecl);
    }
  }
  for(j=0; j<nBroken; j++) sqlite3_free(azBroken[j]);
  sqlite3_free(azBroken);
  relFreeDecls(aDecl, nDecl);
}

/*
** Make the plan: every schema's, or (pCtx->zOnly) that of the relationship
** table of that name, in main or else the first other schema that has one
** (as rel_closure finds it). A named relationship table whose declaration
** no longer reads fails the call with the message its uses give.
*/
static void repairPlan(RepairCtx *pCtx){
  sqlite3_stmt *pDbs = 0;
  int bFound = 0;
  int rc = relPrepare(pCtx->db, &pDbs, "SELECT name FROM"
      " pragma_database_list ORDER BY name<>'main', seq");
  if( rc!=SQLITE_OK ){
    repairDbError(pCtx, rc, 0);
    return;
  }
  while( pCtx->rc==SQLITE_OK && !bFound ){
    const char *zDb;
    char *zSql = 0;
    RelDecl *pDecl = 0;
    char *zErr = 0;
    int rc2;
    rc = sqlite3_step(pDbs);
    if( rc!=SQLITE_ROW ) break;
    zDb = (const char*)sqlite3_column_text(pDbs, 0);
    if( zDb==0 ){ pCtx->rc = SQLITE_NOMEM; break; }
    if( pCtx->zOnly==0 ){
      repairSchema(pCtx, zDb, 0);
      continue;
    }
    rc2 = relSchemaSql(pCtx->db, zDb, pCtx->zOnly, &zSql);
    if( rc2==SQLITE_OK && zSql ){
      rc2 = relDeclRead(pCtx->db, zDb, pCtx->zOnly, zSql, &pDecl, &zErr);
    }
    sqlite3_free(zSql);
    if( rc2==SQLITE_ERROR && zErr ){
      /* broken: what every use of the table says */
      pCtx->rc = SQLITE_ERROR;
      pCtx->zErr = zErr;
      zErr = 0;
    }else if( rc2!=SQLITE_OK ){
      repairDbError(pCtx, rc2, 0);
    }else if( pDecl ){
      bFound = 1;
      repairSchema(pCtx, zDb, pDecl->zName);
    }
    relDeclFree(pDecl);
    sqlite3_free(zErr);
  }
  /* a step that failed (out of memory) ends the loop: its code is here */
  if( pCtx->rc==SQLITE_OK && !bFound && rc!=SQLITE_DONE ){
    rc = sqlite3_finalize(pDbs);
    repairDbError(pCtx, rc!=SQLITE_OK ? rc : SQLITE_ERROR, 0);
  }else{
    sqlite3_finalize(pDbs);
  }
  if( pCtx->rc==SQLITE_OK && pCtx->zOnly && !bFound ){
    repairError(pCtx, "no such relationship: %s", pCtx->zOnly);
  }
}

/*
** Run the plan's statements inside a SAVEPOINT: all of them, or (on the
** first error, which is recorded) none. Returns 0 when the SAVEPOINT could
** not be closed (out of memory: see relSelfCall()).
*/
static int repairRun(RepairCtx *pCtx){
  char **azSql = sqlite3_malloc64(sizeof(char*)*(pCtx->nStep+1));
  int i;
  if( azSql==0 ){
    if( pCtx->rc==SQLITE_OK ) pCtx->rc = SQLITE_NOMEM;
    return 1;
  }
  for(i=0; i<pCtx->nStep; i++) azSql[i] = pCtx->aStep[i].zSql;
  i = relSavepointRun(pCtx->db, "rel_repair", "rel_repair",
      "cannot repair from inside a statement that writes; call it in a"
      " SELECT of its own", azSql, pCtx->nStep, &pCtx->rc, &pCtx->zErr);
  sqlite3_free(azSql);
  return i;
}

/* The pointer type of the RepairCtx that rel_repair() passes to itself */
#define REPAIR_POINTER "rel_repair_run"

/*
** Run repairRun() from a statement of its own (relSelfCall(), for the
** reason it gives: nothing stays half installed).
*/
static void repairApply(RepairCtx *pCtx){
  int rc = relSelfCall(pCtx->db, "rel_repair", pCtx, REPAIR_POINTER);
  if( rc!=SQLITE_DONE && pCtx->rc==SQLITE_OK ){
    /* the statement failed before or after repairRun() */
    repairDbError(pCtx, rc, 0);
  }
}

/*
** SQL function rel_repair([RELATIONSHIP]): installs the triggers and
** indexes the declarations call for that are not in the schema (of every
** relationship, or of RELATIONSHIP's links only) and returns their names
** as a JSON array, in the order of the plan (see the file's comment);
** "[]" when there is nothing to do.
*/
static void relRepairFunc(
  sqlite3_context *ctx, int argc, sqlite3_value **argv
){
  RepairCtx c;
  char *zOut = 0;
  int i;
  if( argc==1 ){
    RepairCtx *pRun = sqlite3_value_pointer(argv[0], REPAIR_POINTER);
    if( pRun ){
      /* the inner call of repairApply() */
      if( !repairRun(pRun) ) sqlite3_result_error_nomem(ctx);
      else if( pRun->rc!=SQLITE_OK ) sqlite3_result_error(ctx, "", 0);
      return;
    }
  }
  memset(&c, 0, sizeof(c));
  c.db = sqlite3_context_db_handle(ctx);
  if( argc==1 ){
    c.zOnly = (const char*)sqlite3_value_text(argv[0]);
    if( c.zOnly==0 && sqlite3_value_type(argv[0])!=SQLITE_NULL ){
      sqlite3_result_error_nomem(ctx);
      return;
    }
    if( c.zOnly==0 ){
      sqlite3_result_error(ctx, "rel_repair: the relationship name is NULL;"
                           " call rel_repair() for every relationship", -1);
      return;
    }
  }
  repairPlan(&c);
  if( c.rc==SQLITE_OK ){
    /* the result first, so that running out of memory installs nothing */
    sqlite3_str *pStr = sqlite3_str_new(c.db);
    sqlite3_str_appendall(pStr, "[");
    for(i=0; i<c.nStep; i++){
      if( i ) sqlite3_str_appendall(pStr, ",");
      relJsonString(pStr, c.aStep[i].zName);
    }
    sqlite3_str_appendall(pStr, "]");
    zOut = sqlite3_str_finish(pStr);
    if( zOut==0 ) c.rc = SQLITE_NOMEM;
  }
  if( c.rc==SQLITE_OK && c.nStep>0 ) repairApply(&c);
  if( c.rc==SQLITE_OK ){
    sqlite3_result_text(ctx, zOut, -1, sqlite3_free);
    sqlite3_result_subtype(ctx, 'J');
  }else{
    sqlite3_free(zOut);
    if( c.rc==SQLITE_NOMEM ){
      sqlite3_result_error_nomem(ctx);
    }else{
      sqlite3_result_error(ctx, c.zErr ? c.zErr : "rel_repair", -1);
      sqlite3_result_error_code(ctx, c.rc);
    }
  }
  repairClear(&c);
}

/*
** Register rel_repair(), with and without the relationship argument. It
** writes the schema, so it is SQLITE_DIRECTONLY (never from a trigger or
** a view), as rel_infer() and rel_declare() are.
*/
int relRegisterRepair(sqlite3 *db, RelGlobal *pGlobal){
  static const RelFunc aFunc[] = {
    { "rel_repair", 0, SQLITE_UTF8|SQLITE_DIRECTONLY, relRepairFunc },
    { "rel_repair", 1, SQLITE_UTF8|SQLITE_DIRECTONLY, relRepairFunc },
  };
  return relCreateFunctions(db, pGlobal, aFunc,
                            (int)(sizeof(aFunc)/sizeof(aFunc[0])));
}
