/*
** rel_closure.c: the eponymous table-valued function rel_closure, the
** transitive closure of a self-referential relationship.
**
** USAGE
**
**     CREATE TABLE node(id INTEGER PRIMARY KEY, label TEXT);
**     CREATE VIRTUAL TABLE node_higher_neighbors USING relationship(node,
**         node, secondary=edge, source_column=lower_id,
**         target_column=higher_id, backref=lower_neighbors);
**     INSERT INTO node(label) VALUES ('n1'),('n2'),('n3'),('n4'),('n5'),('n6');
**     INSERT INTO edge VALUES (1,2),(1,5),(2,3),(2,4),(5,6),(2,1);
**
**     SELECT id, depth, parent FROM rel_closure('node_higher_neighbors', 1);
**     -- 1|0|  2|1|1  5|1|1  3|2|2  4|2|2  6|2|5
**
**     -- the nodes below 2, at most one step away, with their labels
**     SELECT n.label FROM rel_closure('node_higher_neighbors', 2) AS c
**       JOIN node AS n ON n.id = c.id WHERE c.depth <= 1;
**
**     -- ancestors: the reverse relationship walks the other way
**     SELECT id, depth FROM rel_closure('node_lower_neighbors', 6);
**
** An adjacency list works the same way: with folder(id, parent_id),
** folder_children (kind=one_to_many, foreign_key=parent_id) gives the
** subtree of a folder and its backref folder_parent (many_to_one) the
** path up to the root. Each step is one indexed lookup, so the link
** column wants an index; declaring the relationship creates it.
**
** HOW IT WORKS
**
**     CREATE TABLE rel_closure(id, depth, parent,
**         relationship HIDDEN, root HIDDEN, max_depth HIDDEN)
**
** xFilter finds the declaration of the relationship table (relFindDecl)
** and prepares one statement that reads the neighbours of a key, selecting
** the key column only:
**
**     one_to_many, one_to_one   SELECT "id" FROM "t" WHERE "fk"=?1 ORDER BY 1
**     many_to_one               SELECT "fk" FROM "t" WHERE "id"=?1
**     many_to_many              SELECT "tgt" FROM "sec" WHERE "src"=?1 ORDER BY 1
**     symmetric=1               ... UNION SELECT "src" FROM "sec" WHERE "tgt"=?1
**
** The statement is kept on the cursor and reused while the relationship
** stays the same (a join calls xFilter once per outer row). Where its
** plan reads an index in key order, a second statement reads the
** neighbours of 16 keys at once (closureFillBatch): one run instead of
** sixteen, the same rows in the same order. The search is
** breadth-first: aNode[] holds every key reached, in the order reached,
** and is also the FIFO queue (iExpand is its head). Rows are produced
** lazily: a key's neighbours are read only when the cursor needs a row
** past the keys reached so far, so LIMIT and a depth bound stop the work
** early. A hash set (open addressing, linear probing, each slot holding
** the key and its index in aNode[]) says whether a key was seen; integer
** keys are compared as integers within the slot, other
** values by type and bytes (so the text '1' and the integer 1 differ, as
** they do in SQL's UNION; a text root is given the key column's numeric
** affinity first). Memory is proportional to the keys visited.
**
** Output order: by depth; within a depth, in the order found, which is
** the order of the parents, then each parent's neighbours in key order.
*/
#include "relationship_int.h"

#include <limits.h>

/* Keys whose neighbours one run of the batch statement reads */
#define CLOSURE_BATCH  16

/* Columns of rel_closure */
#define CLOSURE_ID            0
#define CLOSURE_DEPTH         1
#define CLOSURE_PARENT        2
#define CLOSURE_RELATIONSHIP  3
#define CLOSURE_ROOT          4
#define CLOSURE_MAX_DEPTH     5

typedef struct ClosureVtab ClosureVtab;
struct ClosureVtab {
  sqlite3_vtab base;          /* Base class; must be first */
  RelGlobal *pGlobal;         /* Per-connection state */
};

/* One key reached. */
typedef struct ClosureNode ClosureNode;
struct ClosureNode {
  i64 iKey;         /* SQLITE_INTEGER: the key; SQLITE_FLOAT: its bits */
  char *z;          /* SQLITE_TEXT, SQLITE_BLOB: the bytes, else NULL */
  int n;            /* Bytes in z */
  int eType;        /* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB */
  int iDepth;       /* Distance from the root */
  int iParent;      /* Index in aNode[] of the key it was reached from, -1 */
};

/* A slot of the hash set. The key (or the hash of its bytes) is kept in
** the slot, so that a probe for an integer key reads no ClosureNode. */
typedef struct ClosureSlot ClosureSlot;
struct ClosureSlot {
  i64 iKey;         /* As ClosureNode.iKey; TEXT, BLOB: closureBytesHash() */
  unsigned iNode;   /* 1 + index in aNode[]; 0: an empty slot */
  int eType;        /* As ClosureNode.eType */
};

typedef struct ClosureCursor ClosureCursor;
struct ClosureCursor {
  sqlite3_vtab_cursor base;   /* Base class; must be first */
  sqlite3_stmt *pNbr;         /* Neighbours of ?1; kept across xFilter */
  sqlite3_stmt *pBatch;       /* Neighbours of ?1..?CLOSURE_BATCH, or NULL */
  char *zPrepared;            /* Relationship pNbr was prepared for, or NULL */
  unsigned iGeneration;       /* RelGlobal.iGeneration then */
  int eAff;                   /* Affinity of pNbr's keys: CLOSURE_AFF_* */
  ClosureNode *aNode;         /* Keys reached, in order: the output rows */
  int nNode;                  /* Used entries in aNode[] */
  int nNodeAlloc;             /* Allocated entries in aNode[] */
  ClosureSlot *aHash;         /* Hash set of the keys in aNode[] */
  unsigned nHash;             /* Slots in aHash[], a power of two */
  int iRow;                   /* Current row: index in aNode[] */
  int iExpand;                /* Next key whose neighbours are to be read */
  int mxDepth;                /* Keys at this depth are not expanded */
  sqlite3_value *pName;       /* relationship argument, for xColumn */
  sqlite3_value *pRoot;       /* root argument, for xColumn */
  sqlite3_value *pMax;        /* max_depth argument, or NULL */
};

/*
** xConnect: declare the table. The result is freed by closureDisconnect.
*/
static int closureConnect(sqlite3 *db, void *pAux, int argc,
                          const char *const *argv, sqlite3_vtab **ppVtab,
                          char **pzErr){
  ClosureVtab *pNew;
  int rc;
  (void)argc; (void)argv; (void)pzErr;
  rc = sqlite3_declare_vtab(db, "CREATE TABLE x(id, depth, parent,"
      " relationship HIDDEN, root HIDDEN, max_depth HIDDEN)");
  if( rc!=SQLITE_OK ) return rc;
  /* Reads tables the way a query does: safe anywhere. */
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  pNew = relMallocZero(sizeof(*pNew));
  if( pNew==0 ) return SQLITE_NOMEM;
  pNew->pGlobal = (RelGlobal*)pAux;
  *ppVtab = &pNew->base;
  return SQLITE_OK;
}

/*
** xDisconnect: free the table object.
*/
static int closureDisconnect(sqlite3_vtab *pVtab){
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

/*
** The plan, as idxNum bits; the xFilter arguments come in this order,
** one for each bit set:
**
**   bit    argv              constraint
**   ----   ---------------   -------------------------------------------
**   0x01   relationship      relationship = ?   (required)
**   0x02   root              root = ?           (required)
**   0x04   max_depth         max_depth = ?
**   0x08   depth bound       depth < ?          (pushed down, not omitted)
**   0x10   depth bound       depth <= ?         (pushed down, not omitted)
**   0x20   depth bound       depth = ?          (pushed down, not omitted)
**
** A plan lacking a usable relationship or root (or max_depth, when the
** query gives one) gets SQLITE_CONSTRAINT; a query with no relationship
** or root constraint at all is an error. The depth bounds only
** limit the search (SQLite still checks each row), so they are safe for
** any value. Rows come in depth order, so ORDER BY depth is consumed.
*/
static int closureBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  static const int aBit[] = { 0x01, 0x02, 0x04 };
  int aIdx[6] = { -1, -1, -1, -1, -1, -1 };   /* constraint of each bit */
  int mSeen = 0;           /* hidden columns with any = constraint */
  int idxNum = 0;
  int i, j, nArg = 0;
  double rCost = 1000.0;
  for(i=0; i<pInfo->nConstraint; i++){
    const struct sqlite3_index_constraint *pC = &pInfo->aConstraint[i];
    int iCol = pC->iColumn;
    if( iCol>=CLOSURE_RELATIONSHIP && pC->op==SQLITE_INDEX_CONSTRAINT_EQ ){
      int iBit = iCol - CLOSURE_RELATIONSHIP;
      mSeen |= aBit[iBit];
      if( pC->usable && aIdx[iBit]<0 ){
        aIdx[iBit] = i;
        idxNum |= aBit[iBit];
      }
    }else if( iCol==CLOSURE_DEPTH && pC->usable ){
      int iBit = -1;
      switch( pC->op ){
        case SQLITE_INDEX_CONSTRAINT_LT: iBit = 3; break;
        case SQLITE_INDEX_CONSTRAINT_LE: iBit = 4; break;
        case SQLITE_INDEX_CONSTRAINT_EQ: iBit = 5; break;
      }
      if( iBit>=0 && aIdx[iBit]<0 ){
        aIdx[iBit] = i;
        idxNum |= 1<<iBit;
      }
    }
  }
  if( (mSeen & 0x01)==0 ){
    relVtabError(pVtab, "rel_closure: missing relationship argument");
    return SQLITE_ERROR;
  }
  if( (mSeen & 0x02)==0 ){
    relVtabError(pVtab, "rel_closure: missing root argument");
    return SQLITE_ERROR;
  }
  /* a max_depth that is given must be used: xColumn could not match it */
  if( (idxNum & 0x03)!=0x03 || (mSeen & ~idxNum & 0x04) ){
    return SQLITE_CONSTRAINT;
  }
  for(j=0; j<6; j++){
    if( aIdx[j]<0 ) continue;
    pInfo->aConstraintUsage[aIdx[j]].argvIndex = ++nArg;
    pInfo->aConstraintUsage[aIdx[j]].omit = j<3;
  }
  if( idxNum & 0x3C ) rCost = 100.0;
  pInfo->estimatedCost = rCost;
  pInfo->estimatedRows = (sqlite3_int64)rCost;
  pInfo->idxNum = idxNum;
  if( pInfo->nOrderBy==1
   && pInfo->aOrderBy[0].iColumn==CLOSURE_DEPTH
   && pInfo->aOrderBy[0].desc==0
  ){
    pInfo->orderByConsumed = 1;
  }
  return SQLITE_OK;
}

/*
** xOpen: a new, empty cursor, freed by closureClose.
*/
static int closureOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  ClosureCursor *pCur = relMallocZero(sizeof(*pCur));
  (void)pVtab;
  if( pCur==0 ) return SQLITE_NOMEM;
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

/*
** Forget the keys reached and the arguments of the last xFilter. The
** arrays are kept (emptied) for the next one, but for a hash set much
** larger than the last search needed; pNbr is kept too.
*/
static void closureReset(ClosureCursor *pCur){
  int i;
  for(i=0; i<pCur->nNode; i++) sqlite3_free(pCur->aNode[i].z);
  if( pCur->nHash>256 && (unsigned)pCur->nNode*8<pCur->nHash ){
    /* grown by an earlier, larger search: clearing it all would cost
    ** every small search after it (a join) as much as that one */
    sqlite3_free(pCur->aHash);
    pCur->aHash = 0;
    pCur->nHash = 0;
  }else if( pCur->aHash ){
    memset(pCur->aHash, 0, sizeof(ClosureSlot)*pCur->nHash);
  }
  pCur->nNode = 0;
  pCur->iRow = 0;
  pCur->iExpand = 0;
  sqlite3_value_free(pCur->pName);
  sqlite3_value_free(pCur->pRoot);
  sqlite3_value_free(pCur->pMax);
  pCur->pName = pCur->pRoot = pCur->pMax = 0;
}

/*
** xClose: free the cursor and everything it owns.
*/
static int closureClose(sqlite3_vtab_cursor *cur){
  ClosureCursor *pCur = (ClosureCursor*)cur;
  closureReset(pCur);
  sqlite3_free(pCur->aNode);
  sqlite3_free(pCur->aHash);
  sqlite3_finalize(pCur->pNbr);
  sqlite3_finalize(pCur->pBatch);
  sqlite3_free(pCur->zPrepared);
  sqlite3_free(pCur);
  return SQLITE_OK;
}

/*
** A 64-bit hash of the bytes of a text or blob key (FNV-1a), which stands
** for the key in its hash-set slot.
*/
static i64 closureBytesHash(int eType, const char *z, int n){
  sqlite3_uint64 h = 0xcbf29ce484222325ULL ^ (unsigned)eType;
  int i;
  for(i=0; i<n; i++){
    h = (h ^ (unsigned char)z[i]) * 0x100000001b3ULL;
  }
  return (i64)h;
}

/*
** The first slot to probe for a slot key (iKey, eType) in a set of
** mask+1 slots: a multiplicative mix, its high bits folded in.
*/
static unsigned closureSlotOf(i64 iKey, int eType, unsigned mask){
  sqlite3_uint64 h = ((sqlite3_uint64)iKey + (unsigned)eType)
                     * 0x9E3779B97F4A7C15ULL;
  return (unsigned)(h ^ (h>>29) ^ (h>>47)) & mask;
}

/*
** Double the hash set (or make its first one) and put every slot back
** in. Returns SQLITE_OK or SQLITE_NOMEM (the old set is then kept).
*/
static int closureGrowHash(ClosureCursor *pCur){
  unsigned nNew = pCur->nHash ? pCur->nHash*2 : 64;
  unsigned mask = nNew - 1;
  ClosureSlot *aNew;
  unsigned i;
  if( nNew==0 || nNew>0x40000000 ) return SQLITE_NOMEM;
  aNew = relMallocZero(sizeof(ClosureSlot)*(i64)nNew);
  if( aNew==0 ) return SQLITE_NOMEM;
  for(i=0; i<pCur->nHash; i++){
    ClosureSlot *pOld = &pCur->aHash[i];
    if( pOld->iNode ){
      unsigned h = closureSlotOf(pOld->iKey, pOld->eType, mask);
      while( aNew[h].iNode ) h = (h+1) & mask;
      aNew[h] = *pOld;
    }
  }
  sqlite3_free(pCur->aHash);
  pCur->aHash = aNew;
  pCur->nHash = nNew;
  return SQLITE_OK;
}

/*
** Add key pVal, reached from aNode[iParent] (-1 for the root) at depth
** iDepth, unless it was reached before or is NULL. The bytes of a text
** or blob key are copied. Returns SQLITE_OK or SQLITE_NOMEM.
*/
static int closureAddKey(ClosureCursor*, int, i64, const char*, int, int,
                         int);
static int closureAdd(ClosureCursor *pCur, sqlite3_value *pVal,
                      int iParent, int iDepth){
  int eType = sqlite3_value_type(pVal);
  i64 iKey = 0;
  const char *z = 0;
  int n = 0;
  switch( eType ){
    case SQLITE_NULL:
      return SQLITE_OK;
    case SQLITE_INTEGER:
      iKey = sqlite3_value_int64(pVal);
      break;
    case SQLITE_FLOAT: {
      double r = sqlite3_value_double(pVal);
      if( r>=-9.2e18 && r<=9.2e18 && r==(double)(i64)r ){
        eType = SQLITE_INTEGER;            /* 2.0 is the key 2 */
        iKey = (i64)r;
      }else{
        memcpy(&iKey, &r, sizeof(iKey));
      }
      break;
    }
    default:
      if( eType==SQLITE_TEXT ) z = (const char*)sqlite3_value_text(pVal);
      else z = (const char*)sqlite3_value_blob(pVal);
      n = sqlite3_value_bytes(pVal);
      if( z==0 && n>0 ) return SQLITE_NOMEM;
      break;
  }
  return closureAddKey(pCur, eType, iKey, z, n, iParent, iDepth);
}

/*
** closureAdd() of a key already taken apart: eType SQLITE_INTEGER with
** iKey, SQLITE_FLOAT with the bits of a non-integral double in iKey, or
** SQLITE_TEXT / SQLITE_BLOB with the n bytes at z.
*/
static int closureAddKey(ClosureCursor *pCur, int eType, i64 iKey,
                         const char *z, int n, int iParent, int iDepth){
  i64 iSlotKey;
  unsigned h, mask;
  ClosureNode *pNew;
  if( (unsigned)pCur->nNode*2 >= pCur->nHash ){
    int rc = closureGrowHash(pCur);
    if( rc!=SQLITE_OK ) return rc;
  }
  mask = pCur->nHash - 1;
  if( z ) iSlotKey = closureBytesHash(eType, z, n);
  else iSlotKey = iKey;
  h = closureSlotOf(iSlotKey, eType, mask);
  while( pCur->aHash[h].iNode ){
    ClosureSlot *pSlot = &pCur->aHash[h];
    if( pSlot->iKey==iSlotKey && pSlot->eType==eType ){
      ClosureNode *p;
      if( z==0 ) return SQLITE_OK;         /* reached before */
      p = &pCur->aNode[pSlot->iNode-1];
      if( p->n==n && (n==0 || memcmp(p->z, z, n)==0) ) return SQLITE_OK;
    }
    h = (h+1) & mask;
  }
  if( pCur->nNode>=pCur->nNodeAlloc ){
    i64 nNew = pCur->nNodeAlloc ? (i64)pCur->nNodeAlloc*2 : 64;
    ClosureNode *aNew;
    if( nNew>INT_MAX/2 ) return SQLITE_NOMEM;
    aNew = sqlite3_realloc64(pCur->aNode, sizeof(ClosureNode)*nNew);
    if( aNew==0 ) return SQLITE_NOMEM;
    pCur->aNode = aNew;
    pCur->nNodeAlloc = (int)nNew;
  }
  pNew = &pCur->aNode[pCur->nNode];
  memset(pNew, 0, sizeof(*pNew));
  if( z ){
    pNew->z = sqlite3_malloc64(n>0 ? n : 1);
    if( pNew->z==0 ) return SQLITE_NOMEM;
    if( n>0 ) memcpy(pNew->z, z, n);
  }
  pNew->eType = eType;
  pNew->iKey = iKey;
  pNew->n = n;
  pNew->iDepth = iDepth;
  pNew->iParent = iParent;
  pCur->aHash[h].iKey = iSlotKey;
  pCur->aHash[h].eType = eType;
  pCur->aHash[h].iNode = (unsigned)pCur->nNode + 1;
  pCur->nNode++;
  return SQLITE_OK;
}

/*
** Bind key aNode[i] to parameter iParam of pStmt. Returns an SQLite code.
*/
static int closureBind(ClosureCursor *pCur, sqlite3_stmt *pStmt, int iParam,
                       int i){
  ClosureNode *p = &pCur->aNode[i];
  switch( p->eType ){
    case SQLITE_INTEGER:
      return sqlite3_bind_int64(pStmt, iParam, p->iKey);
    case SQLITE_FLOAT: {
      double r;
      memcpy(&r, &p->iKey, sizeof(r));
      return sqlite3_bind_double(pStmt, iParam, r);
    }
    case SQLITE_TEXT:
      return sqlite3_bind_text(pStmt, iParam, p->z ? p->z : "", p->n,
                               SQLITE_STATIC);
    default:
      return sqlite3_bind_blob(pStmt, iParam, p->z ? p->z : "", p->n,
                               SQLITE_STATIC);
  }
}

/*
** Set the result of ctx to key aNode[i].
*/
static void closureResult(ClosureCursor *pCur, sqlite3_context *ctx, int i){
  ClosureNode *p = &pCur->aNode[i];
  switch( p->eType ){
    case SQLITE_INTEGER:
      sqlite3_result_int64(ctx, p->iKey);
      break;
    case SQLITE_FLOAT: {
      double r;
      memcpy(&r, &p->iKey, sizeof(r));
      sqlite3_result_double(ctx, r);
      break;
    }
    case SQLITE_TEXT:
      sqlite3_result_text(ctx, p->z ? p->z : "", p->n, SQLITE_TRANSIENT);
      break;
    default:
      sqlite3_result_blob(ctx, p->z ? p->z : "", p->n, SQLITE_TRANSIENT);
      break;
  }
}

/*
** Read the neighbours of the next (up to) CLOSURE_BATCH keys of the queue
** with one run of pBatch: one arm per key, "SELECT <arm>, <neighbour>
** ... WHERE <column>=?<arm>", joined by UNION ALL. The arms run in order
** and each reads its index in key order (closurePrepareBatch checks the
** plan), so the keys are added exactly as one run of pNbr per key adds
** them; a run costs one statement start and halt instead of one a key.
** Returns an SQLite code, with the table's error message set.
*/
static int closureFillBatch(ClosureCursor *pCur){
  sqlite3_stmt *pBatch = pCur->pBatch;
  int aIdx[CLOSURE_BATCH];
  int n = 0, k, rc = SQLITE_OK;
  while( n<CLOSURE_BATCH && pCur->iExpand<pCur->nNode ){
    int iNode = pCur->iExpand++;
    if( pCur->aNode[iNode].iDepth>=pCur->mxDepth ) continue;
    aIdx[n++] = iNode;
  }
  if( n==0 ) return SQLITE_OK;
  for(k=0; k<CLOSURE_BATCH && rc==SQLITE_OK; k++){
    rc = k<n ? closureBind(pCur, pBatch, k+1, aIdx[k])
             : sqlite3_bind_null(pBatch, k+1);
  }
  while( rc==SQLITE_OK ){
    rc = sqlite3_step(pBatch);
    if( rc==SQLITE_ROW ){
      int iArm = sqlite3_column_int(pBatch, 0) - 1;
      int iNode;
      if( iArm<0 || iArm>=n ){ rc = SQLITE_ERROR; break; }
      iNode = aIdx[iArm];
      rc = closureAdd(pCur, sqlite3_column_value(pBatch, 1), iNode,
                      pCur->aNode[iNode].iDepth+1);
    }
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  sqlite3_reset(pBatch);      /* every parameter is bound again each run */
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    relVtabError(pCur->base.pVtab, "rel_closure: %s",
                 sqlite3_errmsg(sqlite3_db_handle(pBatch)));
  }
  return rc;
}

/*
** Read neighbours until there is a row at iRow or nothing is left to
** expand. Returns an SQLite code, with the table's error message set.
*/
static int closureFill(ClosureCursor *pCur){
  sqlite3_stmt *pNbr = pCur->pNbr;
  while( pCur->iRow>=pCur->nNode && pCur->iExpand<pCur->nNode ){
    int iNode;
    if( pCur->pBatch && pCur->nNode-pCur->iExpand>1 ){
      int rc = closureFillBatch(pCur);
      if( rc!=SQLITE_OK ) return rc;
      continue;
    }
    iNode = pCur->iExpand++;
    int iDepth = pCur->aNode[iNode].iDepth;
    int rc;
    if( iDepth>=pCur->mxDepth ) continue;
    rc = closureBind(pCur, pNbr, 1, iNode);
    while( rc==SQLITE_OK ){
      rc = sqlite3_step(pNbr);
      if( rc==SQLITE_ROW ){
        rc = closureAdd(pCur, sqlite3_column_value(pNbr, 0), iNode, iDepth+1);
      }
    }
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
    sqlite3_reset(pNbr);      /* ?1 is bound again before each use */
    if( rc!=SQLITE_OK ){
      if( rc!=SQLITE_NOMEM ){
        relVtabError(pCur->base.pVtab, "rel_closure: %s",
                     sqlite3_errmsg(sqlite3_db_handle(pNbr)));
      }
      return rc;
    }
  }
  return SQLITE_OK;
}

/* Affinity of a key column (ClosureCursor.eAff) */
#define CLOSURE_AFF_NONE     0    /* BLOB (none): a root is taken as given */
#define CLOSURE_AFF_NUMERIC  1    /* INTEGER, REAL, NUMERIC */
#define CLOSURE_AFF_TEXT     2

/*
** The affinity the declared type zType gives a column, by SQLite's rules:
** CLOSURE_AFF_NUMERIC, CLOSURE_AFF_TEXT or CLOSURE_AFF_NONE.
*/
static int closureTypeAffinity(const char *zType){
  static const char *azText[] = { "CHAR", "CLOB", "TEXT", "BLOB" };
  int i, k, n;
  if( zType==0 || zType[0]==0 ) return CLOSURE_AFF_NONE;
  n = (int)strlen(zType);
  for(i=0; i<n; i++){
    if( n-i>=3 && sqlite3_strnicmp(&zType[i], "INT", 3)==0 ){
      return CLOSURE_AFF_NUMERIC;
    }
  }
  for(k=0; k<4; k++){
    for(i=0; i+4<=n; i++){
      if( sqlite3_strnicmp(&zType[i], azText[k], 4)==0 ){
        return k<3 ? CLOSURE_AFF_TEXT : CLOSURE_AFF_NONE;
      }
    }
  }
  return CLOSURE_AFF_NUMERIC;
}

/*
** The affinity of column zCol (NULL: the rowid) of pBase.
*/
static int closureColAffinity(RelBase *pBase, const char *zCol){
  int iCol;
  if( zCol==0 ) return CLOSURE_AFF_NUMERIC;
  iCol = relColumnIndex(pBase, zCol);
  if( iCol<0 ) return CLOSURE_AFF_NONE;
  if( iCol==pBase->iIpk ) return CLOSURE_AFF_NUMERIC;
  return closureTypeAffinity(pBase->aCol[iCol].zType);
}

/*
** The SQL that reads the neighbours of key ?1 over self-referential
** relationship p (see the table at the top of the file), and in
** *peAff the affinity of the keys it reads (CLOSURE_AFF_*). The
** caller frees the result with sqlite3_free(); NULL: out of memory.
*/
static char *closureNeighbourSql(RelDecl *p, int *peAff){
  char *zKey, *zSql;
  switch( p->eKind ){
    case REL_MANY_TO_ONE:
      zKey = p->zTgtKey ? sqlite3_mprintf("\"%w\"", p->zTgtKey)
                        : sqlite3_mprintf("%s", relRowidName(&p->src));
      zSql = zKey ? sqlite3_mprintf("SELECT \"%w\" FROM \"%w\".\"%w\""
          " WHERE %s=?1", p->zFk, p->zDb, p->src.zName, zKey) : 0;
      sqlite3_free(zKey);
      *peAff = closureColAffinity(&p->src, p->zFk);
      return zSql;
    case REL_MANY_TO_MANY:
      /* an association table the declaration created has no columns in
      ** p->sec: its columns take the type of the key they reference */
      *peAff = relColumnIndex(&p->sec, p->zTgtCol)>=0
          ? closureColAffinity(&p->sec, p->zTgtCol)
          : closureColAffinity(&p->tgt, p->zTgtKey);
      if( p->bSymmetric ){
        return sqlite3_mprintf("SELECT \"%w\" FROM \"%w\".\"%w\""
            " WHERE \"%w\"=?1 UNION SELECT \"%w\" FROM \"%w\".\"%w\""
            " WHERE \"%w\"=?1 ORDER BY 1",
            p->zTgtCol, p->zDb, p->sec.zName, p->zSrcCol,
            p->zSrcCol, p->zDb, p->sec.zName, p->zTgtCol);
      }
      return sqlite3_mprintf("SELECT \"%w\" FROM \"%w\".\"%w\""
          " WHERE \"%w\"=?1 ORDER BY 1",
          p->zTgtCol, p->zDb, p->sec.zName, p->zSrcCol);
    default:
      zKey = p->zSrcKey ? sqlite3_mprintf("\"%w\"", p->zSrcKey)
                        : sqlite3_mprintf("%s", relRowidName(&p->tgt));
      zSql = zKey ? sqlite3_mprintf("SELECT %s FROM \"%w\".\"%w\""
          " WHERE \"%w\"=?1 ORDER BY 1", zKey, p->zDb, p->tgt.zName,
          p->zFk) : 0;
      sqlite3_free(zKey);
      *peAff = closureColAffinity(&p->tgt, p->zSrcKey);
      return zSql;
  }
}

/*
** Find the declaration of relationship table zName: in main, else in the
** first other schema of the connection that has one. *ppDecl is NULL
** (with SQLITE_OK) when there is none; it belongs to its table. On error
** *pzErr is set; the caller frees it.
*/
static int closureFindDecl(RelGlobal *pGlobal, const char *zName,
                           RelDecl **ppDecl, char **pzErr){
  sqlite3_stmt *pDbs = 0;
  int rc = relFindDecl(pGlobal, "main", zName, ppDecl, pzErr);
  if( rc!=SQLITE_OK || *ppDecl ) return rc;
  rc = relPrepare(pGlobal->db, &pDbs, "SELECT name FROM pragma_database_list"
                  " WHERE name<>'main' ORDER BY seq");
  if( rc!=SQLITE_OK ){
    *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(pGlobal->db));
    return rc;
  }
  while( *ppDecl==0 && sqlite3_step(pDbs)==SQLITE_ROW ){
    char *zDb = relStrdup((const char*)sqlite3_column_text(pDbs, 0));
    if( zDb==0 ){ rc = SQLITE_NOMEM; break; }
    rc = relFindDecl(pGlobal, zDb, zName, ppDecl, pzErr);
    sqlite3_free(zDb);
    if( rc!=SQLITE_OK ) break;
  }
  /* a step that failed (out of memory) ends the loop: its code is here */
  if( rc==SQLITE_OK && *ppDecl==0 ){
    rc = sqlite3_finalize(pDbs);
    if( rc!=SQLITE_OK ){
      *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(pGlobal->db));
    }
  }else{
    sqlite3_finalize(pDbs);
  }
  return rc;
}

/*
** The query plan of pStmt as EXPLAIN QUERY PLAN details joined by "\n",
** or NULL (out of memory, or it does not prepare). The caller frees it.
*/
static char *closurePlan(sqlite3 *db, sqlite3_stmt *pStmt){
  sqlite3_stmt *pEqp = 0;
  sqlite3_str *pStr;
  if( relPrepare(db, &pEqp, "EXPLAIN QUERY PLAN %s", sqlite3_sql(pStmt)) ){
    return 0;
  }
  pStr = sqlite3_str_new(0);
  while( sqlite3_step(pEqp)==SQLITE_ROW ){
    sqlite3_str_appendf(pStr, "%s\n", (const char*)sqlite3_column_text(pEqp, 3));
  }
  sqlite3_finalize(pEqp);
  return sqlite3_str_finish(pStr);
}

/*
** Make pCur->pBatch the batch statement of neighbour SQL zSql (see
** closureFillBatch), or NULL when there is none to use: a symmetric
** relationship (a UNION per key), or a plan that does not read each arm
** from an index in key order: pNbr sorts ("TEMP B-TREE"), or an arm of
** the batch is not planned as pNbr is. Called when pNbr is prepared;
** kept with it. Returns an SQLite code (out of memory only; no batch is not an error).
*/
static int closurePrepareBatch(ClosureCursor *pCur, const char *zSql){
  sqlite3 *db = sqlite3_db_handle(pCur->pNbr);
  const char *zParam = 0, *z;
  char *zOne = 0, *zAll = 0, *zBatchSql = 0;
  sqlite3_str *pStr;
  int n = (int)strlen(zSql), k, nArm = 0;
  int rc = SQLITE_OK;

  sqlite3_finalize(pCur->pBatch);
  pCur->pBatch = 0;
  if( strstr(zSql, " UNION ") || strncmp(zSql, "SELECT ", 7)!=0 ) return SQLITE_OK;
  for(z=zSql; (z = strstr(z, "=?1"))!=0; z++) zParam = z;  /* the last */
  if( zParam==0 || (zParam[3]!=0 && zParam[3]!=' ') ) return SQLITE_OK;
  if( n>=11 && strcmp(&zSql[n-11], " ORDER BY 1")==0 ) n -= 11;

  zOne = closurePlan(db, pCur->pNbr);
  if( zOne==0 ) return SQLITE_OK;
  if( strstr(zOne, "TEMP B-TREE") || strncmp(zOne, "SEARCH ", 7)!=0
   || strchr(zOne, '\n')!=&zOne[strlen(zOne)-1] ){
    sqlite3_free(zOne);
    return SQLITE_OK;
  }
  pStr = sqlite3_str_new(0);
  for(k=1; k<=CLOSURE_BATCH; k++){
    sqlite3_str_appendf(pStr, "%sSELECT %d, %.*s=?%d%.*s", k>1 ? " UNION ALL " : "",
        k, (int)(zParam-zSql)-7, zSql+7, k, n-(int)(zParam+3-zSql), zParam+3);
  }
  zBatchSql = sqlite3_str_finish(pStr);
  if( zBatchSql==0 ){ sqlite3_free(zOne); return SQLITE_NOMEM; }
  if( relPrepare(db, &pCur->pBatch, "%s", zBatchSql)==SQLITE_OK ){
    zAll = closurePlan(db, pCur->pBatch);
    for(z=zAll; z && (z = strstr(z, zOne))!=0; z += strlen(zOne)) nArm++;
    if( zAll==0 || nArm!=CLOSURE_BATCH || strstr(zAll, "TEMP B-TREE") ){
      sqlite3_finalize(pCur->pBatch);
      pCur->pBatch = 0;
    }
  }else{
    pCur->pBatch = 0;
  }
  sqlite3_free(zOne);
  sqlite3_free(zAll);
  sqlite3_free(zBatchSql);
  return rc;
}

/*
** Make pCur->pNbr the neighbour statement of relationship zName, keeping
** the one it has when its SQL is the same. Returns an SQLite code, with
** the table's error message set.
*/
static int closurePrepare(ClosureCursor *pCur, const char *zName){
  sqlite3_vtab *pVtab = pCur->base.pVtab;
  RelGlobal *pGlobal = ((ClosureVtab*)pVtab)->pGlobal;
  RelDecl *pDecl = 0;
  char *zErr = 0;
  char *zSql;
  int eAff = CLOSURE_AFF_NONE;
  int rc;

  /* The same relationship as the last xFilter of this cursor (a join),
  ** and no relationship table connected or disconnected since: its
  ** statements hold. */
  if( pCur->zPrepared && pCur->iGeneration==pGlobal->iGeneration
   && strcmp(pCur->zPrepared, zName)==0
  ){
    return SQLITE_OK;
  }
  sqlite3_free(pCur->zPrepared);
  pCur->zPrepared = 0;
  rc = closureFindDecl(pGlobal, zName, &pDecl, &zErr);
  if( rc!=SQLITE_OK ){
    relVtabError(pVtab, "rel_closure: %s", zErr ? zErr : sqlite3_errstr(rc));
    sqlite3_free(zErr);
    return rc;
  }
  if( pDecl==0 ){
    relVtabError(pVtab, "rel_closure: no such relationship: %s", zName);
    return SQLITE_ERROR;
  }
  if( sqlite3_stricmp(pDecl->src.zName, pDecl->tgt.zName)!=0 ){
    relVtabError(pVtab, "rel_closure: %s is not self-referential (%s to %s)",
                 pDecl->zName, pDecl->src.zName, pDecl->tgt.zName);
    return SQLITE_ERROR;
  }
  zSql = closureNeighbourSql(pDecl, &eAff);
  if( zSql==0 ) return SQLITE_NOMEM;
  if( pCur->pNbr==0 || strcmp(sqlite3_sql(pCur->pNbr), zSql)!=0 ){
    sqlite3_finalize(pCur->pNbr);
    sqlite3_finalize(pCur->pBatch);
    pCur->pBatch = 0;
    rc = relPrepare(pGlobal->db, &pCur->pNbr, "%s", zSql);
    if( rc!=SQLITE_OK ){
      relVtabError(pVtab, "rel_closure: %s", sqlite3_errmsg(pGlobal->db));
    }else{
      rc = closurePrepareBatch(pCur, zSql);
    }
  }
  pCur->eAff = eAff;
  sqlite3_free(zSql);
  if( rc==SQLITE_OK ){
    pCur->zPrepared = relStrdup(zName);
    pCur->iGeneration = pGlobal->iGeneration;
  }
  return rc;
}

/*
** The depth bound that constraint "depth <op> pVal" implies: the greatest
** depth a row can have and pass, INT_MAX when it bounds nothing, -1 when
** nothing passes. op is 0x08 (<), 0x10 (<=) or 0x20 (=).
*/
static int closureBound(int op, sqlite3_value *pVal){
  double r;
  i64 i;
  switch( sqlite3_value_type(pVal) ){
    case SQLITE_NULL:    return -1;
    case SQLITE_INTEGER: r = (double)sqlite3_value_int64(pVal); break;
    case SQLITE_FLOAT:   r = sqlite3_value_double(pVal); break;
    default:             return INT_MAX;   /* text, blob: above numbers */
  }
  if( r!=r ) return -1;                    /* NaN: nothing compares */
  if( op==0x08 ? r<=0.0 : r<0.0 ) return -1;
  if( r>=(double)INT_MAX ) return INT_MAX;
  i = (i64)r;                              /* floor, as r>=0 */
  if( op==0x08 ) i = (double)i<r ? i : i-1;   /* the greatest i < r */
  return (int)i;
}

/*
** xFilter: resolve the relationship, prepare (or reuse) its neighbour
** statement and start the search at the root. idxNum is the plan of
** closureBestIndex (see the table there).
*/
static int closureFilter(sqlite3_vtab_cursor *cur, int idxNum,
                         const char *idxStr, int argc, sqlite3_value **argv){
  ClosureCursor *pCur = (ClosureCursor*)cur;
  int bNum = 0, eType;
  int iArg = 0;
  int bit;
  int rc;
  (void)idxStr;
  closureReset(pCur);
  pCur->mxDepth = INT_MAX;
  if( (idxNum & 0x03)!=0x03 || argc<2 ){
    relVtabError(cur->pVtab, "rel_closure: missing relationship or root");
    return SQLITE_ERROR;
  }
  pCur->pName = sqlite3_value_dup(argv[iArg++]);
  pCur->pRoot = sqlite3_value_dup(argv[iArg++]);
  if( pCur->pName==0 || pCur->pRoot==0 ) return SQLITE_NOMEM;
  if( idxNum & 0x04 ){
    sqlite3_value *pMax = argv[iArg++];
    int eType = sqlite3_value_type(pMax);
    if( eType!=SQLITE_NULL ){
      i64 iMax = sqlite3_value_int64(pMax);
      if( eType!=SQLITE_INTEGER || iMax<0 ){
        relVtabError(cur->pVtab,
                     "rel_closure: max_depth must be a non-negative integer");
        return SQLITE_ERROR;
      }
      pCur->mxDepth = iMax>INT_MAX ? INT_MAX : (int)iMax;
      pCur->pMax = sqlite3_value_dup(pMax);
      if( pCur->pMax==0 ) return SQLITE_NOMEM;
    }
  }
  for(bit=0x08; bit<=0x20; bit<<=1){
    if( idxNum & bit ){
      int mx = closureBound(bit, argv[iArg++]);
      if( mx<pCur->mxDepth ) pCur->mxDepth = mx;
    }
  }
  if( sqlite3_value_type(pCur->pName)!=SQLITE_TEXT ){
    relVtabError(cur->pVtab, "rel_closure: relationship must be the name"
                 " of a relationship table");
    return SQLITE_ERROR;
  }
  rc = closurePrepare(pCur, (const char*)sqlite3_value_text(pCur->pName));
  if( rc!=SQLITE_OK ) return rc;
  if( pCur->mxDepth<0 ) return SQLITE_OK;          /* no row can pass */

  /* The root is compared as the stored keys are, with the key column's
  ** affinity: 1 and '1' alike in an integer column, and in a text one. */
  eType = sqlite3_value_type(pCur->pRoot);
  if( pCur->eAff==CLOSURE_AFF_NUMERIC && eType==SQLITE_TEXT ){
    const char *zRoot = (const char*)sqlite3_value_text(pCur->pRoot);
    i64 iKey = 0;
    if( zRoot==0 ) return SQLITE_NOMEM;
    bNum = relNumericText(zRoot, &eType, &iKey);
    if( bNum ) rc = closureAddKey(pCur, eType, iKey, 0, 0, -1, 0);
  }else if( pCur->eAff==CLOSURE_AFF_TEXT
         && (eType==SQLITE_INTEGER || eType==SQLITE_FLOAT) ){
    /* the text SQLite's TEXT affinity makes of it: 1 is '1', 1.5 '1.5' */
    const char *zRoot = (const char*)sqlite3_value_text(pCur->pRoot);
    if( zRoot==0 ) return SQLITE_NOMEM;
    rc = closureAddKey(pCur, SQLITE_TEXT, 0, zRoot,
                       sqlite3_value_bytes(pCur->pRoot), -1, 0);
    bNum = 1;
  }
  if( !bNum ) rc = closureAdd(pCur, pCur->pRoot, -1, 0);
  if( rc==SQLITE_OK ) rc = closureFill(pCur);
  return rc;
}

/*
** xNext: the next key, reading neighbours as needed.
*/
static int closureNext(sqlite3_vtab_cursor *cur){
  ClosureCursor *pCur = (ClosureCursor*)cur;
  pCur->iRow++;
  return closureFill(pCur);
}

/*
** xEof: 1 when every key reached has been returned.
*/
static int closureEof(sqlite3_vtab_cursor *cur){
  ClosureCursor *pCur = (ClosureCursor*)cur;
  return pCur->iRow>=pCur->nNode;
}

/*
** xColumn: the current key, its depth, its parent, or an argument.
*/
static int closureColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx,
                         int i){
  ClosureCursor *pCur = (ClosureCursor*)cur;
  ClosureNode *p = &pCur->aNode[pCur->iRow];
  switch( i ){
    case CLOSURE_ID:
      closureResult(pCur, ctx, pCur->iRow);
      break;
    case CLOSURE_DEPTH:
      sqlite3_result_int(ctx, p->iDepth);
      break;
    case CLOSURE_PARENT:
      if( p->iParent>=0 ) closureResult(pCur, ctx, p->iParent);
      break;
    case CLOSURE_RELATIONSHIP:
      sqlite3_result_value(ctx, pCur->pName);
      break;
    case CLOSURE_ROOT:
      sqlite3_result_value(ctx, pCur->pRoot);
      break;
    default:
      if( pCur->pMax ) sqlite3_result_value(ctx, pCur->pMax);
      break;
  }
  return SQLITE_OK;
}

/*
** xRowid: the row's position, from 1.
*/
static int closureRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = ((ClosureCursor*)cur)->iRow + 1;
  return SQLITE_OK;
}

static sqlite3_module closureModule = {
  /* iVersion    */ 0,
  /* xCreate     */ 0,
  /* xConnect    */ closureConnect,
  /* xBestIndex  */ closureBestIndex,
  /* xDisconnect */ closureDisconnect,
  /* xDestroy    */ 0,
  /* xOpen       */ closureOpen,
  /* xClose      */ closureClose,
  /* xFilter     */ closureFilter,
  /* xNext       */ closureNext,
  /* xEof        */ closureEof,
  /* xColumn     */ closureColumn,
  /* xRowid      */ closureRowid,
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
** Register rel_closure on db. Returns an SQLite code.
*/
int relRegisterClosure(sqlite3 *db, RelGlobal *pGlobal){
  return sqlite3_create_module(db, "rel_closure", &closureModule, pGlobal);
}
