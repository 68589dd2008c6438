/*
** rel_infer.c: rel_infer([table]) and rel_infer_sql([table]), which
** declare the relationships that the foreign keys describe, as
** SQLAlchemy's automap and PostgREST's embedding read them.
**
** USAGE
**
**     CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);
**     CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT,
**                        parent_id INTEGER REFERENCES parent(id));
**     CREATE TABLE tag(id INTEGER PRIMARY KEY, label TEXT);
**     CREATE TABLE child_tag(child_id INTEGER REFERENCES child(id),
**                            tag_id INTEGER REFERENCES tag(id),
**                            PRIMARY KEY(child_id, tag_id));
**
**     SELECT rel_infer();
**     -- ["child_parent","parent_child","child_tag_via_child_tag","tag_child"]
**     SELECT * FROM parent_child(1);       -- the children of parent 1
**     SELECT * FROM child_parent(5);       -- the parent of child 5
**     SELECT * FROM tag_child(3);          -- the children tagged 3
**     SELECT rel_infer();                  -- [] : declared already
**
**     SELECT rel_infer_sql();              -- the statements, not run:
**     -- CREATE VIRTUAL TABLE "child_parent" USING relationship("child",
**     --   "parent", kind=many_to_one, foreign_key="parent_id",
**     --   backref="child");   (one statement per line)
**
** child_tag is an association table (two foreign keys, nothing else but
** its own key), so it gives a many-to-many both ways; its default name
** child_tag is the association table's own, so that side takes the
** variant <a>_<b>_via_<secondary>. With a table argument, only the foreign
** keys from or to that table are read (for an association table: it, or
** one of its two ends).
**
** HOW IT WORKS
**
** inferPlan() reads every ordinary table of the main schema
** (pragma_table_list), and each one's single-column foreign keys
** (pragma_foreign_key_list; composite ones are skipped, and so are keys
** from or to a WITHOUT ROWID table, which the core cannot link yet, but
** for an association table: it may be WITHOUT ROWID, its ends not). A
** table that is an association table becomes one many-to-many item; any
** other table gives one item per foreign key. Items that a declared
** relationship covers already (relReadDecls(): the same link column,
** whatever table a declaration links it to, or the same secondary) are
** dropped. Names are
** then chosen for the whole schema at once, so the choice does not depend
** on the order of the tables:
**
**     foreign key child.col -> parent:
**         default   child_parent            parent_child
**         variant   child_<col less _id>    parent_child_by_<col less _id>
**     association table sec between a and b:
**         default   a_b                     b_a
**         variant   a_b_via_sec             b_a_via_sec
**     association table sec with both columns c1, c2 -> node:
**         always    node_<c2 less _id>      node_<c1 less _id>
**
** A side takes its variant when its default is the name of a table, view
** or index, or the default of another inferred relationship; the items of
** a self-referential foreign key and of a table with two foreign keys to
** the same parent always take it. A variant that is taken too is an error
** naming the foreign key, and nothing is declared.
**
** Each item is one CREATE VIRTUAL TABLE with backref= (so a DROP TABLE of
** either side removes both). rel_infer_sql() returns them as one text, a
** statement per line; rel_infer() runs them inside a SAVEPOINT, rolled
** back when any fails, and returns the names created as a JSON array.
*/
#include "relationship_int.h"
#include <stdarg.h>

/* An ordinary table of the main schema. */
typedef struct InferTable InferTable;
struct InferTable {
  char *zName;               /* As sqlite_schema spells it */
  int bWithoutRowid;         /* A WITHOUT ROWID table */
};

/* One relationship to declare: a foreign key (both sides), or a
** many-to-many through an association table (both ways). */
typedef struct InferItem InferItem;
struct InferItem {
  int bM2m;                  /* many-to-many through zSec */
  const char *zFrom;         /* fk: table holding it; m2m: the source */
  const char *zTo;           /* fk: table referred to (NULL: no such
                             ** table); m2m: the target */
  char *zRef;                /* fk: the referred table as the key spells it */
  const char *zSec;          /* m2m: the association table */
  char *zCol;                /* fk: the column; m2m: sec column -> zFrom */
  char *zCol2;               /* m2m: sec column -> zTo */
  int bForce;                /* take the variant names */
  int bViewonly;             /* a link column is generated: viewonly=1 */
  int bDeclared;             /* covered by a declared relationship */
  int bInScope;              /* to declare in this call */
  char *azDflt[2];           /* default names: the table, its reverse */
  char *azVar[2];            /* variant names */
  const char *azName[2];     /* the names chosen: azDflt[] or azVar[] */
};

/* The state of one rel_infer() or rel_infer_sql() call. */
typedef struct InferCtx InferCtx;
struct InferCtx {
  sqlite3 *db;
  RelGlobal *pGlobal;
  const char *zFunc;         /* "rel_infer" or "rel_infer_sql" */
  const char *zTable;        /* The table argument, or NULL for all */
  int nTab;
  InferTable *aTab;          /* Ordinary tables of main, by name */
  int nItem;
  InferItem *aItem;          /* What the foreign keys describe */
  sqlite3_stmt *pTaken;      /* Is ?1 the name of a table, view, index? */
  int rc;                    /* Error code */
  char *zErr;                /* Error message ("<zFunc>: ...") */
};

/*
** Record an error "<function>: <message>" unless one is recorded.
*/
static void inferError(InferCtx *pCtx, const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  relErrorV(&pCtx->rc, &pCtx->zErr, pCtx->zFunc, 0, zFmt, ap);
  va_end(ap);
}

/*
** Record the connection's last error, from a failed statement.
*/
static void inferDbError(InferCtx *pCtx, int rc){
  if( pCtx->rc!=SQLITE_OK ) return;
  pCtx->rc = rc;
  pCtx->zErr = sqlite3_mprintf("%s: %s", pCtx->zFunc,
                               sqlite3_errmsg(pCtx->db));
}

/*
** Record SQLITE_NOMEM when p is NULL; returns p.
*/
static void *inferCheck(InferCtx *pCtx, void *p){
  if( p==0 && pCtx->rc==SQLITE_OK ) pCtx->rc = SQLITE_NOMEM;
  return p;
}

/*
** Free everything pCtx owns (not pCtx itself).
*/
static void inferClear(InferCtx *pCtx){
  int i, j;
  for(i=0; i<pCtx->nTab; i++) sqlite3_free(pCtx->aTab[i].zName);
  sqlite3_free(pCtx->aTab);
  for(i=0; i<pCtx->nItem; i++){
    InferItem *pItem = &pCtx->aItem[i];
    sqlite3_free(pItem->zRef);
    sqlite3_free(pItem->zCol);
    sqlite3_free(pItem->zCol2);
    for(j=0; j<2; j++){
      sqlite3_free(pItem->azDflt[j]);
      sqlite3_free(pItem->azVar[j]);
    }
  }
  sqlite3_free(pCtx->aItem);
  sqlite3_finalize(pCtx->pTaken);
  sqlite3_free(pCtx->zErr);
  memset(pCtx, 0, sizeof(*pCtx));
}

/*
** The table of pCtx->aTab named zName (case-insensitive), or NULL.
*/
static InferTable *inferTable(InferCtx *pCtx, const char *zName){
  int i;
  if( zName==0 ) return 0;
  for(i=0; i<pCtx->nTab; i++){
    if( sqlite3_stricmp(pCtx->aTab[i].zName, zName)==0 ) return &pCtx->aTab[i];
  }
  return 0;
}

/*
** A new zeroed item at the end of pCtx->aItem, or NULL when out of memory.
** The pointer is valid until the next call.
*/
static InferItem *inferNewItem(InferCtx *pCtx){
  InferItem *aNew;
  if( pCtx->rc ) return 0;
  aNew = sqlite3_realloc64(pCtx->aItem, sizeof(InferItem)*(pCtx->nItem+1));
  if( inferCheck(pCtx, aNew)==0 ) return 0;
  pCtx->aItem = aNew;
  memset(&aNew[pCtx->nItem], 0, sizeof(InferItem));
  return &aNew[pCtx->nItem++];
}

/*
** Load the ordinary tables of the main schema (not sqlite_%, not virtual
** or shadow tables, not views) into pCtx->aTab, in name order.
*/
static void inferLoadTables(InferCtx *pCtx){
  sqlite3_stmt *pStmt = 0;
  int rc = relPrepare(pCtx->db, &pStmt,
      "SELECT name, wr FROM pragma_table_list WHERE schema='main'"
      " AND type='table' AND name NOT LIKE 'sqlite\\_%%' ESCAPE '\\'"
      " ORDER BY name");
  if( rc!=SQLITE_OK ){ inferDbError(pCtx, rc); return; }
  while( pCtx->rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    InferTable *aNew = sqlite3_realloc64(pCtx->aTab,
                                         sizeof(InferTable)*(pCtx->nTab+1));
    if( inferCheck(pCtx, aNew)==0 ) break;
    pCtx->aTab = aNew;
    aNew[pCtx->nTab].zName = inferCheck(pCtx,
        relStrdup((const char*)sqlite3_column_text(pStmt, 0)));
    aNew[pCtx->nTab].bWithoutRowid = sqlite3_column_int(pStmt, 1);
    pCtx->nTab++;
  }
  rc = sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK ) inferDbError(pCtx, rc);
}

/*
** Is table pTab an association table between the tables referred to by
** its two single-column foreign keys azFrom[0..1] (to apTo[0..1])? Yes
** when every other column is the table's own single-column PRIMARY KEY,
** both ends exist and neither is pTab itself.
*/
static int inferIsAssociation(
  InferCtx *pCtx, InferTable *pTab, char **azFrom, InferTable **apTo
){
  sqlite3_stmt *pStmt = 0;
  int rc, bPure = 1, nPk = 0;
  int nOwnKey = 0;           /* columns that are no link, but in the key */
  if( apTo[0]==0 || apTo[1]==0 || apTo[0]==pTab || apTo[1]==pTab ) return 0;
  if( sqlite3_stricmp(azFrom[0], azFrom[1])==0 ) return 0;
  rc = relPrepare(pCtx->db, &pStmt,
      "SELECT name, pk FROM pragma_table_xinfo(?1, 'main')");
  if( rc!=SQLITE_OK ){ inferDbError(pCtx, rc); return 0; }
  sqlite3_bind_text(pStmt, 1, pTab->zName, -1, SQLITE_STATIC);
  while( sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zCol = (const char*)sqlite3_column_text(pStmt, 0);
    int iPk = sqlite3_column_int(pStmt, 1);
    if( iPk ) nPk++;
    if( zCol && (sqlite3_stricmp(zCol, azFrom[0])==0
              || sqlite3_stricmp(zCol, azFrom[1])==0) ) continue;
    if( iPk ) nOwnKey++;
    else bPure = 0;
  }
  rc = sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK ){ inferDbError(pCtx, rc); return 0; }
  /* its own key: one column, the whole PRIMARY KEY */
  if( nOwnKey>1 || (nOwnKey==1 && nPk!=1) ) bPure = 0;
  return bPure;
}

/*
** Is column zCol of table zTable (main) a generated one? A declaration
** that writes is refused over such a link column (the rules would write
** it), so the inferred one is viewonly=1. 0 on error (set on pCtx).
*/
static int inferGenerated(InferCtx *pCtx, const char *zTable,
                          const char *zCol){
  sqlite3_stmt *pStmt = 0;
  int rc, bGen = 0;
  if( pCtx->rc ) return 0;
  rc = relPrepare(pCtx->db, &pStmt, "SELECT 1 FROM pragma_table_xinfo(?1,"
      " 'main') WHERE name = ?2 COLLATE NOCASE AND hidden IN (2, 3)");
  if( rc!=SQLITE_OK ){ inferDbError(pCtx, rc); return 0; }
  sqlite3_bind_text(pStmt, 1, zTable, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, zCol, -1, SQLITE_STATIC);
  bGen = sqlite3_step(pStmt)==SQLITE_ROW;
  rc = sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK ){ inferDbError(pCtx, rc); return 0; }
  return bGen;
}

/*
** Read the single-column foreign keys of pTab into items: one
** many-to-many item when pTab is an association table, else one item per
** foreign key. Keys from or to a WITHOUT ROWID table are skipped (the
** core does not support them yet), as are composite keys; an association
** table may be WITHOUT ROWID (its ends may not).
*/
static void inferReadTable(InferCtx *pCtx, InferTable *pTab){
  sqlite3_stmt *pStmt = 0;
  char **azFrom = 0, **azRef = 0;
  int nFk = 0, bComposite = 0;
  int rc, i, j;

  rc = relPrepare(pCtx->db, &pStmt,
      "SELECT f.\"from\", f.\"table\", (SELECT count(*)"
      "   FROM pragma_foreign_key_list(?1, 'main') AS g WHERE g.id=f.id)"
      " FROM pragma_foreign_key_list(?1, 'main') AS f"
      " ORDER BY f.id DESC, f.seq");     /* pragma ids count from the last */
  if( rc!=SQLITE_OK ){ inferDbError(pCtx, rc); return; }
  sqlite3_bind_text(pStmt, 1, pTab->zName, -1, SQLITE_STATIC);
  while( pCtx->rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    char **aNew;
    if( sqlite3_column_int(pStmt, 2)!=1 ){ bComposite = 1; continue; }
    aNew = sqlite3_realloc64(azFrom, sizeof(char*)*(nFk+1));
    if( inferCheck(pCtx, aNew)==0 ) break;
    azFrom = aNew;
    aNew = sqlite3_realloc64(azRef, sizeof(char*)*(nFk+1));
    if( inferCheck(pCtx, aNew)==0 ) break;
    azRef = aNew;
    azFrom[nFk] = relStrdup((const char*)sqlite3_column_text(pStmt, 0));
    azRef[nFk] = relStrdup((const char*)sqlite3_column_text(pStmt, 1));
    nFk++;
    if( azFrom[nFk-1]==0 || azRef[nFk-1]==0 ) pCtx->rc = SQLITE_NOMEM;
  }
  rc = sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK ) inferDbError(pCtx, rc);
  if( pCtx->rc ) goto done;

  if( nFk==2 && !bComposite ){
    InferTable *apTo[2];
    apTo[0] = inferTable(pCtx, azRef[0]);
    apTo[1] = inferTable(pCtx, azRef[1]);
    if( inferIsAssociation(pCtx, pTab, azFrom, apTo) ){
      InferItem *pItem;
      if( apTo[0]->bWithoutRowid || apTo[1]->bWithoutRowid ) goto done;
      pItem = inferNewItem(pCtx);
      if( pItem==0 ) goto done;
      pItem->bM2m = 1;
      pItem->zFrom = apTo[0]->zName;
      pItem->zTo = apTo[1]->zName;
      pItem->zSec = pTab->zName;
      pItem->zCol = azFrom[0]; azFrom[0] = 0;
      pItem->zCol2 = azFrom[1]; azFrom[1] = 0;
      pItem->bForce = apTo[0]==apTo[1];
      pItem->bViewonly = inferGenerated(pCtx, pTab->zName, pItem->zCol)
                      || inferGenerated(pCtx, pTab->zName, pItem->zCol2);
      goto done;
    }
  }
  if( pCtx->rc ) goto done;

  for(i=0; i<nFk; i++){
    InferTable *pTo = inferTable(pCtx, azRef[i]);
    InferItem *pItem;
    int nSame = 0;
    if( pTab->bWithoutRowid || (pTo && pTo->bWithoutRowid) ) continue;
    for(j=0; j<nFk; j++){
      if( sqlite3_stricmp(azRef[i], azRef[j])==0 ) nSame++;
    }
    pItem = inferNewItem(pCtx);
    if( pItem==0 ) break;
    pItem->zFrom = pTab->zName;
    pItem->zTo = pTo ? pTo->zName : 0;
    pItem->zRef = inferCheck(pCtx, relStrdup(azRef[i]));
    pItem->zCol = inferCheck(pCtx, relStrdup(azFrom[i]));
    pItem->bForce = nSame>1 || pTo==pTab;
    pItem->bViewonly = inferGenerated(pCtx, pTab->zName, azFrom[i]);
  }

 done:
  for(i=0; i<nFk; i++){
    sqlite3_free(azFrom[i]);
    sqlite3_free(azRef[i]);
  }
  sqlite3_free(azFrom);
  sqlite3_free(azRef);
}

/*
** Does declaration p link through column zCol of table zHolder, which
** refers to table zOther? True for its foreign key (one-to-many,
** many-to-one, one-to-one), whatever table it links it to (a column
** links to one key of one table: declaring it a link to zOther too would
** be refused), and for either column of its secondary.
*/
static int inferDeclUses(
  RelDecl *p, const char *zHolder, const char *zCol, const char *zOther
){
  if( p->eKind==REL_MANY_TO_MANY ){
    if( sqlite3_stricmp(p->sec.zName, zHolder)!=0 ) return 0;
    return (sqlite3_stricmp(p->zSrcCol, zCol)==0
            && sqlite3_stricmp(p->src.zName, zOther)==0)
        || (sqlite3_stricmp(p->zTgtCol, zCol)==0
            && sqlite3_stricmp(p->tgt.zName, zOther)==0);
  }else{
    RelBase *pHolder = p->eKind==REL_MANY_TO_ONE ? &p->src : &p->tgt;
    return sqlite3_stricmp(pHolder->zName, zHolder)==0
        && sqlite3_stricmp(p->zFk, zCol)==0;
  }
}

/*
** Mark the items that a declared relationship of main covers already: a
** foreign key that some declaration links through (its foreign key, or a
** column of its secondary), an association table that is some
** declaration's secondary or one of whose foreign keys is so used.
*/
static void inferMarkDeclared(InferCtx *pCtx){
  RelDecl **aDecl = 0;
  int nDecl = 0, i, j;
  char *zErr = 0;
  int rc = relReadDecls(pCtx->db, "main", &aDecl, &nDecl, &zErr);
  if( rc!=SQLITE_OK ){
    if( pCtx->rc==SQLITE_OK ){
      pCtx->rc = rc;
      pCtx->zErr = zErr ? sqlite3_mprintf("%s: %s", pCtx->zFunc, zErr) : 0;
    }
    sqlite3_free(zErr);
    return;
  }
  for(i=0; i<pCtx->nItem; i++){
    InferItem *pItem = &pCtx->aItem[i];
    for(j=0; j<nDecl && !pItem->bDeclared; j++){
      RelDecl *p = aDecl[j];
      if( pItem->bM2m ){
        pItem->bDeclared = (p->eKind==REL_MANY_TO_MANY
                            && sqlite3_stricmp(p->sec.zName, pItem->zSec)==0)
            || inferDeclUses(p, pItem->zSec, pItem->zCol, pItem->zFrom)
            || inferDeclUses(p, pItem->zSec, pItem->zCol2, pItem->zTo);
      }else if( pItem->zTo ){
        pItem->bDeclared = inferDeclUses(p, pItem->zFrom, pItem->zCol,
                                         pItem->zTo);
      }
    }
  }
  relFreeDecls(aDecl, nDecl);
}

/*
** zCol less a final "_id" (any case), when something is left. The caller
** frees the result.
*/
static char *inferStem(const char *zCol){
  int n = (int)strlen(zCol);
  if( n>3 && sqlite3_stricmp(&zCol[n-3], "_id")==0 ) n -= 3;
  return sqlite3_mprintf("%.*s", n, zCol);
}

/*
** Work out the default and variant names of pItem (see the table at the
** top of this file).
*/
static void inferNames(InferCtx *pCtx, InferItem *pItem){
  char *zStem = inferCheck(pCtx, inferStem(pItem->zCol));
  char *zStem2 = 0;
  if( pCtx->rc ) return;
  if( !pItem->bM2m ){
    pItem->azDflt[0] = sqlite3_mprintf("%s_%s", pItem->zFrom, pItem->zTo);
    pItem->azDflt[1] = sqlite3_mprintf("%s_%s", pItem->zTo, pItem->zFrom);
    pItem->azVar[0] = sqlite3_mprintf("%s_%s", pItem->zFrom, zStem);
    pItem->azVar[1] = sqlite3_mprintf("%s_%s_by_%s", pItem->zTo,
                                      pItem->zFrom, zStem);
  }else if( pItem->bForce ){
    zStem2 = inferCheck(pCtx, inferStem(pItem->zCol2));
    if( zStem2 ){
      pItem->azVar[0] = sqlite3_mprintf("%s_%s", pItem->zFrom, zStem2);
      pItem->azVar[1] = sqlite3_mprintf("%s_%s", pItem->zTo, zStem);
      pItem->azDflt[0] = relStrdup(pItem->azVar[0]);
      pItem->azDflt[1] = relStrdup(pItem->azVar[1]);
    }
  }else{
    pItem->azDflt[0] = sqlite3_mprintf("%s_%s", pItem->zFrom, pItem->zTo);
    pItem->azDflt[1] = sqlite3_mprintf("%s_%s", pItem->zTo, pItem->zFrom);
    pItem->azVar[0] = sqlite3_mprintf("%s_%s_via_%s", pItem->zFrom,
                                      pItem->zTo, pItem->zSec);
    pItem->azVar[1] = sqlite3_mprintf("%s_%s_via_%s", pItem->zTo,
                                      pItem->zFrom, pItem->zSec);
  }
  sqlite3_free(zStem);
  sqlite3_free(zStem2);
  if( pCtx->rc==SQLITE_OK ){
    int i;
    for(i=0; i<2; i++){
      if( pItem->azDflt[i]==0 || pItem->azVar[i]==0 ) pCtx->rc = SQLITE_NOMEM;
    }
  }
}

/*
** Is zName the name of a table, view or index of main? 0 on error (which
** is recorded).
*/
static int inferTaken(InferCtx *pCtx, const char *zName){
  int bTaken, rc;
  if( pCtx->rc ) return 0;
  if( pCtx->pTaken==0 ){
    rc = relPrepare(pCtx->db, &pCtx->pTaken,
        "SELECT 1 FROM main.sqlite_schema WHERE type IN"
        " ('table','view','index') AND name=?1 COLLATE NOCASE");
    if( rc!=SQLITE_OK ){ inferDbError(pCtx, rc); return 0; }
  }
  sqlite3_bind_text(pCtx->pTaken, 1, zName, -1, SQLITE_STATIC);
  bTaken = sqlite3_step(pCtx->pTaken)==SQLITE_ROW;
  rc = sqlite3_reset(pCtx->pTaken);
  if( rc!=SQLITE_OK ) inferDbError(pCtx, rc);
  return bTaken;
}

/*
** What an item is, for messages: "the foreign key child.parent_id to
** parent" or "the many-to-many of a and b through ab". The caller frees it.
*/
static char *inferDescribe(InferItem *pItem){
  if( pItem->bM2m ){
    return sqlite3_mprintf("the many-to-many of %s and %s through %s",
                           pItem->zFrom, pItem->zTo, pItem->zSec);
  }
  return sqlite3_mprintf("the foreign key %s.%s to %s", pItem->zFrom,
                         pItem->zCol, pItem->zTo ? pItem->zTo : pItem->zRef);
}

/*
** Choose the names of the items to declare, and check that they are free.
** An item considered here is one not declared yet, whose tables exist.
*/
static void inferChooseNames(InferCtx *pCtx){
  int i, j, k, l;
  for(i=0; i<pCtx->nItem && pCtx->rc==SQLITE_OK; i++){
    InferItem *pItem = &pCtx->aItem[i];
    if( pItem->bDeclared || pItem->zTo==0 ) continue;
    inferNames(pCtx, pItem);
  }
  /* A default that is taken, or that two items would use, gives way to
  ** the variant, whatever the order of the tables. */
  for(i=0; i<pCtx->nItem && pCtx->rc==SQLITE_OK; i++){
    InferItem *pItem = &pCtx->aItem[i];
    if( pItem->bDeclared || pItem->zTo==0 ) continue;
    for(k=0; k<2; k++){
      int bVar = pItem->bForce || inferTaken(pCtx, pItem->azDflt[k]);
      for(j=0; j<pCtx->nItem && !bVar; j++){
        InferItem *pOther = &pCtx->aItem[j];
        if( pOther->bDeclared || pOther->zTo==0 || pOther->bForce ) continue;
        for(l=0; l<2; l++){
          if( (j!=i || l!=k)
           && sqlite3_stricmp(pOther->azDflt[l], pItem->azDflt[k])==0 ){
            bVar = 1;
          }
        }
      }
      pItem->azName[k] = bVar ? pItem->azVar[k] : pItem->azDflt[k];
    }
  }
  /* The names of the items in scope must be free and distinct. */
  for(i=0; i<pCtx->nItem && pCtx->rc==SQLITE_OK; i++){
    InferItem *pItem = &pCtx->aItem[i];
    if( !pItem->bInScope ) continue;
    for(k=0; k<2 && pCtx->rc==SQLITE_OK; k++){
      const char *zName = pItem->azName[k];
      InferItem *pClash = 0;
      if( inferTaken(pCtx, zName) ){
        char *zWhat = inferCheck(pCtx, inferDescribe(pItem));
        if( zWhat ){
          inferError(pCtx, "no free name for %s: %s exists already; declare"
                     " it by hand and run %s again", zWhat, zName,
                     pCtx->zFunc);
        }
        sqlite3_free(zWhat);
        break;
      }
      for(j=0; j<pCtx->nItem && pClash==0; j++){
        InferItem *pOther = &pCtx->aItem[j];
        if( !pOther->bInScope ) continue;
        for(l=0; l<2; l++){
          if( (j!=i || l!=k)
           && sqlite3_stricmp(pOther->azName[l], zName)==0 ){
            pClash = pOther;
          }
        }
      }
      if( pClash ){
        char *zWhat = inferCheck(pCtx, inferDescribe(pItem));
        char *zOther = inferCheck(pCtx, inferDescribe(pClash));
        if( zWhat && zOther ){
          inferError(pCtx, "no free name for %s: %s would also name %s;"
                     " declare one of them by hand and run %s again",
                     zWhat, zName, pClash==pItem ? "its other side" : zOther,
                     pCtx->zFunc);
        }
        sqlite3_free(zWhat);
        sqlite3_free(zOther);
      }
    }
  }
}

/*
** Work out what to declare: fills pCtx->aItem, marks the items to declare
** (bInScope) and names them (azName[]). On error pCtx->rc and pCtx->zErr
** are set.
*/
static void inferPlan(InferCtx *pCtx){
  int i;
  inferLoadTables(pCtx);
  if( pCtx->rc==SQLITE_OK && pCtx->zTable
   && inferTable(pCtx, pCtx->zTable)==0 ){
    inferError(pCtx, "no table %s in the main schema", pCtx->zTable);
  }
  for(i=0; i<pCtx->nTab && pCtx->rc==SQLITE_OK; i++){
    inferReadTable(pCtx, &pCtx->aTab[i]);
  }
  if( pCtx->rc==SQLITE_OK ) inferMarkDeclared(pCtx);
  for(i=0; i<pCtx->nItem && pCtx->rc==SQLITE_OK; i++){
    InferItem *pItem = &pCtx->aItem[i];
    const char *zT = pCtx->zTable;
    if( pItem->bDeclared ) continue;
    if( zT==0 ) pItem->bInScope = 1;
    else if( sqlite3_stricmp(pItem->zFrom, zT)==0 ) pItem->bInScope = 1;
    else if( pItem->zTo==0 ){
      pItem->bInScope = sqlite3_stricmp(pItem->zRef, zT)==0;
    }else if( sqlite3_stricmp(pItem->zTo, zT)==0 ) pItem->bInScope = 1;
    else if( pItem->bM2m ){
      pItem->bInScope = sqlite3_stricmp(pItem->zSec, zT)==0;
    }
    if( pItem->bInScope && pItem->zTo==0 ){
      inferError(pCtx, "%s.%s refers to %s, which is not a table of the main"
                 " schema; fix the foreign key, or declare the relationships"
                 " of %s by hand", pItem->zFrom, pItem->zCol, pItem->zRef,
                 pItem->zFrom);
    }
  }
  if( pCtx->rc==SQLITE_OK ) inferChooseNames(pCtx);
}

/*
** The CREATE VIRTUAL TABLE statement of pItem (no final ';'). The caller
** frees it.
*/
static char *inferSql(InferItem *pItem){
  /* the reverse is "<target>_<backref>" */
  const char *zBackref = &pItem->azName[1][strlen(pItem->zTo)+1];
  if( pItem->bM2m ){
    return sqlite3_mprintf("CREATE VIRTUAL TABLE \"%w\" USING relationship("
        "\"%w\", \"%w\", secondary=\"%w\", source_column=\"%w\","
        " target_column=\"%w\", backref=\"%w\"%s)", pItem->azName[0],
        pItem->zFrom, pItem->zTo, pItem->zSec, pItem->zCol, pItem->zCol2,
        zBackref, pItem->bViewonly ? ", viewonly=1" : "");
  }
  return sqlite3_mprintf("CREATE VIRTUAL TABLE \"%w\" USING relationship("
      "\"%w\", \"%w\", kind=many_to_one, foreign_key=\"%w\", backref=\"%w\"%s)",
      pItem->azName[0], pItem->zFrom, pItem->zTo, pItem->zCol, zBackref,
      pItem->bViewonly ? ", viewonly=1" : "");
}

/*
** Start a call: pCtx from the function's context and arguments. Returns 0
** (with the error set on ctx) when the argument is NULL.
*/
static int inferStart(
  InferCtx *pCtx, const char *zFunc, sqlite3_context *ctx,
  int argc, sqlite3_value **argv
){
  memset(pCtx, 0, sizeof(*pCtx));
  pCtx->db = sqlite3_context_db_handle(ctx);
  pCtx->pGlobal = (RelGlobal*)sqlite3_user_data(ctx);
  pCtx->zFunc = zFunc;
  if( argc>0 ){
    pCtx->zTable = (const char*)sqlite3_value_text(argv[0]);
    if( pCtx->zTable==0 ){
      char *zMsg = sqlite3_mprintf("%s: the table name is NULL; call %s()"
                                   " for every table", zFunc, zFunc);
      if( zMsg ) sqlite3_result_error(ctx, zMsg, -1);
      else sqlite3_result_error_nomem(ctx);
      sqlite3_free(zMsg);
      return 0;
    }
  }
  return 1;
}

/*
** End a call: report pCtx's error on ctx, if any, and free pCtx.
*/
static void inferFinish(InferCtx *pCtx, sqlite3_context *ctx){
  if( pCtx->rc==SQLITE_NOMEM ){
    sqlite3_result_error_nomem(ctx);
  }else if( pCtx->rc!=SQLITE_OK ){
    sqlite3_result_error(ctx, pCtx->zErr ? pCtx->zErr : pCtx->zFunc, -1);
    sqlite3_result_error_code(ctx, pCtx->rc);
  }
  inferClear(pCtx);
}

/*
** SQL function rel_infer_sql([TABLE]): the CREATE VIRTUAL TABLE statements
** rel_infer() would run, one per line, each ending in ';' ('' when there
** is nothing to declare). Writes nothing.
*/
static void relInferSqlFunc(
  sqlite3_context *ctx, int argc, sqlite3_value **argv
){
  InferCtx c;
  sqlite3_str *pStr;
  int i;
  if( !inferStart(&c, "rel_infer_sql", ctx, argc, argv) ) return;
  inferPlan(&c);
  if( c.rc==SQLITE_OK ){
    char *zOut;
    pStr = sqlite3_str_new(c.db);
    for(i=0; i<c.nItem; i++){
      char *zSql;
      if( !c.aItem[i].bInScope ) continue;
      zSql = inferSql(&c.aItem[i]);
      if( zSql==0 ){ c.rc = SQLITE_NOMEM; break; }
      if( sqlite3_str_length(pStr) ) sqlite3_str_appendall(pStr, "\n");
      sqlite3_str_appendf(pStr, "%s;", zSql);
      sqlite3_free(zSql);
    }
    if( sqlite3_str_errcode(pStr) ) c.rc = SQLITE_NOMEM;
    zOut = sqlite3_str_finish(pStr);
    if( c.rc==SQLITE_OK ){
      sqlite3_result_text(ctx, zOut ? zOut : "", -1,
                          zOut ? sqlite3_free : SQLITE_STATIC);
    }else{
      sqlite3_free(zOut);
    }
  }
  inferFinish(&c, ctx);
}

/*
** Run the statements of the items in scope inside a SAVEPOINT: all of
** them, or (on the first error, which is recorded) none. Returns 0 when
** the SAVEPOINT could not be closed (out of memory: see relSelfCall()).
*/
static int inferRun(InferCtx *pCtx){
  char **azSql = sqlite3_malloc64(sizeof(char*)*(pCtx->nItem+1));
  int i, n = 0, bClosed = 1;
  if( azSql==0 ){
    if( pCtx->rc==SQLITE_OK ) pCtx->rc = SQLITE_NOMEM;
    return 1;
  }
  for(i=0; i<pCtx->nItem; i++){
    if( !pCtx->aItem[i].bInScope ) continue;
    azSql[n] = inferSql(&pCtx->aItem[i]);
    if( azSql[n]==0 ){
      if( pCtx->rc==SQLITE_OK ) pCtx->rc = SQLITE_NOMEM;
      break;
    }
    n++;
  }
  if( i==pCtx->nItem ){
    bClosed = relSavepointRun(pCtx->db, "rel_infer", pCtx->zFunc,
        "cannot declare from inside a statement that writes; call it in a"
        " SELECT of its own", azSql, n, &pCtx->rc, &pCtx->zErr);
  }
  for(i=0; i<n; i++) sqlite3_free(azSql[i]);
  sqlite3_free(azSql);
  return bClosed;
}

/* The pointer type of the InferCtx that rel_infer() passes to itself */
#define INFER_POINTER "rel_infer_run"

/*
** Run inferRun() from a statement of its own (relSelfCall(), for the
** reason it gives: nothing stays half declared).
*/
static void inferApply(InferCtx *pCtx){
  int rc = relSelfCall(pCtx->db, "rel_infer", pCtx, INFER_POINTER);
  if( rc!=SQLITE_DONE && pCtx->rc==SQLITE_OK ){
    /* the statement failed before or after inferRun() */
    inferDbError(pCtx, rc);
  }
}

/*
** SQL function rel_infer([TABLE]): declares the relationships the foreign
** keys describe (of TABLE only, when given) and returns the names of the
** tables created as a JSON array, in the order rel_infer_sql() lists
** them: each statement's table, then its reverse.
*/
static void relInferFunc(
  sqlite3_context *ctx, int argc, sqlite3_value **argv
){
  InferCtx c;
  char *zOut = 0;
  int i, k, nDo = 0;
  if( argc==1 ){
    InferCtx *pRun = sqlite3_value_pointer(argv[0], INFER_POINTER);
    if( pRun ){
      /* the inner call of inferApply() */
      if( !inferRun(pRun) ) sqlite3_result_error_nomem(ctx);
      else if( pRun->rc!=SQLITE_OK ) sqlite3_result_error(ctx, "", 0);
      return;
    }
  }
  if( !inferStart(&c, "rel_infer", ctx, argc, argv) ) return;
  inferPlan(&c);
  if( c.rc==SQLITE_OK ){
    /* the result first, so that running out of memory declares nothing */
    sqlite3_str *pStr = sqlite3_str_new(c.db);
    sqlite3_str_appendall(pStr, "[");
    for(i=0; i<c.nItem; i++){
      if( !c.aItem[i].bInScope ) continue;
      for(k=0; k<2; k++){
        if( nDo++ ) sqlite3_str_appendall(pStr, ",");
        relJsonString(pStr, c.aItem[i].azName[k]);
      }
    }
    sqlite3_str_appendall(pStr, "]");
    zOut = sqlite3_str_finish(pStr);
    if( zOut==0 ) c.rc = SQLITE_NOMEM;
  }
  if( c.rc==SQLITE_OK && nDo>0 ) inferApply(&c);
  if( c.rc==SQLITE_OK ){
    sqlite3_result_text(ctx, zOut, -1, sqlite3_free);
    sqlite3_result_subtype(ctx, 'J');
  }else{
    sqlite3_free(zOut);
  }
  inferFinish(&c, ctx);
}

/*
** Register rel_infer() and rel_infer_sql(), with and without the table
** argument. rel_infer() writes the schema, so it is SQLITE_DIRECTONLY;
** rel_infer_sql() only reads it (not deterministic: the schema changes).
*/
int relRegisterInfer(sqlite3 *db, RelGlobal *pGlobal){
  static const RelFunc aFunc[] = {
    { "rel_infer",     0, SQLITE_UTF8|SQLITE_DIRECTONLY, relInferFunc },
    { "rel_infer",     1, SQLITE_UTF8|SQLITE_DIRECTONLY, relInferFunc },
    { "rel_infer_sql", 0, SQLITE_UTF8|SQLITE_INNOCUOUS,  relInferSqlFunc },
    { "rel_infer_sql", 1, SQLITE_UTF8|SQLITE_INNOCUOUS,  relInferSqlFunc },
  };
  return relCreateFunctions(db, pGlobal, aFunc,
                            (int)(sizeof(aFunc)/sizeof(aFunc[0])));
}
