/*
** rel_list.c: the eponymous table rel_list, one row per declared
** relationship, in every schema of the connection.
**
** USAGE
**
**     SELECT name, kind, foreign_key, reverse FROM rel_list;
**     -- child_parent|many_to_one|parent_id|parent_children
**     -- parent_children|one_to_many|parent_id|child_parent
**
** HOW IT WORKS
**
**     CREATE TABLE rel_list(name, source, attribute, target, kind,
**         foreign_key, secondary, source_column, target_column, source_key,
**         target_key, reverse, uselist, cascade, passive_deletes, order_by,
**         viewonly)
**
** xFilter lists the relationship tables of each schema in sqlite_schema,
** reads each declaration afresh against the schema as it is now (as a
** new connection would connect it: a table dropped on this connection
** since counts) and copies out one row each. The list is small, so it is
** materialised.
*/
#include "relationship_int.h"

#define LIST_NCOL 17
static const u8 aListIsInt[LIST_NCOL] = {
  0,0,0,0,0, 0,0,0,0,0, 0,0,1,0,1, 0,1
};

typedef struct ListVtab ListVtab;
struct ListVtab {
  sqlite3_vtab base;          /* Base class; must be first */
  RelGlobal *pGlobal;         /* Per-connection state */
};

typedef struct ListCursor ListCursor;
struct ListCursor {
  sqlite3_vtab_cursor base;   /* Base class; must be first */
  int nRow;                   /* Rows */
  char **azVal;               /* nRow*LIST_NCOL values, NULL for NULL */
  int iRow;                   /* Current row */
};

static int listConnect(sqlite3 *db, void *pAux, int argc,
                       const char *const *argv, sqlite3_vtab **ppVtab,
                       char **pzErr){
  ListVtab *pNew;
  int rc;
  (void)argc; (void)argv; (void)pzErr;
  rc = sqlite3_declare_vtab(db, "CREATE TABLE x(name, source, attribute,"
      " target, kind, foreign_key, secondary, source_column, target_column,"
      " source_key, target_key, reverse, uselist INTEGER, cascade,"
      " passive_deletes INTEGER, order_by, viewonly INTEGER)");
  if( rc!=SQLITE_OK ) return rc;
  /* Reads the schema only: safe anywhere. */
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  pNew = relMallocZero(sizeof(*pNew));
  if( pNew==0 ) return SQLITE_NOMEM;
  pNew->pGlobal = (RelGlobal*)pAux;
  *ppVtab = &pNew->base;
  return SQLITE_OK;
}

static int listDisconnect(sqlite3_vtab *pVtab){
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

static int listBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  (void)pVtab;
  pInfo->estimatedCost = 100.0;
  pInfo->estimatedRows = 100;
  return SQLITE_OK;
}

static int listOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  ListCursor *pCur = relMallocZero(sizeof(*pCur));
  (void)pVtab;
  if( pCur==0 ) return SQLITE_NOMEM;
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

static void listClear(ListCursor *pCur){
  int i;
  for(i=0; i<pCur->nRow*LIST_NCOL; i++) sqlite3_free(pCur->azVal[i]);
  sqlite3_free(pCur->azVal);
  pCur->azVal = 0;
  pCur->nRow = 0;
  pCur->iRow = 0;
}

static int listClose(sqlite3_vtab_cursor *cur){
  listClear((ListCursor*)cur);
  sqlite3_free(cur);
  return SQLITE_OK;
}

/*
** Fill az[0..LIST_NCOL) with the rel_list row of declaration p. Each value
** is from sqlite3_mprintf() (NULL for SQL NULL); returns SQLITE_NOMEM when
** a non-NULL value could not be made.
*/
static int listRow(RelDecl *p, char **az){
  int bM2m = p->eKind==REL_MANY_TO_MANY;
  int i;
  const char *azIn[LIST_NCOL];
  char *zReverse = 0;
  char *zOrder = 0;
  if( p->zBackref ){
    zReverse = sqlite3_mprintf("%s_%s", p->tgt.zName, p->zBackref);
  }
  if( p->zOrderBy==0 && p->nOrder>0 ){
    zOrder = relStrdup(p->azCol[p->aOrderCol[0]]);
  }
  if( (p->zBackref && zReverse==0)
   || (p->zOrderBy==0 && p->nOrder>0 && zOrder==0)
  ){
    /* out of memory: a wrong value (NULL, "rowid") is not a fallback */
    sqlite3_free(zReverse);
    sqlite3_free(zOrder);
    memset(az, 0, sizeof(char*)*LIST_NCOL);
    return SQLITE_NOMEM;
  }
  azIn[0] = p->zName;
  azIn[1] = p->src.zName;
  azIn[2] = p->zAttr;
  azIn[3] = p->tgt.zName;
  azIn[4] = relKindName(p->eKind);
  azIn[5] = bM2m ? 0 : p->zFk;
  azIn[6] = bM2m ? p->sec.zName : 0;
  azIn[7] = bM2m ? p->zSrcCol : 0;
  azIn[8] = bM2m ? p->zTgtCol : 0;
  azIn[9] = p->zSrcKey ? p->zSrcKey : "rowid";
  azIn[10] = p->zTgtKey ? p->zTgtKey : "rowid";
  azIn[11] = zReverse ? zReverse : p->zBackPop;
  azIn[12] = p->bUselist ? "1" : "0";
  azIn[13] = p->zCascade;
  azIn[14] = p->bPassive ? "1" : "0";
  azIn[15] = p->zOrderBy ? p->zOrderBy : (zOrder ? zOrder : "rowid");
  azIn[16] = p->bViewonly ? "1" : "0";
  for(i=0; i<LIST_NCOL; i++){
    az[i] = azIn[i] ? sqlite3_mprintf("%s", azIn[i]) : 0;
  }
  sqlite3_free(zReverse);
  sqlite3_free(zOrder);
  for(i=0; i<LIST_NCOL; i++){
    if( azIn[i] && az[i]==0 ) return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

static int listFilter(sqlite3_vtab_cursor *cur, int idxNum,
                      const char *idxStr, int argc, sqlite3_value **argv){
  ListCursor *pCur = (ListCursor*)cur;
  RelGlobal *pGlobal = ((ListVtab*)cur->pVtab)->pGlobal;
  sqlite3_stmt *pDbs = 0;
  int rc;
  (void)idxNum; (void)idxStr; (void)argc; (void)argv;
  listClear(pCur);
  rc = relPrepare(pGlobal->db, &pDbs,
                  "SELECT name FROM pragma_database_list ORDER BY seq");
  while( rc==SQLITE_OK && sqlite3_step(pDbs)==SQLITE_ROW ){
    char *zDb = relStrdup((const char*)sqlite3_column_text(pDbs, 0));
    RelDecl **aDecl = 0;
    char *zErr = 0;
    int nDecl = 0, i;
    if( zDb==0 ){ rc = SQLITE_NOMEM; break; }
    rc = relReadDecls(pGlobal->db, zDb, &aDecl, &nDecl, &zErr);
    sqlite3_free(zDb);
    if( rc!=SQLITE_OK ){
      relVtabError(cur->pVtab, "rel_list: %s", zErr ? zErr : "error");
      sqlite3_free(zErr);
      break;
    }
    if( nDecl>0 ){
      char **azNew = sqlite3_realloc64(pCur->azVal,
          sizeof(char*)*LIST_NCOL*(pCur->nRow+nDecl));
      if( azNew==0 ){ rc = SQLITE_NOMEM; relFreeDecls(aDecl, nDecl); break; }
      pCur->azVal = azNew;
      for(i=0; i<nDecl; i++){
        char **az = &pCur->azVal[LIST_NCOL*pCur->nRow++];
        if( rc==SQLITE_OK ) rc = listRow(aDecl[i], az);
        else memset(az, 0, sizeof(char*)*LIST_NCOL);
      }
    }
    relFreeDecls(aDecl, nDecl);
  }
  if( pDbs ){
    /* the loop also ends when a step fails (out of memory): not an end */
    int rc2 = sqlite3_finalize(pDbs);
    if( rc==SQLITE_OK ) rc = rc2;
  }
  return rc;
}

static int listNext(sqlite3_vtab_cursor *cur){
  ((ListCursor*)cur)->iRow++;
  return SQLITE_OK;
}

static int listEof(sqlite3_vtab_cursor *cur){
  ListCursor *pCur = (ListCursor*)cur;
  return pCur->iRow>=pCur->nRow;
}

static int listColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  ListCursor *pCur = (ListCursor*)cur;
  const char *z = pCur->azVal[pCur->iRow*LIST_NCOL + i];
  if( z==0 ) return SQLITE_OK;
  if( aListIsInt[i] ) sqlite3_result_int(ctx, z[0]=='1');
  else sqlite3_result_text(ctx, z, -1, SQLITE_TRANSIENT);
  return SQLITE_OK;
}

static int listRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = ((ListCursor*)cur)->iRow + 1;
  return SQLITE_OK;
}

static sqlite3_module listModule = {
  /* iVersion    */ 0,
  /* xCreate     */ 0,
  /* xConnect    */ listConnect,
  /* xBestIndex  */ listBestIndex,
  /* xDisconnect */ listDisconnect,
  /* xDestroy    */ 0,
  /* xOpen       */ listOpen,
  /* xClose      */ listClose,
  /* xFilter     */ listFilter,
  /* xNext       */ listNext,
  /* xEof        */ listEof,
  /* xColumn     */ listColumn,
  /* xRowid      */ listRowid,
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
  /* xShadowName */ 0,
#if SQLITE_VERSION_NUMBER>=3044000
  /* xIntegrity  */ 0,
#endif
};

/*
** Register rel_list on db.
*/
int relRegisterList(sqlite3 *db, RelGlobal *pGlobal){
  return sqlite3_create_module(db, "rel_list", &listModule, pGlobal);
}
