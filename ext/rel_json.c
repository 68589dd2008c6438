/*
** rel_json.c: rel_json(table, key [, depth]), a row as a JSON object with
** its relationships embedded (SQLAlchemy's eager load, PostgREST's
** embedding), built by the database in one indexed statement per
** relationship per level.
**
** USAGE
**
**     CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);
**     CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT,
**                        parent_id INTEGER REFERENCES parent(id));
**     CREATE VIRTUAL TABLE child_parent USING relationship(child, parent,
**         backref=children);
**     INSERT INTO parent VALUES (1, 'p');
**     INSERT INTO child VALUES (1, 'a', 1), (2, 'b', 1);
**
**     SELECT rel_json('parent', 1);
**     -- {"id":1,"name":"p","children":[{"id":1,"name":"a","parent_id":1},
**     --                                 {"id":2,"name":"b","parent_id":1}]}
**     SELECT rel_json('child', 2, 2);
**     -- {"id":2,"name":"b","parent_id":1,"parent":{"id":1,"name":"p"}}
**     --   (child_parent's reverse, parent_children, is not embedded again)
**     SELECT rel_json('child', 2, 0);       -- the row alone
**
** The indexes are the ones the declarations created (the link columns').
**
** HOW IT WORKS
**
** `table` is found as SQLite finds an unqualified name (temp, main, then
** attached schemas); `key` is matched against its PRIMARY KEY column (the
** rowid when it has none). The row's own columns are written first, in
** table order, then one member per relationship whose source is `table`
** in that schema, in the order of the relationship tables' names, under
** the attribute name: an array for a collection, an object or null for a
** scalar.
**
** A level is a set of rows (JsonNode: a rowid and the JSON text so far).
** For each relationship of the level's table, one statement fetches the
** related rows of every row of the level at once:
**
**     SELECT j.key, t.rowid, <relationship table columns>
**       FROM json_each(?1) AS j, <the relationship's FROM> AND <owner
**            matches the source row whose rowid is j.value>
**      ORDER BY j.key, <order_by>, t.rowid
**
** ?1 is the JSON array of the level's rowids; j.key is the index of the
** owning row in it, so the rows come grouped by owner and in order_by
** order within each. With depth left, those rows are the next level
** (never embedding the reverse of the relationship they came through);
** then each is closed and copied into its owner. Each statement is
** prepared on first use and reused at every level it appears on.
**
** What a call finds out before it reads a row (the table, its key, the
** relationships of its schema and their statements) is kept for the
** next call of the same statement with the same table argument (SQLite's
** auxiliary data on argument 0, freed when the statement ends), so that
** "SELECT rel_json('parent', id) FROM parent" works that out once, not
** once a row. It holds copies, not the declarations themselves, and is
** worked out anew when a relationship table connects or disconnects on
** the connection (RelGlobal.iGeneration) in between.
**
** Values: integers and reals as JSON numbers, text as strings, NULL as
** null, BLOBs as strings of upper-case hex (as hex() gives them).
*/
#include "relationship_int.h"

#include <math.h>

/* A relationship whose source is in the table's schema, as rel_json()
** uses it: copies of what it needs of the declaration. */
typedef struct JsonRel JsonRel;
struct JsonRel {
  char *zName;            /* The relationship table */
  char *zAttr;            /* The member's name */
  char *zSrc, *zTgt;      /* Source and target tables */
  int bUselist;           /* An array (1) or an object or null (0) */
  int bClash;             /* zAttr is also a column of zSrc: an error */
  int nCol;
  char **azCol;           /* The target row's member names */
  char *zSql;             /* The fetch statement (see HOW IT WORKS) */
  sqlite3_stmt *pStmt;    /* ... prepared on first use */
  unsigned char *aRev;    /* aRev[j]: relationship j is this one's reverse */
};

/* What a call works out before reading (kept between calls: see above). */
typedef struct JsonCache JsonCache;
struct JsonCache {
  sqlite3 *db;
  unsigned iGeneration;   /* RelGlobal.iGeneration when worked out */
  char *zDb, *zTab;       /* The table, as the schema spells it */
  sqlite3_stmt *pRow;     /* "SELECT rowid, * ... WHERE <key> = ?1" */
  int bRels;              /* aRel is worked out */
  int nRel;
  JsonRel *aRel;          /* The schema's relationships, by name */
};

/* The state of one rel_json() call. */
typedef struct JsonCtx JsonCtx;
struct JsonCtx {
  sqlite3 *db;
  int nRel;
  JsonRel *aRel;          /* JsonCache.aRel */
  char *zErr;             /* Error message, or NULL */
};

/* One row being written: its rowid, its owner and its JSON so far. */
typedef struct JsonNode JsonNode;
struct JsonNode {
  i64 iRowid;             /* rowid of the row */
  int iOwner;             /* Index of the owning row in the level above */
  sqlite3_str *pStr;      /* "{...": members written so far */
};

/*
** Append z (n bytes of UTF-8) to pStr as a JSON string.
*/
static void jsonString(sqlite3_str *pStr, const char *z, int n){
  int i, iRun = 0;
  sqlite3_str_appendchar(pStr, 1, '"');
  for(i=0; i<n; i++){
    unsigned char c = (unsigned char)z[i];
    if( c>=0x20 && c!='"' && c!='\\' ) continue;
    /* the run of characters that need no escape, then this one */
    if( i>iRun ) sqlite3_str_append(pStr, &z[iRun], i-iRun);
    iRun = i+1;
    switch( c ){
      case '"':  sqlite3_str_appendall(pStr, "\\\""); break;
      case '\\': sqlite3_str_appendall(pStr, "\\\\"); break;
      case '\n': sqlite3_str_appendall(pStr, "\\n"); break;
      case '\r': sqlite3_str_appendall(pStr, "\\r"); break;
      case '\t': sqlite3_str_appendall(pStr, "\\t"); break;
      default:   sqlite3_str_appendf(pStr, "\\u%04x", c); break;
    }
  }
  if( n>iRun ) sqlite3_str_append(pStr, &z[iRun], n-iRun);
  sqlite3_str_appendchar(pStr, 1, '"');
}

/*
** Append column iCol of pStmt's current row to pStr as a JSON value.
*/
static void jsonValue(sqlite3_str *pStr, sqlite3_stmt *pStmt, int iCol){
  switch( sqlite3_column_type(pStmt, iCol) ){
    case SQLITE_INTEGER:
      sqlite3_str_appendf(pStr, "%lld", sqlite3_column_int64(pStmt, iCol));
      break;
    case SQLITE_FLOAT: {
      double r = sqlite3_column_double(pStmt, iCol);
      if( isnan(r) ) sqlite3_str_appendall(pStr, "null");
      else if( isinf(r) ) sqlite3_str_appendall(pStr, r<0 ? "-9e999" : "9e999");
      else sqlite3_str_appendf(pStr, "%!.15g", r);
      break;
    }
    case SQLITE_TEXT:
      jsonString(pStr, (const char*)sqlite3_column_text(pStmt, iCol),
                 sqlite3_column_bytes(pStmt, iCol));
      break;
    case SQLITE_BLOB: {
      const unsigned char *a = sqlite3_column_blob(pStmt, iCol);
      int i, n = sqlite3_column_bytes(pStmt, iCol);
      sqlite3_str_appendchar(pStr, 1, '"');
      for(i=0; i<n; i++) sqlite3_str_appendf(pStr, "%02X", a[i]);
      sqlite3_str_appendchar(pStr, 1, '"');
      break;
    }
    default:
      sqlite3_str_appendall(pStr, "null");
  }
}

/*
** Append the members "name":value for columns iFirst.. of pStmt's row,
** names from azName (or the statement's own column names when NULL),
** each after a comma except the very first of the object (bFirst).
*/
static void jsonMembers(sqlite3_str *pStr, sqlite3_stmt *pStmt, int iFirst,
                        char **azName, int bFirst){
  int i, n = sqlite3_column_count(pStmt);
  for(i=iFirst; i<n; i++){
    const char *z = azName ? azName[i-iFirst] : sqlite3_column_name(pStmt, i);
    if( !bFirst || i>iFirst ) sqlite3_str_appendchar(pStr, 1, ',');
    jsonString(pStr, z ? z : "", z ? (int)strlen(z) : 0);
    sqlite3_str_appendchar(pStr, 1, ':');
    jsonValue(pStr, pStmt, i);
  }
}

/*
** Is q the relationship p seen from the other side (the same link)? The
** same test as relIsReverse() in rel_vtab.c, but a symmetric=1
** relationship is its own reverse (a friend's friends would list the
** friend it came from).
*/
static int jsonIsReverse(RelDecl *p, RelDecl *q){
  return (p==q && p->bSymmetric) || relIsReverse(p, q);
}

/*
** The fetch statement of p (see HOW IT WORKS), or NULL out of memory.
*/
static char *jsonSql(RelDecl *p){
  sqlite3_str *pStr;
  char *zFrom, *zOwner, *zSrcKey, *zSql;
  int k;
  zFrom = relFromSql(p);
  zOwner = relOwnerExpr(p);
  zSrcKey = relKey("o", p->zSrcKey);
  pStr = sqlite3_str_new(0);
  sqlite3_str_appendall(pStr, "SELECT j.key, t.rowid");
  for(k=0; k<p->nCol; k++){
    sqlite3_str_appendf(pStr, ", %s", p->azExpr[k]);
  }
  if( zFrom && zOwner && zSrcKey ){
    /* zFrom is " FROM <tables> WHERE <link>" */
    if( p->eKind==REL_MANY_TO_ONE ){
      sqlite3_str_appendf(pStr, " FROM json_each(?1) AS j, %s"
          " AND s.rowid = j.value", zFrom+6);
    }else if( p->zSrcKey==0 ){
      sqlite3_str_appendf(pStr, " FROM json_each(?1) AS j, %s"
          " AND %s = j.value", zFrom+6, zOwner);
    }else{
      sqlite3_str_appendf(pStr, " FROM json_each(?1) AS j, \"%w\".\"%w\" AS o,"
          " %s AND o.rowid = j.value AND %s = %s", p->zDb, p->src.zName,
          zFrom+6, zOwner, zSrcKey);
    }
  }
  sqlite3_str_appendall(pStr, " ORDER BY j.key");
  for(k=0; k<p->nOrder; k++){
    sqlite3_str_appendf(pStr, ", %s%s", p->azExpr[p->aOrderCol[k]],
                        p->aOrderDesc[k] ? " DESC" : "");
  }
  sqlite3_str_appendall(pStr, ", t.rowid");
  zSql = sqlite3_str_finish(pStr);
  if( zFrom==0 || zOwner==0 || zSrcKey==0 ){
    sqlite3_free(zSql);
    zSql = 0;
  }
  sqlite3_free(zFrom);
  sqlite3_free(zOwner);
  sqlite3_free(zSrcKey);
  return zSql;
}

/*
** Free what aRel[0..nRel-1] holds, then aRel itself.
*/
static void jsonRelsFree(JsonRel *aRel, int nRel){
  int i, k;
  for(i=0; i<nRel; i++){
    JsonRel *pRel = &aRel[i];
    sqlite3_finalize(pRel->pStmt);
    sqlite3_free(pRel->zName);
    sqlite3_free(pRel->zAttr);
    sqlite3_free(pRel->zSrc);
    sqlite3_free(pRel->zTgt);
    if( pRel->azCol ){
      for(k=0; k<pRel->nCol; k++) sqlite3_free(pRel->azCol[k]);
      sqlite3_free(pRel->azCol);
    }
    sqlite3_free(pRel->zSql);
    sqlite3_free(pRel->aRev);
  }
  sqlite3_free(aRel);
}

/*
** Copy what rel_json() needs of the nDecl declarations aDecl into
** *paRel. Returns an SQLite code.
*/
static int jsonRelsFrom(RelDecl **aDecl, int nDecl, JsonRel **paRel){
  JsonRel *aRel;
  int i, j, k, rc = SQLITE_OK;
  *paRel = 0;
  if( nDecl==0 ) return SQLITE_OK;
  aRel = relMallocZero(sizeof(JsonRel)*nDecl);
  if( aRel==0 ) return SQLITE_NOMEM;
  for(i=0; rc==SQLITE_OK && i<nDecl; i++){
    RelDecl *p = aDecl[i];
    JsonRel *pRel = &aRel[i];
    pRel->zName = relStrdup(p->zName);
    pRel->zAttr = relStrdup(p->zAttr);
    pRel->zSrc = relStrdup(p->src.zName);
    pRel->zTgt = relStrdup(p->tgt.zName);
    pRel->bUselist = p->bUselist;
    for(k=0; k<p->src.nCol; k++){
      if( sqlite3_stricmp(p->src.aCol[k].zName, p->zAttr)==0 ){
        pRel->bClash = 1;
      }
    }
    pRel->azCol = relMallocZero(sizeof(char*)*(p->nCol+1));
    if( pRel->azCol ){
      pRel->nCol = p->nCol;
      for(k=0; k<p->nCol; k++){
        if( (pRel->azCol[k] = relStrdup(p->azCol[k]))==0 ) rc = SQLITE_NOMEM;
      }
    }
    pRel->zSql = jsonSql(p);
    pRel->aRev = relMallocZero(nDecl);
    if( pRel->aRev ){
      for(j=0; j<nDecl; j++) pRel->aRev[j] = (u8)jsonIsReverse(p, aDecl[j]);
    }
    if( !pRel->zName || !pRel->zAttr || !pRel->zSrc || !pRel->zTgt
     || !pRel->azCol || !pRel->zSql || !pRel->aRev ){
      rc = SQLITE_NOMEM;
    }
  }
  if( rc!=SQLITE_OK ){
    jsonRelsFree(aRel, nDecl);
    return rc;
  }
  *paRel = aRel;
  return SQLITE_OK;
}

/*
** Free the nNode strings of aNode, then aNode itself.
*/
static void jsonNodesFree(JsonNode *aNode, int nNode){
  int i;
  for(i=0; i<nNode; i++) sqlite3_free(sqlite3_str_finish(aNode[i].pStr));
  sqlite3_free(aNode);
}

/*
** Append to each of the nOwner rows of aOwner (rows of table zTable) one
** member per relationship of zTable but the reverse of pCtx->aRel[iVia]
** (the one they were reached through; -1: none), nDepth levels deep (nDepth>=1). Returns
** an SQLite code; on error pCtx->zErr may say more.
*/
static int jsonEmbed(JsonCtx *pCtx, const char *zTable, int iVia,
                     JsonNode *aOwner, int nOwner, int nDepth){
  int i, k, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<pCtx->nRel; i++){
    JsonRel *p = &pCtx->aRel[i];
    sqlite3_stmt *pStmt;
    sqlite3_str *pKeys;
    char *zKeys;
    JsonNode *aNode = 0;
    int nNode = 0, nAlloc = 0, iNode;
    if( sqlite3_stricmp(p->zSrc, zTable)!=0 ) continue;
    if( iVia>=0 && pCtx->aRel[iVia].aRev[i] ) continue;
    if( p->bClash ){
      /* the object would have the member twice */
      pCtx->zErr = sqlite3_mprintf("rel_json: %s: attribute %s is also a"
          " column of %s; rename the relationship table", p->zName,
          p->zAttr, p->zSrc);
      rc = pCtx->zErr ? SQLITE_ERROR : SQLITE_NOMEM;
      break;
    }
    if( p->pStmt==0 ){
      rc = sqlite3_prepare_v3(pCtx->db, p->zSql, -1,
                              SQLITE_PREPARE_PERSISTENT, &p->pStmt, 0);
      if( rc!=SQLITE_OK ){
        pCtx->zErr = sqlite3_mprintf("rel_json: %s: %s", p->zName,
                                     sqlite3_errmsg(pCtx->db));
        break;
      }
    }
    pStmt = p->pStmt;
    /* One statement for the whole level: the owners' rowids as JSON */
    pKeys = sqlite3_str_new(pCtx->db);
    for(k=0; k<nOwner; k++){
      sqlite3_str_appendf(pKeys, "%c%lld", k ? ',' : '[', aOwner[k].iRowid);
    }
    sqlite3_str_appendchar(pKeys, 1, ']');
    zKeys = sqlite3_str_finish(pKeys);
    if( zKeys==0 ) return SQLITE_NOMEM;
    rc = sqlite3_bind_text(pStmt, 1, zKeys, -1, sqlite3_free);
    while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
      JsonNode *pNode;
      if( nNode==nAlloc ){
        JsonNode *aNew;
        nAlloc = nAlloc ? nAlloc*2 : 8;
        aNew = sqlite3_realloc64(aNode, sizeof(JsonNode)*nAlloc);
        if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
        aNode = aNew;
      }
      pNode = &aNode[nNode++];
      pNode->iOwner = sqlite3_column_int(pStmt, 0);
      pNode->iRowid = sqlite3_column_int64(pStmt, 1);
      pNode->pStr = sqlite3_str_new(pCtx->db);
      sqlite3_str_appendchar(pNode->pStr, 1, '{');
      jsonMembers(pNode->pStr, pStmt, 2, p->azCol, 1);
      rc = sqlite3_str_errcode(pNode->pStr);
    }
    if( rc==SQLITE_OK ){
      rc = sqlite3_reset(pStmt);
      if( rc!=SQLITE_OK ){
        pCtx->zErr = sqlite3_mprintf("rel_json: %s: %s", p->zName,
                                     sqlite3_errmsg(pCtx->db));
      }
    }else{
      sqlite3_reset(pStmt);
    }
    sqlite3_clear_bindings(pStmt);

    /* The next level, then close each row and give it to its owner */
    if( rc==SQLITE_OK && nDepth>1 && nNode>0 ){
      rc = jsonEmbed(pCtx, p->zTgt, i, aNode, nNode, nDepth-1);
    }
    for(iNode=0, k=0; rc==SQLITE_OK && k<nOwner; k++){
      sqlite3_str *pOut = aOwner[k].pStr;
      int bFirst = 1;
      sqlite3_str_appendchar(pOut, 1, ',');
      jsonString(pOut, p->zAttr, (int)strlen(p->zAttr));
      sqlite3_str_appendchar(pOut, 1, ':');
      if( p->bUselist ) sqlite3_str_appendchar(pOut, 1, '[');
      for(; iNode<nNode && aNode[iNode].iOwner==k; iNode++){
        if( !p->bUselist && !bFirst ) continue;
        if( !bFirst ) sqlite3_str_appendchar(pOut, 1, ',');
        bFirst = 0;
        sqlite3_str_appendall(pOut, sqlite3_str_value(aNode[iNode].pStr));
        sqlite3_str_appendchar(pOut, 1, '}');
      }
      if( p->bUselist ) sqlite3_str_appendchar(pOut, 1, ']');
      else if( bFirst ) sqlite3_str_appendall(pOut, "null");
      rc = sqlite3_str_errcode(pOut);
    }
    jsonNodesFree(aNode, nNode);
  }
  return rc;
}

/*
** Find the table zName as SQLite resolves an unqualified name. On success
** *pzDb and *pzTab (the stored spelling) are the caller's to free; both
** stay NULL when there is no such table. Returns an SQLite code.
*/
static int jsonFindTable(sqlite3 *db, const char *zName, char **pzDb,
                         char **pzTab, int *pbWithoutRowid){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, "SELECT schema, name, wr FROM"
      " pragma_table_list WHERE name=?1 COLLATE NOCASE AND type='table'"
      " ORDER BY schema<>'temp', schema<>'main' LIMIT 1", -1, &pStmt, 0);
  *pzDb = *pzTab = 0;
  if( rc!=SQLITE_OK ) return rc;
  sqlite3_bind_text(pStmt, 1, zName, -1, SQLITE_STATIC);
  if( sqlite3_step(pStmt)==SQLITE_ROW ){
    *pzDb = relStrdup((const char*)sqlite3_column_text(pStmt, 0));
    *pzTab = relStrdup((const char*)sqlite3_column_text(pStmt, 1));
    *pbWithoutRowid = sqlite3_column_int(pStmt, 2);
    if( *pzDb==0 || *pzTab==0 ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  else sqlite3_finalize(pStmt);
  return rc;
}

/*
** The name of zTab's single PRIMARY KEY column in *pzPk (the caller frees
** it; NULL when there is none: the rowid). Returns an SQLite code, and
** SQLITE_MISMATCH for a composite primary key.
*/
static int jsonPrimaryKey(sqlite3 *db, const char *zDb, const char *zTab,
                          char **pzPk){
  sqlite3_stmt *pStmt = 0;
  int rc, n = 0;
  *pzPk = 0;
  rc = sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1, ?2)"
      " WHERE pk>0", -1, &pStmt, 0);
  if( rc!=SQLITE_OK ) return rc;
  sqlite3_bind_text(pStmt, 1, zTab, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, zDb, -1, SQLITE_STATIC);
  while( sqlite3_step(pStmt)==SQLITE_ROW ){
    if( n++==0 ){
      *pzPk = relStrdup((const char*)sqlite3_column_text(pStmt, 0));
      if( *pzPk==0 ){ rc = SQLITE_NOMEM; break; }
    }
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  else sqlite3_finalize(pStmt);
  if( rc==SQLITE_OK && n>1 ) rc = SQLITE_MISMATCH;
  if( rc!=SQLITE_OK ){ sqlite3_free(*pzPk); *pzPk = 0; }
  return rc;
}

/*
** Free a JsonCache (the destructor of the auxiliary data).
*/
static void jsonCacheFree(void *pArg){
  JsonCache *pCache = (JsonCache*)pArg;
  if( pCache ){
    sqlite3_finalize(pCache->pRow);
    jsonRelsFree(pCache->aRel, pCache->nRel);
    sqlite3_free(pCache->zDb);
    sqlite3_free(pCache->zTab);
    sqlite3_free(pCache);
  }
}

/*
** Work out the table zName names, its key and the statement reading a
** row of it into a new *ppCache. Returns an SQLite code; *pzErr is the
** message of an error that is the caller's (freed by the caller).
*/
static int jsonCacheNew(RelGlobal *pGlobal, const char *zName,
                        JsonCache **ppCache, char **pzErr){
  sqlite3 *db = pGlobal->db;
  JsonCache *pCache;
  char *zPk = 0;
  int bWr = 0, rc;
  *ppCache = pCache = relMallocZero(sizeof(JsonCache));
  if( pCache==0 ) return SQLITE_NOMEM;
  pCache->db = db;
  pCache->iGeneration = pGlobal->iGeneration;
  rc = jsonFindTable(db, zName, &pCache->zDb, &pCache->zTab, &bWr);
  if( rc==SQLITE_OK && pCache->zTab==0 ){
    *pzErr = sqlite3_mprintf("rel_json: no such table: %s", zName);
    rc = SQLITE_ERROR;
  }else if( rc==SQLITE_OK && bWr ){
    *pzErr = sqlite3_mprintf("rel_json: %s is a WITHOUT ROWID table;"
                             " not supported yet", pCache->zTab);
    rc = SQLITE_ERROR;
  }
  if( rc==SQLITE_OK ){
    rc = jsonPrimaryKey(db, pCache->zDb, pCache->zTab, &zPk);
    if( rc==SQLITE_MISMATCH ){
      *pzErr = sqlite3_mprintf("rel_json: %s has a composite primary key;"
                               " not supported yet", pCache->zTab);
      rc = SQLITE_ERROR;
    }
  }
  if( rc==SQLITE_OK ){
    if( zPk ){
      rc = relPrepare(db, &pCache->pRow, "SELECT rowid, * FROM \"%w\".\"%w\""
          " WHERE \"%w\" = ?1", pCache->zDb, pCache->zTab, zPk);
    }else{
      rc = relPrepare(db, &pCache->pRow, "SELECT rowid, * FROM \"%w\".\"%w\""
          " WHERE rowid = ?1", pCache->zDb, pCache->zTab);
    }
  }
  sqlite3_free(zPk);
  if( rc==SQLITE_ERROR && *pzErr==0 ) rc = SQLITE_NOMEM;
  if( rc!=SQLITE_OK ){
    jsonCacheFree(pCache);
    *ppCache = 0;
  }
  return rc;
}

/*
** Work out pCache's relationships, unless that is done. Returns an
** SQLite code, with *pzErr set for an error that has a message.
*/
static int jsonCacheRels(RelGlobal *pGlobal, JsonCache *pCache,
                         char **pzErr){
  RelDecl **aDecl = 0;
  int nDecl = 0, rc;
  if( pCache->bRels ) return SQLITE_OK;
  rc = relListDecls(pGlobal, pCache->zDb, 0, &aDecl, &nDecl, pzErr);
  if( rc==SQLITE_OK ) rc = jsonRelsFrom(aDecl, nDecl, &pCache->aRel);
  if( rc==SQLITE_OK ){
    pCache->nRel = nDecl;
    pCache->bRels = 1;
  }
  sqlite3_free(aDecl);
  return rc;
}

/* Levels rel_json() goes down at most: the recursion is one C frame per
** level, and a graph's rows multiply with each. */
#define JSON_MAX_DEPTH 64

/*
** SQL function rel_json(table, key [, depth]): see the top of this file.
** The result is JSON text with subtype 'J', or NULL when no row has key.
*/
static void relJsonFunc(
  sqlite3_context *ctx, int argc, sqlite3_value **argv
){
  RelGlobal *pGlobal = sqlite3_user_data(ctx);
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char *zName = (const char*)sqlite3_value_text(argv[0]);
  char *zErr = 0;
  JsonCache *pCache;
  sqlite3_stmt *pRow;
  JsonCtx sCtx;
  JsonNode sRoot;
  int nDepth = 1, rc = SQLITE_OK, bKeep = 0;

  memset(&sCtx, 0, sizeof(sCtx));
  memset(&sRoot, 0, sizeof(sRoot));
  sCtx.db = db;
  if( argc>2 ){
    if( sqlite3_value_type(argv[2])!=SQLITE_INTEGER
     || sqlite3_value_int64(argv[2])<0
     || sqlite3_value_int64(argv[2])>JSON_MAX_DEPTH
    ){
      sqlite3_result_error(ctx, "rel_json: depth must be an integer from 0"
                                " to 64", -1);
      return;
    }
    nDepth = sqlite3_value_int(argv[2]);
  }
  if( zName==0 ){
    sqlite3_result_error(ctx, "rel_json: the table name is NULL", -1);
    return;
  }
  if( sqlite3_value_type(argv[1])==SQLITE_NULL ) return;

  pCache = (JsonCache*)sqlite3_get_auxdata(ctx, 0);
  if( pCache && pCache->iGeneration!=pGlobal->iGeneration ){
    /* a relationship table connected or disconnected since */
    sqlite3_set_auxdata(ctx, 0, 0, 0);
    pCache = 0;
  }
  if( pCache==0 ){
    rc = jsonCacheNew(pGlobal, zName, &pCache, &zErr);
    bKeep = rc==SQLITE_OK;
  }
  if( rc==SQLITE_OK ){
    pRow = pCache->pRow;
    sqlite3_bind_value(pRow, 1, argv[1]);
    if( sqlite3_step(pRow)==SQLITE_ROW ){
      sRoot.iRowid = sqlite3_column_int64(pRow, 0);
      sRoot.pStr = sqlite3_str_new(db);
      sqlite3_str_appendchar(sRoot.pStr, 1, '{');
      jsonMembers(sRoot.pStr, pRow, 1, 0, 1);
      rc = sqlite3_str_errcode(sRoot.pStr);
    }
    if( rc==SQLITE_OK ) rc = sqlite3_reset(pRow);
    else sqlite3_reset(pRow);
    sqlite3_clear_bindings(pRow);
  }
  if( rc==SQLITE_OK && sRoot.pStr && nDepth>0 ){
    rc = jsonCacheRels(pGlobal, pCache, &zErr);
    if( rc==SQLITE_OK ){
      sCtx.nRel = pCache->nRel;
      sCtx.aRel = pCache->aRel;
      rc = jsonEmbed(&sCtx, pCache->zTab, -1, &sRoot, 1, nDepth);
    }
  }

  if( rc==SQLITE_OK && sRoot.pStr ){
    char *zOut;
    sqlite3_str_appendchar(sRoot.pStr, 1, '}');
    rc = sqlite3_str_errcode(sRoot.pStr);
    zOut = sqlite3_str_finish(sRoot.pStr);
    sRoot.pStr = 0;
    if( rc==SQLITE_OK && zOut ){
      sqlite3_result_text(ctx, zOut, -1, sqlite3_free);
      sqlite3_result_subtype(ctx, 'J');
    }else{
      sqlite3_free(zOut);
      if( rc==SQLITE_OK ) rc = SQLITE_NOMEM;
    }
  }
  if( rc!=SQLITE_OK ){
    if( rc==SQLITE_NOMEM ){
      sqlite3_result_error_nomem(ctx);
    }else if( rc==SQLITE_TOOBIG ){
      sqlite3_result_error_toobig(ctx);
    }else if( zErr || sCtx.zErr ){
      sqlite3_result_error(ctx, sCtx.zErr ? sCtx.zErr : zErr, -1);
    }else{
      char *z = sqlite3_mprintf("rel_json: %s", sqlite3_errmsg(db));
      sqlite3_result_error(ctx, z ? z : "rel_json: error", -1);
      sqlite3_free(z);
    }
  }
  sqlite3_free(sqlite3_str_finish(sRoot.pStr));
  sqlite3_free(sCtx.zErr);
  sqlite3_free(zErr);
  if( bKeep ){
    /* for the next call (SQLite frees it at once when it keeps nothing
    ** for this argument, and when the statement ends) */
    sqlite3_set_auxdata(ctx, 0, pCache, jsonCacheFree);
  }
}

/*
** Register rel_json() with 2 and 3 arguments on db. Returns an SQLite
** code.
*/
int relRegisterJson(sqlite3 *db, RelGlobal *pGlobal){
  int eFlags = SQLITE_UTF8;
  int rc;
#ifdef SQLITE_RESULT_SUBTYPE
  eFlags |= SQLITE_RESULT_SUBTYPE;     /* 3.45+: it sets subtype 'J' */
#endif
  rc = sqlite3_create_function(db, "rel_json", 2, eFlags, pGlobal,
                               relJsonFunc, 0, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function(db, "rel_json", 3, eFlags, pGlobal,
                                 relJsonFunc, 0, 0);
  }
  return rc;
}
