/*
** rel_write.c: INSERT, DELETE and UPDATE on a relationship table.
**
** USAGE
**
**     INSERT INTO parent_children(owner, id) VALUES (1, 5);     -- link
**     INSERT INTO parent_children(owner, name) VALUES (1, 'x'); -- create+link
**     DELETE FROM parent_children WHERE owner = 1 AND id = 5;   -- unlink
**     UPDATE parent_children SET name = 'y' WHERE id = 5;       -- the row
**     UPDATE parent_children SET owner = 2 WHERE id = 5;        -- move
**     INSERT INTO child_parent(owner, id) VALUES (5, 2);        -- assign
**
** HOW IT WORKS
**
** xUpdate (relUpdate) dispatches to relInsert, relDelete and relUpdateRow.
** Each first reads what it needs and checks every rule (the owner exists,
** a given key's row matches the values given, the link is new, an unlink
** is allowed), and reports a broken rule as SQLITE_CONSTRAINT before it
** writes anything: the module declares SQLITE_VTAB_CONSTRAINT_SUPPORT, so
** SQLite applies the statement's OR IGNORE / OR FAIL / OR ROLLBACK / OR
** ABORT itself. OR REPLACE is ours: a duplicate link is kept, and a key's
** row gets the values given. Then it writes, with statements prepared
** once per table (RelVtab.aWrite). A failed statement is undone by SQLite's
** statement journal, with the base-table writes made here.
*/
#include "relationship_int.h"
#include <stdarg.h>
#include <stdio.h>

/*
** The value expression for inserting column pCol from parameter iParam:
** the parameter, or its column's DEFAULT when the parameter is NULL.
*/
static void relAppendValue(sqlite3_str *pStr, RelColumn *pCol, int iParam){
  if( pCol->zDflt ){
    sqlite3_str_appendf(pStr, "coalesce(?%d, (%s))", iParam, pCol->zDflt);
  }else{
    sqlite3_str_appendf(pStr, "?%d", iParam);
  }
}

/*
** The name by which an INSERT into the target gives its rowid: NULL when
** the target has an INTEGER PRIMARY KEY (that column is the rowid, and
** is given as itself), else the first of SQLite's three names for the
** rowid that is not a column of the target (relRowidName).
*/
static const char *relTgtRowidName(RelDecl *p){
  if( p->tgt.iIpk>=0 ) return 0;
  return relRowidName(&p->tgt);
}

/*
** Can a many-to-many link be given a rowid of its own, its association
** row's? Not when that row has none (WITHOUT ROWID), nor for symmetric=1,
** whose link rowid is the association row's times two, plus one when
** read the other way round.
*/
static int relLinkRowidOk(RelDecl *p){
  return p->eKind==REL_MANY_TO_MANY && !p->bSymmetric
      && !p->sec.bWithoutRowid;
}

/*
** The SQL of write statement iStmt (REL_W_*) of relationship p, or NULL
** when out of memory. The caller frees it.
*/
static char *relWriteSql(RelDecl *p, int iStmt){
  const char *zDb = p->zDb;
  const char *zS = p->src.zName;
  const char *zT = p->tgt.zName;
  const char *zA = p->sec.zName;
  int bO2m = p->eKind==REL_ONE_TO_MANY || p->eKind==REL_ONE_TO_ONE;
  const char *zSR = relRowidName(&p->src);   /* the tables' rowids */
  const char *zTR = relRowidName(&p->tgt);
  char *zSrcKey = relBaseKey("s", &p->src, p->zSrcKey);
  char *zTgtKey = relBaseKey("t", &p->tgt, p->zTgtKey);
  /* m2m: where the association row is (its rowid or, WITHOUT ROWID, its
  ** PRIMARY KEY: rel_addr.c); the parameters of UNLINK, MOVE, LOCATE */
  char *zAddr = p->eKind!=REL_MANY_TO_MANY ? 0
      : relAddrWhere(p, iStmt==REL_W_MOVE ? 3 : 1, iStmt!=REL_W_LOCATE);
  sqlite3_str *pStr = sqlite3_str_new(0);
  int i, n;

  if( zSrcKey==0 || zTgtKey==0
   || (p->eKind==REL_MANY_TO_MANY && zAddr==0) ){
    /* out of memory: an empty key would make other SQL, not none */
    sqlite3_free(zSrcKey);
    sqlite3_free(zTgtKey);
    sqlite3_free(zAddr);
    sqlite3_free(sqlite3_str_finish(pStr));
    return 0;
  }
  switch( iStmt ){
    case REL_W_OWNER_FIND:
      /* -> source rowid, its key as stored [, m2o: its foreign key] */
      sqlite3_str_appendf(pStr, "SELECT s.%s, %s%s%w%s FROM \"%w\".\"%w\""
          " AS s WHERE %s = ?1", zSR, zSrcKey,
          p->eKind==REL_MANY_TO_ONE ? ", s.\"" : "",
          p->eKind==REL_MANY_TO_ONE ? p->zFk : "",
          p->eKind==REL_MANY_TO_ONE ? "\"" : "", zDb, zS, zSrcKey);
      break;
    case REL_W_TGT_FIND:
    case REL_W_TGT_ROWID:
      /* -> target rowid, key [, o2m: is it linked to ?2] */
      sqlite3_str_appendf(pStr, "SELECT t.%s, %s", zTR, zTgtKey);
      if( bO2m ){
        /* (under the key's collating sequence too: relLinkKeyColl) */
        const char *zColl = relLinkKeyColl(&p->tgt, p->zFk, &p->src,
                                           p->zSrcKey);
        sqlite3_str_appendf(pStr, ", t.\"%w\" IS NOT NULL AND t.\"%w\" = ?2",
                            p->zFk, p->zFk);
        if( zColl ){
          sqlite3_str_appendf(pStr, " AND t.\"%w\" = ?2 COLLATE \"%w\"",
                              p->zFk, zColl);
        }
      }
      sqlite3_str_appendf(pStr, " FROM \"%w\".\"%w\" AS t WHERE %s%s = ?1",
          zDb, zT, iStmt==REL_W_TGT_FIND ? "" : "t.",
          iStmt==REL_W_TGT_FIND ? zTgtKey : zTR);
      break;
    case REL_W_TGT_SAME:
      /* ?1 target rowid, ?(i+2) the value given for column i */
      sqlite3_str_appendf(pStr, "SELECT 1 FROM \"%w\".\"%w\" AS t"
          " WHERE t.%s = ?1", zDb, zT, zTR);
      for(i=0; i<p->nTgtCol; i++){
        sqlite3_str_appendf(pStr, " AND (?%d IS NULL OR %s IS ?%d)", i+2,
                            p->azExpr[i], i+2);
      }
      break;
    case REL_W_TGT_INSERT: {
      /* ?(i+1) the value for target column i; with no INTEGER PRIMARY
      ** KEY, ?(nTgtCol+1) the new row's rowid (NULL: SQLite picks one),
      ** so that the row is inserted with it, as its triggers see it */
      const char *zRowid = relTgtRowidName(p);
      sqlite3_str_appendf(pStr, "INSERT INTO \"%w\".\"%w\"(", zDb, zT);
      n = 0;
      if( zRowid ){
        sqlite3_str_appendall(pStr, zRowid);
        n++;
      }
      for(i=0; i<p->nTgtCol; i++){
        RelColumn *pCol = &p->tgt.aCol[p->aBaseCol[i]];
        if( pCol->bGenerated ) continue;
        sqlite3_str_appendf(pStr, "%s\"%w\"", n++ ? ", " : "", pCol->zName);
      }
      sqlite3_str_appendall(pStr, ") VALUES (");
      n = 0;
      if( zRowid ){
        sqlite3_str_appendf(pStr, "?%d", p->nTgtCol+1);
        n++;
      }
      for(i=0; i<p->nTgtCol; i++){
        RelColumn *pCol = &p->tgt.aCol[p->aBaseCol[i]];
        if( pCol->bGenerated ) continue;
        if( n++ ) sqlite3_str_appendall(pStr, ", ");
        relAppendValue(pStr, pCol, i+1);
      }
      sqlite3_str_appendall(pStr, ")");
      break;
    }
    case REL_W_LINK:
    case REL_W_LINK_ROWID:
      if( bO2m ){
        sqlite3_str_appendf(pStr, "UPDATE \"%w\".\"%w\" SET \"%w\" = ?1"
            " WHERE %s = ?2", zDb, zT, p->zFk, zTR);
      }else if( p->eKind==REL_MANY_TO_ONE ){
        sqlite3_str_appendf(pStr, "UPDATE \"%w\".\"%w\" SET \"%w\" = ?1"
            " WHERE %s = ?2", zDb, zS, p->zFk, zSR);
      }else{
        /* ?1 owner, ?2 target key, ?(3+j) association column j (none
        ** for a generated column); REL_W_LINK_ROWID (only where
        ** relLinkRowidOk) also ?(3+nCol-nTgtCol), the new row's rowid. A
        ** statement of its own: the rowid column bound NULL cost every
        ** other link about 130 instructions */
        int bRowid = iStmt==REL_W_LINK_ROWID;
        sqlite3_str_appendf(pStr, "INSERT INTO \"%w\".\"%w\"(\"%w\", \"%w\"",
                            zDb, zA, p->zSrcCol, p->zTgtCol);
        for(i=p->nTgtCol; i<p->nCol; i++){
          if( p->sec.aCol[p->aBaseCol[i]].bGenerated ) continue;
          sqlite3_str_appendf(pStr, ", \"%w\"",
                              p->sec.aCol[p->aBaseCol[i]].zName);
        }
        if( bRowid ){
          sqlite3_str_appendf(pStr, ", %s", relRowidName(&p->sec));
        }
        sqlite3_str_appendall(pStr, ") VALUES (?1, ?2");
        for(i=p->nTgtCol; i<p->nCol; i++){
          if( p->sec.aCol[p->aBaseCol[i]].bGenerated ) continue;
          sqlite3_str_appendall(pStr, ", ");
          relAppendValue(pStr, &p->sec.aCol[p->aBaseCol[i]],
                         3+i-p->nTgtCol);
        }
        if( bRowid ){
          sqlite3_str_appendf(pStr, ", ?%d", 3+p->nCol-p->nTgtCol);
        }
        sqlite3_str_appendall(pStr, ")");
      }
      break;
    case REL_W_UNLINK:
      if( bO2m && (p->mCascade & REL_CASCADE_DELETE_ORPHAN) ){
        sqlite3_str_appendf(pStr, "DELETE FROM \"%w\".\"%w\" WHERE %s = ?1",
                            zDb, zT, zTR);
      }else if( bO2m ){
        sqlite3_str_appendf(pStr, "UPDATE \"%w\".\"%w\" SET \"%w\" = NULL"
            " WHERE %s = ?1", zDb, zT, p->zFk, zTR);
      }else if( p->eKind==REL_MANY_TO_ONE ){
        sqlite3_str_appendf(pStr, "UPDATE \"%w\".\"%w\" SET \"%w\" = NULL"
            " WHERE %s = ?1", zDb, zS, p->zFk, zSR);
      }else{
        sqlite3_str_appendf(pStr, "DELETE FROM \"%w\".\"%w\" WHERE %s",
                            zDb, zA, zAddr);
      }
      break;
    case REL_W_LOCATE:
      if( p->bSymmetric && !relAddrKeyed(p) ){
        /* ?1 = association rowid * 2 (+1 when read the other way) */
        sqlite3_str_appendf(pStr, "SELECT CASE WHEN ?1 %% 2 THEN a.\"%w\""
            " ELSE a.\"%w\" END, t.%s, %s FROM \"%w\".\"%w\" AS a"
            " JOIN \"%w\".\"%w\" AS t ON %s = CASE WHEN ?1 %% 2"
            " THEN a.\"%w\" ELSE a.\"%w\" END WHERE a.%s = ?1 >> 1",
            p->zTgtCol, p->zSrcCol, zTR, zTgtKey, zDb, zA, zDb, zT, zTgtKey,
            p->zSrcCol, p->zTgtCol, relRowidName(&p->sec));
        break;
      }
      {
      /* link rowid -> owner, target rowid, target key */
      char *zOwner = relOwnerExpr(p);
      char *zFrom = relFromSql(p, 0);
      char *zLink = zAddr ? 0 : relRowidExpr(p);
      if( zOwner==0 || zFrom==0 || (zAddr==0 && zLink==0) ){
        sqlite3_free(zOwner);
        sqlite3_free(zFrom);
        sqlite3_free(zLink);
        sqlite3_free(zSrcKey);
        sqlite3_free(zTgtKey);
        sqlite3_free(zAddr);
        sqlite3_free(sqlite3_str_finish(pStr));
        return 0;
      }
      if( zAddr ){
        sqlite3_str_appendf(pStr, "SELECT %s, t.%s, %s%s AND %s",
                            zOwner, zTR, zTgtKey, zFrom, zAddr);
      }else
      sqlite3_str_appendf(pStr, "SELECT %s, t.%s, %s%s AND %s = ?1",
                          zOwner, zTR, zTgtKey, zFrom, zLink);
      sqlite3_free(zOwner);
      sqlite3_free(zFrom);
      sqlite3_free(zLink);
      break;
    }
    case REL_W_LINK_FIND: {
      /* -> the association row's rowid (WITHOUT ROWID: its PRIMARY KEY) */
      char *zCols = relAddrCols(p, 1);
      /* each end compared under its key's collating sequence too, where
      ** the column has another (relLinkKeyColl) */
      const char *zSC = relLinkKeyColl(&p->sec, p->zSrcCol, &p->src,
                                       p->zSrcKey);
      const char *zTC = relLinkKeyColl(&p->sec, p->zTgtCol, &p->tgt,
                                       p->zTgtKey);
      if( zCols==0 ){
        sqlite3_free(zSrcKey);
        sqlite3_free(zTgtKey);
        sqlite3_free(zAddr);
        sqlite3_free(sqlite3_str_finish(pStr));
        return 0;
      }
      for(i=0; i<1+p->bSymmetric; i++){
        /* a friendship is stored once, either way round: the second arm */
        const char *zS = i ? "?2" : "?1";
        const char *zT = i ? "?1" : "?2";
        sqlite3_str_appendf(pStr, "%sSELECT %s FROM \"%w\".\"%w\""
            " WHERE \"%w\" = %s AND \"%w\" = %s", i ? " UNION ALL " : "",
            zCols, zDb, zA, p->zSrcCol, zS, p->zTgtCol, zT);
        if( zSC ){
          sqlite3_str_appendf(pStr, " AND \"%w\" = %s COLLATE \"%w\"",
                              p->zSrcCol, zS, zSC);
        }
        if( zTC ){
          sqlite3_str_appendf(pStr, " AND \"%w\" = %s COLLATE \"%w\"",
                              p->zTgtCol, zT, zTC);
        }
      }
      sqlite3_free(zCols);
      break;
    }
    case REL_W_MOVE:
      /* ?1 the new owner, ?3 (on) the association row */
      if( p->bSymmetric ){
        /* ?2: the old owner, at whichever end it stands */
        sqlite3_str_appendf(pStr, "UPDATE \"%w\".\"%w\" SET"
            " \"%w\" = CASE WHEN \"%w\" = ?2 THEN ?1 ELSE \"%w\" END,"
            " \"%w\" = CASE WHEN \"%w\" = ?2 THEN \"%w\" ELSE ?1 END"
            " WHERE %s", zDb, zA, p->zSrcCol, p->zSrcCol, p->zSrcCol,
            p->zTgtCol, p->zSrcCol, p->zTgtCol, zAddr);
        break;
      }
      sqlite3_str_appendf(pStr, "UPDATE \"%w\".\"%w\" SET \"%w\" = ?1"
          " WHERE %s", zDb, zA, p->zSrcCol, zAddr);
      break;
    case REL_W_LINK_FAST:
      /* ?1 owner, ?2 target key, ?(3+j) association column j: the owner
      ** when the source row exists, the target's stored key when the
      ** target row does, NULL otherwise (which the NOT NULL association
      ** columns refuse; see relLinkFast). OR ABORT: a NOT NULL or UNIQUE
      ** declared ON CONFLICT IGNORE or REPLACE must fail here too. A
      ** generated column is not written */
      sqlite3_str_appendf(pStr, "INSERT OR ABORT INTO \"%w\".\"%w\"(\"%w\", \"%w\"",
                          zDb, zA, p->zSrcCol, p->zTgtCol);
      for(i=p->nTgtCol; i<p->nCol; i++){
        if( p->sec.aCol[p->aBaseCol[i]].bGenerated ) continue;
        sqlite3_str_appendf(pStr, ", \"%w\"",
                            p->sec.aCol[p->aBaseCol[i]].zName);
      }
      sqlite3_str_appendf(pStr, ") VALUES (CASE WHEN EXISTS(SELECT 1 FROM"
          " \"%w\".\"%w\" AS s WHERE %s = ?1) THEN ?1 END, (SELECT %s FROM"
          " \"%w\".\"%w\" AS t WHERE %s = ?2)", zDb, zS, zSrcKey, zTgtKey,
          zDb, zT, zTgtKey);
      for(i=p->nTgtCol; i<p->nCol; i++){
        if( p->sec.aCol[p->aBaseCol[i]].bGenerated ) continue;
        sqlite3_str_appendall(pStr, ", ");
        relAppendValue(pStr, &p->sec.aCol[p->aBaseCol[i]],
                       3+i-p->nTgtCol);
      }
      sqlite3_str_appendall(pStr, ")");
      break;
    case REL_W_CHILD_FAST:
      /* ?1 owner, ?2 the child's rowid: its foreign key set only when the
      ** owner row exists and the child is not linked to it already (see
      ** relLinkChildFast) */
      sqlite3_str_appendf(pStr, "UPDATE \"%w\".\"%w\" SET \"%w\" = ?1"
          " WHERE %s = ?2 AND NOT (\"%w\" IS NOT NULL AND \"%w\" = ?1)"
          " AND EXISTS(SELECT 1 FROM \"%w\".\"%w\" AS s WHERE %s = ?1)",
          zDb, zT, p->zFk, zTR, p->zFk, p->zFk, zDb, zS, zSrcKey);
      break;
    default: { /* REL_W_CURRENT */
      const char *zColl = relLinkKeyColl(&p->tgt, p->zFk, &p->src,
                                         p->zSrcKey);
      sqlite3_str_appendf(pStr, "SELECT %s FROM \"%w\".\"%w\""
          " WHERE \"%w\" = ?1", zTR, zDb, zT, p->zFk);
      if( zColl ){
        sqlite3_str_appendf(pStr, " AND \"%w\" = ?1 COLLATE \"%w\"",
                            p->zFk, zColl);
      }
      break;
    }
  }
  sqlite3_free(zSrcKey);
  sqlite3_free(zTgtKey);
  sqlite3_free(zAddr);
  return sqlite3_str_finish(pStr);
}

/*
** A write statement kept by a relationship table must not hold that table
** (or any relationship table): it would hold itself, SQLite could never
** disconnect the table, and sqlite3_close() would fail with SQLITE_BUSY
** for the statement that nobody finalizes. A statement holds a virtual
** table when its program (or the program of a trigger it fires) uses it,
** as when a user's trigger on a base table reads or writes a relationship
** table. EXPLAIN shows each such use as a P4 of "vtab:<address>", the
** address of an sqlite3_vtab; if it is one of ours, *pbHolds is set.
*/
static int relStmtHoldsRel(RelVtab *pTab, sqlite3_stmt *pStmt, int *pbHolds){
  sqlite3_stmt *pExplain = 0;
  int rc;
  *pbHolds = 0;
  rc = relPrepare(pTab->db, &pExplain, "EXPLAIN %s", sqlite3_sql(pStmt));
  if( rc!=SQLITE_OK ) return rc;
  while( !*pbHolds && sqlite3_step(pExplain)==SQLITE_ROW ){
    const char *zP4 = (const char*)sqlite3_column_text(pExplain, 5);
    void *pAddr = 0;
    RelVtab *p;
    if( zP4==0 || strncmp(zP4, "vtab:", 5)!=0 ) continue;
    if( sscanf(zP4+5, "%p", &pAddr)!=1 ) continue;
    for(p=pTab->pGlobal->pList; p; p=p->pNext){
      if( (void*)&p->base==pAddr ){ *pbHolds = 1; break; }
    }
  }
  return sqlite3_finalize(pExplain);
}

/*
** Note that write statement pStmt (bit iBit of mStmtUsed) was used by the
** running write; on a new statement, find out whether it may be kept.
*/
static int relStmtNote(RelVtab *pTab, int iBit, sqlite3_stmt *pStmt,
                       int bNew){
  pTab->mStmtUsed |= 1u<<iBit;
  if( bNew ){
    int bHolds = 0;
    int rc = relStmtHoldsRel(pTab, pStmt, &bHolds);
    if( rc!=SQLITE_OK ) return rc;
    if( bHolds ) pTab->mStmtDrop |= 1u<<iBit;
  }
  return SQLITE_OK;
}

/*
** After a write (the outermost xUpdate on the table has returned):
** finalize the statements it used that are not to be kept, and those that
** SQLite prepared again since (the schema changed: a trigger may have been
** added), which are looked at anew on their next use.
*/
void relWriteRelease(RelVtab *pTab){
  int i;
  for(i=0; pTab->mStmtUsed && i<REL_NWRITE+2; i++){
    unsigned m = 1u<<i;
    sqlite3_stmt **pp = i<REL_NWRITE ? &pTab->aWrite[i]
                                     : &pTab->apDyn[i-REL_NWRITE];
    if( (pTab->mStmtUsed & m)==0 ) continue;
    pTab->mStmtUsed &= ~m;
    if( *pp==0 ) continue;
    if( (pTab->mStmtDrop & m)
     || sqlite3_stmt_status(*pp, SQLITE_STMTSTATUS_REPREPARE, 1)>0 ){
      sqlite3_finalize(*pp);
      *pp = 0;
      if( i>=REL_NWRITE ){
        sqlite3_free(pTab->azDynSql[i-REL_NWRITE]);
        pTab->azDynSql[i-REL_NWRITE] = 0;
      }
      pTab->mStmtDrop &= ~m;
    }
  }
  pTab->mStmtUsed = 0;
  pTab->bBaseOk = 0;
}

/*
** Before a write goes on with a statement just prepared, or with one that
** SQLite prepared again as it ran (the schema changed): are the base
** tables still the ones the declaration was read from (relBaseCheck in
** rel_vtab.c)? Once per write: no statement of a write changes the
** schema. SQLITE_OK, or an error code with the table's error set.
*/
static int relWriteBaseCheck(RelVtab *pTab){
  int rc;
  if( pTab->bBaseOk ) return SQLITE_OK;
  rc = relBaseCheck(pTab);
  if( rc==SQLITE_OK ) pTab->bBaseOk = 1;
  return rc;
}

/*
** Has SQLite prepared write statement pStmt again since it was prepared
** (or last looked at: relWriteRelease drops such statements after each
** write) and the base tables not been checked since?
*/
static int relReprepared(RelVtab *pTab, sqlite3_stmt *pStmt){
  return sqlite3_stmt_status(pStmt, SQLITE_STMTSTATUS_REPREPARE, 0)>0
      && !pTab->bBaseOk;
}

/*
** Prepare zSql as the statement of slot iBit of the running write
** (aWrite[] then apDyn[]: relStmtNote), and check the base tables. The
** statements of the fast paths (REL_W_LINK_FAST, REL_W_CHILD_FAST) write
** on their first step, and are prepared with the legacy sqlite3_prepare()
** so that a schema change stops them before they write (relFastStep)
** rather than SQLite preparing them again on its own. SQLITE_OK, or an
** error code with the table's error set.
*/
static int relStmtPrepare(RelVtab *pTab, int iBit, const char *zSql,
                          sqlite3_stmt **ppStmt){
  int rc;
  if( iBit==REL_W_LINK_FAST || iBit==REL_W_CHILD_FAST ){
    rc = sqlite3_prepare(pTab->db, zSql, -1, ppStmt, 0);
  }else{
    rc = sqlite3_prepare_v3(pTab->db, zSql, -1, SQLITE_PREPARE_PERSISTENT,
                            ppStmt, 0);
  }
  if( rc==SQLITE_OK ) rc = relStmtNote(pTab, iBit, *ppStmt, 1);
  if( rc!=SQLITE_OK ){
    relVtabError(&pTab->base, "relationship %s: %s", pTab->pDecl->zName,
                 rc==SQLITE_NOMEM ? "out of memory"
                                  : sqlite3_errmsg(pTab->db));
  }else{
    rc = relWriteBaseCheck(pTab);
  }
  if( rc!=SQLITE_OK ){
    sqlite3_finalize(*ppStmt);
    *ppStmt = 0;
    pTab->rcStmt = rc;
  }
  return rc;
}

/*
** A statement of its own for a nested write, from zSql (freed here). A
** write statement of the table that is running (sqlite3_stmt_busy: it is
** stepped further up the stack, and one of its triggers writes through
** the table again) must not be reset or replaced under it; the nested
** xUpdate gets this one instead, finalized when it returns
** (relNestedRelease). NULL on error (the table's error is set).
*/
static sqlite3_stmt *relStmtNested(RelVtab *pTab, char *zSql){
  RelNested *pNew = 0;
  sqlite3_stmt *pStmt = 0;
  int rc = SQLITE_NOMEM;
  if( zSql ){
    pNew = sqlite3_malloc64(sizeof(*pNew));
    if( pNew ){
      rc = sqlite3_prepare_v2(pTab->db, zSql, -1, &pStmt, 0);
    }
    sqlite3_free(zSql);
  }
  if( rc!=SQLITE_OK ){
    sqlite3_free(pNew);
    relVtabError(&pTab->base, "relationship %s: %s", pTab->pDecl->zName,
                 rc==SQLITE_NOMEM ? "out of memory"
                                  : sqlite3_errmsg(pTab->db));
    pTab->rcStmt = rc;
    return 0;
  }
  rc = relWriteBaseCheck(pTab);
  if( rc!=SQLITE_OK ){
    sqlite3_free(pNew);
    sqlite3_finalize(pStmt);
    pTab->rcStmt = rc;
    return 0;
  }
  pNew->pStmt = pStmt;
  pNew->iDepth = pTab->nUpdate;
  pNew->pNext = pTab->pNested;
  pTab->pNested = pNew;
  return pStmt;
}

/*
** Finalize the nested writes' statements made at xUpdate depth iDepth or
** deeper (0: all of them).
*/
void relNestedRelease(RelVtab *pTab, int iDepth){
  while( pTab->pNested && pTab->pNested->iDepth>=iDepth ){
    RelNested *p = pTab->pNested;
    pTab->pNested = p->pNext;
    sqlite3_finalize(p->pStmt);
    sqlite3_free(p);
  }
}

/*
** The write statement iStmt of pTab, prepared on first use and kept; reset
** (REL_W_TGT_SAME: with bindings cleared). NULL on error (the table's
** error is set).
*/
static sqlite3_stmt *relStmt(RelVtab *pTab, int iStmt){
  sqlite3_stmt *pStmt = pTab->aWrite[iStmt];
  if( pStmt && sqlite3_stmt_busy(pStmt) ){
    return relStmtNested(pTab, relWriteSql(pTab->pDecl, iStmt));
  }
  if( pStmt==0 ){
    char *zSql = relWriteSql(pTab->pDecl, iStmt);
    int rc;
    if( zSql==0 ){
      relVtabError(&pTab->base, "relationship %s: out of memory",
                   pTab->pDecl->zName);
      pTab->rcStmt = SQLITE_NOMEM;
      return 0;
    }
    rc = relStmtPrepare(pTab, iStmt, zSql, &pStmt);
    sqlite3_free(zSql);
    if( rc!=SQLITE_OK ) return 0;
    pTab->aWrite[iStmt] = pStmt;
  }else{
    pTab->mStmtUsed |= 1u<<iStmt;
    sqlite3_reset(pStmt);
    /* every statement but REL_W_TGT_SAME binds each parameter it has on
    ** every use; that one leaves the key's and foreign key's unbound */
    if( iStmt==REL_W_TGT_SAME ) sqlite3_clear_bindings(pStmt);
  }
  return pStmt;
}

/*
** Report the connection's error (a base table's constraint, a trigger's
** RAISE, ...) as this relationship's: "relationship X: <error>", unless a
** nested write through a relationship table named one already.
*/
static void relBaseError(RelVtab *pTab){
  const char *zErr = sqlite3_errmsg(pTab->db);
  if( strncmp(zErr, "relationship ", 13)==0 ){
    relVtabError(&pTab->base, "%s", zErr);
  }else{
    relVtabError(&pTab->base, "relationship %s: %s", pTab->pDecl->zName,
                 zErr);
  }
}

/*
** The code to give SQLite for rc, a base table's error. A constraint that
** a conflict clause resolves (NOT NULL, UNIQUE, CHECK, ...) stays one, so
** that OR IGNORE skips the row as it would in plain SQL. A trigger's
** RAISE(ABORT | FAIL | ROLLBACK) and a foreign key error end a plain
** statement whatever its OR clause says; as SQLITE_CONSTRAINT, OR IGNORE
** would skip them (and after RAISE(ROLLBACK) go on writing outside the
** transaction that was rolled back), so they become SQLITE_ERROR.
*/
static int relBaseCode(RelVtab *pTab, int rc){
  if( (rc & 0xff)==SQLITE_CONSTRAINT ){
    int x = sqlite3_extended_errcode(pTab->db);
    if( x==SQLITE_CONSTRAINT_TRIGGER || x==SQLITE_CONSTRAINT_FOREIGNKEY ){
      return SQLITE_ERROR;
    }
  }
  return rc;
}

/*
** Report the connection's error for a failed step of one of our own
** statements, and return its code.
*/
static int relStepError(RelVtab *pTab, sqlite3_stmt *pStmt){
  int rc = sqlite3_reset(pStmt);
  if( rc==SQLITE_OK ) rc = SQLITE_ERROR;
  relBaseError(pTab);
  return relBaseCode(pTab, rc);
}

/*
** Run a statement that writes; reset it after. pTab->bWrote is set when it
** changed a row (itself or by its triggers: a statement that ran to the
** end keeps its triggers' writes).
*/
static int relRun(RelVtab *pTab, sqlite3_stmt *pStmt){
  sqlite3_int64 nTotal = sqlite3_total_changes64(pTab->db);
  int rc = sqlite3_step(pStmt);
  if( rc==SQLITE_DONE || rc==SQLITE_ROW ){
    sqlite3_reset(pStmt);
    if( sqlite3_total_changes64(pTab->db)!=nTotal ) pTab->bWrote = 1;
    /* (a write before any look-up of the write: each path starts with
    ** one, or with a fast statement, so this is a last defence) */
    return relReprepared(pTab, pStmt) ? relWriteBaseCheck(pTab) : SQLITE_OK;
  }
  return relStepError(pTab, pStmt);
}

/*
** Step a lookup statement: SQLITE_ROW (the caller reads it, then resets
** it), SQLITE_DONE (nothing found; reset done), or an error (reported).
*/
static int relLookup(RelVtab *pTab, sqlite3_stmt *pStmt){
  int rc = sqlite3_step(pStmt);
  if( (rc==SQLITE_ROW || rc==SQLITE_DONE) && relReprepared(pTab, pStmt) ){
    int rc2 = relWriteBaseCheck(pTab);
    if( rc2!=SQLITE_OK ){
      sqlite3_reset(pStmt);
      return rc2;
    }
  }
  if( rc==SQLITE_ROW ) return rc;
  if( rc==SQLITE_DONE ){ sqlite3_reset(pStmt); return rc; }
  return relStepError(pTab, pStmt);
}

/*
** Run write statement iStmt with ?1 = pVal and ?2 = iRowid (a link made
** or moved: REL_W_LINK for one-to-many and many-to-one, REL_W_MOVE).
*/
static int relRunValueRowid(RelVtab *pTab, int iStmt, sqlite3_value *pVal,
                            i64 iRowid){
  sqlite3_stmt *pStmt = relStmt(pTab, iStmt);
  if( pStmt==0 ) return pTab->rcStmt;
  sqlite3_bind_value(pStmt, 1, pVal);
  sqlite3_bind_int64(pStmt, 2, iRowid);
  return relRun(pTab, pStmt);
}

/*
** The association rowid behind link rowid iRowid of a many-to-many (see
** relSymmetricSql: a symmetric one doubles it, plus the direction), and
** back. A WITHOUT ROWID association row has no rowid: its link's rowid
** is what rel_addr.c binds; an inserted one gets none (0), as does a
** symmetric link whose association rowid is beyond +/-2^62.
*/
static i64 relAssocRowid(RelDecl *p, i64 iRowid){
  return p->bSymmetric && !relAddrKeyed(p) ? iRowid>>1 : iRowid;
}
static i64 relLinkRowid(RelDecl *p, i64 iAssoc){
  if( relAddrKeyed(p) ) return 0;
  if( p->bSymmetric ){
    /* 0 when twice it, plus one, is no 64-bit integer (relRowid) */
    if( iAssoc>=((i64)1<<62) || iAssoc<-((i64)1<<62) ) return 0;
    return iAssoc*2;
  }
  return iAssoc;
}

/*
** A value as text for messages: 'x', 5, NULL. The caller frees it.
*/
static char *relQuoteValue(sqlite3_value *v){
  switch( sqlite3_value_type(v) ){
    case SQLITE_NULL:    return sqlite3_mprintf("NULL");
    case SQLITE_INTEGER: return sqlite3_mprintf("%lld",
                                                sqlite3_value_int64(v));
    case SQLITE_FLOAT:   return sqlite3_mprintf("%!.15g",
                                                sqlite3_value_double(v));
    case SQLITE_BLOB:    return sqlite3_mprintf("a blob");
    default:             return sqlite3_mprintf("'%q'",
                                                sqlite3_value_text(v));
  }
}

/*
** Set the error "relationship NAME: <message>" and return
** SQLITE_CONSTRAINT.
*/
static int relConstraint(RelVtab *pTab, const char *zFmt, ...){
  va_list ap;
  char *zMsg;
  va_start(ap, zFmt);
  zMsg = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  relVtabError(&pTab->base, "relationship %s: %s", pTab->pDecl->zName,
               zMsg ? zMsg : "out of memory");
  sqlite3_free(zMsg);
  return SQLITE_CONSTRAINT;
}

/*
** The name of the target key for messages ("id", or "rowid").
*/
static const char *relTgtKeyName(RelDecl *p){
  return p->zTgtKey ? p->zTgtKey : "rowid";
}
static const char *relSrcKeyName(RelDecl *p){
  return p->zSrcKey ? p->zSrcKey : "rowid";
}

/*
** Unlink the child at target rowid iRowid of a one-to-many / one-to-one:
** its foreign key set NULL, or the row deleted under delete-orphan. A NOT
** NULL foreign key without delete-orphan is refused before any write when
** bCheckOnly; otherwise the unlink is done.
*/
static int relUnlinkChild(RelVtab *pTab, i64 iRowid, int bCheckOnly){
  RelDecl *p = pTab->pDecl;
  sqlite3_stmt *pStmt;
  if( !(p->mCascade & REL_CASCADE_DELETE_ORPHAN) ){
    int iFk = relColumnIndex(&p->tgt, p->zFk);
    if( iFk>=0 && p->tgt.aCol[iFk].bNotNull ){
      relVtabError(&pTab->base, "relationship %s: cannot unlink a %s row:"
          " %s.%s is NOT NULL; delete the row instead, or declare"
          " cascade='all, delete-orphan'", p->zName, p->tgt.zName,
          p->tgt.zName, p->zFk);
      return SQLITE_CONSTRAINT;
    }
  }
  if( bCheckOnly ) return SQLITE_OK;
  pStmt = relStmt(pTab, REL_W_UNLINK);
  if( pStmt==0 ) return pTab->rcStmt;
  sqlite3_bind_int64(pStmt, 1, iRowid);
  return relRun(pTab, pStmt);
}

/*
** Set the source row at iRowid's foreign key (many-to-one) to NULL;
** refused when that column is NOT NULL. bCheckOnly: only check.
*/
static int relUnlinkSource(RelVtab *pTab, i64 iRowid, int bCheckOnly){
  RelDecl *p = pTab->pDecl;
  sqlite3_stmt *pStmt;
  int iFk = relColumnIndex(&p->src, p->zFk);
  if( iFk>=0 && p->src.aCol[iFk].bNotNull ){
    relVtabError(&pTab->base, "relationship %s: cannot unlink: %s.%s is"
        " NOT NULL; assign another %s instead", p->zName, p->src.zName,
        p->zFk, p->tgt.zName);
    return SQLITE_CONSTRAINT;
  }
  if( bCheckOnly ) return SQLITE_OK;
  pStmt = relStmt(pTab, REL_W_UNLINK);
  if( pStmt==0 ) return pTab->rcStmt;
  sqlite3_bind_int64(pStmt, 1, iRowid);
  return relRun(pTab, pStmt);
}

/*
** Look up the source row of key pOwner. Sets *piRowid and, for a
** many-to-one, copies its current foreign key into *ppFk; when ppKey is
** not NULL, copies the key as the row stores it into *ppKey ('alice' for
** 'ALICE' under NOCASE, 1 for '1' or 1.0 in an integer key): the value a
** link must store, or the owner's own reads and the cleanup triggers,
** which compare bytes, would not find it. The caller frees the copies
** with sqlite3_value_free(). SQLITE_CONSTRAINT when there is none.
*/
static int relFindOwner(RelVtab *pTab, sqlite3_value *pOwner,
                        i64 *piRowid, sqlite3_value **ppFk,
                        sqlite3_value **ppKey){
  RelDecl *p = pTab->pDecl;
  sqlite3_stmt *pStmt;
  int rc;
  if( sqlite3_value_type(pOwner)==SQLITE_NULL ){
    return relConstraint(pTab, "%s is NULL; say which %s row the link"
        " belongs to", p->zOwner, p->src.zName);
  }
  pStmt = relStmt(pTab, REL_W_OWNER_FIND);
  if( pStmt==0 ) return pTab->rcStmt;
  sqlite3_bind_value(pStmt, 1, pOwner);
  rc = relLookup(pTab, pStmt);
  if( rc==SQLITE_DONE ){
    char *zVal = relQuoteValue(pOwner);
    relVtabError(&pTab->base, "relationship %s: no %s row with %s = %s",
        p->zName, p->src.zName, relSrcKeyName(p), zVal ? zVal : "?");
    sqlite3_free(zVal);
    return SQLITE_CONSTRAINT;
  }
  if( rc!=SQLITE_ROW ) return rc;
  *piRowid = sqlite3_column_int64(pStmt, 0);
  if( ppFk ){
    *ppFk = sqlite3_value_dup(sqlite3_column_value(pStmt, 2));
    if( *ppFk==0 ){ sqlite3_reset(pStmt); return SQLITE_NOMEM; }
  }
  if( ppKey ){
    *ppKey = sqlite3_value_dup(sqlite3_column_value(pStmt, 1));
    if( *ppKey==0 ){ sqlite3_reset(pStmt); return SQLITE_NOMEM; }
  }
  sqlite3_reset(pStmt);
  return SQLITE_OK;
}

/*
** Is pOwner stored as it is given, whatever the source key's affinity and
** collation? So when it is an integer and the key is the rowid (or its
** INTEGER PRIMARY KEY). The one-statement links bind the owner as given,
** so only then.
*/
static int relOwnerAsGiven(RelVtab *pTab, sqlite3_value *pOwner){
  RelDecl *p = pTab->pDecl;
  if( sqlite3_value_type(pOwner)!=SQLITE_INTEGER ) return 0;
  if( pTab->eSrcRowid==0 ){
    pTab->eSrcRowid = p->zSrcKey==0
        || relColumnIndex(&p->src, p->zSrcKey)==p->src.iIpk ? 1 : -1;
  }
  return pTab->eSrcRowid>0;
}

/*
** A one-entry cache of a statement whose SQL varies with the columns an
** UPDATE changes (slot 0: target row, 1: association row). Returns the
** statement for zSql (taking ownership of zSql), prepared if it differs
** from the cached one; NULL on error.
*/
static sqlite3_stmt *relDynStmt(RelVtab *pTab, int iSlot, char *zSql){
  int rc;
  if( zSql==0 ){
    relVtabError(&pTab->base, "out of memory");
    pTab->rcStmt = SQLITE_NOMEM;
    return 0;
  }
  if( pTab->apDyn[iSlot] && sqlite3_stmt_busy(pTab->apDyn[iSlot]) ){
    return relStmtNested(pTab, zSql);
  }
  if( pTab->apDyn[iSlot] && strcmp(pTab->azDynSql[iSlot], zSql)==0 ){
    sqlite3_free(zSql);
    sqlite3_reset(pTab->apDyn[iSlot]);
    sqlite3_clear_bindings(pTab->apDyn[iSlot]);
    pTab->mStmtUsed |= 1u<<(REL_NWRITE+iSlot);
    return pTab->apDyn[iSlot];
  }
  sqlite3_finalize(pTab->apDyn[iSlot]);
  sqlite3_free(pTab->azDynSql[iSlot]);
  pTab->apDyn[iSlot] = 0;
  pTab->azDynSql[iSlot] = zSql;
  pTab->mStmtDrop &= ~(1u<<(REL_NWRITE+iSlot));
  rc = relStmtPrepare(pTab, REL_NWRITE+iSlot, zSql, &pTab->apDyn[iSlot]);
  return rc==SQLITE_OK ? pTab->apDyn[iSlot] : 0;
}

/*
** UPDATE the target row at iTgtRowid (iSlot 0) or the association row at
** iRowid (iSlot 1), setting each relationship-table column in [iFirst,
** iLast) whose value in aVal is wanted: changed (not "nochange") and, when
** bSkipNull, not NULL. iSkip is a column never written (-1: none).
*/
static int relSetColumns(
  RelVtab *pTab, int iSlot, i64 iRowid, sqlite3_value **aVal,
  int iFirst, int iLast, int iSkip, int bSkipNull
){
  RelDecl *p = pTab->pDecl;
  RelBase *pBase = iSlot ? &p->sec : &p->tgt;
  sqlite3_str *pStr;
  sqlite3_stmt *pStmt;
  int i, n = 0;
  pStr = sqlite3_str_new(0);
  sqlite3_str_appendf(pStr, "UPDATE \"%w\".\"%w\" SET ", p->zDb,
                      pBase->zName);
  for(i=iFirst; i<iLast; i++){
    if( i==iSkip || sqlite3_value_nochange(aVal[i]) ) continue;
    if( bSkipNull && sqlite3_value_type(aVal[i])==SQLITE_NULL ) continue;
    if( pBase->aCol[p->aBaseCol[i]].bGenerated ) continue;
    sqlite3_str_appendf(pStr, "%s\"%w\" = ?%d", n++ ? ", " : "",
                        pBase->aCol[p->aBaseCol[i]].zName, i+1);
  }
  if( n==0 ){
    sqlite3_free(sqlite3_str_finish(pStr));
    return SQLITE_OK;
  }
  if( iSlot ){
    /* the association row: by rowid, or by PRIMARY KEY (rel_addr.c) */
    char *zAddr = relAddrWhere(p, p->nCol+1, 1);
    sqlite3_str_appendf(pStr, " WHERE %s", zAddr);
    if( zAddr==0 ) sqlite3_str_reset(pStr);     /* out of memory */
    sqlite3_free(zAddr);
  }else
  sqlite3_str_appendf(pStr, " WHERE %s = ?%d", relRowidName(pBase),
                      p->nCol+1);
  pStmt = relDynStmt(pTab, iSlot, sqlite3_str_finish(pStr));
  if( pStmt==0 ) return pTab->rcStmt;
  for(i=iFirst; i<iLast; i++){
    int rc;
    if( i==iSkip || sqlite3_value_nochange(aVal[i]) ) continue;
    rc = sqlite3_bind_value(pStmt, i+1, aVal[i]);
    if( rc!=SQLITE_OK ) return rc;    /* out of memory: not a NULL */
  }
  if( iSlot ){
    int rc = relAddrBind(pTab, pStmt, p->nCol+1, iRowid, 1);
    if( rc==SQLITE_DONE ) return SQLITE_OK;   /* no such row */
    if( rc!=SQLITE_OK ) return rc;
  }else
  sqlite3_bind_int64(pStmt, p->nCol+1, iRowid);
  return relRun(pTab, pStmt);
}

/*
** Can a plain many-to-many link be made by REL_W_LINK_FAST alone? Only
** when every broken rule makes that INSERT fail before it writes: both
** association columns NOT NULL (a missing owner or target gives NULL) and
** a UNIQUE index (or PRIMARY KEY) on exactly those two columns (a link
** made twice). Not symmetric (a link is stored either way round), not
** WITHOUT ROWID. Worked out once per table (pTab->eFastLink), and a yes
** again whenever the INSERT is to be prepared (relLinkFast): the first
** time, and after a schema change stopped it (relFastStep). (A yes worked
** out before the
** INSERT was first prepared held through a DROP INDEX in between: the
** links then made twice were stored twice, fastlink.test 4.5.)
*/
static int relFastLinkOk(RelVtab *pTab){
  RelDecl *p = pTab->pDecl;
  sqlite3_stmt *pStmt = 0;
  if( pTab->eFastLink ) return pTab->eFastLink>0;
  pTab->eFastLink = -1;
  if( p->eKind!=REL_MANY_TO_MANY || p->bSymmetric || p->sec.bWithoutRowid ){
    return 0;
  }
  if( relPrepare(pTab->db, &pStmt,
      "SELECT (SELECT count(*) FROM pragma_table_xinfo(?1, ?4)"
      "        WHERE name COLLATE NOCASE IN (?2, ?3) AND \"notnull\")=2"
      " AND EXISTS(SELECT 1 FROM pragma_index_list(?1, ?4) AS il"
      "   WHERE il.\"unique\" AND NOT il.partial"
      "   AND (SELECT count(*) FROM pragma_index_info(il.name, ?4))=2"
      "   AND (SELECT count(*) FROM pragma_index_info(il.name, ?4) AS ii"
      "        WHERE ii.name COLLATE NOCASE IN (?2, ?3))=2)")!=SQLITE_OK ){
    return 0;
  }
  sqlite3_bind_text(pStmt, 1, p->sec.zName, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, p->zSrcCol, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 3, p->zTgtCol, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 4, p->zDb, -1, SQLITE_STATIC);
  if( sqlite3_step(pStmt)==SQLITE_ROW && sqlite3_column_int(pStmt, 0) ){
    pTab->eFastLink = 1;
  }
  sqlite3_finalize(pStmt);
  return pTab->eFastLink>0;
}

/*
** Step fast statement iStmt (REL_W_LINK_FAST, REL_W_CHILD_FAST), pStmt:
** the table's, or a nested write's own. SQLITE_DONE: it ran (and is
** reset). SQLITE_SCHEMA: the schema changed since it was prepared and it
** stopped before writing (relStmtPrepare): it is dropped, to be prepared
** again on the next use; the caller checks the base tables and goes on
** by the checks one by one. Otherwise the error code from
** sqlite3_reset(), with no error message set.
*/
static int relFastStep(RelVtab *pTab, int iStmt, sqlite3_stmt *pStmt){
  int rc = sqlite3_step(pStmt);
  if( rc==SQLITE_DONE || rc==SQLITE_ROW ){
    sqlite3_reset(pStmt);
    return SQLITE_DONE;
  }
  rc = sqlite3_reset(pStmt);
  if( rc==SQLITE_SCHEMA ){
    if( pTab->aWrite[iStmt]==pStmt ){
      sqlite3_finalize(pStmt);
      pTab->aWrite[iStmt] = 0;
      pTab->mStmtDrop &= ~(1u<<iStmt);
    }
    if( iStmt==REL_W_LINK_FAST ) pTab->eFastLink = 0;
  }
  return rc;
}

/*
** A many-to-many link by key alone in one statement (REL_W_LINK_FAST):
** the lookups of the owner, the target and an existing link are folded
** into the INSERT (relFastLinkOk says why that is safe). SQLITE_OK: the
** link is made. SQLITE_CONSTRAINT: a rule is broken and nothing was
** written; the caller runs the checks one by one for the exact message
** and the statement's conflict clause. Other codes are errors. *pbSkipped
** is set when the INSERT ran but stored no row (a trigger's RAISE(IGNORE)
** skipped it): the caller runs the checks, but not the INSERT again.
*/
static int relLinkFast(RelVtab *pTab, sqlite3_value **aVal,
                       sqlite3_value *pOwner, sqlite3_value *pKey,
                       sqlite_int64 *pRowid, int *pbSkipped){
  RelDecl *p = pTab->pDecl;
  sqlite3_stmt *pStmt;
  int i, rc;
  if( pTab->aWrite[REL_W_LINK_FAST]==0 ){
    /* to be prepared: the yes may be from before a schema change */
    pTab->eFastLink = 0;
    if( !relFastLinkOk(pTab) ) return SQLITE_CONSTRAINT;
  }
  pStmt = relStmt(pTab, REL_W_LINK_FAST);
  if( pStmt==0 ) return pTab->rcStmt;
  sqlite3_bind_value(pStmt, 1, pOwner);
  sqlite3_bind_value(pStmt, 2, pKey);
  for(i=p->nTgtCol; i<p->nCol; i++){
    sqlite3_bind_value(pStmt, 3+i-p->nTgtCol, aVal[i]);
  }
  rc = relFastStep(pTab, REL_W_LINK_FAST, pStmt);
  if( rc==SQLITE_DONE ){
    int bRow = sqlite3_changes64(pTab->db)>0;
    *pbSkipped = !bRow;
    if( !bRow ) return SQLITE_CONSTRAINT;
    *pRowid = sqlite3_last_insert_rowid(pTab->db);
    return SQLITE_OK;
  }
  /* SQLITE_SCHEMA: the schema changed since relFastLinkOk() said yes (a
  ** UNIQUE index dropped, say): nothing was written, and the checks one
  ** by one decide (relFastLinkOk() is asked again before the INSERT is
  ** prepared again) */
  if( rc==SQLITE_SCHEMA ){
    rc = relWriteBaseCheck(pTab);
    return rc==SQLITE_OK ? SQLITE_CONSTRAINT : rc;
  }
  rc = relBaseCode(pTab, rc);
  if( (rc & 0xff)==SQLITE_CONSTRAINT ) return SQLITE_CONSTRAINT;
  relBaseError(pTab);
  return rc;
}

/*
** A one-to-many link of an existing child by its integer rowid alone, in
** one statement (REL_W_CHILD_FAST): the look-ups of the owner and of the
** child's current link are folded into the UPDATE's WHERE. *pbDone: the
** link is made, or the row matched and a BEFORE UPDATE trigger of the
** child left it unchanged after writing something (deleted or re-keyed
** the row, or wrote and said RAISE(IGNORE)): as the checks one by one
** followed by that UPDATE end. Otherwise nothing at all was written (no
** row changed, sqlite3_total_changes() the same) and the caller runs the
** checks one by one, for the message, a new child row, a link made twice,
** or a row that a trigger skipped without writing (it then does not run
** the UPDATE again).
*/
static int relLinkChildFast(RelVtab *pTab, sqlite3_value *pOwner, i64 iKey,
                            int *pbDone){
  sqlite3_stmt *pStmt = relStmt(pTab, REL_W_CHILD_FAST);
  sqlite3_int64 nTotal = sqlite3_total_changes64(pTab->db);
  int rc;
  *pbDone = 0;
  if( pStmt==0 ) return pTab->rcStmt;
  sqlite3_bind_value(pStmt, 1, pOwner);
  sqlite3_bind_int64(pStmt, 2, iKey);
  rc = relFastStep(pTab, REL_W_CHILD_FAST, pStmt);
  if( rc==SQLITE_DONE ){
    if( sqlite3_total_changes64(pTab->db)!=nTotal ) pTab->bWrote = 1;
    *pbDone = sqlite3_changes64(pTab->db)>0
           || sqlite3_total_changes64(pTab->db)!=nTotal;
    return SQLITE_OK;
  }
  if( rc==SQLITE_SCHEMA ){
    *pbDone = -1;               /* it did not run: the checks one by one */
    return relWriteBaseCheck(pTab);
  }
  if( rc==SQLITE_OK ) rc = SQLITE_ERROR;
  relBaseError(pTab);
  return relBaseCode(pTab, rc);
}

/*
** One-to-one: the child owner pOwner has now, which a new link to it lets
** go. *pbFound is set, and *piChild is its rowid, when there is one; its
** unlink is checked (relUnlinkChild(), no write). Returns an SQLite code.
*/
static int relCurrentChild(RelVtab *pTab, sqlite3_value *pOwner,
                           i64 *piChild, int *pbFound){
  sqlite3_stmt *pStmt = relStmt(pTab, REL_W_CURRENT);
  int rc;
  *pbFound = 0;
  if( pStmt==0 ) return pTab->rcStmt;
  sqlite3_bind_value(pStmt, 1, pOwner);
  rc = relLookup(pTab, pStmt);
  if( rc==SQLITE_ROW ){
    *pbFound = 1;
    *piChild = sqlite3_column_int64(pStmt, 0);
    sqlite3_reset(pStmt);
    return relUnlinkChild(pTab, *piChild, 1);
  }
  return rc==SQLITE_DONE ? SQLITE_OK : rc;
}

/*
** INSERT into a relationship table: link (an existing target key),
** create and link (no key, or a key not in the target), or for a scalar,
** assign. aVal[] are the nCol column values, pOwner the owner, pRowidVal
** the rowid given (the target key when the target is keyed by rowid; in a
** one-to-many, the new child's rowid), *pRowid the new row's rowid.
*/
static int relInsert(
  RelVtab *pTab, sqlite3_value **aVal, sqlite3_value *pOwner,
  sqlite3_value *pRowidVal, sqlite_int64 *pRowid
){
  RelDecl *p = pTab->pDecl;
  int eConflict = sqlite3_vtab_on_conflict(pTab->db);
  int bO2m = p->eKind==REL_ONE_TO_MANY || p->eKind==REL_ONE_TO_ONE;
  int iKeyCol = p->zTgtKey ? relColumnIndex(&p->tgt, p->zTgtKey)
                           : p->tgt.iIpk;
  int iFkCol = bO2m ? relColumnIndex(&p->tgt, p->zFk) : -1;
  sqlite3_value *pKey = iKeyCol>=0 ? aVal[iKeyCol] : pRowidVal;
  sqlite3_value *pIpk = 0;        /* o2m: a rowid given for the key column */
  sqlite3_value *pSrcFk = 0;      /* m2o: the source's current link */
  sqlite3_value *pTgtKey = 0;     /* the target key, found or made */
  sqlite3_value *pOwnerKey = 0;   /* the owner's key as stored */
  sqlite3_stmt *pStmt;
  i64 iSrcRowid = 0, iTgtRowid = 0, iCurrent = 0;
  i64 iAssoc = 0;                 /* m2m, WITHOUT ROWID: the link's rowid */
  int bFound = 0, bLinked = 0, bCurrent = 0, bValues = 0;
  int bChildTried = 0;            /* o2m: REL_W_CHILD_FAST ran, no write */
  int bLinkSkipped = 0;           /* m2m: a trigger skipped REL_W_LINK_FAST */
  int bRowidGiven = 0;            /* a rowid given for the link itself */
  i64 iRowidGiven = 0;            /* (the value, when bRowidGiven) */
  int rc, i;

  /* A rowid given where the target has a key column (so the rowid is
  ** not the key) is the link's rowid, as reads show it: the child's in a
  ** one-to-many, the association row's in a many-to-many, the source
  ** row's, which the owner names, in a many-to-one. A new row gets it; an
  ** existing one must have it. */
  if( iKeyCol>=0 && sqlite3_value_type(pRowidVal)!=SQLITE_NULL ){
    bRowidGiven = 1;
    iRowidGiven = sqlite3_value_int64(pRowidVal);
  }
  if( bRowidGiven && p->eKind==REL_MANY_TO_MANY && !relLinkRowidOk(p) ){
    relVtabError(&pTab->base, "relationship %s: a rowid given is the"
        " association row's, and %s; leave it out", p->zName,
        p->bSymmetric ? "a symmetric link's rowid is that row's times two"
                        " (plus one read the other way round)"
                      : "a WITHOUT ROWID association row has none");
    return SQLITE_ERROR;
  }

  /* one-to-many: the rows are the targets' and the rowid is the target's,
  ** so a rowid given is the new target's INTEGER PRIMARY KEY (with none,
  ** REL_W_TGT_INSERT gives it as the rowid) */
  if( bRowidGiven && bO2m && p->tgt.iIpk>=0 ){
    int iIpk = p->tgt.iIpk;
    if( sqlite3_value_type(aVal[iIpk])==SQLITE_NULL ){
      pIpk = pRowidVal;
      if( iIpk==iKeyCol ) pKey = pRowidVal;
    }else if( !relValueEq(aVal[iIpk], pRowidVal) ){
      relVtabError(&pTab->base, "relationship %s: rowid %lld and %s %s"
                   " differ; give one of them", p->zName,
                   iRowidGiven, p->azCol[iIpk],
                   (const char*)sqlite3_value_text(aVal[iIpk]));
      return SQLITE_CONSTRAINT;
    }
  }

  /* one-to-many: the foreign key column may stand in for the owner */
  if( bO2m && iFkCol>=0 && sqlite3_value_type(aVal[iFkCol])!=SQLITE_NULL ){
    if( sqlite3_value_type(pOwner)==SQLITE_NULL ){
      pOwner = aVal[iFkCol];
    }else if( !relValueEq(pOwner, aVal[iFkCol]) ){
      return relConstraint(pTab, "%s and %s disagree; give one of them",
                           p->zOwner, p->zFk);
    }
  }

  /* a many-to-many link by key alone: one statement, unless it fails */
  if( p->eKind==REL_MANY_TO_MANY && sqlite3_value_type(pKey)!=SQLITE_NULL
   && !bRowidGiven && relOwnerAsGiven(pTab, pOwner) && relFastLinkOk(pTab) ){
    for(i=0; i<p->nTgtCol && !bValues; i++){
      if( i==iKeyCol ) continue;
      bValues = sqlite3_value_type(aVal[i])!=SQLITE_NULL;
    }
    if( !bValues ){
      rc = relLinkFast(pTab, aVal, pOwner, pKey, pRowid, &bLinkSkipped);
      if( rc!=SQLITE_CONSTRAINT ) return rc;
    }
    bValues = 0;
  }

  /* a one-to-many link of an existing child by its integer rowid alone:
  ** one statement, unless it writes nothing */
  if( p->eKind==REL_ONE_TO_MANY && sqlite3_value_type(pKey)==SQLITE_INTEGER
   && (iKeyCol<0 || iKeyCol==p->tgt.iIpk)
   && relOwnerAsGiven(pTab, pOwner) ){
    for(i=0; i<p->nTgtCol && !bValues; i++){
      if( i==iKeyCol || i==iFkCol ) continue;
      bValues = sqlite3_value_type(aVal[i])!=SQLITE_NULL;
    }
    if( !bValues ){
      int bDone = 0;
      rc = relLinkChildFast(pTab, pOwner, sqlite3_value_int64(pKey), &bDone);
      if( rc!=SQLITE_OK || bDone>0 ){
        if( bDone>0 ) *pRowid = sqlite3_value_int64(pKey);
        return rc;
      }
      bChildTried = bDone==0;
    }
    bValues = 0;
  }

  /* 1. checks, no writes */
  rc = relFindOwner(pTab, pOwner, &iSrcRowid,
                    p->eKind==REL_MANY_TO_ONE ? &pSrcFk : 0,
                    p->eKind==REL_MANY_TO_ONE || relOwnerAsGiven(pTab, pOwner)
                    ? 0 : &pOwnerKey);
  if( rc!=SQLITE_OK ) goto done;
  if( pOwnerKey ) pOwner = pOwnerKey;     /* from here on, as stored */
  if( bRowidGiven && p->eKind==REL_MANY_TO_ONE && iSrcRowid!=iRowidGiven ){
    char *zOwn = relQuoteValue(pOwner);
    relVtabError(&pTab->base, "relationship %s: rowid %lld is not the rowid"
        " of %s %s (%lld), which is the link's; leave it out", p->zName,
        iRowidGiven, p->src.zName, zOwn ? zOwn : "?", iSrcRowid);
    sqlite3_free(zOwn);
    rc = SQLITE_CONSTRAINT;
    goto done;
  }

  if( sqlite3_value_type(pKey)!=SQLITE_NULL ){
    pStmt = relStmt(pTab, REL_W_TGT_FIND);
    if( pStmt==0 ){ rc = pTab->rcStmt; goto done; }
    sqlite3_bind_value(pStmt, 1, pKey);
    if( bO2m ) sqlite3_bind_value(pStmt, 2, pOwner);
    rc = relLookup(pTab, pStmt);
    if( rc==SQLITE_ROW ){
      bFound = 1;
      iTgtRowid = sqlite3_column_int64(pStmt, 0);
      pTgtKey = sqlite3_value_dup(sqlite3_column_value(pStmt, 1));
      if( bO2m ) bLinked = sqlite3_column_int(pStmt, 2);
      sqlite3_reset(pStmt);
      if( pTgtKey==0 ){ rc = SQLITE_NOMEM; goto done; }
      rc = SQLITE_OK;
      if( bRowidGiven && bO2m && iTgtRowid!=iRowidGiven ){
        char *zVal = relQuoteValue(pKey);
        relVtabError(&pTab->base, "relationship %s: rowid %lld and %s %s"
            " name different rows; give one of them", p->zName,
            iRowidGiven, relTgtKeyName(p), zVal ? zVal : "?");
        sqlite3_free(zVal);
        rc = SQLITE_CONSTRAINT;
        goto done;
      }
    }else if( rc!=SQLITE_DONE ){
      goto done;
    }else{
      rc = SQLITE_OK;
    }
  }

  /* a link by key alone (every other target column NULL, the common
  ** INSERT INTO x(owner, id)) gives no values to compare: the check of
  ** the stored row is skipped */
  for(i=0; i<p->nTgtCol && !bValues; i++){
    if( i==iKeyCol || i==iFkCol ) continue;
    bValues = sqlite3_value_type(aVal[i])!=SQLITE_NULL;
  }
  if( bFound && bValues ){
    /* the values given must be those stored (OR REPLACE: set them) */
    pStmt = relStmt(pTab, REL_W_TGT_SAME);
    if( pStmt==0 ){ rc = pTab->rcStmt; goto done; }
    sqlite3_bind_int64(pStmt, 1, iTgtRowid);
    for(i=0; i<p->nTgtCol; i++){
      if( i==iKeyCol || i==iFkCol ) continue;
      sqlite3_bind_value(pStmt, i+2, aVal[i]);
    }
    rc = relLookup(pTab, pStmt);
    if( rc==SQLITE_ROW ){
      sqlite3_reset(pStmt);
      rc = SQLITE_OK;
    }else if( rc==SQLITE_DONE ){
      if( eConflict!=SQLITE_REPLACE ){
        char *zVal = relQuoteValue(pKey);
        relVtabError(&pTab->base, "relationship %s: %s row with %s = %s"
            " holds other values; UPDATE it to change them, or give only"
            " its key to link it", p->zName, p->tgt.zName, relTgtKeyName(p),
            zVal ? zVal : "?");
        sqlite3_free(zVal);
        rc = SQLITE_CONSTRAINT;
        goto done;
      }
      rc = relSetColumns(pTab, 0, iTgtRowid, aVal, 0, p->nTgtCol,
                         iKeyCol>=0 ? iKeyCol : iFkCol, 1);
      if( rc!=SQLITE_OK ) goto done;
    }else{
      goto done;
    }
  }
  if( bFound ){
    if( p->eKind==REL_MANY_TO_ONE ){
      /* (stored values: '1.0' is not '1' in a TEXT key) */
      bLinked = relStoredEq(pSrcFk, pTgtKey);
    }else if( p->eKind==REL_MANY_TO_MANY ){
      pStmt = relStmt(pTab, REL_W_LINK_FIND);
      if( pStmt==0 ){ rc = pTab->rcStmt; goto done; }
      sqlite3_bind_value(pStmt, 1, pOwner);
      sqlite3_bind_value(pStmt, 2, pTgtKey);
      rc = relLookup(pTab, pStmt);
      if( rc==SQLITE_ROW ){
        bLinked = 1;
        *pRowid = relLinkRowid(p, sqlite3_column_int64(pStmt, 0));
        rc = SQLITE_OK;
        if( relAddrKeyed(p) && eConflict==SQLITE_REPLACE ){
          /* WITHOUT ROWID: a rowid for relSetColumns() below to find it */
          rc = relAddrRegister(pTab, pStmt, 0, 0, &iAssoc);
        }
        sqlite3_reset(pStmt);
        if( rc!=SQLITE_OK ) goto done;
      }else if( rc!=SQLITE_DONE ){
        goto done;
      }
      rc = SQLITE_OK;
    }
  }

  if( bLinked ){
    if( p->bUselist && eConflict!=SQLITE_REPLACE ){
      /* (under OR IGNORE, SQLite skips the row on this error) */
      char *zKey = relQuoteValue(pTgtKey);
      char *zOwn = relQuoteValue(pOwner);
      relVtabError(&pTab->base, "relationship %s: %s %s is already linked"
          " to %s %s", p->zName, p->tgt.zName, zKey ? zKey : "?",
          p->src.zName, zOwn ? zOwn : "?");
      sqlite3_free(zKey);
      sqlite3_free(zOwn);
      rc = SQLITE_CONSTRAINT;
      goto done;
    }
    if( p->eKind==REL_MANY_TO_MANY && bRowidGiven && *pRowid!=iRowidGiven ){
      /* OR REPLACE keeps the link, and so its rowid */
      relVtabError(&pTab->base, "relationship %s: rowid %lld: the link is"
          " there already, with rowid %lld", p->zName, iRowidGiven, *pRowid);
      rc = SQLITE_CONSTRAINT;
      goto done;
    }
    /* the same link again: nothing to do (a scalar keeps its value) */
    if( p->eKind==REL_MANY_TO_MANY && eConflict==SQLITE_REPLACE ){
      rc = relSetColumns(pTab, 1, relAddrKeyed(p) ? iAssoc
                                      : relAssocRowid(p, *pRowid), aVal,
                         p->nTgtCol, p->nCol,
                         -1, 1);
      relAddrForget(pTab, iAssoc);
    }
    if( p->eKind!=REL_MANY_TO_MANY ){
      *pRowid = p->eKind==REL_MANY_TO_ONE ? iSrcRowid : iTgtRowid;
    }
    goto done;
  }

  /* one-to-one: the owner's current child goes (checked first) */
  if( p->eKind==REL_ONE_TO_ONE ){
    rc = relCurrentChild(pTab, pOwner, &iCurrent, &bCurrent);
    if( rc!=SQLITE_OK ) goto done;
  }

  /* 2. writes */
  if( bCurrent ){
    rc = relUnlinkChild(pTab, iCurrent, 0);
    if( rc!=SQLITE_OK ) goto done;
  }
  if( !bFound ){
    pStmt = relStmt(pTab, REL_W_TGT_INSERT);
    if( pStmt==0 ){ rc = pTab->rcStmt; goto done; }
    for(i=0; i<p->nTgtCol; i++){
      sqlite3_bind_value(pStmt, i+1, i==iFkCol ? pOwner
                               : i==p->tgt.iIpk && pIpk ? pIpk : aVal[i]);
    }
    if( relTgtRowidName(p) && (iKeyCol<0 || bO2m) ){
      /* no INTEGER PRIMARY KEY: the rowid given is the new row's, when
      ** the target is keyed by it or the rows are the targets' (o2m);
      ** NULL, or none given, lets SQLite pick one */
      sqlite3_bind_value(pStmt, p->nTgtCol+1, pRowidVal);
    }
    rc = relRun(pTab, pStmt);
    if( rc!=SQLITE_OK ) goto done;
    if( sqlite3_changes64(pTab->db)==0 ){
      /* the target table's ON CONFLICT IGNORE or a trigger's RAISE(IGNORE)
      ** skipped the row: there is nothing to link, and last_insert_rowid()
      ** names some other row */
      rc = relConstraint(pTab, "the new %s row was not inserted (an ON"
                         " CONFLICT IGNORE or a trigger's RAISE(IGNORE)"
                         " skipped it); give the key of an existing row to"
                         " link it", p->tgt.zName);
      goto done;
    }
    iTgtRowid = sqlite3_last_insert_rowid(pTab->db);
    if( p->eKind==REL_MANY_TO_MANY && !p->bSymmetric
     && (p->zTgtKey==0 || iKeyCol==p->tgt.iIpk) ){
      /* keyed by rowid: the new row's key is iTgtRowid (bound below) */
    }else if( !bO2m ){
      /* the new row's key, to store in the link */
      pStmt = relStmt(pTab, REL_W_TGT_ROWID);
      if( pStmt==0 ){ rc = pTab->rcStmt; goto done; }
      sqlite3_bind_int64(pStmt, 1, iTgtRowid);
      rc = relLookup(pTab, pStmt);
      if( rc!=SQLITE_ROW ){
        if( rc==SQLITE_DONE ){
          relVtabError(&pTab->base, "relationship %s: the new %s row is"
                       " gone", p->zName, p->tgt.zName);
          rc = SQLITE_ERROR;
        }
        goto done;
      }
      pTgtKey = sqlite3_value_dup(sqlite3_column_value(pStmt, 1));
      sqlite3_reset(pStmt);
      if( pTgtKey==0 ){ rc = SQLITE_NOMEM; goto done; }
      if( sqlite3_value_type(pTgtKey)==SQLITE_NULL ){
        rc = relConstraint(pTab, "the new %s row has no %s; give it one",
                           p->tgt.zName, relTgtKeyName(p));
        goto done;
      }
    }
  }

  switch( p->eKind ){
    case REL_ONE_TO_MANY:
    case REL_ONE_TO_ONE:
      if( bFound && !bChildTried ){
        /* (after REL_W_CHILD_FAST, a child found and not linked matched
        ** that UPDATE, on this very state since nothing was written: a
        ** BEFORE UPDATE trigger skipped it; running it again would fire
        ** that trigger twice) */
        rc = relRunValueRowid(pTab, REL_W_LINK, pOwner, iTgtRowid);
      }
      *pRowid = iTgtRowid;
      break;
    case REL_MANY_TO_ONE:
      rc = relRunValueRowid(pTab, REL_W_LINK, pTgtKey, iSrcRowid);
      *pRowid = iSrcRowid;
      break;
    default:
      if( bFound && bLinkSkipped ){
        /* REL_W_LINK_FAST ran with these very values (both ends were
        ** there) and a trigger skipped it: running it again would fire
        ** that trigger twice. Nothing linked, last_insert_rowid() kept */
        *pRowid = sqlite3_last_insert_rowid(pTab->db);
        break;
      }
      /* (a rowid given was refused above where relLinkRowidOk is not) */
      pStmt = relStmt(pTab, bRowidGiven ? REL_W_LINK_ROWID : REL_W_LINK);
      if( pStmt==0 ){ rc = pTab->rcStmt; goto done; }
      sqlite3_bind_value(pStmt, 1, pOwner);
      if( pTgtKey ){
        sqlite3_bind_value(pStmt, 2, pTgtKey);
      }else{
        sqlite3_bind_int64(pStmt, 2, iTgtRowid);   /* keyed by rowid */
      }
      for(i=p->nTgtCol; i<p->nCol; i++){
        sqlite3_bind_value(pStmt, 3+i-p->nTgtCol, aVal[i]);
      }
      if( bRowidGiven ){
        /* the association row's rowid: the one given */
        sqlite3_bind_int64(pStmt, 3+p->nCol-p->nTgtCol, iRowidGiven);
      }
      rc = relRun(pTab, pStmt);
      if( rc==SQLITE_OK && sqlite3_changes64(pTab->db)>0 ){
        *pRowid = relLinkRowid(p, sqlite3_last_insert_rowid(pTab->db));
      }else{
        /* a trigger's RAISE(IGNORE) skipped the link: nothing to name */
        *pRowid = sqlite3_last_insert_rowid(pTab->db);
      }
      break;
  }

 done:
  sqlite3_value_free(pSrcFk);
  sqlite3_value_free(pTgtKey);
  sqlite3_value_free(pOwnerKey);
  return rc;
}

/*
** Find the link at link rowid iRowid: its owner (copied into *ppOwner,
** freed by the caller), its target's rowid and key (copied into *ppKey).
** SQLITE_DONE when there is no such link.
*/
static int relLocate(RelVtab *pTab, i64 iRowid, sqlite3_value **ppOwner,
                     i64 *piTgtRowid, sqlite3_value **ppKey){
  sqlite3_stmt *pStmt = relStmt(pTab, REL_W_LOCATE);
  int rc;
  if( pStmt==0 ) return pTab->rcStmt;
  rc = relAddrBind(pTab, pStmt, 1, iRowid, 0);
  if( rc!=SQLITE_OK ) return rc;        /* SQLITE_DONE: no such link */
  rc = relLookup(pTab, pStmt);
  if( rc!=SQLITE_ROW ) return rc;
  *ppOwner = sqlite3_value_dup(sqlite3_column_value(pStmt, 0));
  *piTgtRowid = sqlite3_column_int64(pStmt, 1);
  *ppKey = sqlite3_value_dup(sqlite3_column_value(pStmt, 2));
  sqlite3_reset(pStmt);
  if( *ppOwner==0 || *ppKey==0 ) return SQLITE_NOMEM;
  return SQLITE_OK;
}

/*
** DELETE from a relationship table: unlink the link at link rowid iRowid.
*/
static int relDelete(RelVtab *pTab, i64 iRowid){
  RelDecl *p = pTab->pDecl;
  sqlite3_stmt *pStmt;
  switch( p->eKind ){
    case REL_ONE_TO_MANY:
    case REL_ONE_TO_ONE:
      return relUnlinkChild(pTab, iRowid, 0);
    case REL_MANY_TO_ONE:
      return relUnlinkSource(pTab, iRowid, 0);
    default: {
      int rc;
      pStmt = relStmt(pTab, REL_W_UNLINK);
      if( pStmt==0 ) return pTab->rcStmt;
      rc = relAddrBind(pTab, pStmt, 1, relAssocRowid(p, iRowid), 1);
      if( rc==SQLITE_DONE ) return SQLITE_OK;     /* no such link */
      if( rc!=SQLITE_OK ) return rc;
      return relRun(pTab, pStmt);
    }
  }
}

/*
** Is pOwner, the owner an UPDATE gives, surely the owner pOld a link has
** (as stored), with no look-up? Two numbers of the same value, or two
** texts (or blobs) of the same bytes. A text and a number, or texts that
** differ ('1.0' and '1' in a TEXT key, 'C1' and 'c1' under NOCASE), may
** name the same source row or another: the caller finds the row.
*/
static int relOwnerSame(sqlite3_value *pOwner, sqlite3_value *pOld){
  int t1 = sqlite3_value_type(pOwner), t2 = sqlite3_value_type(pOld);
  int bNum1 = t1==SQLITE_INTEGER || t1==SQLITE_FLOAT;
  int bNum2 = t2==SQLITE_INTEGER || t2==SQLITE_FLOAT;
  if( bNum1 && bNum2 ) return relValueEq(pOwner, pOld);
  if( t1!=t2 || (t1!=SQLITE_TEXT && t1!=SQLITE_BLOB) ) return 0;
  return relValueEq(pOwner, pOld) && relStoredEq(pOwner, pOld);
}

/*
** Does an UPDATE give every column of the relationship table, the hidden
** owner too (aVal[0..nCol]), none "nochange"? So an UPDATE ... FROM on
** older SQLite releases (3.40; 3.52 marks the columns not set "nochange"),
** which gives each column's value whether set or not; or a statement
** that sets them all.
*/
static int relAllGiven(RelDecl *p, sqlite3_value **aVal){
  int i;
  for(i=0; i<=p->nCol; i++){
    if( sqlite3_value_nochange(aVal[i]) ) return 0;
  }
  return 1;
}

/*
** UPDATE of a relationship table row (link rowid iRowid): set the target's
** (and association row's) changed columns; a new owner moves the link.
*/
static int relUpdateRow(
  RelVtab *pTab, i64 iRowid, sqlite3_value **aVal, sqlite3_value *pOwner
){
  RelDecl *p = pTab->pDecl;
  int bO2m = p->eKind==REL_ONE_TO_MANY || p->eKind==REL_ONE_TO_ONE;
  int iFkCol = bO2m ? relColumnIndex(&p->tgt, p->zFk) : -1;
  sqlite3_value *pOld = 0, *pKey = 0;
  sqlite3_value *pNewKey = 0;     /* the new owner's key as stored */
  sqlite3_stmt *pStmt;
  i64 iTgtRowid = 0, iNewSrc = 0;
  i64 iDup = 0;                   /* OR REPLACE: the link in the way (its
                                  ** association row; one-to-one: the
                                  ** new owner's child) */
  int bMove = 0, bDup = 0;
  int rc;

  rc = relLocate(pTab, iRowid, &pOld, &iTgtRowid, &pKey);
  if( rc==SQLITE_DONE ){
    rc = SQLITE_OK;         /* the row went meanwhile: nothing to update */
    goto done;
  }
  if( rc!=SQLITE_OK ) goto done;

  /* the foreign key column of a one-to-many is the owner, seen as data */
  if( iFkCol>=0 && !sqlite3_value_nochange(aVal[iFkCol]) ){
    if( sqlite3_value_nochange(pOwner) ){
      pOwner = aVal[iFkCol];
    }else if( !relOwnerSame(pOwner, aVal[iFkCol])
           && (sqlite3_value_type(pOwner)!=SQLITE_NULL
               || sqlite3_value_type(aVal[iFkCol])!=SQLITE_NULL) ){
      /* An UPDATE ... FROM gives every column's value, set or not, on
      ** older SQLite releases (relAllGiven): the one that holds the
      ** link's owner still is the one not set (texts byte for byte:
      ** '1.0' is another key than '1', relOwnerSame) */
      int bAll = relAllGiven(p, aVal);
      if( bAll && relOwnerSame(pOwner, pOld) ){
        pOwner = aVal[iFkCol];
      }else if( !bAll || !relOwnerSame(aVal[iFkCol], pOld) ){
        rc = relConstraint(pTab, "%s and %s disagree; give one of them",
                           p->zOwner, p->zFk);
        goto done;
      }
    }
  }
  if( !sqlite3_value_nochange(pOwner) && !relOwnerSame(pOwner, pOld) ){
    bMove = 1;
    if( sqlite3_value_type(pOwner)==SQLITE_NULL ){
      /* owner = NULL: an unlink */
      rc = p->eKind==REL_MANY_TO_ONE ? relUnlinkSource(pTab, iRowid, 1)
         : p->eKind==REL_MANY_TO_MANY ? SQLITE_OK
         : relUnlinkChild(pTab, iRowid, 1);
      if( rc!=SQLITE_OK ) goto done;
    }else{
      rc = relFindOwner(pTab, pOwner, &iNewSrc, 0,
                        p->eKind==REL_MANY_TO_ONE
                        || relOwnerAsGiven(pTab, pOwner) ? 0 : &pNewKey);
      if( rc!=SQLITE_OK ) goto done;
      if( pNewKey ) pOwner = pNewKey;     /* stored as the source has it */
      /* the owner it has, named another way ('C1' for 'c1' under NOCASE,
      ** 1 for '1'): no move. A many-to-one's link is the source row; a
      ** move to that very row would unlink it first (a delete-orphan
      ** backref then deletes it) */
      if( p->eKind==REL_MANY_TO_ONE ? iNewSrc==iRowid
                                    : relStoredEq(pOwner, pOld) ){
        bMove = 0;
      }
    }
    if( bMove && p->eKind==REL_MANY_TO_ONE
     && sqlite3_value_type(pOwner)!=SQLITE_NULL ){
      rc = relUnlinkSource(pTab, iRowid, 1);
      if( rc!=SQLITE_OK ) goto done;
    }
    if( bMove && p->eKind==REL_MANY_TO_MANY
     && sqlite3_value_type(pOwner)!=SQLITE_NULL ){
      pStmt = relStmt(pTab, REL_W_LINK_FIND);
      if( pStmt==0 ){ rc = pTab->rcStmt; goto done; }
      sqlite3_bind_value(pStmt, 1, pOwner);
      sqlite3_bind_value(pStmt, 2, pKey);
      rc = relLookup(pTab, pStmt);
      if( rc==SQLITE_ROW
       && sqlite3_vtab_on_conflict(pTab->db)==SQLITE_REPLACE ){
        /* OR REPLACE: the link there goes before this one takes its
        ** place, as a base table's UPDATE OR REPLACE deletes the row its
        ** new values conflict with (the moved row keeps its columns) */
        if( relAddrKeyed(p) ){
          rc = relAddrRegister(pTab, pStmt, 0, 0, &iDup);
        }else{
          iDup = sqlite3_column_int64(pStmt, 0);
          rc = SQLITE_OK;
        }
        sqlite3_reset(pStmt);
        if( rc!=SQLITE_OK ) goto done;
        bDup = 1;
        rc = SQLITE_DONE;
      }else if( rc==SQLITE_ROW ){
        char *zKey = relQuoteValue(pKey);
        char *zOwn = relQuoteValue(pOwner);
        sqlite3_reset(pStmt);
        relVtabError(&pTab->base, "relationship %s: %s %s is already linked"
            " to %s %s", p->zName, p->tgt.zName, zKey ? zKey : "?",
            p->src.zName, zOwn ? zOwn : "?");
        sqlite3_free(zKey);
        sqlite3_free(zOwn);
        rc = SQLITE_CONSTRAINT;
        goto done;
      }
      if( rc!=SQLITE_DONE ) goto done;
    }
    if( bMove && p->eKind==REL_ONE_TO_ONE
     && sqlite3_value_type(pOwner)!=SQLITE_NULL
     && sqlite3_vtab_on_conflict(pTab->db)==SQLITE_REPLACE ){
      /* OR REPLACE: the new owner's child goes, as an INSERT assigns
      ** (without it, the uselist=0 trigger refuses the move) */
      rc = relCurrentChild(pTab, pOwner, &iDup, &bDup);
      if( rc!=SQLITE_OK ) goto done;
    }
    rc = SQLITE_OK;
  }

  /* writes: the owner's child in the way (one-to-one, OR REPLACE), the
  ** target's columns, the association's, then the move */
  if( bDup && p->eKind==REL_ONE_TO_ONE ){
    rc = relUnlinkChild(pTab, iDup, 0);
    if( rc!=SQLITE_OK ) goto done;
  }
  if( bMove && iFkCol>=0 && !p->tgt.aCol[iFkCol].bGenerated ){
    int i;
    for(i=0; i<p->nTgtCol; i++){
      if( i!=iFkCol && !sqlite3_value_nochange(aVal[i]) ) break;
    }
    if( i<p->nTgtCol ){
      /* one-to-many, columns set and the owner moved (or unlinked): one
      ** UPDATE of the child sets both, as "UPDATE child SET name = ?,
      ** parent_id = ? WHERE ..." would. Its triggers fire once, and a new
      ** INTEGER PRIMARY KEY (the rowid) does not lose the move. A NULL
      ** foreign key under delete-orphan deletes the child by its trigger */
      sqlite3_value **aSet = sqlite3_malloc64(sizeof(aSet[0])*p->nTgtCol);
      if( aSet==0 ){ rc = SQLITE_NOMEM; goto done; }
      memcpy(aSet, aVal, sizeof(aSet[0])*p->nTgtCol);
      aSet[iFkCol] = pOwner;
      rc = relSetColumns(pTab, 0, iTgtRowid, aSet, 0, p->nTgtCol, -1, 0);
      sqlite3_free(aSet);
      goto done;
    }
  }
  rc = relSetColumns(pTab, 0, iTgtRowid, aVal, 0, p->nTgtCol, iFkCol, 0);
  if( rc==SQLITE_OK ){
    /* the key the target holds now, when it was set and something keeps
    ** it: the association rows' registered primary keys (a WITHOUT ROWID
    ** association) and a many-to-one's new source. The key-follow trigger
    ** carried the stored value ('8' in a TEXT key given 8), so it is read
    ** back by the target's rowid; when the key is the INTEGER PRIMARY KEY,
    ** the rowid is the new key, unless the UPDATE changed no row (a
    ** trigger's RAISE(IGNORE)) and the old key holds */
    int iKeyCol = p->zTgtKey ? relColumnIndex(&p->tgt, p->zTgtKey)
                             : p->tgt.iIpk;
    int bIpk = iKeyCol>=0 && iKeyCol==p->tgt.iIpk;
    if( iKeyCol>=0 && !sqlite3_value_nochange(aVal[iKeyCol])
     && (!bIpk || sqlite3_changes64(pTab->db)>0)
     && (relAddrKeyed(p) || (bMove && p->eKind==REL_MANY_TO_ONE
                              && sqlite3_value_type(pOwner)!=SQLITE_NULL)) ){
      sqlite3_value *pStored;
      pStmt = relStmt(pTab, bIpk ? REL_W_TGT_FIND : REL_W_TGT_ROWID);
      if( pStmt==0 ){ rc = pTab->rcStmt; goto done; }
      if( bIpk ){
        sqlite3_bind_value(pStmt, 1, aVal[iKeyCol]);
      }else{
        sqlite3_bind_int64(pStmt, 1, iTgtRowid);
      }
      rc = relLookup(pTab, pStmt);
      if( rc!=SQLITE_ROW ){
        if( rc==SQLITE_DONE ){
          relVtabError(&pTab->base, "relationship %s: the %s row is gone",
                       p->zName, p->tgt.zName);
          rc = SQLITE_ERROR;
        }
        goto done;
      }
      pStored = sqlite3_value_dup(sqlite3_column_value(pStmt, 1));
      sqlite3_reset(pStmt);
      if( pStored==0 ){ rc = SQLITE_NOMEM; goto done; }
      rc = relAddrAfterTarget(pTab, pKey, pStored);
      sqlite3_value_free(pKey);
      pKey = pStored;
    }
  }
  if( rc==SQLITE_OK && p->eKind==REL_MANY_TO_MANY ){
    rc = relSetColumns(pTab, 1, relAssocRowid(p, iRowid), aVal, p->nTgtCol,
                       p->nCol, -1, 0);
    if( rc==SQLITE_OK ) rc = relAddrAfterAssoc(pTab, iRowid, aVal);
  }
  if( rc!=SQLITE_OK || !bMove ) goto done;
  if( sqlite3_value_type(pOwner)==SQLITE_NULL ){
    rc = relDelete(pTab, iRowid);
    goto done;
  }
  switch( p->eKind ){
    case REL_ONE_TO_MANY:
    case REL_ONE_TO_ONE:
      rc = relRunValueRowid(pTab, REL_W_LINK, pOwner, iTgtRowid);
      break;
    case REL_MANY_TO_ONE:
      /* the target now belongs to the new source; the old one lets go */
      rc = relUnlinkSource(pTab, iRowid, 0);
      if( rc==SQLITE_OK ){
        rc = relRunValueRowid(pTab, REL_W_LINK, pKey, iNewSrc);
      }
      break;
    default:
      if( bDup ){
        pStmt = relStmt(pTab, REL_W_UNLINK);
        if( pStmt==0 ){ rc = pTab->rcStmt; goto done; }
        rc = relAddrBind(pTab, pStmt, 1, iDup, 1);
        if( rc==SQLITE_OK ) rc = relRun(pTab, pStmt);
        if( relAddrKeyed(p) ) relAddrForget(pTab, iDup);
        if( rc!=SQLITE_OK ) goto done;
      }
      pStmt = relStmt(pTab, REL_W_MOVE);
      if( pStmt==0 ){ rc = pTab->rcStmt; goto done; }
      sqlite3_bind_value(pStmt, 1, pOwner);
      if( p->bSymmetric ) sqlite3_bind_value(pStmt, 2, pOld);
      rc = relAddrBind(pTab, pStmt, 3, relAssocRowid(p, iRowid), 1);
      if( rc==SQLITE_OK ) rc = relRun(pTab, pStmt);
      break;
  }

 done:
  sqlite3_value_free(pOld);
  sqlite3_value_free(pKey);
  sqlite3_value_free(pNewKey);
  return rc;
}

/*
** rc, the result of one xUpdate call, which wrote to a base table when
** bWrote is set. A row refused (SQLITE_CONSTRAINT) after such a write (a
** create-and-link's new row with no key, a link that the association's
** CHECK refuses once the new target row is in, ...) cannot be skipped or
** stopped at under OR IGNORE or OR FAIL: SQLite would keep what was
** written. It is reported as an error instead, which fails the statement.
*/
static int relRefusedPartWay(RelVtab *pTab, int rc, int bWrote){
  int eConflict = sqlite3_vtab_on_conflict(pTab->db);
  const char *zErr;
  int bNamed;                     /* zErr names the relationship already */
  char *zMsg;
  if( (rc & 0xff)!=SQLITE_CONSTRAINT || !bWrote
   || (eConflict!=SQLITE_IGNORE && eConflict!=SQLITE_FAIL) ){
    return rc;
  }
  zErr = pTab->base.zErrMsg ? pTab->base.zErrMsg : sqlite3_errstr(rc);
  bNamed = strncmp(zErr, "relationship ", 13)==0;
  zMsg = sqlite3_mprintf("%s%s%s%s; refused after part of the row was"
      " written, which OR %s cannot skip",
      bNamed ? "" : "relationship ", bNamed ? "" : pTab->pDecl->zName,
      bNamed ? "" : ": ", zErr,
      eConflict==SQLITE_IGNORE ? "IGNORE" : "FAIL");
  sqlite3_free(pTab->base.zErrMsg);
  pTab->base.zErrMsg = zMsg;
  return zMsg ? SQLITE_ERROR : SQLITE_NOMEM;
}

/*
** Does generated column iCol of the relationship table hold pVal in the
** row of link iRowid (*pbSame)? An UPDATE ... FROM gives every column's
** value, set or not, on older SQLite releases (3.40; 3.52 marks the
** columns not set "nochange"): a generated column then arrives with the
** value it holds. (A rare path: the statements are prepared here.)
*/
static int relGeneratedSame(RelVtab *pTab, i64 iRowid, int iCol,
                            sqlite3_value *pVal, int *pbSame){
  RelDecl *p = pTab->pDecl;
  sqlite3_stmt *pStmt = 0;
  int rc;
  *pbSame = 0;
  if( iCol<p->nTgtCol ){
    sqlite3_value *pOld = 0, *pKey = 0;
    i64 iTgtRowid = 0;
    rc = relLocate(pTab, iRowid, &pOld, &iTgtRowid, &pKey);
    sqlite3_value_free(pOld);
    sqlite3_value_free(pKey);
    if( rc==SQLITE_DONE ) return SQLITE_OK;
    if( rc!=SQLITE_OK ) return rc;
    rc = relPrepare(pTab->db, &pStmt, "SELECT \"%w\" IS ?1 FROM \"%w\".\"%w\""
        " WHERE %s = ?2", p->tgt.aCol[p->aBaseCol[iCol]].zName, p->zDb,
        p->tgt.zName, relRowidName(&p->tgt));
    if( rc==SQLITE_OK ) sqlite3_bind_int64(pStmt, 2, iTgtRowid);
  }else{
    char *zAddr = relAddrWhere(p, 2, 1);
    if( zAddr==0 ) return SQLITE_NOMEM;
    rc = relPrepare(pTab->db, &pStmt, "SELECT \"%w\" IS ?1 FROM \"%w\".\"%w\""
        " WHERE %s", p->sec.aCol[p->aBaseCol[iCol]].zName, p->zDb,
        p->sec.zName, zAddr);
    sqlite3_free(zAddr);
    if( rc==SQLITE_OK ){
      rc = relAddrBind(pTab, pStmt, 2, relAssocRowid(p, iRowid), 1);
      if( rc==SQLITE_DONE ){
        sqlite3_finalize(pStmt);
        return SQLITE_OK;
      }
    }
  }
  if( rc==SQLITE_OK ) rc = sqlite3_bind_value(pStmt, 1, pVal);
  if( rc==SQLITE_OK ){
    if( sqlite3_step(pStmt)==SQLITE_ROW ){
      *pbSame = sqlite3_column_int(pStmt, 0);
    }
    rc = sqlite3_finalize(pStmt);
    pStmt = 0;
  }
  sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    relVtabError(&pTab->base, "relationship %s: %s", p->zName,
                 sqlite3_errmsg(pTab->db));
  }
  return rc;
}

/*
** A value given for a generated column (of the target or the association
** table) is refused, as plain SQL refuses it, before anything is written:
** on INSERT a value that is not NULL (a column not named arrives as
** NULL), on UPDATE of link iRowid a column that the statement sets (not
** "nochange"; even to itself), unless every column arrives so
** (relAllGiven: an UPDATE ... FROM on an older SQLite) and it holds that
** value (relGeneratedSame).
*/
static int relGeneratedGiven(RelVtab *pTab, sqlite3_value **aVal,
                             int bInsert, i64 iRowid){
  RelDecl *p = pTab->pDecl;
  int i;
  for(i=0; i<p->nCol; i++){
    RelColumn *pCol = i<p->nTgtCol ? &p->tgt.aCol[p->aBaseCol[i]]
                                   : &p->sec.aCol[p->aBaseCol[i]];
    if( !pCol->bGenerated ) continue;
    if( bInsert ? sqlite3_value_type(aVal[i])==SQLITE_NULL
                : sqlite3_value_nochange(aVal[i]) ){
      continue;
    }
    if( !bInsert && relAllGiven(p, aVal) ){
      int bSame = 0;
      int rc = relGeneratedSame(pTab, iRowid, i, aVal[i], &bSame);
      if( rc!=SQLITE_OK ) return rc;
      if( bSame ) continue;
    }
    relVtabError(&pTab->base, "relationship %s: cannot %s generated column"
                 " \"%s\"", p->zName, bInsert ? "INSERT into" : "UPDATE",
                 p->azCol[i]);
    return SQLITE_ERROR;
  }
  return SQLITE_OK;
}

/*
** Is pNew, the rowid an UPDATE gives a link, the same as its rowid iOld,
** as a base table's UPDATE would convert it ('6', 6.0, ' 6 ' are 6)? A
** NULL, a text that is no number, another number are not: an UPDATE
** setting them changes the rowid (before 2026-11-23 they were taken as 0,
** so a link whose rowid is 0 took them silently).
*/
static int relRowidSame(sqlite3_value *pNew, i64 iOld){
  int t = sqlite3_value_type(pNew);
  i64 iKey = 0;
  double r;
  if( t==SQLITE_INTEGER ) return sqlite3_value_int64(pNew)==iOld;
  if( t==SQLITE_TEXT ){
    /* numeric affinity, applied by hand: sqlite3_value_numeric_type()
    ** changes its argument, and on a copy crashes some releases */
    const char *z = (const char*)sqlite3_value_text(pNew);
    if( z==0 || !relNumericText(z, &t, &iKey) ) return 0;
    if( t==SQLITE_INTEGER ) return iKey==iOld;
    memcpy(&r, &iKey, sizeof(r));
  }else if( t==SQLITE_FLOAT ){
    r = sqlite3_value_double(pNew);
  }else{
    return 0;
  }
  return r>=-9223372036854775808.0 && r<9223372036854775808.0
      && (double)(i64)r==r && (i64)r==iOld;
}

/*
** xUpdate: DELETE (argc==1), INSERT (argv[0] NULL) or UPDATE.
*/
int relUpdate(
  sqlite3_vtab *pVtab, int argc, sqlite3_value **argv, sqlite_int64 *pRowid
){
  RelVtab *pTab = (RelVtab*)pVtab;
  RelDecl *p = pTab->pDecl;
  int bOuter = pTab->bWrote;      /* a nested call's writes are its own */
  int bWrote;
  int bSame = 1;                  /* UPDATE: the rowid is not changed */
  int rc;
  if( pTab->zBroken || pTab->zChanged ){
    relVtabError(pVtab, "%s", pTab->zBroken ? pTab->zBroken : pTab->zChanged);
    return SQLITE_ERROR;
  }
  if( p->bViewonly ){
    relVtabError(pVtab, "relationship %s: declared viewonly=1; write to the"
                 " base tables, or declare it without viewonly", p->zName);
    return SQLITE_READONLY;
  }
  if( argc>1 && sqlite3_value_type(argv[0])!=SQLITE_NULL
   && !sqlite3_value_nochange(argv[1]) ){
    bSame = relRowidSame(argv[1], sqlite3_value_int64(argv[0]));
  }
  pTab->bWrote = 0;
  if( argc==1 ){
    rc = relDelete(pTab, sqlite3_value_int64(argv[0]));
  }else if( sqlite3_value_type(argv[0])==SQLITE_NULL ){
    rc = relGeneratedGiven(pTab, &argv[2], 1, 0);
    if( rc==SQLITE_OK ){
      rc = relInsert(pTab, &argv[2], argv[2+p->nCol], argv[1], pRowid);
    }
  }else if( !bSame ){
    relVtabError(pVtab, "relationship %s: the rowid of a link cannot be"
                 " changed", p->zName);
    rc = SQLITE_CONSTRAINT;
  }else{
    rc = relGeneratedGiven(pTab, &argv[2], 0, sqlite3_value_int64(argv[0]));
    if( rc==SQLITE_OK ){
      rc = relUpdateRow(pTab, sqlite3_value_int64(argv[0]), &argv[2],
                        argv[2+p->nCol]);
    }
  }
  bWrote = pTab->bWrote;
  pTab->bWrote = bOuter;
  return rc==SQLITE_OK ? rc : relRefusedPartWay(pTab, rc, bWrote);
}
