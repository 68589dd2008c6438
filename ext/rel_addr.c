/*
** rel_addr.c: the rowids of links kept in a WITHOUT ROWID association table.
**
** USAGE
**
**     CREATE TABLE "left"(id INTEGER PRIMARY KEY, name TEXT);
**     CREATE TABLE "right"(id INTEGER PRIMARY KEY, name TEXT);
**     CREATE TABLE association(
**         left_id INTEGER NOT NULL REFERENCES "left"(id),
**         right_id INTEGER NOT NULL REFERENCES "right"(id),
**         PRIMARY KEY(left_id, right_id)) WITHOUT ROWID;
**     CREATE VIRTUAL TABLE left_children USING relationship("left", "right",
**         secondary=association);
**     SELECT * FROM left_children(1);
**     DELETE FROM left_children WHERE owner = 1 AND name = 'R2';
**     UPDATE left_children SET owner = 2 WHERE owner = 1;
**
** HOW IT WORKS
**
** A relationship table's row is addressed by a rowid: for a many-to-many,
** the association row's (rel_vtab.c). SQLite hands xUpdate nothing but
** that rowid for a DELETE or an UPDATE, so an association row without a
** rowid gets one here: when SQLite asks a cursor for the rowid of a row
** (xRowid), the row's PRIMARY KEY values (and, symmetric=1, which way the
** row was read) are copied into the table's registry under the next
** number, and that number is the rowid. xUpdate and a "rowid = ?" plan
** read the values back and find the row by its PRIMARY KEY, which names
** one row whatever its columns are (the two links, or an id of its own).
**
** The numbers are never reused (a 64-bit counter per table). The registry
** is emptied when a cursor opens on the table while no other cursor of it
** is open and no write through it is running: then no statement that read
** a number can still use it. So a rowid holds while the statement that
** read it runs (SQLite keeps a statement's cursors open to its end; a
** one-pass UPDATE or DELETE closes its cursor before xUpdate, which runs
** before any other cursor opens), and memory is bounded by the rows read
** meanwhile. A rowid asked for later is refused with an error that says
** so; an INSERT through such a table sets last_insert_rowid() to 0.
*/
#include "relationship_int.h"

/* The registry of one relationship table (RelVtab.pAddr). Entry k has
** rowid iFloor+k, its PRIMARY KEY values at apVal[k*nPk], its direction
** at aRev[k]. */
struct RelAddr {
  i64 iFloor;               /* Rowid of entry 0; lower ones are gone */
  int nPk;                  /* Values per entry */
  int nEntry;               /* Entries in use */
  int nAlloc;               /* Entries allocated */
  sqlite3_value **apVal;    /* nAlloc*nPk values */
  u8 *aRev;                 /* nAlloc directions */
};

/*
** Is p a many-to-many through a WITHOUT ROWID association table, whose
** links get their rowids here?
*/
int relAddrKeyed(RelDecl *p){
  return p->eKind==REL_MANY_TO_MANY && p->sec.bWithoutRowid;
}

/*
** The number of PRIMARY KEY columns of p's association table, and the
** index in sec.aCol of the i-th (0-based, in PRIMARY KEY order; -1 when
** there is none).
*/
static int relAddrNPk(RelDecl *p){
  int i, n = 0;
  for(i=0; i<p->sec.nCol; i++) if( p->sec.aCol[i].iPk ) n++;
  return n;
}
static int relAddrPkCol(RelDecl *p, int iPk){
  int i;
  for(i=0; i<p->sec.nCol; i++) if( p->sec.aCol[i].iPk==iPk+1 ) return i;
  return -1;
}

/*
** The name of the i-th PRIMARY KEY column as an expression over alias a
** (over the symmetric subquery: its alias "rel$pk<i>"), appended to pStr.
*/
static void relAddrPkExpr(sqlite3_str *pStr, RelDecl *p, const char *zAlias,
                          int i){
  if( p->bSymmetric && zAlias ){
    sqlite3_str_appendf(pStr, "%s.\"rel$pk%d\"", zAlias, i);
  }else if( zAlias ){
    sqlite3_str_appendf(pStr, "%s.\"%w\"", zAlias,
                        p->sec.aCol[relAddrPkCol(p, i)].zName);
  }else{
    sqlite3_str_appendf(pStr, "\"%w\"", p->sec.aCol[relAddrPkCol(p, i)].zName);
  }
}

/*
** The columns of the symmetric subquery (relSymmetricSql) that address a
** row of a keyed table, for direction k: ", k AS "rel$dir", "pk" AS
** "rel$pk0", ...". Appended to pStr.
*/
void relAddrSymmetricCols(sqlite3_str *pStr, RelDecl *p, int k){
  int i, n = relAddrNPk(p);
  sqlite3_str_appendf(pStr, ", %d AS \"rel$dir\"", k);
  for(i=0; i<n; i++){
    sqlite3_str_appendf(pStr, ", \"%w\" AS \"rel$pk%d\"",
                        p->sec.aCol[relAddrPkCol(p, i)].zName, i);
  }
}

/*
** The expressions a read statement selects, after the owner, to address
** its row: the link rowid (relRowidExpr), or for a keyed table the
** association row's PRIMARY KEY columns and (symmetric) its direction.
** bAssoc: over the association table itself, with no alias: its rowid, or
** its PRIMARY KEY columns. The caller frees the result; NULL when out of
** memory.
*/
char *relAddrCols(RelDecl *p, int bAssoc){
  sqlite3_str *pStr;
  int i, n;
  if( !relAddrKeyed(p) ){
    return bAssoc ? sqlite3_mprintf("%s", relRowidName(&p->sec))
                  : relRowidExpr(p);
  }
  pStr = sqlite3_str_new(0);
  n = relAddrNPk(p);
  for(i=0; i<n; i++){
    if( i ) sqlite3_str_appendall(pStr, ", ");
    relAddrPkExpr(pStr, p, bAssoc ? 0 : "a", i);
  }
  if( p->bSymmetric && !bAssoc ) sqlite3_str_appendall(pStr, ", a.\"rel$dir\"");
  return sqlite3_str_finish(pStr);
}

/*
** "<the link's address> = ?iParam" over the aliases of relFromSql(): the
** link rowid, or for a keyed table one term per PRIMARY KEY column (then
** the direction, symmetric) from ?iParam on, as relAddrBind() binds them.
** bAssoc: over the association table itself, with no alias (and no
** direction), as relAddrBindAssoc() binds them; for a rowid table, its
** rowid. The caller frees the result; NULL when out of memory.
*/
char *relAddrWhere(RelDecl *p, int iParam, int bAssoc){
  sqlite3_str *pStr;
  int i, n;
  if( !relAddrKeyed(p) ){
    char *zRowid = bAssoc ? sqlite3_mprintf("%s", relRowidName(&p->sec))
                          : relRowidExpr(p);
    char *zOut = zRowid ? sqlite3_mprintf("%s = ?%d", zRowid, iParam) : 0;
    sqlite3_free(zRowid);
    return zOut;
  }
  pStr = sqlite3_str_new(0);
  n = relAddrNPk(p);
  for(i=0; i<n; i++){
    if( i ) sqlite3_str_appendall(pStr, " AND ");
    relAddrPkExpr(pStr, p, bAssoc ? 0 : "a", i);
    sqlite3_str_appendf(pStr, " = ?%d", iParam+i);
  }
  if( p->bSymmetric && !bAssoc ){
    sqlite3_str_appendf(pStr, " AND a.\"rel$dir\" = ?%d", iParam+n);
  }
  return sqlite3_str_finish(pStr);
}

/*
** Empty the registry (its rowids become "gone"). Called when no statement
** can hold one of them; see HOW IT WORKS.
*/
void relAddrReset(RelVtab *pTab){
  RelAddr *pA = pTab->pAddr;
  int i;
  if( pA==0 ) return;
  for(i=0; i<pA->nEntry*pA->nPk; i++) sqlite3_value_free(pA->apVal[i]);
  pA->iFloor += pA->nEntry;
  pA->nEntry = 0;
  if( pA->nAlloc>256 ){
    /* a big statement is over: give its memory back */
    sqlite3_free(pA->apVal);
    sqlite3_free(pA->aRev);
    pA->apVal = 0;
    pA->aRev = 0;
    pA->nAlloc = 0;
  }
}

/*
** Free the registry of pTab (at disconnect).
*/
void relAddrFree(RelVtab *pTab){
  RelAddr *pA = pTab->pAddr;
  if( pA==0 ) return;
  relAddrReset(pTab);
  sqlite3_free(pA->apVal);
  sqlite3_free(pA->aRev);
  sqlite3_free(pA);
  pTab->pAddr = 0;
}

/*
** Register the association row whose PRIMARY KEY values are columns
** iCol, iCol+1, ... of pStmt's current row (bDirCol: its direction
** follows them) and set *piRowid to its new rowid. SQLITE_NOMEM when out
** of memory, with nothing registered.
*/
int relAddrRegister(RelVtab *pTab, sqlite3_stmt *pStmt, int iCol,
                    int bDirCol, i64 *piRowid){
  RelAddr *pA = pTab->pAddr;
  int i, nPk;
  sqlite3_value **apNew;
  if( pA==0 ){
    pA = relMallocZero(sizeof(*pA));
    if( pA==0 ) return SQLITE_NOMEM;
    pA->iFloor = 1;
    pA->nPk = relAddrNPk(pTab->pDecl);
    pTab->pAddr = pA;
  }
  nPk = pA->nPk;
  if( pA->nEntry>=pA->nAlloc ){
    i64 nNew = pA->nAlloc ? (i64)pA->nAlloc*2 : 16;
    u8 *aRev;
    apNew = sqlite3_realloc64(pA->apVal, sizeof(sqlite3_value*)*nNew*nPk);
    if( apNew==0 ) return SQLITE_NOMEM;
    pA->apVal = apNew;
    aRev = sqlite3_realloc64(pA->aRev, nNew);
    if( aRev==0 ) return SQLITE_NOMEM;
    pA->aRev = aRev;
    pA->nAlloc = (int)nNew;
  }
  apNew = &pA->apVal[(i64)pA->nEntry*nPk];
  for(i=0; i<nPk; i++){
    apNew[i] = sqlite3_value_dup(sqlite3_column_value(pStmt, iCol+i));
    if( apNew[i]==0 ){
      while( i>0 ) sqlite3_value_free(apNew[--i]);
      return SQLITE_NOMEM;
    }
  }
  pA->aRev[pA->nEntry] = bDirCol ? sqlite3_column_int(pStmt, iCol+nPk)!=0 : 0;
  *piRowid = pA->iFloor + pA->nEntry;
  pA->nEntry++;
  return SQLITE_OK;
}

/*
** Bind the address of the link with rowid iRowid to pStmt from parameter
** iParam on, as relAddrWhere(p, iParam, bAssoc) reads it. For a table
** with rowids, the rowid itself. For a keyed one: SQLITE_OK; SQLITE_DONE
** when no row ever had that rowid; an error (set on the table) when the
** rowid was handed out by a statement that is over.
*/
int relAddrBind(RelVtab *pTab, sqlite3_stmt *pStmt, int iParam, i64 iRowid,
                int bAssoc){
  RelDecl *p = pTab->pDecl;
  RelAddr *pA = pTab->pAddr;
  i64 k;
  int i, rc = SQLITE_OK;
  if( !relAddrKeyed(p) ){
    return sqlite3_bind_int64(pStmt, iParam, iRowid);
  }
  if( iRowid<1 || pA==0 || iRowid>=pA->iFloor+pA->nEntry ) return SQLITE_DONE;
  if( iRowid<pA->iFloor ){
    relVtabError(&pTab->base, "relationship %s: rowid %lld is gone: %s is a"
        " WITHOUT ROWID table, and the rowid of a link through it holds only"
        " while the statement that read it runs; find the link by owner"
        " and key", p->zName, iRowid, p->sec.zName);
    return SQLITE_ERROR;
  }
  k = iRowid - pA->iFloor;
  for(i=0; rc==SQLITE_OK && i<pA->nPk; i++){
    rc = sqlite3_bind_value(pStmt, iParam+i, pA->apVal[k*pA->nPk+i]);
  }
  if( rc==SQLITE_OK && p->bSymmetric && !bAssoc ){
    rc = sqlite3_bind_int(pStmt, iParam+pA->nPk, pA->aRev[k]);
  }
  return rc;
}

/*
** Forget the link with rowid iRowid when it is the last registered (a
** rowid used only inside one write: INSERT OR REPLACE of a link that
** exists), so that writes that read nothing do not grow the registry.
*/
void relAddrForget(RelVtab *pTab, i64 iRowid){
  RelAddr *pA = pTab->pAddr;
  int i;
  if( pA==0 || pA->nEntry==0 || iRowid!=pA->iFloor+pA->nEntry-1 ) return;
  pA->nEntry--;
  for(i=0; i<pA->nPk; i++){
    sqlite3_value_free(pA->apVal[(i64)pA->nEntry*pA->nPk+i]);
  }
}

/*
** Column zCol of the association table now holds pNew: in the row of link
** iRowid (iRowid>0), or (iRowid==0) in every row where it held pOld. Keep
** the registered PRIMARY KEY values true to that. SQLITE_NOMEM when out of
** memory (the write fails; the statement journal undoes it).
*/
static int relAddrCarry(RelVtab *pTab, i64 iRowid, const char *zCol,
                        sqlite3_value *pOld, sqlite3_value *pNew){
  RelAddr *pA = pTab->pAddr;
  int iPk, k;
  if( pA==0 ) return SQLITE_OK;
  for(iPk=0; iPk<pA->nPk; iPk++){
    int iCol = relAddrPkCol(pTab->pDecl, iPk);
    if( sqlite3_stricmp(pTab->pDecl->sec.aCol[iCol].zName, zCol)==0 ) break;
  }
  if( iPk>=pA->nPk ) return SQLITE_OK;         /* not in the PRIMARY KEY */
  for(k=0; k<pA->nEntry; k++){
    sqlite3_value **pp = &pA->apVal[(i64)k*pA->nPk+iPk];
    sqlite3_value *pDup;
    if( iRowid ? pA->iFloor+k!=iRowid : !relStoredEq(*pp, pOld) ) continue;
    pDup = sqlite3_value_dup(pNew);
    if( pDup==0 ) return SQLITE_NOMEM;
    sqlite3_value_free(*pp);
    *pp = pDup;
  }
  return SQLITE_OK;
}

/*
** An UPDATE through a keyed table changed the target's key from pOld to
** pNew (as the target stores it: the triggers carried that value to every
** association row naming pOld, in a self-referential table from either
** column). Keep the registered primary keys true to it. Call after the
** target's row is written.
*/
int relAddrAfterTarget(RelVtab *pTab, sqlite3_value *pOld,
                       sqlite3_value *pNew){
  RelDecl *p = pTab->pDecl;
  int rc;
  if( !relAddrKeyed(p) || relStoredEq(pNew, pOld) ) return SQLITE_OK;
  rc = relAddrCarry(pTab, 0, p->zTgtCol, pOld, pNew);
  if( rc==SQLITE_OK && sqlite3_stricmp(p->src.zName, p->tgt.zName)==0
   && ((p->zSrcKey==0 && p->zTgtKey==0) || (p->zSrcKey && p->zTgtKey
       && sqlite3_stricmp(p->zSrcKey, p->zTgtKey)==0)) ){
    rc = relAddrCarry(pTab, 0, p->zSrcCol, pOld, pNew);
  }
  return rc;
}

/*
** An UPDATE through a keyed table set association columns of the row of
** link iRowid (aVal as xUpdate gives them): a PRIMARY KEY column among
** them (an association object's own id) now holds its new value. Call
** after the association row is written.
*/
int relAddrAfterAssoc(RelVtab *pTab, i64 iRowid, sqlite3_value **aVal){
  RelDecl *p = pTab->pDecl;
  int i, rc = SQLITE_OK;
  if( !relAddrKeyed(p) ) return SQLITE_OK;
  for(i=p->nTgtCol; rc==SQLITE_OK && i<p->nCol; i++){
    if( sqlite3_value_nochange(aVal[i]) ) continue;
    rc = relAddrCarry(pTab, iRowid, p->sec.aCol[p->aBaseCol[i]].zName, 0,
                      aVal[i]);
  }
  return rc;
}
