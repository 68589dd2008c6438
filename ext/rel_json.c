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
** prepared once per call and reused at every level it appears on.
**
** Values: integers and reals as JSON numbers, text as strings, NULL as
** null, BLOBs as strings of upper-case hex (as hex() gives them).
*/
#include "relationship_int.h"

#include <math.h>

/* The state of one rel_json() call. */
typedef struct JsonCtx JsonCtx;
struct JsonCtx {
  sqlite3 *db;
  int nDecl;              /* Relationships of the table's schema */
  RelDecl **aDecl;        /* ... sorted by name (relListDecls) */
  sqlite3_stmt **aStmt;   /* aStmt[i]: aDecl[i]'s fetch, prepared on use */
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
  int i;
  sqlite3_str_appendchar(pStr, 1, '"');
  for(i=0; i<n; i++){
    unsigned char c = (unsigned char)z[i];
    switch( c ){
      case '"':  sqlite3_str_appendall(pStr, "\\\""); break;
      case '\\': sqlite3_str_appendall(pStr, "\\\\"); break;
      case '\n': sqlite3_str_appendall(pStr, "\\n"); break;
      case '\r': sqlite3_str_appendall(pStr, "\\r"); break;
      case '\t': sqlite3_str_appendall(pStr, "\\t"); break;
      default:
        if( c<0x20 ) sqlite3_str_appendf(pStr, "\\u%04x", c);
        else sqlite3_str_appendchar(pStr, 1, (char)c);
    }
  }
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
** Prepare the fetch statement of pCtx->aDecl[i] (see HOW IT WORKS) into
** pCtx->aStmt[i], unless it is there already. Returns an SQLite code.
*/
static int jsonPrepare(JsonCtx *pCtx, int i){
  RelDecl *p = pCtx->aDecl[i];
  sqlite3_str *pStr;
  char *zFrom, *zOwner, *zSrcKey, *zSql;
  int k, rc;
  if( pCtx->aStmt[i] ) return SQLITE_OK;
  zFrom = relFromSql(p);
  zOwner = relOwnerExpr(p);
  zSrcKey = relKey("o", p->zSrcKey);
  pStr = sqlite3_str_new(pCtx->db);
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
  if( zFrom==0 || zOwner==0 || zSrcKey==0 || zSql==0 ){
    rc = SQLITE_NOMEM;
  }else{
    rc = sqlite3_prepare_v3(pCtx->db, zSql, -1, SQLITE_PREPARE_PERSISTENT,
                            &pCtx->aStmt[i], 0);
    if( rc!=SQLITE_OK ){
      pCtx->zErr = sqlite3_mprintf("rel_json: %s: %s", p->zName,
                                   sqlite3_errmsg(pCtx->db));
    }
  }
  sqlite3_free(zSql);
  sqlite3_free(zFrom);
  sqlite3_free(zOwner);
  sqlite3_free(zSrcKey);
  return rc;
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
** member per relationship of zTable but the reverse of pVia (the one they
** were reached through, or NULL), nDepth levels deep (nDepth>=1). Returns
** an SQLite code; on error pCtx->zErr may say more.
*/
static int jsonEmbed(JsonCtx *pCtx, const char *zTable, RelDecl *pVia,
                     JsonNode *aOwner, int nOwner, int nDepth){
  int i, k, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<pCtx->nDecl; i++){
    RelDecl *p = pCtx->aDecl[i];
    sqlite3_stmt *pStmt;
    sqlite3_str *pKeys;
    char *zKeys;
    JsonNode *aNode = 0;
    int nNode = 0, nAlloc = 0, iNode;
    if( sqlite3_stricmp(p->src.zName, zTable)!=0 ) continue;
    if( pVia && jsonIsReverse(pVia, p) ) continue;
    for(k=0; k<p->src.nCol; k++){
      if( sqlite3_stricmp(p->src.aCol[k].zName, p->zAttr)==0 ){
        /* the object would have the member twice */
        pCtx->zErr = sqlite3_mprintf("rel_json: %s: attribute %s is also a"
            " column of %s; rename the relationship table", p->zName,
            p->zAttr, p->src.zName);
        rc = pCtx->zErr ? SQLITE_ERROR : SQLITE_NOMEM;
        break;
      }
    }
    if( rc!=SQLITE_OK ) break;
    rc = jsonPrepare(pCtx, i);
    if( rc!=SQLITE_OK ) break;
    pStmt = pCtx->aStmt[i];

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
      rc = jsonEmbed(pCtx, p->tgt.zName, p, aNode, nNode, nDepth-1);
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
  char *zDb = 0, *zTab = 0, *zPk = 0, *zErr = 0;
  sqlite3_stmt *pRow = 0;
  JsonCtx sCtx;
  JsonNode sRoot;
  int nDepth = 1, bWr = 0, rc, i;

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

  rc = jsonFindTable(db, zName, &zDb, &zTab, &bWr);
  if( rc==SQLITE_OK && zTab==0 ){
    zErr = sqlite3_mprintf("rel_json: no such table: %s", zName);
    rc = SQLITE_ERROR;
  }else if( rc==SQLITE_OK && bWr ){
    zErr = sqlite3_mprintf("rel_json: %s is a WITHOUT ROWID table;"
                           " not supported yet", zTab);
    rc = SQLITE_ERROR;
  }
  if( rc==SQLITE_OK ){
    rc = jsonPrimaryKey(db, zDb, zTab, &zPk);
    if( rc==SQLITE_MISMATCH ){
      zErr = sqlite3_mprintf("rel_json: %s has a composite primary key;"
                             " not supported yet", zTab);
      rc = SQLITE_ERROR;
    }
  }
  if( rc==SQLITE_OK ){
    if( zPk ){
      rc = relPrepare(db, &pRow, "SELECT rowid, * FROM \"%w\".\"%w\""
          " WHERE \"%w\" = ?1", zDb, zTab, zPk);
    }else{
      rc = relPrepare(db, &pRow, "SELECT rowid, * FROM \"%w\".\"%w\""
          " WHERE rowid = ?1", zDb, zTab);
    }
  }
  if( rc==SQLITE_OK ){
    sqlite3_bind_value(pRow, 1, argv[1]);
    if( sqlite3_step(pRow)==SQLITE_ROW ){
      sRoot.iRowid = sqlite3_column_int64(pRow, 0);
      sRoot.pStr = sqlite3_str_new(db);
      sqlite3_str_appendchar(sRoot.pStr, 1, '{');
      jsonMembers(sRoot.pStr, pRow, 1, 0, 1);
      rc = sqlite3_str_errcode(sRoot.pStr);
    }
    if( rc==SQLITE_OK ) rc = sqlite3_finalize(pRow);
    else sqlite3_finalize(pRow);
  }
  if( rc==SQLITE_OK && sRoot.pStr && nDepth>0 ){
    rc = relListDecls(pGlobal, zDb, 0, &sCtx.aDecl, &sCtx.nDecl, &zErr);
    if( rc==SQLITE_OK && sCtx.nDecl>0 ){
      sCtx.aStmt = relMallocZero(sizeof(sqlite3_stmt*)*sCtx.nDecl);
      if( sCtx.aStmt==0 ) rc = SQLITE_NOMEM;
    }
    if( rc==SQLITE_OK ){
      rc = jsonEmbed(&sCtx, zTab, 0, &sRoot, 1, nDepth);
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
  for(i=0; i<sCtx.nDecl; i++){
    if( sCtx.aStmt ) sqlite3_finalize(sCtx.aStmt[i]);
  }
  sqlite3_free(sCtx.aStmt);
  sqlite3_free(sCtx.aDecl);
  sqlite3_free(sCtx.zErr);
  sqlite3_free(zErr);
  sqlite3_free(zDb);
  sqlite3_free(zTab);
  sqlite3_free(zPk);
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
