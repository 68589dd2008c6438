/*
** rel_vtab.c: the "relationship" virtual-table module, the read side.
**
** USAGE
**
**     CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);
**     CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT,
**                        parent_id INTEGER REFERENCES parent(id));
**     CREATE VIRTUAL TABLE child_parent USING relationship(child, parent,
**                                                          backref=children);
**     SELECT * FROM parent_children(1);          -- the children of parent 1
**     SELECT * FROM child_parent(5);             -- the parent of child 5
**     SELECT p.name, c.name FROM parent p JOIN parent_children(p.id) c;
**     SELECT owner, * FROM parent_children;      -- every link
**
** The traversal needs an index on child(parent_id); the declaration makes
** one when there is none (create_index=0 to skip).
**
** HOW IT WORKS
**
** The relationship table's schema is
**
**     CREATE TABLE x(<target columns>, [<association columns>,]
**                    owner HIDDEN)
**
** Each row is one link: the target row, plus (many-to-many) the
** association row's own columns, plus the source key in "owner". The
** rowid of a row is the rowid of the row that holds the link: the child
** (one-to-many), the source (many-to-one), the association row
** (many-to-many; a WITHOUT ROWID one's rowid is a number standing for its
** PRIMARY KEY, see rel_addr.c). Every read is one SQL statement over the
** base tables, prepared once per plan and kept on the table object; a
** cursor borrows it and gives it back. Writes are in rel_write.c.
*/
#include "relationship_int.h"
#include <ctype.h>
#include <stdlib.h>

/*
** The plan, as xBestIndex encodes it in idxNum (xFilter reads it back):
**
**   bit    constraint / effect            argv[] of xFilter, in order
**   0x01   owner = ?                      the owner value
**   0x02   target key = ?                 the key value
**   0x04   rowid = ?                      the rowid value
**   0x08   rows come in the collection's order (order_by); with 0x01 the
**          ORDER BY is consumed
**   0x10   ... in the reverse of that order
**   0x20   (never from xBestIndex) the merge statement of an owner plan:
**          owner >= ?, ORDER BY owner; see relFilterMerge()
**   0x40   with 0x01: the owner is an IN list, given whole      the list
**          (sqlite3_vtab_in), and its values equal under the owner's
**          NOCASE or RTRIM sequence are read once; see relInTake()
**
** No bit set: a scan of every link, in no particular order, streamed.
**
** idxStr is the read statement's query plan (EXPLAIN QUERY PLAN shows it),
** then a NUL, then REL_IDXSTR_TAG and the read statement's index in
** RelVtab.apRead: the statement of that plan that reads the columns the
** query uses (colUsed) and nothing more. The trailer travels to xFilter
** because SQLite hands xFilter the very string xBestIndex allocated; it
** is not in idxNum, which EXPLAIN QUERY PLAN shows (and tests check).
*/
#define PLAN_OWNER   0x01
#define PLAN_KEY     0x02
#define PLAN_ROWID   0x04
#define PLAN_ORDER   0x08
#define PLAN_DESC    0x10
#define PLAN_MERGE   0x20
#define PLAN_IN      0x40

/* rows a merge statement may skip forward before a fresh seek is cheaper */
#define REL_MERGE_SKIP  8
#define REL_IDXSTR_TAG "rel$read:"

/* RelRead.mCols of a statement that reads every column */
#define REL_ALLCOLS  (~(sqlite3_uint64)0)

typedef struct RelCursor RelCursor;
struct RelCursor {
  sqlite3_vtab_cursor base;   /* Base class; must be first */
  sqlite3_stmt *pStmt;        /* Statement of the current plan */
  RelRead *pRead;             /* What pStmt reads; NULL when no pStmt */
  int bEof;                   /* No more rows */
  int bRowid;                 /* iRowid is the current row's (rel_addr.c) */
  i64 iRowid;                 /* Rowid given to the current row */
  int nFilter;                /* xFilter calls so far */
  /* pRead a merge statement (PLAN_MERGE): */
  int bDone;                  /* pStmt is at its end */
  i64 iOwner;                 /* The owner xFilter asked for */
  i64 nChange;                /* sqlite3_total_changes64() at its seek */
  /* an owner IN list given whole (PLAN_IN): */
  sqlite3_value **apIn;       /* One value of each class (sqlite3_value_dup) */
  int nIn;                    /* Values in apIn */
  int iIn;                    /* The one pStmt reads for */
  int bInNext;                /* relInNext() is moving to the next one */
};

/*
** The SQL expressions of the owner and of the link rowid (for the WHERE
** clauses of the plans). The caller frees each.
*/
char *relOwnerExpr(RelDecl *p){
  switch( p->eKind ){
    case REL_ONE_TO_MANY:
    case REL_ONE_TO_ONE:   return sqlite3_mprintf("t.\"%w\"", p->zFk);
    case REL_MANY_TO_ONE:  return relBaseKey("s", &p->src, p->zSrcKey);
    default:
      if( p->bSymmetric ) return sqlite3_mprintf("a.\"rel$owner\"");
      return sqlite3_mprintf("a.\"%w\"", p->zSrcCol);
  }
}
char *relRowidExpr(RelDecl *p){
  switch( p->eKind ){
    case REL_ONE_TO_MANY:
    case REL_ONE_TO_ONE:   return relBaseKey("t", &p->tgt, 0);
    case REL_MANY_TO_ONE:  return relBaseKey("s", &p->src, 0);
    default:
      if( p->bSymmetric ) return sqlite3_mprintf("a.\"rel$rowid\"");
      return relBaseKey("a", &p->sec, 0);
  }
}

/*
** Is order_by term i the target's key (unique: no two rows of one owner
** tie on it but copies of one link)?
*/
int relOrderIsKey(RelDecl *p, int i){
  int iKeyCol = p->zTgtKey ? relColumnIndex(&p->tgt, p->zTgtKey)
                           : p->tgt.iIpk;
  return p->aOrderCol[i]==iKeyCol;
}

/*
** Does column zCol of pBase hold an integer wherever it equals one (the
** rowid, or INTEGER affinity)?
*/
static int relColumnIsInteger(RelBase *pBase, const char *zCol){
  int iCol = relColumnIndex(pBase, zCol);
  if( iCol<0 ) return 0;
  if( iCol==pBase->iIpk ) return 1;
  return pBase->aCol[iCol].zType
      && sqlite3_strlike("%INT%", pBase->aCol[iCol].zType, 0)==0;
}

/*
** Does a many-to-many's association column of the target sort as the
** target key does, for every row that joins? So when the key is the
** target's rowid (an integer) and the column has INTEGER affinity: the
** values that join are those integers. (Another affinity or collation
** could sort them otherwise: '10' before '9'.)
*/
static int relAssocSortsAsKey(RelDecl *p){
  int bRowid = p->zTgtKey==0 ? !p->tgt.bWithoutRowid
                : (p->tgt.iIpk>=0
                   && relColumnIndex(&p->tgt, p->zTgtKey)==p->tgt.iIpk);
  if( !bRowid ) return 0;
  /* no columns read: created by the declaration, its columns typed as
  ** the keys (an integer key's INTEGER) */
  if( p->sec.nCol==0 ) return 1;
  if( !relColumnIsInteger(&p->sec, p->zTgtCol) ) return 0;
  return !p->bSymmetric || relColumnIsInteger(&p->sec, p->zSrcCol);
}

/*
** Append the expression of order_by term i in the read statements to
** pStr. A many-to-many's association row holds the target key too, and
** its index (owner, target) gives that order for free: ordered by the
** target key, it is read from the association where that sorts the same
** (relAssocSortsAsKey).
*/
void relOrderAppend(sqlite3_str *pStr, RelDecl *p, int i){
  if( p->eKind==REL_MANY_TO_MANY && relOrderIsKey(p, i)
   && relAssocSortsAsKey(p)
  ){
    if( p->bSymmetric ) sqlite3_str_appendall(pStr, "a.\"rel$target\"");
    else sqlite3_str_appendf(pStr, "a.\"%w\"", p->zTgtCol);
  }else{
    sqlite3_str_appendall(pStr, p->azExpr[p->aOrderCol[i]]);
  }
}

/*
** A symmetric many-to-many reads each association row both ways: this
** is the association table as a subquery with one row per direction
** (a row linking a node to itself once), its columns "rel$rowid" (the
** association row's rowid times two, plus one for the reverse direction),
** "rel$owner", "rel$target" and the association's own columns. SQLite
** pushes an owner constraint down into both halves, each of which has an
** index (the composite primary key and the (target, source) index).
** The caller frees the result.
*/
char *relSymmetricSql(RelDecl *p){
  sqlite3_str *pStr = sqlite3_str_new(0);
  int k, i;
  sqlite3_str_appendall(pStr, "(");
  for(k=0; k<2; k++){
    if( relAddrKeyed(p) ){
      /* no rowid: the row's PRIMARY KEY and direction (rel_addr.c) */
      sqlite3_str_appendf(pStr, "%sSELECT \"%w\" AS \"rel$owner\", \"%w\""
          " AS \"rel$target\"", k ? " UNION ALL " : "",
          k ? p->zTgtCol : p->zSrcCol, k ? p->zSrcCol : p->zTgtCol);
      relAddrSymmetricCols(pStr, p, k);
    }else
    sqlite3_str_appendf(pStr, "%sSELECT %s*2+%d AS \"rel$rowid\", \"%w\" AS"
        " \"rel$owner\", \"%w\" AS \"rel$target\"", k ? " UNION ALL " : "",
        relRowidName(&p->sec), k,
        k ? p->zTgtCol : p->zSrcCol, k ? p->zSrcCol : p->zTgtCol);
    for(i=p->nTgtCol; i<p->nCol; i++){
      sqlite3_str_appendf(pStr, ", \"%w\"", p->sec.aCol[p->aBaseCol[i]].zName);
    }
    sqlite3_str_appendf(pStr, " FROM \"%w\".\"%w\"", p->zDb, p->sec.zName);
    if( k ){
      sqlite3_str_appendf(pStr, " WHERE \"%w\" IS NOT \"%w\"", p->zSrcCol,
                          p->zTgtCol);
    }
  }
  sqlite3_str_appendall(pStr, ")");
  return sqlite3_str_finish(pStr);
}

/*
** The FROM and WHERE clauses that list a relationship's links, over the
** aliases t (target), s (source), a (association):
**
**     FROM <tables> WHERE <the row is a link>
**
** bOwner: the caller appends a comparison of the owner (= or >=), which
** no NULL passes, so a one-to-many's "the foreign key is not NULL" is
** left out (one test a call less). In memory the caller frees with
** sqlite3_free().
*/
char *relFromSql(RelDecl *p, int bOwner){
  char *zTgtKey = relBaseKey("t", &p->tgt, p->zTgtKey);
  char *zOut;
  if( zTgtKey==0 ) return 0;            /* out of memory */
  switch( p->eKind ){
    case REL_ONE_TO_MANY:
    case REL_ONE_TO_ONE:
      zOut = bOwner ? sqlite3_mprintf(" FROM \"%w\".\"%w\" AS t WHERE 1",
                                      p->zDb, p->tgt.zName)
          : sqlite3_mprintf(" FROM \"%w\".\"%w\" AS t WHERE t.\"%w\" IS NOT NULL",
                            p->zDb, p->tgt.zName, p->zFk);
      break;
    case REL_MANY_TO_ONE:
      zOut = sqlite3_mprintf(" FROM \"%w\".\"%w\" AS s JOIN \"%w\".\"%w\" AS t"
          " ON %s = s.\"%w\" WHERE 1", p->zDb, p->src.zName, p->zDb,
          p->tgt.zName, zTgtKey, p->zFk);
      break;
    default:
      if( p->bSymmetric ){
        char *zSub = relSymmetricSql(p);
        zOut = zSub ? sqlite3_mprintf(" FROM %s AS a JOIN \"%w\".\"%w\" AS t"
            " ON %s = a.\"rel$target\" WHERE 1", zSub, p->zDb, p->tgt.zName,
            zTgtKey) : 0;
        sqlite3_free(zSub);
        break;
      }
      zOut = sqlite3_mprintf(" FROM \"%w\".\"%w\" AS a JOIN \"%w\".\"%w\" AS t"
          " ON %s = a.\"%w\" WHERE 1", p->zDb, p->sec.zName, p->zDb,
          p->tgt.zName, zTgtKey, p->zTgtCol);
      break;
  }
  sqlite3_free(zTgtKey);
  return zOut;
}

/*
** SELECT <columns>, [<owner>,] <link rowid> FROM ... WHERE <link>: the rows
** of the relationship table, reading only the columns in pRead->mCols (bit
** i column i, bit nCol the owner). Fills pRead->aPos (the result column of
** each relationship-table column, -1 for those not read) and
** pRead->iRowid. The rowid is not read twice: in a one-to-many the
** target's INTEGER PRIMARY KEY column is the link rowid. A WITHOUT ROWID
** association row has its address (rel_addr.c) instead of the rowid,
** from pRead->iRowid on. The caller frees the result.
*/
static char *relSelectSql(RelDecl *p, RelRead *pRead){
  sqlite3_str *pStr = sqlite3_str_new(0);
  char *zOwner = relOwnerExpr(p);
  char *zFrom = relFromSql(p, (pRead->iPlan & (PLAN_OWNER|PLAN_MERGE))!=0);
  char *zAddr = relAddrCols(p, 0);
  int i, nOut = 0;
  if( zOwner==0 || zFrom==0 || zAddr==0 ){          /* out of memory */
    sqlite3_free(zOwner);
    sqlite3_free(zFrom);
    sqlite3_free(zAddr);
    sqlite3_free(sqlite3_str_finish(pStr));
    return 0;
  }
  pRead->iRowid = -1;
  sqlite3_str_appendall(pStr, "SELECT ");
  for(i=0; i<=p->nCol; i++){
    if( pRead->mCols!=REL_ALLCOLS && (pRead->mCols & ((sqlite3_uint64)1<<i))==0 ){
      pRead->aPos[i] = -1;
      continue;
    }
    if( pRead->bOwnerArg
     && (i<p->nCol ? strcmp(p->azExpr[i], zOwner)==0
                     && !(i<p->nTgtCol && p->aBaseCol[i]==p->tgt.iIpk)
                   : (pRead->iPlan & PLAN_MERGE)==0) ){
      /* the owner's value, which the cursor has (a merge statement reads
      ** the owner still: its rows run on to the next owner's) */
      pRead->aPos[i] = -2;
      continue;
    }
    if( i==p->nCol ){
      /* the owner is a column read already (a one-to-many's foreign key):
      ** read once */
      int j;
      for(j=0; j<p->nCol && (pRead->aPos[j]<0
                             || strcmp(p->azExpr[j], zOwner)!=0); j++){}
      if( j<p->nCol ){
        pRead->aPos[i] = pRead->aPos[j];
        continue;
      }
    }
    pRead->aPos[i] = nOut;
    sqlite3_str_appendf(pStr, "%s%s", nOut++ ? ", " : "",
                        i<p->nCol ? p->azExpr[i] : zOwner);
    if( i<p->nTgtCol && p->aBaseCol[i]==p->tgt.iIpk
     && (p->eKind==REL_ONE_TO_MANY || p->eKind==REL_ONE_TO_ONE) ){
      pRead->iRowid = pRead->aPos[i];
    }
  }
  if( pRead->iRowid<0 ){
    pRead->iRowid = nOut;
    sqlite3_str_appendf(pStr, "%s%s", nOut++ ? ", " : "", zAddr);
  }
  sqlite3_str_appendall(pStr, zFrom);
  sqlite3_free(zOwner);
  sqlite3_free(zFrom);
  sqlite3_free(zAddr);
  return sqlite3_str_finish(pStr);
}

/*
** Prepare the read statement of pRead (its plan and columns) into *ppStmt.
*/
static int relPrepareRead(RelVtab *pTab, RelRead *pRead, sqlite3_stmt **ppStmt){
  RelDecl *p = pTab->pDecl;
  int idxNum = pRead->iPlan;
  char *zSelect = relSelectSql(p, pRead);
  char *zOwner = relOwnerExpr(p);
  char *zKey = relBaseKey("t", &p->tgt, p->zTgtKey);
  sqlite3_str *pStr = sqlite3_str_new(0);
  char *zSql;
  int rc, i, nParam = 0;

  if( zSelect==0 || zOwner==0 || zKey==0 ){   /* out of memory */
    sqlite3_free(zSelect);
    sqlite3_free(zOwner);
    sqlite3_free(zKey);
    sqlite3_free(sqlite3_str_finish(pStr));
    return SQLITE_NOMEM;
  }
  sqlite3_str_appendall(pStr, zSelect);
  if( idxNum & PLAN_MERGE ){
    sqlite3_str_appendf(pStr, " AND %s >= ?%d ORDER BY %s", zOwner, ++nParam,
                        zOwner);
  }else if( idxNum & PLAN_OWNER ){
    sqlite3_str_appendf(pStr, " AND %s = ?%d", zOwner, ++nParam);
  }
  if( idxNum & PLAN_KEY ){
    sqlite3_str_appendf(pStr, " AND %s = ?%d", zKey, ++nParam);
  }
  if( idxNum & PLAN_ROWID ){
    /* last: relFilter binds the rowid as relAddrBind() does */
    char *zAddr = relAddrWhere(p, ++nParam, 0);
    if( zAddr==0 ){                           /* out of memory */
      sqlite3_free(zSelect);
      sqlite3_free(zOwner);
      sqlite3_free(zKey);
      sqlite3_free(sqlite3_str_finish(pStr));
      return SQLITE_NOMEM;
    }
    sqlite3_str_appendf(pStr, " AND %s", zAddr);
    sqlite3_free(zAddr);
  }
  /* Rows of one owner and one target key (or one rowid) are one link, or
  ** copies of the same target: their order keys are equal when every
  ** term is a target column, and a sort of them would only cost (a sorter
  ** opened and freed per lookup: an unlink's DELETE by owner and key). */
  if( (idxNum & PLAN_ROWID) || (idxNum & PLAN_KEY) ){
    for(i=0; i<p->nOrder && p->aOrderCol[i]<p->nTgtCol; i++){}
    if( i==p->nOrder ) idxNum &= ~(PLAN_ORDER|PLAN_DESC);
  }
  if( (idxNum & PLAN_ORDER) && p->nOrder>0 && p->bUselist ){
    int bFlip = (idxNum & PLAN_DESC)!=0;
    sqlite3_str_appendall(pStr, (idxNum & PLAN_MERGE) ? ", " : " ORDER BY ");
    for(i=0; i<p->nOrder; i++){
      if( i ) sqlite3_str_appendall(pStr, ", ");
      relOrderAppend(pStr, p, i);
      if( p->aOrderDesc[i] ^ bFlip ) sqlite3_str_appendall(pStr, " DESC");
    }
  }
  zSql = sqlite3_str_finish(pStr);
  sqlite3_free(zSelect);
  sqlite3_free(zOwner);
  sqlite3_free(zKey);
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v3(pTab->db, zSql, -1, SQLITE_PREPARE_PERSISTENT,
                          ppStmt, 0);
  sqlite3_free(zSql);
  if( rc!=SQLITE_OK ){
    relVtabError(&pTab->base, "relationship %s: %s", p->zName,
                 sqlite3_errmsg(pTab->db));
  }else{
    /* the base tables are still the declaration's: relBaseCheck */
    rc = relBaseCheck(pTab);
    if( rc!=SQLITE_OK ){
      sqlite3_finalize(*ppStmt);
      *ppStmt = 0;
    }
  }
  return rc;
}

/*
** Free a relationship table object and its statements.
*/
static void relVtabFree(RelVtab *pTab){
  int i;
  if( pTab==0 ) return;
  for(i=0; i<pTab->nRead; i++){
    sqlite3_finalize(pTab->apRead[i]->pStmt);
    sqlite3_free(pTab->apRead[i]->zPlan);
    sqlite3_free(pTab->apRead[i]);
  }
  sqlite3_free(pTab->apRead);
  sqlite3_free(pTab->pSpare);
  relNestedRelease(pTab, 0);
  for(i=0; i<REL_NWRITE; i++) sqlite3_finalize(pTab->aWrite[i]);
  for(i=0; i<2; i++){
    sqlite3_finalize(pTab->apDyn[i]);
    sqlite3_free(pTab->azDynSql[i]);
  }
  relAddrFree(pTab);
  sqlite3_finalize(pTab->pBaseSql);   /* (bound to names of pDecl) */
  sqlite3_finalize(pTab->pInEq);
  relDeclFree(pTab->pDecl);
  for(i=0; i<4; i++) sqlite3_free(pTab->azGone[i]);
  for(i=0; i<3; i++) sqlite3_free(pTab->azBaseSql[i]);
  sqlite3_free(pTab->zChanged);
  sqlite3_free(pTab->zSchemaSql);
  sqlite3_free(pTab->zBroken);
  sqlite3_free(pTab->base.zErrMsg);
  sqlite3_free(pTab);
}

/*
** A base table dropped and created again on this connection, with no
** ALTER TABLE after it, leaves the relationship table connected as it
** was: SQLite reads a virtual table's schema again only when it reads
** the whole schema again (an ALTER TABLE, another connection's change).
** Its statements are prepared again by SQLite and name the new table's
** columns, but what the declaration worked out (the key, the rowid, the
** types) is the old table's, and a write could go wrong without an error
** (a new row keyed NULL, another row updated). So the table's statements
** compare the base tables' CREATE TABLE text with the text read with the
** declaration (relBaseCheck) whenever SQLite may have changed the schema
** under them: when one is prepared, and when SQLite has prepared one
** again (SQLITE_STMTSTATUS_REPREPARE) before it reads or writes further.
** A table whose text is not the same any more fails every use from then
** on (RelVtab.zChanged), until the connection is opened again.
**
** relBaseStep() runs the statement that reads the three texts (the
** source's, the target's, the association table's or NULL), kept on the
** table: SQLITE_OK with a row, or an error code.
*/
static int relBaseStep(RelVtab *pTab){
  RelDecl *p = pTab->pDecl;
  int rc;
  if( pTab->pBaseSql==0 ){
    rc = relPrepare(pTab->db, &pTab->pBaseSql,
        "SELECT (SELECT sql FROM \"%w\".sqlite_schema WHERE type='table'"
        " AND name=?1 COLLATE NOCASE), (SELECT sql FROM \"%w\".sqlite_schema"
        " WHERE type='table' AND name=?2 COLLATE NOCASE), (SELECT sql FROM"
        " \"%w\".sqlite_schema WHERE type='table' AND name=?3 COLLATE NOCASE)",
        p->zDb, p->zDb, p->zDb);
    if( rc!=SQLITE_OK ) return rc;
    sqlite3_bind_text(pTab->pBaseSql, 1, p->src.zName, -1, SQLITE_STATIC);
    sqlite3_bind_text(pTab->pBaseSql, 2, p->tgt.zName, -1, SQLITE_STATIC);
    if( p->eKind==REL_MANY_TO_MANY ){
      sqlite3_bind_text(pTab->pBaseSql, 3, p->sec.zName, -1, SQLITE_STATIC);
    }
  }
  rc = sqlite3_step(pTab->pBaseSql);
  if( rc==SQLITE_ROW ) return SQLITE_OK;
  rc = sqlite3_reset(pTab->pBaseSql);
  return rc==SQLITE_OK ? SQLITE_ERROR : rc;
}

/*
** Read the base tables' CREATE TABLE text with the declaration.
*/
static int relBaseCapture(RelVtab *pTab){
  int i, rc = relBaseStep(pTab);
  for(i=0; rc==SQLITE_OK && i<3; i++){
    const char *z;
    if( sqlite3_column_type(pTab->pBaseSql, i)==SQLITE_NULL ) continue;
    z = (const char*)sqlite3_column_text(pTab->pBaseSql, i);
    pTab->azBaseSql[i] = z ? relStrdup(z) : 0;
    if( pTab->azBaseSql[i]==0 ) rc = SQLITE_NOMEM;
  }
  if( pTab->pBaseSql ) sqlite3_reset(pTab->pBaseSql);
  return rc;
}

/*
** Are the base tables still the ones the declaration was read from (see
** above)? SQLITE_OK, or an error code with the table's error set:
** SQLITE_ERROR with RelVtab.zChanged when one was created anew.
*/
int relBaseCheck(RelVtab *pTab){
  RelDecl *p = pTab->pDecl;
  int i, rc;
  if( pTab->zChanged ){
    relVtabError(&pTab->base, "%s", pTab->zChanged);
    return SQLITE_ERROR;
  }
  rc = relBaseStep(pTab);
  if( rc!=SQLITE_OK ){
    relVtabError(&pTab->base, "relationship %s: %s", p->zName,
                 rc==SQLITE_NOMEM ? "out of memory"
                                  : sqlite3_errmsg(pTab->db));
    return rc;
  }
  for(i=0; rc==SQLITE_OK && i<3; i++){
    const char *zName = i==0 ? p->src.zName
                      : i==1 ? p->tgt.zName : p->sec.zName;
    int bNull = sqlite3_column_type(pTab->pBaseSql, i)==SQLITE_NULL;
    const char *z = (const char*)sqlite3_column_text(pTab->pBaseSql, i);
    const char *zWas = pTab->azBaseSql[i];
    if( z==0 && !bNull ){
      rc = SQLITE_NOMEM;
    }else if( z==0 && zWas!=0 ){
      /* gone (the statements that do not name it still prepare): as a
      ** new connection says of the broken declaration (relDeclRead).
      ** Not for good: it may be created again */
      relVtabError(&pTab->base, "relationship %s: no table %s in schema %s;"
          " DROP TABLE %s and declare it again", p->zName, zName, p->zDb,
          p->zName);
      rc = SQLITE_ERROR;
    }else if( z!=0 && (zWas==0 || strcmp(z, zWas)!=0) ){
      pTab->zChanged = sqlite3_mprintf("relationship %s: table %s was"
          " dropped and created again since this connection read it; open"
          " the connection again", p->zName, zName);
      rc = pTab->zChanged ? SQLITE_ERROR : SQLITE_NOMEM;
      if( pTab->zChanged ) relVtabError(&pTab->base, "%s", pTab->zChanged);
    }
  }
  sqlite3_reset(pTab->pBaseSql);
  if( rc==SQLITE_NOMEM ){
    relVtabError(&pTab->base, "relationship %s: out of memory", p->zName);
  }
  return rc;
}

/*
** Does a table (or view, index, trigger) named zName exist in schema zDb?
*/
static int relNameTaken(sqlite3 *db, const char *zDb, const char *zName,
                        int *pbTaken){
  sqlite3_stmt *pStmt = 0;
  int rc = relPrepare(db, &pStmt, "SELECT 1 FROM \"%w\".sqlite_schema"
                      " WHERE name=?1 COLLATE NOCASE AND type IN"
                      " ('table','view')", zDb);
  if( rc!=SQLITE_OK ) return rc;
  sqlite3_bind_text(pStmt, 1, zName, -1, SQLITE_STATIC);
  *pbTaken = sqlite3_step(pStmt)==SQLITE_ROW;
  return sqlite3_finalize(pStmt);
}

/*
** Is q the relationship p seen from the other side (same link)?
*/
int relIsReverse(RelDecl *p, RelDecl *q){
  if( sqlite3_stricmp(q->src.zName, p->tgt.zName)!=0
   || sqlite3_stricmp(q->tgt.zName, p->src.zName)!=0 ) return 0;
  if( p->eKind==REL_MANY_TO_MANY ){
    return q->eKind==REL_MANY_TO_MANY
        && sqlite3_stricmp(q->sec.zName, p->sec.zName)==0
        && sqlite3_stricmp(q->zSrcCol, p->zTgtCol)==0
        && sqlite3_stricmp(q->zTgtCol, p->zSrcCol)==0;
  }
  return q->eKind!=REL_MANY_TO_MANY
      && (p->eKind==REL_MANY_TO_ONE)!=(q->eKind==REL_MANY_TO_ONE)
      && sqlite3_stricmp(q->zFk, p->zFk)==0;
}

/*
** A new declaration p and back_populates=, both ways: the table p names
** must be p seen from the other side and name p back (or nothing); a
** declaration that names p must be p's reverse, and p must not name a
** third table.
*/
static int relCheckBackPopulates(
  RelGlobal *pGlobal, RelDecl *p, char **pzErr
){
  RelDecl *q = 0;
  RelDecl **aDecl = 0;
  int nDecl = 0, i;
  int rc;
  if( p->zBackPop ){
    rc = relFindDecl(pGlobal, p->zDb, p->zBackPop, &q, pzErr);
    if( rc!=SQLITE_OK ){
      char *zErr = *pzErr;
      *pzErr = sqlite3_mprintf("relationship %s: back_populates=%s: %s",
                               p->zName, p->zBackPop, zErr);
      sqlite3_free(zErr);
      return rc;
    }
    if( q==0 ){
      int bTaken = 0;
      rc = relNameTaken(pGlobal->db, p->zDb, p->zBackPop, &bTaken);
      if( rc!=SQLITE_OK ) return rc;
      if( bTaken ){
        *pzErr = sqlite3_mprintf("relationship %s: back_populates=%s, but %s"
            " is not a relationship table", p->zName, p->zBackPop,
            p->zBackPop);
        return SQLITE_ERROR;
      }
      /* declared later: checked then */
    }else if( !relIsReverse(p, q) ){
      *pzErr = sqlite3_mprintf("relationship %s: back_populates=%s, but %s is"
          " not this relationship seen from %s (it is a %s from %s to %s)",
          p->zName, q->zName, q->zName, p->tgt.zName, relKindName(q->eKind),
          q->src.zName, q->tgt.zName);
      return SQLITE_ERROR;
    }else if( q->zBackPop && sqlite3_stricmp(q->zBackPop, p->zName)!=0 ){
      *pzErr = sqlite3_mprintf("relationship %s: back_populates=%s, but %s"
          " says back_populates=%s", p->zName, q->zName, q->zName,
          q->zBackPop);
      return SQLITE_ERROR;
    }
  }
  /* declarations made earlier that name this one */
  rc = relListDecls(pGlobal, p->zDb, p->zName, &aDecl, &nDecl, pzErr);
  for(i=0; rc==SQLITE_OK && i<nDecl; i++){
    q = aDecl[i];
    if( q->zBackPop==0 || sqlite3_stricmp(q->zBackPop, p->zName)!=0 ) continue;
    if( !relIsReverse(q, p) ){
      *pzErr = sqlite3_mprintf("relationship %s: %s says back_populates=%s,"
          " but %s is not %s seen from %s (it is a %s from %s to %s)",
          p->zName, q->zName, p->zName, p->zName, q->zName, q->tgt.zName,
          relKindName(p->eKind), p->src.zName, p->tgt.zName);
      rc = SQLITE_ERROR;
    }else if( p->zBackPop && sqlite3_stricmp(p->zBackPop, q->zName)!=0 ){
      *pzErr = sqlite3_mprintf("relationship %s: back_populates=%s, but %s"
          " says back_populates=%s", p->zName, p->zBackPop, q->zName,
          p->zName);
      rc = SQLITE_ERROR;
    }
  }
  sqlite3_free(aDecl);
  return rc;
}

/*
** The schema a broken relationship table declares: the target's columns
** when the target table (argument zTarget, maybe quoted) is still there, so
** that a statement naming them prepares and reports what is broken; NULL
** otherwise (the caller falls back on a bare schema). The caller frees the
** result with sqlite3_free().
*/
static char *relBrokenSchema(sqlite3 *db, const char *zDb,
                             const char *zTarget){
  sqlite3_stmt *pStmt = 0;
  sqlite3_str *pStr;
  char *zTgt;
  int nCol = 0;
  if( zTarget==0 ) return 0;
  zTgt = relStrdup(zTarget);
  if( zTgt==0 ) return 0;
  relDequote(zTgt);
  if( relPrepare(db, &pStmt, "SELECT name FROM pragma_table_xinfo(?1, ?2)"
                 " WHERE hidden=0 AND lower(name)<>'owner'")!=SQLITE_OK ){
    sqlite3_free(zTgt);
    return 0;
  }
  sqlite3_bind_text(pStmt, 1, zTgt, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, zDb, -1, SQLITE_STATIC);
  pStr = sqlite3_str_new(db);
  sqlite3_str_appendall(pStr, "CREATE TABLE x(");
  while( sqlite3_step(pStmt)==SQLITE_ROW ){
    sqlite3_str_appendf(pStr, "\"%w\", ",
                        (const char*)sqlite3_column_text(pStmt, 0));
    nCol++;
  }
  sqlite3_str_appendall(pStr, "owner HIDDEN)");
  sqlite3_finalize(pStmt);
  sqlite3_free(zTgt);
  if( nCol==0 ){
    sqlite3_free(sqlite3_str_finish(pStr));
    return 0;
  }
  return sqlite3_str_finish(pStr);
}

/* Remove leading and trailing white space from z, in place. */
static void relTrim(char *z){
  size_t n, i = 0;
  while( isspace((unsigned char)z[i]) ) i++;
  n = strlen(z+i);
  memmove(z, z+i, n+1);
  while( n>0 && isspace((unsigned char)z[n-1]) ) z[--n] = 0;
}

/*
** A broken declaration's schema and tables, as its arguments name them
** (dequoted): the source, the target, and secondary= when given. Returns
** SQLITE_NOMEM or SQLITE_OK.
*/
static int relBrokenNames(RelVtab *pTab, int argc, const char *const *argv){
  int i;
  pTab->azGone[0] = relStrdup(argv[1]);
  if( pTab->azGone[0]==0 ) return SQLITE_NOMEM;
  for(i=3; i<argc; i++){
    const char *z = argv[i];
    int k = i<5 ? i-2 : 3;
    if( k==3 ){
      /* an option: is it secondary=? */
      const char *zEq = strchr(z, '=');
      char *zKey;
      int bSec;
      if( zEq==0 || pTab->azGone[3] ) continue;
      zKey = sqlite3_mprintf("%.*s", (int)(zEq-z), z);
      if( zKey==0 ) return SQLITE_NOMEM;
      relTrim(zKey);
      relDequote(zKey);
      bSec = sqlite3_stricmp(zKey, "secondary")==0;
      sqlite3_free(zKey);
      if( !bSec ) continue;
      z = zEq+1;
    }
    pTab->azGone[k] = relStrdup(z);
    if( pTab->azGone[k]==0 ) return SQLITE_NOMEM;
    relTrim(pTab->azGone[k]);
    relDequote(pTab->azGone[k]);
  }
  return SQLITE_OK;
}

/*
** DROP TABLE of a broken declaration: of the tables it named, those that
** are gone may have left triggers behind on the others (a dropped child
** table leaves the parent's rel_<child>_<column>_delete and _key, which
** name it and would make every DELETE of a parent fail). Drop the rel_
** triggers named after a gone table whose body names it. Triggers of
** tables that are still there stay: they are right for them as they are.
*/
static int relDropStaleTriggers(RelVtab *pTab){
  const char *zDb = pTab->azGone[0];
  int i, rc = SQLITE_OK;
  for(i=1; rc==SQLITE_OK && i<4; i++){
    sqlite3_stmt *pStmt = 0;
    char **azDrop = 0;
    int nDrop = 0, bThere = 0, k;
    if( pTab->azGone[i]==0 ) continue;
    rc = relNameTaken(pTab->db, zDb, pTab->azGone[i], &bThere);
    if( rc!=SQLITE_OK || bThere ) continue;
    rc = relPrepare(pTab->db, &pStmt, "SELECT name FROM \"%w\".sqlite_schema"
        " WHERE type='trigger'"
        " AND lower(substr(name, 1, length(?1)))=lower(?1)"
        " AND instr(lower(sql), lower(?2))>0", zDb);
    if( rc==SQLITE_OK ){
      char *zPrefix = sqlite3_mprintf("rel_%s_", pTab->azGone[i]);
      char *zQuoted = sqlite3_mprintf("\"%w\"", pTab->azGone[i]);
      if( zPrefix && zQuoted ){
        sqlite3_bind_text(pStmt, 1, zPrefix, -1, sqlite3_free);
        sqlite3_bind_text(pStmt, 2, zQuoted, -1, sqlite3_free);
        while( sqlite3_step(pStmt)==SQLITE_ROW ){
          char **aNew = sqlite3_realloc64(azDrop, sizeof(char*)*(nDrop+1));
          if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
          azDrop = aNew;
          azDrop[nDrop] = relStrdup((const char*)sqlite3_column_text(pStmt,0));
          if( azDrop[nDrop++]==0 ){ rc = SQLITE_NOMEM; break; }
        }
      }else{
        sqlite3_free(zPrefix);
        sqlite3_free(zQuoted);
        rc = SQLITE_NOMEM;
      }
      if( sqlite3_finalize(pStmt)!=SQLITE_OK && rc==SQLITE_OK ){
        rc = sqlite3_errcode(pTab->db);
      }
    }
    for(k=0; k<nDrop; k++){
      if( rc==SQLITE_OK ){
        char *zErr = 0;
        rc = relExec(pTab->db, &zErr, "DROP TRIGGER \"%w\".\"%w\"", zDb,
                     azDrop[k]);
        if( rc!=SQLITE_OK ){
          relVtabError(&pTab->base, "%s", zErr ? zErr : "out of memory");
        }
        sqlite3_free(zErr);
      }
      sqlite3_free(azDrop[k]);
    }
    sqlite3_free(azDrop);
  }
  return rc;
}

/*
** A new declaration that writes (not viewonly=1) needs link columns it can
** write: the foreign key (one-to-many, many-to-one), the association's
** two columns (many-to-many). A generated one is refused: its triggers
** would set it on deleting or re-keying a referenced row, and every such
** DELETE or UPDATE, whoever wrote it, would fail ("cannot UPDATE generated
** column"); links and unlinks would fail alike. viewonly=1 installs no
** rule, and reads through it. SQLITE_ERROR with *pzErr set, or SQLITE_OK.
*/
static int relCheckGenerated(RelDecl *p, char **pzErr){
  RelLink aLink[2];
  int n = relDeclLinks(p, aLink);
  int i;
  for(i=0; i<n; i++){
    RelBase *pBase = aLink[i].pChildBase;
    int iCol = relColumnIndex(pBase, aLink[i].zCol);
    if( pBase->bExists && iCol>=0 && pBase->aCol[iCol].bGenerated ){
      *pzErr = sqlite3_mprintf("relationship %s: %s.%s is a generated"
          " column, which links, unlinks and the rules on deleting or"
          " re-keying a %s row would write; declare viewonly=1 to read"
          " through it", p->zName, aLink[i].zChild, aLink[i].zCol,
          aLink[i].zParent);
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
  }
  return SQLITE_OK;
}

/*
** xCreate and xConnect. xCreate (bCreate) checks what a new declaration
** must agree with, installs the association table, index and triggers,
** and creates the backref's table; xConnect only reads.
*/
static int relInit(
  sqlite3 *db, void *pAux, int argc, const char *const *argv,
  sqlite3_vtab **ppVtab, char **pzErr, int bCreate
){
  RelGlobal *pGlobal = (RelGlobal*)pAux;
  RelVtab *pTab = 0;
  RelDecl *p = 0;
  char *zSchema = 0;
  char *zReverse = 0;
  int rc;

  *ppVtab = 0;
  rc = relDeclParse(db, argv[1], argv[2], argc-3, &argv[3], &p, pzErr);
  if( rc==SQLITE_OK && !bCreate && p->eKind==REL_MANY_TO_MANY
   && !p->sec.bExists ){
    /* only a new declaration creates the association table: gone since,
    ** it is a broken declaration, as relDeclRead() says */
    *pzErr = sqlite3_mprintf("relationship %s: no table %s in schema %s",
                             argv[2], p->sec.zName, argv[1]);
    relDeclFree(p);
    p = 0;
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if( rc==SQLITE_ERROR && !bCreate ){
    /* The schema changed under the declaration (a table renamed or
    ** dropped, a column gone). Connect anyway, so that DROP TABLE works;
    ** every use reports what is wrong and what to do. */
    char *zBrokenSchema = relBrokenSchema(db, argv[1], argc>4 ? argv[4] : 0);
    rc = sqlite3_declare_vtab(db, zBrokenSchema ? zBrokenSchema
                              : "CREATE TABLE x(broken, owner HIDDEN)");
    sqlite3_free(zBrokenSchema);
    if( rc==SQLITE_OK ){
      pTab = relMallocZero(sizeof(*pTab));
      if( pTab ){
        pTab->zBroken = sqlite3_mprintf("%s; DROP TABLE %s and declare it"
                                        " again", *pzErr, argv[2]);
      }
      if( pTab==0 || pTab->zBroken==0
       || relBrokenNames(pTab, argc, argv)!=SQLITE_OK ){
        relVtabFree(pTab);
        return SQLITE_NOMEM;
      }
      sqlite3_free(*pzErr);
      *pzErr = 0;
      pTab->db = db;
      pTab->pGlobal = pGlobal;
      *ppVtab = &pTab->base;
    }
    return rc;
  }
  if( rc!=SQLITE_OK ) return rc;

  if( bCreate && !p->bViewonly ){
    rc = relCheckGenerated(p, pzErr);
    if( rc!=SQLITE_OK ) goto fail;
  }
  if( bCreate ){
    rc = relCheckBackPopulates(pGlobal, p, pzErr);
    if( rc==SQLITE_OK && p->zBackref ){
      int bTaken = 0;
      zReverse = sqlite3_mprintf("%s_%s", p->tgt.zName, p->zBackref);
      if( zReverse==0 ) rc = SQLITE_NOMEM;
      if( rc==SQLITE_OK ) rc = relNameTaken(db, p->zDb, zReverse, &bTaken);
      if( rc==SQLITE_OK && bTaken ){
        *pzErr = sqlite3_mprintf("relationship %s: backref=%s would create"
            " %s, which exists already; drop it or use back_populates=",
            p->zName, p->zBackref, zReverse);
        rc = SQLITE_ERROR;
      }
    }
    if( rc==SQLITE_OK ) rc = relInstall(pGlobal, p, pzErr);
    if( rc!=SQLITE_OK ) goto fail;
  }

  zSchema = relDeclSchema(p, 1);
  if( zSchema==0 ){ rc = SQLITE_NOMEM; goto fail; }
  rc = sqlite3_declare_vtab(db, zSchema);
  sqlite3_free(zSchema);
  if( rc==SQLITE_ERROR ){
    /* a collating sequence this connection does not know (the base
    ** tables' statements that use it fail on their own): without them */
    zSchema = relDeclSchema(p, 0);
    if( zSchema==0 ){ rc = SQLITE_NOMEM; goto fail; }
    rc = sqlite3_declare_vtab(db, zSchema);
    sqlite3_free(zSchema);
  }
  if( rc!=SQLITE_OK ){
    *pzErr = sqlite3_mprintf("relationship %s: %s", p->zName,
                             sqlite3_errmsg(db));
    goto fail;
  }
  /* Writes report constraint failures before changing anything, so the
  ** statement's ON CONFLICT clause can be honoured (rel_write.c). */
  sqlite3_vtab_config(db, SQLITE_VTAB_CONSTRAINT_SUPPORT, 1);
  /* Neither SQLITE_VTAB_INNOCUOUS nor SQLITE_VTAB_DIRECTONLY: a write
  ** through a relationship table changes base tables, so it is not
  ** innocuous, and under PRAGMA trusted_schema=OFF a view or trigger of
  ** an untrusted schema may not use it ("unsafe use of virtual table");
  ** with the schema trusted (SQLite's default) triggers and views may,
  ** as they may write the base tables (test/hostile.test 3.4-3.6). */

  pTab = relMallocZero(sizeof(*pTab));
  if( pTab==0 ){ rc = SQLITE_NOMEM; goto fail; }
  pTab->db = db;
  pTab->pGlobal = pGlobal;
  pTab->pDecl = p;
  p = 0;
  /* what the schema says now, so that a later lookup can tell when
  ** another connection has declared the table anew (relFindDecl) */
  rc = relSchemaSql(db, pTab->pDecl->zDb, pTab->pDecl->zName,
                    &pTab->zSchemaSql);
  /* and what it says of the base tables (relBaseCheck) */
  if( rc==SQLITE_OK ) rc = relBaseCapture(pTab);
  if( rc!=SQLITE_OK ){
    if( rc!=SQLITE_NOMEM ){
      *pzErr = sqlite3_mprintf("relationship %s: %s", pTab->pDecl->zName,
                               sqlite3_errmsg(db));
    }
    goto fail;
  }
  relRegister(pGlobal, pTab);

  if( zReverse ){
    char *zSql = relDeclReverseSql(pTab->pDecl, zReverse);
    rc = zSql ? relExec(db, pzErr, "%s", zSql) : SQLITE_NOMEM;
    sqlite3_free(zSql);
    if( rc!=SQLITE_OK ){
      char *zErr = *pzErr;
      *pzErr = sqlite3_mprintf("relationship %s: backref=%s: %s",
                               pTab->pDecl->zName, pTab->pDecl->zBackref,
                               zErr ? zErr : "out of memory");
      sqlite3_free(zErr);
      relUnregister(pGlobal, pTab);
      goto fail;
    }
  }
  sqlite3_free(zReverse);
  *ppVtab = &pTab->base;
  return SQLITE_OK;

 fail:
  sqlite3_free(zReverse);
  relDeclFree(p);
  relVtabFree(pTab);
  return rc;
}

/*
** A copy of xCreate/xConnect's argv in one allocation (the array, then the
** strings), which the caller frees with sqlite3_free(); NULL when out of
** memory. relInit() runs SQL, and when that SQL runs out of memory SQLite
** may reset the schema, which frees the Table that owns argv while we are
** still reading it.
*/
static char **relArgvCopy(int argc, const char *const *argv){
  i64 nByte = sizeof(char*)*(argc+1);
  char **azCopy;
  char *z;
  int i;
  for(i=0; i<argc; i++) nByte += strlen(argv[i])+1;
  azCopy = sqlite3_malloc64(nByte);
  if( azCopy==0 ) return 0;
  z = (char*)&azCopy[argc+1];
  for(i=0; i<argc; i++){
    size_t n = strlen(argv[i])+1;
    memcpy(z, argv[i], n);
    azCopy[i] = z;
    z += n;
  }
  azCopy[argc] = 0;
  return azCopy;
}

static int relCreateOrConnect(sqlite3 *db, void *pAux, int argc,
                              const char *const *argv, sqlite3_vtab **ppVtab,
                              char **pzErr, int bCreate){
  char **azArg = relArgvCopy(argc, argv);
  int rc;
  if( azArg==0 ) return SQLITE_NOMEM;
  rc = relInit(db, pAux, argc, (const char *const*)azArg, ppVtab, pzErr,
               bCreate);
  sqlite3_free(azArg);
  return rc;
}
static int relCreate(sqlite3 *db, void *pAux, int argc,
                     const char *const *argv, sqlite3_vtab **ppVtab,
                     char **pzErr){
  return relCreateOrConnect(db, pAux, argc, argv, ppVtab, pzErr, 1);
}
static int relConnect(sqlite3 *db, void *pAux, int argc,
                      const char *const *argv, sqlite3_vtab **ppVtab,
                      char **pzErr){
  return relCreateOrConnect(db, pAux, argc, argv, ppVtab, pzErr, 0);
}

/*
** The read statement of plan iPlan reading columns mCols (REL_ALLCOLS:
** every one): its index in pTab->apRead, made (not yet prepared) when
** there is none. Past REL_NREAD distinct ones, new ones read every
** column (one more per plan at most). Returns -1 when out of memory.
*/
static int relReadFind(RelVtab *pTab, int iPlan, sqlite3_uint64 mCols,
                       int bOwnerArg){
  RelRead *pRead;
  int i;
  for(i=0; i<pTab->nRead; i++){
    pRead = pTab->apRead[i];
    if( pRead->iPlan==iPlan && pRead->mCols==mCols
     && pRead->bOwnerArg==bOwnerArg ) return i;
  }
  if( pTab->nRead>=REL_NREAD && mCols!=REL_ALLCOLS ){
    return relReadFind(pTab, iPlan, REL_ALLCOLS, bOwnerArg);
  }
  if( (pTab->nRead & 7)==0 ){
    RelRead **apNew = sqlite3_realloc64(pTab->apRead,
                                        sizeof(RelRead*)*(pTab->nRead+8));
    if( apNew==0 ) return -1;
    pTab->apRead = apNew;
  }
  pRead = relMallocZero(sizeof(RelRead) + sizeof(int)*(pTab->pDecl->nCol+1));
  if( pRead==0 ) return -1;
  pRead->iPlan = iPlan;
  pRead->mCols = mCols;
  pRead->bOwnerArg = bOwnerArg;
  pRead->aPos = (int*)&pRead[1];
  pTab->apRead[pTab->nRead] = pRead;
  return pTab->nRead++;
}

/*
** The plan of a read statement, as EXPLAIN QUERY PLAN tells it ("SEARCH
** t USING INDEX ... (parent_id=?)"; several steps joined by "; "), so
** that EXPLAIN QUERY PLAN of a query on the relationship table shows how
** its rows are found. Worked out once per statement and kept. Returns
** NULL when out of memory or when the statement fails to prepare
** (xFilter reports that).
*/
static const char *relPlanText(RelVtab *pTab, RelRead *pRead){
  sqlite3_stmt *pEqp = 0;
  sqlite3_str *pStr;
  if( pRead->zPlan ) return pRead->zPlan;
  if( pRead->pStmt==0 ){
    if( relPrepareRead(pTab, pRead, &pRead->pStmt)!=SQLITE_OK ) return 0;
  }
  if( relPrepare(pTab->db, &pEqp, "EXPLAIN QUERY PLAN %s",
                 sqlite3_sql(pRead->pStmt))!=SQLITE_OK ){
    return 0;
  }
  pStr = sqlite3_str_new(0);
  while( sqlite3_step(pEqp)==SQLITE_ROW ){
    if( sqlite3_str_length(pStr) ) sqlite3_str_appendall(pStr, "; ");
    sqlite3_str_appendall(pStr, (const char*)sqlite3_column_text(pEqp, 3));
  }
  sqlite3_finalize(pEqp);
  pRead->zPlan = sqlite3_str_finish(pStr);
  return pRead->zPlan;
}

/*
** Can an owner IN list be taken whole (PLAN_IN)? When the owner compares
** under NOCASE or RTRIM. SQLite hands the list's values on distinct, but
** as BINARY compares them: the owner column, HIDDEN, has lost its
** collating sequence (declColumnType), so 'a' and 'A' would be two
** lookups of one owner's rows, each row given twice. sqlite3_vtab_in()
** came with SQLite 3.38; other sequences are left as they were (README,
** Known limits).
*/
static int relInWhole(RelDecl *p){
  RelColumn *pCol = relOwnerColumn(p);
  if( pCol==0 || pCol->zColl==0 ) return 0;
  if( sqlite3_stricmp(pCol->zColl, "NOCASE")!=0
   && sqlite3_stricmp(pCol->zColl, "RTRIM")!=0 ) return 0;
  return sqlite3_libversion_number()>=3038000;
}

/*
** Does constraint i of pInfo compare under the collating sequence of base
** column pCol (NULL: a rowid), as the read statement would? With
** bOwner, BINARY too: SQLite keeps none on the HIDDEN owner column, so
** "owner = ?" comes as BINARY, and is taken as the link column's.
*/
static int relCollMatch(sqlite3_index_info *pInfo, int i, RelColumn *pCol,
                        int bOwner){
  const char *zColl = sqlite3_vtab_collation(pInfo, i);
  const char *zCol = pCol && pCol->zColl ? pCol->zColl : "BINARY";
  if( zColl==0 ) return 1;
  if( sqlite3_stricmp(zColl, zCol)==0 ) return 1;
  return bOwner && sqlite3_stricmp(zColl, "BINARY")==0;
}

/*
** xBestIndex: see the plan table above. Costs: one row by key or rowid,
** ten by owner, a million for a scan. An = with another collating
** sequence than the column's ("owner = 'P' COLLATE NOCASE" over a
** BINARY key) is left to SQLite.
*/
static int relBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  RelVtab *pTab = (RelVtab*)pVtab;
  RelDecl *p = pTab->pDecl;
  int iOwner = -1, iKey = -1, iRowid = -1;
  int iKeyCol;
  int i, idxNum = 0, nArg = 0;
  double rCost = 1e6;
  i64 nRow = 1000000;

  if( pTab->zBroken || pTab->zChanged ){
    relVtabError(pVtab, "%s", pTab->zBroken ? pTab->zBroken : pTab->zChanged);
    return SQLITE_ERROR;
  }

  iKeyCol = p->zTgtKey ? relColumnIndex(&p->tgt, p->zTgtKey) : p->tgt.iIpk;
  for(i=0; i<pInfo->nConstraint; i++){
    const struct sqlite3_index_constraint *pC = &pInfo->aConstraint[i];
    if( !pC->usable || pC->op!=SQLITE_INDEX_CONSTRAINT_EQ ) continue;
    if( pC->iColumn==p->nCol ){
      if( iOwner<0 && relCollMatch(pInfo, i, relOwnerColumn(p), 1) ){
        iOwner = i;
      }
    }
    else if( pC->iColumn==-1 && iRowid<0 ) iRowid = i;
    else if( iKeyCol>=0 && pC->iColumn==iKeyCol && iKey<0
          && relCollMatch(pInfo, i, &p->tgt.aCol[iKeyCol], 0) ) iKey = i;
  }
  if( iOwner>=0 ){
    idxNum |= PLAN_OWNER | PLAN_ORDER;
    pInfo->aConstraintUsage[iOwner].argvIndex = ++nArg;
    pInfo->aConstraintUsage[iOwner].omit = 1;
    if( relInWhole(p) && sqlite3_vtab_in(pInfo, iOwner, 1) ){
      idxNum |= PLAN_IN;        /* an IN list, whole: relInTake() */
    }
    if( p->eKind==REL_MANY_TO_ONE ){
      /* the owner is one source row, which names at most one target */
      rCost = 1.0; nRow = 1;
      pInfo->idxFlags |= SQLITE_INDEX_SCAN_UNIQUE;
    }else{
      rCost = 10.0; nRow = 10;
    }
  }
  if( iKey>=0 ){
    idxNum |= PLAN_KEY;
    pInfo->aConstraintUsage[iKey].argvIndex = ++nArg;
    pInfo->aConstraintUsage[iKey].omit = 1;
    rCost = iOwner>=0 ? 1.0 : 2.0; nRow = iOwner>=0 ? 1 : 2;
  }
  if( iRowid>=0 ){
    idxNum |= PLAN_ROWID;
    pInfo->aConstraintUsage[iRowid].argvIndex = ++nArg;
    pInfo->aConstraintUsage[iRowid].omit = 1;
    rCost = 1.0; nRow = 1;
    pInfo->idxFlags |= SQLITE_INDEX_SCAN_UNIQUE;
  }else if( iKey>=0 && (iOwner>=0 || p->eKind!=REL_MANY_TO_MANY) ){
    /* a target key names one link, except in a many-to-many where the
    ** same target may have several owners */
    if( p->eKind!=REL_MANY_TO_ONE || p->bOneToOne || iOwner>=0 ){
      pInfo->idxFlags |= SQLITE_INDEX_SCAN_UNIQUE;
    }
  }
  if( (idxNum & PLAN_IN) && iRowid<0 ){
    /* several owners: several rows. (SQLite takes the flag back itself
    ** from a plan whose IN list it loops over, not from one given whole;
    ** kept, an UPDATE or DELETE would stop after the first row.) */
    pInfo->idxFlags &= ~SQLITE_INDEX_SCAN_UNIQUE;
  }

  /* ORDER BY the collection order (or its exact reverse) is free. */
  if( pInfo->nOrderBy>0 && pInfo->nOrderBy<=p->nOrder && (idxNum & PLAN_OWNER)
   && (idxNum & PLAN_IN)==0 ){
    int bMatch = 1, bFlip = -1;
    for(i=0; i<pInfo->nOrderBy && bMatch; i++){
      const struct sqlite3_index_orderby *pO = &pInfo->aOrderBy[i];
      int bDiff = (pO->desc!=0) != (p->aOrderDesc[i]!=0);
      if( pO->iColumn!=p->aOrderCol[i] ) bMatch = 0;
      else if( bFlip<0 ) bFlip = bDiff;
      else if( bFlip!=bDiff ) bMatch = 0;
    }
    if( bMatch ){
      pInfo->orderByConsumed = 1;
      if( bFlip>0 ) idxNum |= PLAN_DESC;
    }
  }
  /* Read only the columns the query uses (colUsed: bit i column i, bit
  ** 63 every column from 63 on; the owner is column nCol). */
  {
    sqlite3_uint64 mCols = REL_ALLCOLS;
    int iRead;
    if( p->nCol<63 && (pInfo->colUsed & ((sqlite3_uint64)1<<63))==0 ){
      mCols = pInfo->colUsed & (((sqlite3_uint64)1<<(p->nCol+1))-1);
    }
    iRead = relReadFind(pTab, idxNum & ~PLAN_IN, mCols, 0);
    if( iRead<0 ) return SQLITE_NOMEM;
    pInfo->idxNum = idxNum;
    {
      const char *zPlan = relPlanText(pTab, pTab->apRead[iRead]);
      char *zTag = sqlite3_mprintf(REL_IDXSTR_TAG "%d", iRead);
      size_t nPlan = zPlan ? strlen(zPlan) : 0;
      size_t nTag = zTag ? strlen(zTag)+1 : 0;
      char *zIdx = zTag ? sqlite3_malloc64(nPlan + 1 + nTag) : 0;
      /* a new idxStr may be where a freed one was: relFilter's memo goes */
      pTab->zIdxLast = 0;
      if( zIdx==0 ){
        sqlite3_free(zTag);
        return SQLITE_NOMEM;
      }
      if( nPlan ) memcpy(zIdx, zPlan, nPlan);
      zIdx[nPlan] = 0;
      memcpy(&zIdx[nPlan+1], zTag, nTag);
      sqlite3_free(zTag);
      pInfo->idxStr = zIdx;
      pInfo->needToFreeIdxStr = 1;
    }
  }
  pInfo->estimatedCost = rCost;
  pInfo->estimatedRows = nRow;
  return SQLITE_OK;
}

/*
** xDisconnect: forget the table (its declaration stays in the schema).
*/
static int relDisconnect(sqlite3_vtab *pVtab){
  RelVtab *pTab = (RelVtab*)pVtab;
  relUnregister(pTab->pGlobal, pTab);
  relVtabFree(pTab);
  return SQLITE_OK;
}

/*
** Is one of the tables of pTab's declaration gone (dropped on this
** connection after it was read)? Then pTab->azGone[] names them all, as
** for a broken declaration, and relDropStaleTriggers() applies.
*/
static int relGoneTables(RelVtab *pTab){
  RelDecl *p = pTab->pDecl;
  RelBase *aBase[3];
  int nBase = 0, i, rc = SQLITE_OK, bGone = 0;
  aBase[nBase++] = &p->src;
  aBase[nBase++] = &p->tgt;
  if( p->eKind==REL_MANY_TO_MANY ) aBase[nBase++] = &p->sec;
  for(i=0; rc==SQLITE_OK && !bGone && i<nBase; i++){
    int bThere = 0;
    rc = relNameTaken(pTab->db, p->zDb, aBase[i]->zName, &bThere);
    bGone = !bThere;
  }
  if( rc!=SQLITE_OK || !bGone ) return rc;
  for(i=0; i<4; i++){
    sqlite3_free(pTab->azGone[i]);
    pTab->azGone[i] = 0;
  }
  pTab->azGone[0] = relStrdup(p->zDb);
  if( pTab->azGone[0]==0 ) return SQLITE_NOMEM;
  for(i=0; i<nBase; i++){
    pTab->azGone[i+1] = relStrdup(aBase[i]->zName);
    if( pTab->azGone[i+1]==0 ) return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

/*
** xDestroy (DROP TABLE): remove what the declaration installed (its
** triggers and index, when no other declaration needs them, and the
** reverse table of a backref pair), then forget the table. The
** association table and every row stay.
*/
static int relDestroy(sqlite3_vtab *pVtab){
  RelVtab *pTab = (RelVtab*)pVtab;
  RelDecl *p = pTab->pDecl;
  char *zErr = 0;
  int rc;
  if( pTab->zBroken ){
    /* the declaration cannot be read: only triggers that name a table
    ** now gone are dropped; every row stays */
    rc = relDropStaleTriggers(pTab);
    if( rc!=SQLITE_OK ) return rc;
    relVtabFree(pTab);
    return SQLITE_OK;
  }
  rc = relGoneTables(pTab);
  if( rc!=SQLITE_OK ) return rc;
  if( pTab->azGone[0] ){
    /* one of its tables was dropped on this connection since it was
    ** read: as for a broken declaration */
    rc = relDropStaleTriggers(pTab);
    if( rc!=SQLITE_OK ) return rc;
    relUnregister(pTab->pGlobal, pTab);
    relVtabFree(pTab);
    return SQLITE_OK;
  }
  relUnregister(pTab->pGlobal, pTab);
  rc = relUninstall(pTab->pGlobal, p, &zErr);
  if( rc!=SQLITE_OK ){
    relRegister(pTab->pGlobal, pTab);
    relVtabError(pVtab, "%s", zErr ? zErr : "out of memory");
    sqlite3_free(zErr);
    return rc;
  }
  relVtabFree(pTab);
  return SQLITE_OK;
}

/* Free a cursor's owner IN list (PLAN_IN). */
static void relInFree(RelCursor *pCur){
  int i;
  for(i=0; i<pCur->nIn; i++) sqlite3_value_free(pCur->apIn[i]);
  sqlite3_free(pCur->apIn);
  pCur->apIn = 0;
  pCur->nIn = pCur->iIn = 0;
}

/* A text value of the owner IN list as its class under NOCASE or RTRIM
** (relInTake): the text so folded, and where the value stands. */
typedef struct RelInKey RelInKey;
struct RelInKey {
  char *z;                    /* The folded text (sqlite3_malloc) */
  int n;                      /* Its length in bytes */
  int i;                      /* The value's index in RelCursor.apIn */
};

/* qsort(): by folded text, then by place (the first of a class first). */
static int relInKeyCmp(const void *pA, const void *pB){
  const RelInKey *a = (const RelInKey*)pA, *b = (const RelInKey*)pB;
  int c = memcmp(a->z, b->z, a->n<b->n ? a->n : b->n);
  if( c==0 ) c = a->n - b->n;
  if( c==0 ) c = a->i - b->i;
  return c;
}

/*
** Take the owner IN list pList whole (PLAN_IN) into pCur->apIn: a copy of
** each value, but of text values equal under the owner's sequence only
** the first. Equal under NOCASE: the same bytes with ASCII letters folded,
** up to a NUL and the same length (as SQLite compares); under RTRIM: the
** same bytes once trailing spaces are left out; and, for each value left
** out so, the sequence itself says it equals the first value of its fold
** ("?1 = ?2 COLLATE ...", kept in RelVtab.pInEq): a connection may have a
** NOCASE or RTRIM of its own, which the fold must not merge more than.
** (Values that such a sequence merges and the fold does not, or that it
** tells apart from the first of their fold, stay: their rows come once
** per value, as before, never fewer.) Values that are not
** text compare alike under every sequence, and SQLite's list has them
** distinct already. SQLITE_OK, or an error code.
*/
static int relInTake(RelCursor *pCur, RelVtab *pTab, sqlite3_value *pList){
  RelColumn *pCol = relOwnerColumn(pTab->pDecl);
  int bRtrim = pCol && pCol->zColl && sqlite3_stricmp(pCol->zColl, "RTRIM")==0;
  sqlite3_value *pVal = 0;
  RelInKey *aKey = 0;
  int nAlloc = 0, nKey = 0, i, k, rc;
  for(rc=sqlite3_vtab_in_first(pList, &pVal); rc==SQLITE_OK && pVal;
      rc=sqlite3_vtab_in_next(pList, &pVal)){
    if( pCur->nIn==nAlloc ){
      sqlite3_value **a;
      nAlloc = nAlloc ? 2*nAlloc : 8;
      a = sqlite3_realloc64(pCur->apIn, nAlloc*sizeof(sqlite3_value*));
      if( a==0 ){ rc = SQLITE_NOMEM; break; }
      pCur->apIn = a;
    }
    pCur->apIn[pCur->nIn] = sqlite3_value_dup(pVal);
    if( pCur->apIn[pCur->nIn]==0 ){ rc = SQLITE_NOMEM; break; }
    pCur->nIn++;
  }
  if( rc!=SQLITE_DONE && rc!=SQLITE_OK ) return rc;   /* relFilter frees */
  for(i=0; i<pCur->nIn; i++){
    if( sqlite3_value_type(pCur->apIn[i])==SQLITE_TEXT ) nKey++;
  }
  if( nKey<2 ) return SQLITE_OK;
  aKey = relMallocZero(nKey*sizeof(RelInKey));
  if( aKey==0 ) return SQLITE_NOMEM;
  rc = SQLITE_OK;
  for(i=k=0; i<pCur->nIn && rc==SQLITE_OK; i++){
    const unsigned char *z;
    int n, j;
    if( sqlite3_value_type(pCur->apIn[i])!=SQLITE_TEXT ) continue;
    z = sqlite3_value_text(pCur->apIn[i]);
    n = sqlite3_value_bytes(pCur->apIn[i]);
    aKey[k].i = i;
    aKey[k].z = sqlite3_malloc64(n+1);
    if( z==0 || aKey[k].z==0 ){ rc = SQLITE_NOMEM; break; }
    if( bRtrim ){
      while( n>0 && z[n-1]==' ' ) n--;
      memcpy(aKey[k].z, z, n);
    }else{
      for(j=0; j<n && z[j]; j++){
        aKey[k].z[j] = (z[j]>='A' && z[j]<='Z') ? z[j]+('a'-'A') : z[j];
      }
      memset(&aKey[k].z[j], 0, n-j);      /* past a NUL, nothing counts */
    }
    aKey[k++].n = n;
  }
  if( rc==SQLITE_OK ){
    int g = 0;                  /* the first key of k's fold */
    qsort(aKey, nKey, sizeof(RelInKey), relInKeyCmp);
    for(k=1; k<nKey && rc==SQLITE_OK; k++){
      sqlite3_stmt *pEq = pTab->pInEq;
      int bEq = 0;
      if( aKey[k].n!=aKey[g].n || memcmp(aKey[k].z, aKey[g].z, aKey[k].n) ){
        g = k;                  /* the first of its fold: kept */
        continue;
      }
      /* the same fold as the first of it: the same class, unless the
      ** connection has a NOCASE or RTRIM of its own
      ** (sqlite3_create_collation), which the sequence itself says */
      if( pEq==0 ){
        rc = relPrepare(pTab->db, &pTab->pInEq,
                        "SELECT ?1 = ?2 COLLATE \"%w\"", pCol->zColl);
        if( rc!=SQLITE_OK ) break;
        pEq = pTab->pInEq;
      }
      sqlite3_bind_value(pEq, 1, pCur->apIn[aKey[g].i]);
      sqlite3_bind_value(pEq, 2, pCur->apIn[aKey[k].i]);
      if( sqlite3_step(pEq)==SQLITE_ROW ) bEq = sqlite3_column_int(pEq, 0);
      rc = sqlite3_reset(pEq);
      sqlite3_clear_bindings(pEq);
      if( bEq && rc==SQLITE_OK ){
        /* its rows are read with the value kept */
        sqlite3_value_free(pCur->apIn[aKey[k].i]);
        pCur->apIn[aKey[k].i] = 0;
      }
    }
    for(i=k=0; i<pCur->nIn; i++){
      if( pCur->apIn[i] ) pCur->apIn[k++] = pCur->apIn[i];
    }
    pCur->nIn = k;
  }
  for(k=0; k<nKey; k++) sqlite3_free(aKey[k].z);
  sqlite3_free(aKey);
  return rc;
}

static int relOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCursor){
  RelVtab *pTab = (RelVtab*)pVtab;
  RelCursor *pCur = pTab->pSpare;
  if( pCur ){
    /* the last one closed (a lookup opens and closes one a call) */
    pTab->pSpare = 0;
    memset(pCur, 0, sizeof(*pCur));
  }else{
    pCur = relMallocZero(sizeof(*pCur));
    if( pCur==0 ) return SQLITE_NOMEM;
  }
  /* nothing reading or writing the table: no statement can still use a
  ** rowid handed out for a WITHOUT ROWID link (rel_addr.c) */
  if( pTab->nCursor++==0 && pTab->nUpdate==0 ) relAddrReset(pTab);
  pCur->bEof = 1;
  *ppCursor = &pCur->base;
  return SQLITE_OK;
}

/*
** Give the cursor's statement back to its table (or finalize it when the
** table holds one for that plan already).
*/
static void relCursorRelease(RelCursor *pCur){
  if( pCur->pStmt ){
    sqlite3_reset(pCur->pStmt);
    if( pCur->pRead->pStmt==0 ){
      pCur->pRead->pStmt = pCur->pStmt;
    }else{
      sqlite3_finalize(pCur->pStmt);
    }
    pCur->pStmt = 0;
    pCur->pRead = 0;
  }
}

static int relClose(sqlite3_vtab_cursor *cur){
  RelCursor *pCur = (RelCursor*)cur;
  RelVtab *pTab = (RelVtab*)cur->pVtab;
  pTab->nCursor--;
  relCursorRelease(pCur);
  if( pCur->apIn ) relInFree(pCur);
  if( pTab->pSpare==0 ){
    pTab->pSpare = pCur;                /* kept for the next xOpen */
  }else{
    sqlite3_free(pCur);
  }
  return SQLITE_OK;
}

static int relInNext(RelCursor *pCur);

static int relNext(sqlite3_vtab_cursor *cur){
  RelCursor *pCur = (RelCursor*)cur;
  int rc;
  pCur->bRowid = 0;
  rc = sqlite3_step(pCur->pStmt);
  if( rc==SQLITE_ROW ){
    if( pCur->pRead->iPlan & PLAN_MERGE ){
      /* a row of a later owner ends this owner's rows and waits for the
      ** next xFilter */
      sqlite3_value *pOwner = sqlite3_column_value(pCur->pStmt,
          pCur->pRead->aPos[((RelVtab*)cur->pVtab)->pDecl->nCol]);
      if( sqlite3_value_type(pOwner)!=SQLITE_INTEGER
       || sqlite3_value_int64(pOwner)!=pCur->iOwner ){
        pCur->bEof = 1;
      }
    }
    return SQLITE_OK;
  }
  pCur->bEof = 1;
  if( rc==SQLITE_DONE ){
    pCur->bDone = 1;
    /* an owner IN list's next value (PLAN_IN) */
    if( pCur->iIn<pCur->nIn-1 && !pCur->bInNext ) return relInNext(pCur);
    return SQLITE_OK;
  }
  rc = sqlite3_reset(pCur->pStmt);
  relVtabError(cur->pVtab, "relationship %s: %s",
               ((RelVtab*)cur->pVtab)->pDecl->zName,
               sqlite3_errmsg(((RelVtab*)cur->pVtab)->db));
  return rc;
}

/*
** Step a cursor's statement, just bound, to its first row. When SQLite
** prepared the statement again on the way (the schema changed since it
** last ran), first make sure that the base tables are still the ones the
** declaration was read from (relBaseCheck).
*/
static int relFirst(RelCursor *pCur){
  int rc = relNext(&pCur->base);
  if( rc==SQLITE_OK
   && sqlite3_stmt_status(pCur->pStmt, SQLITE_STMTSTATUS_REPREPARE, 1)>0 ){
    rc = relBaseCheck((RelVtab*)pCur->base.pVtab);
    if( rc!=SQLITE_OK ){
      /* not kept: the next use prepares it afresh, and checks again */
      sqlite3_finalize(pCur->pStmt);
      pCur->pStmt = 0;
      pCur->pRead = 0;
      pCur->bEof = 1;
    }
  }
  return rc;
}

/*
** From the end of one owner IN list value's rows (PLAN_IN), the rows of
** the next values: the first that has any, or the end of the list.
*/
static int relInNext(RelCursor *pCur){
  int rc = SQLITE_OK;
  pCur->bInNext = 1;          /* relNext: this loop moves on, not it */
  while( rc==SQLITE_OK && pCur->bEof && pCur->pStmt
      && pCur->iIn<pCur->nIn-1 ){
    pCur->iIn++;
    sqlite3_reset(pCur->pStmt);
    rc = sqlite3_bind_value(pCur->pStmt, 1, pCur->apIn[pCur->iIn]);
    if( rc==SQLITE_OK ){
      pCur->bEof = 0;
      pCur->bDone = 0;
      rc = relFirst(pCur);
    }
  }
  pCur->bInNext = 0;
  return rc;
}

/*
** Is the owner of p always stored as an integer when it equals one (a
** rowid, or a column of INTEGER affinity)? Then an owner matches an
** integer xFilter argument exactly when it is that integer (but for the
** smallest integer: relOwnerArgIsInteger).
*/
static int relOwnerIsInteger(RelDecl *p){
  RelBase *pBase;
  const char *zCol;
  int iCol;
  switch( p->eKind ){
    case REL_ONE_TO_MANY:
    case REL_ONE_TO_ONE:   pBase = &p->tgt; zCol = p->zFk; break;
    case REL_MANY_TO_ONE:  pBase = &p->src; zCol = p->zSrcKey; break;
    default:
      if( p->bSymmetric ) return 0;
      pBase = &p->sec; zCol = p->zSrcCol; break;
  }
  if( zCol==0 ) return !pBase->bWithoutRowid;
  iCol = relColumnIndex(pBase, zCol);
  if( iCol<0 ) return 0;
  if( iCol==pBase->iIpk ) return 1;
  return sqlite3_strlike("%INT%", pBase->aCol[iCol].zType, 0)==0;
}

/*
** Is xFilter's owner argument pArg an integer that an owner equal to it
** is stored as (relOwnerIsInteger)? Every integer but the smallest: a
** REAL -9223372036854775808.0 stays REAL under INTEGER affinity (SQLite
** converts a real only when it is strictly inside the 64-bit range), and
** equals that integer.
*/
static int relOwnerArgIsInteger(sqlite3_value *pArg){
  return sqlite3_value_type(pArg)==SQLITE_INTEGER
      && sqlite3_value_int64(pArg)!=(i64)(((sqlite3_uint64)1)<<63);
}

/*
** The merge statement of read statement pRead (an owner plan): the same
** columns and the owner, "owner >= ?1 ORDER BY owner": its index in
** pTab->apRead, or -1 when there is none to use, for the owner is not
** always an integer, or the statement would sort (EXPLAIN QUERY PLAN says
** "TEMP B-TREE": no index in owner order, or an order_by no index gives).
** Worked out once and kept in pRead->iMerge.
*/
static int relMergeFind(RelVtab *pTab, RelRead *pRead){
  int iMerge;
  const char *zPlan;
  if( pRead->iMerge ) return pRead->iMerge<0 ? -1 : pRead->iMerge - 1;
  pRead->iMerge = -1;                   /* none, unless found below */
  if( !relOwnerIsInteger(pTab->pDecl) ) return -1;
  iMerge = relReadFind(pTab, pRead->iPlan | PLAN_MERGE,
      pRead->mCols==REL_ALLCOLS ? REL_ALLCOLS
      : pRead->mCols | ((sqlite3_uint64)1<<pTab->pDecl->nCol), 1);
  if( iMerge<0 ) return -1;
  zPlan = relPlanText(pTab, pTab->apRead[iMerge]);
  if( zPlan==0 || strstr(zPlan, "TEMP B-TREE") ) return -1;
  pRead->iMerge = iMerge + 1;
  return iMerge;
}

/*
** The read statement like pRead (an owner plan, not a merge) that leaves
** out the columns that are the owner (the owner itself, a one-to-many's
** foreign key): for an integer owner where the owner is always stored as
** an integer when it equals one (relOwnerIsInteger), every row's owner is
** xFilter's argument, and xColumn gives that (one inner column fetched,
** typed and copied less a row). Its index in pTab->apRead, or -1 when
** there is none. Worked out once and kept in pRead->iOwnerArg.
*/
static int relOwnerArgFind(RelVtab *pTab, RelRead *pRead){
  int iRead;
  if( pRead->iOwnerArg ){
    return pRead->iOwnerArg<0 ? -1 : pRead->iOwnerArg - 1;
  }
  pRead->iOwnerArg = -1;                /* none, unless found below */
  if( !relOwnerIsInteger(pTab->pDecl) ) return -1;
  iRead = relReadFind(pTab, pRead->iPlan, pRead->mCols, 1);
  if( iRead<0 ){
    pRead->iOwnerArg = 0;               /* out of memory: try again later */
    return -1;
  }
  pRead->iOwnerArg = iRead + 1;
  /* pRead's own statement is then for other owners only: prepared again
  ** when one comes (xBestIndex prepared it for its plan's text) */
  sqlite3_finalize(pRead->pStmt);
  pRead->pStmt = 0;
  return iRead;
}

/*
** xFilter of an owner plan when the owner is an integer: the rows come
** from the merge statement (relMergeFind). A join over the owners in
** ascending order (a scan of the source by rowid) calls xFilter with
** owner after owner; the merge statement is then already on the first
** row of the next owner, or a few rows before it, and only steps on
** where a fresh statement would be reset, bound and seek again (xFilter
** cost 5,000 Ir before). Going back, a long skip forward, or a change to
** the database since the seek (sqlite3_total_changes64) seeks afresh.
** Returns SQLITE_OK or an error code, as xFilter.
*/
static int relFilterMerge(RelCursor *pCur, RelRead *pMerge, i64 iOwner,
                          sqlite3_value *pArg){
  RelVtab *pTab = (RelVtab*)pCur->base.pVtab;
  int iPos = pMerge->aPos[pTab->pDecl->nCol];
  sqlite3_value *pOwner;
  int rc, n = 0;
  if( pCur->pStmt && pCur->pRead==pMerge && iOwner>pCur->iOwner
   && pCur->nChange==sqlite3_total_changes64(pTab->db) ){
    while( !pCur->bDone ){
      pOwner = sqlite3_column_value(pCur->pStmt, iPos);
      if( sqlite3_value_type(pOwner)!=SQLITE_INTEGER ) break;
      if( sqlite3_value_int64(pOwner)>=iOwner ){
        pCur->iOwner = iOwner;
        pCur->bEof = sqlite3_value_int64(pOwner)!=iOwner;
        return SQLITE_OK;
      }
      if( ++n>REL_MERGE_SKIP ) break;
      pCur->iOwner = iOwner;
      rc = relNext(&pCur->base);
      if( rc!=SQLITE_OK ) return rc;
    }
    if( pCur->bDone ){
      pCur->iOwner = iOwner;
      pCur->bEof = 1;
      return SQLITE_OK;
    }
  }
  /* a fresh seek */
  if( pCur->pStmt && pCur->pRead!=pMerge ) relCursorRelease(pCur);
  if( pCur->pStmt ){
    sqlite3_reset(pCur->pStmt);
  }else if( pMerge->pStmt ){
    pCur->pStmt = pMerge->pStmt;
    pMerge->pStmt = 0;
  }else{
    rc = relPrepareRead(pTab, pMerge, &pCur->pStmt);
    if( rc!=SQLITE_OK ) return rc;
  }
  pCur->pRead = pMerge;
  rc = sqlite3_bind_value(pCur->pStmt, 1, pArg);
  if( rc!=SQLITE_OK ) return rc;
  pCur->iOwner = iOwner;
  pCur->nChange = sqlite3_total_changes64(pTab->db);
  pCur->bEof = 0;
  pCur->bDone = 0;
  return relFirst(pCur);
}

/*
** xFilter: bind argv (see the plan table) to the read statement idxNum
** names and step to the first row.
*/
static int relFilter(
  sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
  int argc, sqlite3_value **argv
){
  RelCursor *pCur = (RelCursor*)cur;
  RelVtab *pTab = (RelVtab*)cur->pVtab;
  RelRead *pRead;
  int i, rc, iRead = -1;
  int bIn = (idxNum & PLAN_IN)!=0 && (idxNum & PLAN_OWNER)!=0 && argc>0;
  if( pTab->zChanged ){
    relVtabError(cur->pVtab, "%s", pTab->zChanged);
    return SQLITE_ERROR;
  }
  if( pCur->apIn ) relInFree(pCur);
  idxNum &= ~PLAN_IN;
  if( idxNum<0 || idxNum>=REL_NPLAN ) idxNum = 0;
  if( idxStr && idxStr==pTab->zIdxLast ){
    /* the same idxStr as last time: only xBestIndex makes one, and it
    ** clears this memo, so this pointer still says what it said */
    iRead = pTab->iIdxLast;
  }else if( idxStr ){
    const char *zTag = idxStr + strlen(idxStr) + 1;
    if( strncmp(zTag, REL_IDXSTR_TAG, sizeof(REL_IDXSTR_TAG)-1)==0 ){
      zTag += sizeof(REL_IDXSTR_TAG)-1;
      for(iRead=0; *zTag>='0' && *zTag<='9' && iRead<1000000; zTag++){
        iRead = iRead*10 + (*zTag - '0');
      }
      pTab->zIdxLast = idxStr;
      pTab->iIdxLast = iRead;
    }
  }
  if( iRead<0 || iRead>=pTab->nRead || pTab->apRead[iRead]->iPlan!=idxNum ){
    /* not an idxStr of this table's xBestIndex: read every column */
    iRead = relReadFind(pTab, idxNum, REL_ALLCOLS, 0);
    if( iRead<0 ) return SQLITE_NOMEM;
  }
  pRead = pTab->apRead[iRead];
  if( bIn ){
    /* the owner IN list, one value of each class */
    rc = relInTake(pCur, pTab, argv[0]);
    if( rc!=SQLITE_OK ){
      relInFree(pCur);
      relVtabError(cur->pVtab, "relationship %s: %s", pTab->pDecl->zName,
                   rc==SQLITE_NOMEM ? "out of memory"
                                    : sqlite3_errmsg(pTab->db));
      return rc;
    }
    if( pCur->nIn==0 ){
      pCur->bEof = 1;
      return SQLITE_OK;
    }
  }else if( idxNum==(PLAN_OWNER|PLAN_ORDER) && argc==1 && pCur->nFilter++>0
   /* the merge statement pays off from the second owner on (a join); one
   ** lookup is cheaper by the plain statement */
   && relOwnerArgIsInteger(argv[0]) ){
    int iMerge = relMergeFind(pTab, pRead);
    if( iMerge>=0 ){
      return relFilterMerge(pCur, pTab->apRead[iMerge],
                            sqlite3_value_int64(argv[0]), argv[0]);
    }
  }
  if( (idxNum & PLAN_OWNER) && argc>0 && !bIn && !pRead->bOwnerArg
   && relOwnerArgIsInteger(argv[0]) ){
    int iArg = relOwnerArgFind(pTab, pRead);
    if( iArg>=0 ){
      pRead = pTab->apRead[iArg];
      pCur->iOwner = sqlite3_value_int64(argv[0]);
    }
  }
  if( pCur->pStmt && pCur->pRead!=pRead ) relCursorRelease(pCur);
  if( pCur->pStmt ){
    sqlite3_reset(pCur->pStmt);
  }else if( pRead->pStmt ){
    pCur->pStmt = pRead->pStmt;
    pRead->pStmt = 0;
  }else{
    rc = relPrepareRead(pTab, pRead, &pCur->pStmt);
    if( rc!=SQLITE_OK ) return rc;
  }
  pCur->pRead = pRead;
  for(i=0; i<argc; i++){
    if( i==argc-1 && (idxNum & PLAN_ROWID) && relAddrKeyed(pTab->pDecl) ){
      /* a WITHOUT ROWID link: its rowid stands for its PRIMARY KEY */
      rc = relAddrBind(pTab, pCur->pStmt, i+1, sqlite3_value_int64(argv[i]),
                       0);
      if( rc==SQLITE_DONE || (rc==SQLITE_OK
          && sqlite3_value_numeric_type(argv[i])!=SQLITE_INTEGER) ){
        pCur->bEof = 1;         /* no such rowid */
        return SQLITE_OK;
      }
    }else if( i==0 && pRead->bOwnerArg ){
      rc = sqlite3_bind_int64(pCur->pStmt, 1, pCur->iOwner);
    }else if( i==0 && bIn ){
      rc = sqlite3_bind_value(pCur->pStmt, 1, pCur->apIn[0]);
    }else{
      rc = sqlite3_bind_value(pCur->pStmt, i+1, argv[i]);
    }
    if( rc!=SQLITE_OK ) return rc;
  }
  pCur->bEof = 0;
  return relFirst(pCur);
}

static int relEof(sqlite3_vtab_cursor *cur){
  return ((RelCursor*)cur)->bEof;
}

/*
** xColumn: the target and association columns, then the owner. In an
** UPDATE, columns that are not changed are not read (sqlite3_vtab_nochange)
** so rel_write.c writes only what changes.
**
** The inner value is fetched once (sqlite3_column_value: one db-mutex
** round trip, where sqlite3_column_type/_text/_bytes took three) and
** copied out by type. Text is handed on nul-terminated (length -1) when
** it holds no NUL: SQLite then marks the copy terminated, and an
** application's sqlite3_column_text() on it does not reallocate it to add
** the terminator. Text and blobs are copied with sqlite3_result_text/blob(),
** which report a failed copy as an error of this column. (A failed copy in
** sqlite3_result_value() only marks the connection, and the next nested
** statement (xUpdate runs some) clears the mark: the row would be written
** with a NULL instead of failing.)
*/
static int relColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  RelCursor *pCur = (RelCursor*)cur;
  sqlite3_value *pVal;
  int iPos;
  if( sqlite3_vtab_nochange(ctx) ) return SQLITE_OK;
  iPos = pCur->pRead->aPos[i];
  if( iPos<0 ){
    if( iPos==-2 ){
      /* the owner, which xFilter was given (RelRead.bOwnerArg) */
      sqlite3_result_int64(ctx, pCur->iOwner);
      return SQLITE_OK;
    }
    /* colUsed promised this column would not be asked for */
    RelDecl *p = ((RelVtab*)cur->pVtab)->pDecl;
    char *zErr = sqlite3_mprintf("relationship %s: column %s was not read",
        p->zName, i<p->nCol ? p->azCol[i] : p->zOwner);
    sqlite3_result_error(ctx, zErr ? zErr : "out of memory", -1);
    sqlite3_free(zErr);
    return SQLITE_ERROR;
  }
  pVal = sqlite3_column_value(pCur->pStmt, iPos);
  switch( sqlite3_value_type(pVal) ){
    case SQLITE_INTEGER:
      sqlite3_result_int64(ctx, sqlite3_value_int64(pVal));
      break;
    case SQLITE_FLOAT:
      sqlite3_result_double(ctx, sqlite3_value_double(pVal));
      break;
    case SQLITE_TEXT: {
      const char *z = (const char*)sqlite3_value_text(pVal);
      int n = sqlite3_value_bytes(pVal);
      if( z==0 ){
        sqlite3_result_error_nomem(ctx);
        return SQLITE_NOMEM;
      }
      sqlite3_result_text(ctx, z, (int)strlen(z)==n ? -1 : n,
                          SQLITE_TRANSIENT);
      break;
    }
    case SQLITE_BLOB:
      sqlite3_result_blob(ctx, sqlite3_value_blob(pVal),
                          sqlite3_value_bytes(pVal), SQLITE_TRANSIENT);
      break;
    default:
      sqlite3_result_null(ctx);
      break;
  }
  return SQLITE_OK;
}

static int relRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  RelCursor *pCur = (RelCursor*)cur;
  RelVtab *pTab = (RelVtab*)cur->pVtab;
  if( relAddrKeyed(pTab->pDecl) ){
    /* one rowid per row, however often SQLite asks for it */
    if( !pCur->bRowid ){
      int rc = relAddrRegister(pTab, pCur->pStmt, pCur->pRead->iRowid,
                               pTab->pDecl->bSymmetric, &pCur->iRowid);
      if( rc!=SQLITE_OK ) return rc;
      pCur->bRowid = 1;
    }
    *pRowid = pCur->iRowid;
    return SQLITE_OK;
  }
  if( pTab->pDecl->bSymmetric
   && sqlite3_column_type(pCur->pStmt, pCur->pRead->iRowid)!=SQLITE_INTEGER
  ){
    /* rowid*2+1 overflowed (SQLite made it a REAL): no rowid to give */
    relVtabError(&pTab->base, "relationship %s: an association row's rowid"
        " is beyond +/-2^62, too large for a symmetric link's rowid (twice"
        " the association row's, plus one read the other way round)",
        pTab->pDecl->zName);
    return SQLITE_ERROR;
  }
  *pRowid = sqlite3_column_int64(pCur->pStmt, pCur->pRead->iRowid);
  return SQLITE_OK;
}

/*
** xRename: a relationship's name is part of what other declarations and
** the triggers' messages refer to, so renaming is refused.
*/
static int relRename(sqlite3_vtab *pVtab, const char *zNew){
  RelVtab *pTab = (RelVtab*)pVtab;
  relVtabError(pVtab, "relationship %s: cannot be renamed to %s; drop it"
               " and declare it again",
               pTab->pDecl ? pTab->pDecl->zName : "table", zNew);
  return SQLITE_ERROR;
}

/*
** xUpdate (rel_write.c), counted: while a write runs, the rowids it was
** given must stay (rel_addr.c).
*/
static int relVtabUpdate(sqlite3_vtab *pVtab, int argc, sqlite3_value **argv,
                         sqlite_int64 *pRowid){
  RelVtab *pTab = (RelVtab*)pVtab;
  RelGlobal *pGlobal = pTab->pGlobal;
  int rc;
  /* A trigger that writes through a relationship table runs that write
  ** as a statement of its own, which SQLite's trigger depth does not
  ** count: without a bound, a trigger that writes through the table
  ** whose write fired it would recurse until the stack ran out. */
  if( pGlobal->nWriteDepth>=sqlite3_limit(pTab->db,
                                          SQLITE_LIMIT_TRIGGER_DEPTH, -1) ){
    relVtabError(pVtab, "relationship %s: too many levels of trigger"
                 " recursion", pTab->pDecl ? pTab->pDecl->zName : "?");
    return SQLITE_ERROR;
  }
  pGlobal->nWriteDepth++;
  pTab->nUpdate++;
  rc = relUpdate(pVtab, argc, argv, pRowid);
  if( pTab->pNested ) relNestedRelease(pTab, pTab->nUpdate);
  if( --pTab->nUpdate==0 ) relWriteRelease(pTab);
  pGlobal->nWriteDepth--;
  return rc;
}

static sqlite3_module relModule = {
  /* iVersion    */ 3,
  /* xCreate     */ relCreate,
  /* xConnect    */ relConnect,
  /* xBestIndex  */ relBestIndex,
  /* xDisconnect */ relDisconnect,
  /* xDestroy    */ relDestroy,
  /* xOpen       */ relOpen,
  /* xClose      */ relClose,
  /* xFilter     */ relFilter,
  /* xNext       */ relNext,
  /* xEof        */ relEof,
  /* xColumn     */ relColumn,
  /* xRowid      */ relRowid,
  /* xUpdate     */ relVtabUpdate,
  /* xBegin      */ 0,
  /* xSync       */ 0,
  /* xCommit     */ 0,
  /* xRollback   */ 0,
  /* xFindMethod */ 0,
  /* xRename     */ relRename,
  /* xSavepoint  */ 0,
  /* xRelease    */ 0,
  /* xRollbackTo */ 0,
  /* xShadowName */ 0,
#if SQLITE_VERSION_NUMBER>=3044000
  /* xIntegrity  */ 0,
#endif
};

/*
** Register the module on db. pGlobal becomes the module's client data and
** is freed with it (also when registration fails).
*/
static void relGlobalFree(void *p){
  RelGlobal *pGlobal = (RelGlobal*)p;
  if( pGlobal ){
    pGlobal->nJsonBusy = 0;
    relJsonRelease(pGlobal);
    sqlite3_free(pGlobal);
  }
}
int relRegisterModule(sqlite3 *db, RelGlobal *pGlobal){
  return sqlite3_create_module_v2(db, "relationship", &relModule, pGlobal,
                                  relGlobalFree);
}
