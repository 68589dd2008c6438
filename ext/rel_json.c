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
** order within each (order_by as the relationship table reads it, so a
** many-to-many by its target key reads the association's column; t.rowid
** only where rows could tie). A level of one row (the top one, always)
** has a statement of its own, "SELECT 0, t.rowid, ... AND <owner matches
** the row whose rowid is ?1> ORDER BY <order_by>", which the link
** column's index answers in order, without json_each() or a sort.
**
** On the last level each related row is written straight into its
** owner's text as the statement returns it. Above it, the rows are the
** next level (never embedding the reverse of the relationship they came
** through); once it is written, each is closed and copied into its
** owner. Each statement is prepared on first use and reused at every
** level it appears on.
**
** What a call finds out before it reads a row (the table, its key, the
** relationships of its schema and their statements: a JsonCache) is kept
** for the next call of the same statement with the same table argument
** (SQLite's auxiliary data on argument 0, freed when the statement ends),
** so that "SELECT rel_json('parent', id) FROM parent" works that out
** once, not once a row. It holds copies, not the declarations themselves,
** and is worked out anew when a relationship table connects or
** disconnects on the connection (RelGlobal.iGeneration) in between.
**
** For a table of main or temp, while a relationship table is connected,
** it is kept on the connection instead (RelGlobal.pJson, the last
** JSON_NCONN tables), for the calls of later statements: "SELECT
** rel_json('parent', ?)" once a request. Besides iGeneration, a schema
** change tells: the row statement reads main, whose schema any change
** (by any connection) makes SQLite prepare it anew, and a change to temp
** does the same to every statement; its SQLITE_STMTSTATUS_REPREPARE
** count moves (or its step fails), and the call works it all out again.
** Its prepared statements would keep sqlite3_close() from closing the
** connection, so the list is freed when the last relationship table
** disconnects (relJsonRelease): sqlite3_close() disconnects every table
** before it looks for statements left.
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
  char *zMember;          /* ',"<zAttr>":' and a '[' for a collection */
  int nCol;
  char **azKey;           /* '"<column>":' of each target row member */
  char *azSql[2];         /* The fetch statements: for a level of many
                          ** rows, and for a level of one (HOW IT WORKS) */
  sqlite3_stmt *apStmt[2];/* ... each prepared on first use */
  unsigned char *aRev;    /* aRev[j]: relationship j is this one's reverse */
  char *zBroken;          /* A declaration that no longer reads (only
                          ** zName and zSrc are set): its message */
};

/* What a call works out before reading (kept between calls: see above). */
typedef struct JsonCache JsonCache;
struct JsonCache {
  sqlite3 *db;
  unsigned iGeneration;   /* RelGlobal.iGeneration when worked out */
  char *zDb, *zTab;       /* The table, as the schema spells it */
  sqlite3_stmt *pRow;     /* "SELECT rowid, * ... WHERE <key> = ?1" */
  int nRowKey;            /* Members of a row: pRow's columns but rowid */
  char **azRowKey;        /* '"<column>":' of each (NULL: not worked out) */
  int nReprepare;         /* pRow's SQLITE_STMTSTATUS_REPREPARE then */
  int nConnPrepare;       /* ... when last used, if kept on the connection */
  i64 nHint;              /* Length of the last result, at most
                          ** JSON_HINT_MAX: the next one's first size */
  int bRels;              /* aRel is worked out */
  int bPins;              /* A relationship reads a relationship table */
  int nRel;
  JsonRel *aRel;          /* The schema's relationships, by name */
  char *zArg;             /* Kept on the connection: the table argument */
  JsonCache *pNext;       /* ... and the next one kept there */
};

/* The state of one rel_json() call. */
typedef struct JsonCtx JsonCtx;
struct JsonCtx {
  sqlite3 *db;
  i64 mxLen;              /* SQLITE_LIMIT_LENGTH */
  int nRel;
  JsonRel *aRel;          /* JsonCache.aRel */
  char *zErr;             /* Error message, or NULL */
};

/* JSON text being written: a growing buffer, always with room for a
** terminating NUL. Once an append fails, rc says why and the text is
** not to be used. */
typedef struct JsonBuf JsonBuf;
struct JsonBuf {
  char *z;                /* The text (not terminated until jsonFinish) */
  i64 n;                  /* Bytes of text in z */
  i64 nAlloc;             /* Bytes allocated for z */
  i64 mxLen;              /* Longest text allowed (SQLITE_LIMIT_LENGTH) */
  int rc;                 /* SQLITE_OK, or SQLITE_NOMEM or SQLITE_TOOBIG */
};

/* One row being written: its rowid, its owner and its JSON so far. */
typedef struct JsonNode JsonNode;
struct JsonNode {
  i64 iRowid;             /* rowid of the row */
  int iOwner;             /* Index of the owning row in the level above */
  JsonBuf s;              /* "{...": members written so far */
};

/*
** Make room in p for nMore bytes more (and the terminator): at least
** nAlloc bytes at the first allocation. Returns p->rc.
*/
static int jsonGrow(JsonBuf *p, i64 nMore, i64 nAlloc){
  char *zNew;
  if( p->rc ) return p->rc;
  if( p->n+nMore>p->mxLen ){
    p->rc = SQLITE_TOOBIG;
    return p->rc;
  }
  if( nAlloc<p->nAlloc*2 ) nAlloc = p->nAlloc*2;
  if( nAlloc<p->n+nMore+1 ) nAlloc = p->n+nMore+1;
  zNew = sqlite3_realloc64(p->z, nAlloc);
  if( zNew==0 ){
    p->rc = SQLITE_NOMEM;
    return p->rc;
  }
  p->z = zNew;
  p->nAlloc = nAlloc;
  return SQLITE_OK;
}

/* Append n bytes of z, or one character c, to p. */
static void jsonAppend(JsonBuf *p, const char *z, i64 n){
  if( p->n+n>=p->nAlloc && jsonGrow(p, n, 64) ) return;
  memcpy(&p->z[p->n], z, n);
  p->n += n;
}
static void jsonChar(JsonBuf *p, char c){
  if( p->n+1>=p->nAlloc && jsonGrow(p, 1, 64) ) return;
  p->z[p->n++] = c;
}

/*
** The text of p, terminated, for the caller to free with sqlite3_free(),
** or NULL (p->rc says why). p is empty afterwards.
*/
static char *jsonFinish(JsonBuf *p){
  char *z = p->z;
  if( p->rc==SQLITE_OK && z==0 ) jsonGrow(p, 0, 1);
  z = p->z;
  if( p->rc ){
    sqlite3_free(z);
    z = 0;
  }else{
    z[p->n] = 0;
  }
  p->z = 0;
  p->n = p->nAlloc = 0;
  return z;
}

/*
** Append z (n bytes of UTF-8) to p as a JSON string.
*/
static void jsonString(JsonBuf *p, const char *z, int n){
  static const char aHex[] = "0123456789abcdef";
  int i, iRun = 0;
  jsonChar(p, '"');
  for(i=0; i<n; i++){
    unsigned char c = (unsigned char)z[i];
    char a[6];
    if( c>=0x20 && c!='"' && c!='\\' ) continue;
    /* the run of characters that need no escape, then this one */
    if( i>iRun ) jsonAppend(p, &z[iRun], i-iRun);
    iRun = i+1;
    a[0] = '\\';
    switch( c ){
      case '"':  a[1] = '"';  break;
      case '\\': a[1] = '\\'; break;
      case '\n': a[1] = 'n';  break;
      case '\r': a[1] = 'r';  break;
      case '\t': a[1] = 't';  break;
      default:
        a[1] = 'u'; a[2] = '0'; a[3] = '0';
        a[4] = aHex[c>>4]; a[5] = aHex[c&0xf];
        jsonAppend(p, a, 6);
        continue;
    }
    jsonAppend(p, a, 2);
  }
  if( n>iRun ) jsonAppend(p, &z[iRun], n-iRun);
  jsonChar(p, '"');
}

/*
** Append the integer v to p in decimal.
*/
static void jsonValueInt(JsonBuf *p, i64 v){
  char a[24];
  int i = (int)sizeof(a);
  sqlite3_uint64 u = v<0 ? (sqlite3_uint64)0-(sqlite3_uint64)v
                         : (sqlite3_uint64)v;
  do{ a[--i] = (char)('0' + u%10); u /= 10; }while( u );
  if( v<0 ) a[--i] = '-';
  jsonAppend(p, &a[i], (int)sizeof(a)-i);
}

/*
** Append the value pVal (a column of the row being read) to p as JSON.
** The callers hold the database mutex (they are inside an SQL function
** call), so the unprotected value of sqlite3_column_value() is theirs to
** read.
*/
static void jsonValue(JsonBuf *p, sqlite3_value *pVal){
  switch( sqlite3_value_type(pVal) ){
    case SQLITE_INTEGER:
      jsonValueInt(p, sqlite3_value_int64(pVal));
      break;
    case SQLITE_FLOAT: {
      double r = sqlite3_value_double(pVal);
      char a[40];
      if( isnan(r) ) sqlite3_snprintf(sizeof(a), a, "null");
      else if( isinf(r) ) sqlite3_snprintf(sizeof(a), a, r<0 ? "-9e999" : "9e999");
      else sqlite3_snprintf(sizeof(a), a, "%!.15g", r);
      jsonAppend(p, a, (i64)strlen(a));
      break;
    }
    case SQLITE_TEXT: {
      const char *z = (const char*)sqlite3_value_text(pVal);
      jsonString(p, z, sqlite3_value_bytes(pVal));
      break;
    }
    case SQLITE_BLOB: {
      static const char aHex[] = "0123456789ABCDEF";
      const unsigned char *a = sqlite3_value_blob(pVal);
      int i, n = sqlite3_value_bytes(pVal);
      jsonChar(p, '"');
      for(i=0; i<n; i++){
        jsonChar(p, aHex[a[i]>>4]);
        jsonChar(p, aHex[a[i]&0xf]);
      }
      jsonChar(p, '"');
      break;
    }
    default:
      jsonAppend(p, "null", 4);
  }
}

/*
** Append "{" and the members of pStmt's row (columns iFirst.., each under
** its key in azKey), then "}", to p.
*/
static void jsonObject(JsonBuf *p, sqlite3_stmt *pStmt, int iFirst,
                       char **azKey, int nKey){
  int i;
  jsonChar(p, '{');
  for(i=0; i<nKey; i++){
    if( i ) jsonChar(p, ',');
    jsonAppend(p, azKey[i], (i64)strlen(azKey[i]));
    jsonValue(p, sqlite3_column_value(pStmt, iFirst+i));
  }
  jsonChar(p, '}');
}

/*
** zPrefix, then zName as a JSON string, then zSuffix, as a new string
** (the caller frees it), or NULL out of memory.
*/
static char *jsonKey(const char *zPrefix, const char *zName,
                     const char *zSuffix){
  JsonBuf s;
  memset(&s, 0, sizeof(s));
  s.mxLen = 0x7fffffff;
  jsonAppend(&s, zPrefix, (i64)strlen(zPrefix));
  jsonString(&s, zName, (int)strlen(zName));
  jsonAppend(&s, zSuffix, (i64)strlen(zSuffix));
  return jsonFinish(&s);
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
** The fetch statement of p (see HOW IT WORKS) for a level of many rows
** (bOne==0: their rowids a JSON array in ?1) or of one (bOne: its rowid
** ?1, and 0 for j.key, so that the columns are the same), or NULL out of
** memory.
*/
static char *jsonSql(RelDecl *p, int bOne){
  sqlite3_str *pStr;
  char *zFrom, *zOwner, *zSrcKey, *zSql;
  const char *zJoin = bOne ? "" : "json_each(?1) AS j, ";
  const char *zRowid = bOne ? "?1" : "j.value";
  const char *zTR = relRowidName(&p->tgt);      /* the tables' rowids */
  const char *zSR = relRowidName(&p->src);
  int k, bKey = 0;
  zFrom = relFromSql(p, 0);
  zOwner = relOwnerExpr(p);
  zSrcKey = relBaseKey("o", &p->src, p->zSrcKey);
  pStr = sqlite3_str_new(0);
  sqlite3_str_appendf(pStr, "SELECT %s, t.%s", bOne ? "0" : "j.key", zTR);
  for(k=0; k<p->nCol; k++){
    sqlite3_str_appendf(pStr, ", %s", p->azExpr[k]);
  }
  if( zFrom && zOwner && zSrcKey ){
    /* zFrom is " FROM <tables> WHERE <link>" */
    if( p->eKind==REL_MANY_TO_ONE ){
      sqlite3_str_appendf(pStr, " FROM %s%s AND s.%s = %s",
          zJoin, zFrom+6, zSR, zRowid);
    }else if( p->zSrcKey==0 ){
      sqlite3_str_appendf(pStr, " FROM %s%s AND %s = %s",
          zJoin, zFrom+6, zOwner, zRowid);
    }else{
      sqlite3_str_appendf(pStr, " FROM %s\"%w\".\"%w\" AS o, %s AND"
          " o.%s = %s AND %s = %s", zJoin, p->zDb, p->src.zName,
          zFrom+6, zSR, zRowid, zOwner, zSrcKey);
    }
  }
  /* the collection's order (as the relationship table reads it), then
  ** the rowid where rows could tie */
  sqlite3_str_appendall(pStr, bOne ? " ORDER BY " : " ORDER BY j.key");
  for(k=0; k<p->nOrder; k++){
    if( k || !bOne ) sqlite3_str_appendall(pStr, ", ");
    relOrderAppend(pStr, p, k);
    if( p->aOrderDesc[k] ) sqlite3_str_appendall(pStr, " DESC");
    if( relOrderIsKey(p, k) ) bKey = 1;
  }
  if( !bKey ){
    sqlite3_str_appendf(pStr, "%st.%s", (bOne && p->nOrder==0) ? "" : ", ",
                        zTR);
  }
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
** Free the n strings of az, then az itself.
*/
static void jsonFreeStrings(char **az, int n){
  int k;
  if( az ){
    for(k=0; k<n; k++) sqlite3_free(az[k]);
    sqlite3_free(az);
  }
}

/*
** Free what aRel[0..nRel-1] holds, then aRel itself.
*/
static void jsonRelsFree(JsonRel *aRel, int nRel){
  int i, k;
  for(i=0; i<nRel; i++){
    JsonRel *pRel = &aRel[i];
    for(k=0; k<2; k++){
      sqlite3_finalize(pRel->apStmt[k]);
      sqlite3_free(pRel->azSql[k]);
    }
    sqlite3_free(pRel->zName);
    sqlite3_free(pRel->zAttr);
    sqlite3_free(pRel->zSrc);
    sqlite3_free(pRel->zTgt);
    sqlite3_free(pRel->zMember);
    jsonFreeStrings(pRel->azKey, pRel->nCol);
    sqlite3_free(pRel->aRev);
    sqlite3_free(pRel->zBroken);
  }
  sqlite3_free(aRel);
}

/*
** Copy what rel_json() needs of the nDecl declarations aDecl into
** *paRel, followed by the nBroken declarations aBroken that no longer
** read: a level whose table is the source of one fails with its message,
** as every use of it does, rather than leave the member out. Returns an
** SQLite code.
*/
static int jsonRelsFrom(RelDecl **aDecl, int nDecl, RelBroken *aBroken,
                        int nBroken, JsonRel **paRel, int *pbPins){
  JsonRel *aRel;
  int i, j, k, rc = SQLITE_OK;
  *paRel = 0;
  *pbPins = 0;
  if( nDecl+nBroken==0 ) return SQLITE_OK;
  aRel = relMallocZero(sizeof(JsonRel)*(nDecl+nBroken));
  if( aRel==0 ) return SQLITE_NOMEM;
  for(i=0; rc==SQLITE_OK && i<nBroken; i++){
    JsonRel *pRel = &aRel[nDecl+i];
    pRel->zName = relStrdup(aBroken[i].zName);
    pRel->zSrc = relStrdup(aBroken[i].zSource);
    pRel->zBroken = sqlite3_mprintf("rel_json: %s", aBroken[i].zErr);
    if( !pRel->zName || !pRel->zSrc || !pRel->zBroken ) rc = SQLITE_NOMEM;
  }
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
    pRel->zMember = jsonKey(",", p->zAttr, p->bUselist ? ":[" : ":");
    pRel->azKey = relMallocZero(sizeof(char*)*(p->nCol+1));
    if( pRel->azKey ){
      pRel->nCol = p->nCol;
      for(k=0; k<p->nCol; k++){
        if( (pRel->azKey[k] = jsonKey("", p->azCol[k], ":"))==0 ){
          rc = SQLITE_NOMEM;
        }
      }
    }
    pRel->azSql[0] = jsonSql(p, 0);
    pRel->azSql[1] = jsonSql(p, 1);
    pRel->aRev = relMallocZero(nDecl+nBroken);
    if( pRel->aRev ){
      for(j=0; j<nDecl; j++) pRel->aRev[j] = (u8)jsonIsReverse(p, aDecl[j]);
      for(j=0; j<nBroken; j++){
        /* a broken one is this one's reverse by name: back_populates=, or
        ** the table its backref= made */
        const char *zB = aBroken[j].zName;
        int n = (int)strlen(p->tgt.zName);
        pRel->aRev[nDecl+j] = (u8)((p->zBackPop
               && sqlite3_stricmp(p->zBackPop, zB)==0)
            || (p->zBackref && sqlite3_strnicmp(zB, p->tgt.zName, n)==0
               && zB[n]=='_' && sqlite3_stricmp(zB+n+1, p->zBackref)==0));
      }
    }
    /* a table of it is itself a relationship table: its statements would
    ** hold that table connected (see jsonConnKeep) */
    for(j=0; j<nDecl; j++){
      const char *zRel = aDecl[j]->zName;
      if( sqlite3_stricmp(zRel, p->src.zName)==0
       || sqlite3_stricmp(zRel, p->tgt.zName)==0
       || (p->sec.zName && sqlite3_stricmp(zRel, p->sec.zName)==0)
      ){
        *pbPins = 1;
      }
    }
    if( !pRel->zName || !pRel->zAttr || !pRel->zSrc || !pRel->zTgt
     || !pRel->zMember || !pRel->azKey || !pRel->azSql[0] || !pRel->azSql[1]
     || !pRel->aRev
    ){
      rc = SQLITE_NOMEM;
    }
  }
  if( rc!=SQLITE_OK ){
    jsonRelsFree(aRel, nDecl+nBroken);
    return rc;
  }
  *paRel = aRel;
  return SQLITE_OK;
}

/*
** Free the nNode texts of aNode, then aNode itself.
*/
static void jsonNodesFree(JsonNode *aNode, int nNode){
  int i;
  for(i=0; i<nNode; i++) sqlite3_free(aNode[i].s.z);
  sqlite3_free(aNode);
}

/*
** Close the member of relationship p in pOut: bEmpty when no row was
** written into it.
*/
static void jsonMemberEnd(JsonBuf *pOut, JsonRel *p, int bEmpty){
  if( p->bUselist ) jsonChar(pOut, ']');
  else if( bEmpty ) jsonAppend(pOut, "null", 4);
}

/*
** Append to each of the nOwner rows of aOwner (rows of table zTable) one
** member per relationship of zTable but the reverse of pCtx->aRel[iVia]
** (the one they were reached through; -1: none), nDepth levels deep
** (nDepth>=1). Returns an SQLite code; on error pCtx->zErr may say more.
**
** On the last level the related rows are written straight into their
** owners, as the statement returns them (grouped by owner); above it,
** each is kept as a node of the next level until that level is written
** into it.
*/
static int jsonEmbed(JsonCtx *pCtx, const char *zTable, int iVia,
                     JsonNode *aOwner, int nOwner, int nDepth){
  int i, k, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<pCtx->nRel; i++){
    JsonRel *p = &pCtx->aRel[i];
    int bOne = nOwner==1;
    sqlite3_stmt *pStmt;
    JsonNode *aNode = 0;
    int nNode = 0, nAlloc = 0, iNode, bRow;
    if( sqlite3_stricmp(p->zSrc, zTable)!=0 ) continue;
    if( iVia>=0 && pCtx->aRel[iVia].aRev[i] ) continue;
    if( p->zBroken ){
      pCtx->zErr = sqlite3_mprintf("%s", p->zBroken);
      rc = pCtx->zErr ? SQLITE_ERROR : SQLITE_NOMEM;
      break;
    }
    if( p->bClash ){
      /* the object would have the member twice */
      pCtx->zErr = sqlite3_mprintf("rel_json: %s: attribute %s is also a"
          " column of %s; rename the relationship table", p->zName,
          p->zAttr, p->zSrc);
      rc = pCtx->zErr ? SQLITE_ERROR : SQLITE_NOMEM;
      break;
    }
    if( p->apStmt[bOne]==0 ){
      rc = sqlite3_prepare_v3(pCtx->db, p->azSql[bOne], -1,
                              SQLITE_PREPARE_PERSISTENT, &p->apStmt[bOne], 0);
      if( rc!=SQLITE_OK ){
        pCtx->zErr = sqlite3_mprintf("rel_json: %s: %s", p->zName,
                                     sqlite3_errmsg(pCtx->db));
        break;
      }
    }
    pStmt = p->apStmt[bOne];
    if( bOne ){
      rc = sqlite3_bind_int64(pStmt, 1, aOwner[0].iRowid);
    }else{
      /* One statement for the whole level: the owners' rowids as JSON */
      JsonBuf sKeys;
      char *zKeys;
      memset(&sKeys, 0, sizeof(sKeys));
      sKeys.mxLen = pCtx->mxLen;
      for(k=0; k<nOwner; k++){
        jsonChar(&sKeys, k ? ',' : '[');
        jsonValueInt(&sKeys, aOwner[k].iRowid);
      }
      jsonChar(&sKeys, ']');
      zKeys = jsonFinish(&sKeys);
      if( zKeys==0 ) return sKeys.rc;
      rc = sqlite3_bind_text(pStmt, 1, zKeys, -1, sqlite3_free);
    }
    bRow = rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW;

    if( nDepth==1 ){
      /* The last level: each row into its owner */
      for(k=0; rc==SQLITE_OK && k<nOwner; k++){
        JsonBuf *pOut = &aOwner[k].s;
        int bEmpty = 1;
        jsonAppend(pOut, p->zMember, (i64)strlen(p->zMember));
        while( bRow && (bOne || sqlite3_column_int(pStmt, 0)==k) ){
          if( bEmpty || p->bUselist ){
            if( !bEmpty ) jsonChar(pOut, ',');
            jsonObject(pOut, pStmt, 2, p->azKey, p->nCol);
            bEmpty = 0;
          }
          bRow = sqlite3_step(pStmt)==SQLITE_ROW;
        }
        jsonMemberEnd(pOut, p, bEmpty);
        rc = pOut->rc;
      }
    }else{
      /* The rows are the next level */
      while( rc==SQLITE_OK && bRow ){
        JsonNode *pNode;
        if( nNode==nAlloc ){
          JsonNode *aNew;
          nAlloc = nAlloc ? nAlloc*2 : 8;
          aNew = sqlite3_realloc64(aNode, sizeof(JsonNode)*nAlloc);
          if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
          aNode = aNew;
        }
        pNode = &aNode[nNode++];
        memset(pNode, 0, sizeof(*pNode));
        pNode->s.mxLen = pCtx->mxLen;
        pNode->iOwner = sqlite3_column_int(pStmt, 0);
        pNode->iRowid = sqlite3_column_int64(pStmt, 1);
        jsonObject(&pNode->s, pStmt, 2, p->azKey, p->nCol);
        rc = pNode->s.rc;
        if( rc==SQLITE_OK ) pNode->s.n--; /* '}' after the next level */
        bRow = sqlite3_step(pStmt)==SQLITE_ROW;
      }
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
    for(iNode=0, k=0; rc==SQLITE_OK && nDepth>1 && k<nOwner; k++){
      JsonBuf *pOut = &aOwner[k].s;
      int bEmpty = 1;
      jsonAppend(pOut, p->zMember, (i64)strlen(p->zMember));
      for(; iNode<nNode && aNode[iNode].iOwner==k; iNode++){
        if( !p->bUselist && !bEmpty ) continue;
        if( !bEmpty ) jsonChar(pOut, ',');
        bEmpty = 0;
        jsonAppend(pOut, aNode[iNode].s.z, aNode[iNode].s.n);
        jsonChar(pOut, '}');
      }
      jsonMemberEnd(pOut, p, bEmpty);
      rc = pOut->rc;
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
** The name by which SQL reaches the rowid of table zTab, as relRowidName()
** names a relationship's tables: "rowid", or when a column other than the
** INTEGER PRIMARY KEY has that name, "_rowid_", then "oid", then the
** INTEGER PRIMARY KEY (quoted). Into *pzRowid, which the caller frees;
** NULL when none reaches it.
*/
static int jsonRowidName(sqlite3 *db, const char *zDb, const char *zTab,
                         char **pzRowid){
  static const char *azName[] = { "rowid", "_rowid_", "oid" };
  sqlite3_stmt *pStmt = 0;
  char *zIpk = 0;
  int aTaken[3] = {0, 0, 0};
  int rc, i;
  *pzRowid = 0;
  rc = sqlite3_prepare_v2(db, "SELECT name, pk=1 AND type='INTEGER' COLLATE"
      " NOCASE AND (SELECT count(*) FROM pragma_table_info(?1, ?2)"
      " WHERE pk>0)=1 AND NOT EXISTS(SELECT 1 FROM pragma_index_list(?1, ?2)"
      " WHERE origin='pk') FROM pragma_table_xinfo(?1, ?2)", -1, &pStmt, 0);
  if( rc!=SQLITE_OK ) return rc;
  sqlite3_bind_text(pStmt, 1, zTab, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, zDb, -1, SQLITE_STATIC);
  while( sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zCol = (const char*)sqlite3_column_text(pStmt, 0);
    int bIpk = sqlite3_column_int(pStmt, 1);
    if( zCol==0 ) continue;
    if( bIpk && zIpk==0 ){
      zIpk = sqlite3_mprintf("\"%w\"", zCol);
      if( zIpk==0 ){ rc = SQLITE_NOMEM; break; }
    }
    for(i=0; i<3; i++){
      if( !bIpk && sqlite3_stricmp(zCol, azName[i])==0 ) aTaken[i] = 1;
    }
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  else sqlite3_finalize(pStmt);
  for(i=0; rc==SQLITE_OK && i<3 && aTaken[i]; i++){}
  if( rc==SQLITE_OK && i<3 ){
    *pzRowid = relStrdup(azName[i]);
    if( *pzRowid==0 ) rc = SQLITE_NOMEM;
  }else if( rc==SQLITE_OK ){
    *pzRowid = zIpk;
    zIpk = 0;
  }
  sqlite3_free(zIpk);
  return rc;
}

/*
** Free a JsonCache (the destructor of the auxiliary data).
*/
static void jsonCacheFree(void *pArg){
  JsonCache *pCache = (JsonCache*)pArg;
  if( pCache ){
    sqlite3_finalize(pCache->pRow);
    jsonFreeStrings(pCache->azRowKey, pCache->nRowKey);
    jsonRelsFree(pCache->aRel, pCache->nRel);
    sqlite3_free(pCache->zDb);
    sqlite3_free(pCache->zTab);
    sqlite3_free(pCache->zArg);
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
  char *zRowid = 0;
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
    rc = jsonRowidName(db, pCache->zDb, pCache->zTab, &zRowid);
    if( rc==SQLITE_OK && zRowid==0 ){
      *pzErr = sqlite3_mprintf("rel_json: %s has columns named rowid,"
          " _rowid_ and oid and no INTEGER PRIMARY KEY; not supported",
          pCache->zTab);
      rc = SQLITE_ERROR;
    }
  }
  if( rc==SQLITE_OK ){
    if( zPk ){
      rc = relPrepare(db, &pCache->pRow, "SELECT %s, * FROM \"%w\".\"%w\""
          " WHERE \"%w\" = ?1", zRowid, pCache->zDb, pCache->zTab, zPk);
    }else{
      rc = relPrepare(db, &pCache->pRow, "SELECT %s, * FROM \"%w\".\"%w\""
          " WHERE %s = ?1", zRowid, pCache->zDb, pCache->zTab, zRowid);
    }
  }
  sqlite3_free(zPk);
  sqlite3_free(zRowid);
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
  RelBroken *aBroken = 0;
  int nDecl = 0, nBroken = 0, rc;
  if( pCache->bRels ) return SQLITE_OK;
  rc = relListDeclsBroken(pGlobal, pCache->zDb, &aDecl, &nDecl, &aBroken,
                          &nBroken, pzErr);
  if( rc==SQLITE_OK ){
    rc = jsonRelsFrom(aDecl, nDecl, aBroken, nBroken, &pCache->aRel,
                      &pCache->bPins);
  }
  if( rc==SQLITE_OK ){
    pCache->nRel = nDecl+nBroken;
    pCache->bRels = 1;
  }
  sqlite3_free(aDecl);
  relBrokenFree(aBroken, nBroken);
  return rc;
}

/*
** Work out the keys of a row's members (pRow's column names but the
** rowid's), again when pRow was prepared anew since (the table's
** columns may have changed). Returns an SQLite code.
*/
static int jsonCacheRowKeys(JsonCache *pCache){
  sqlite3_stmt *pRow = pCache->pRow;
  int nReprepare = sqlite3_stmt_status(pRow, SQLITE_STMTSTATUS_REPREPARE, 0);
  int k, n;
  if( pCache->azRowKey && nReprepare==pCache->nReprepare ) return SQLITE_OK;
  jsonFreeStrings(pCache->azRowKey, pCache->nRowKey);
  pCache->nRowKey = 0;
  n = sqlite3_column_count(pRow) - 1;
  pCache->azRowKey = relMallocZero(sizeof(char*)*(n+1));
  if( pCache->azRowKey==0 ) return SQLITE_NOMEM;
  pCache->nRowKey = n;
  for(k=0; k<n; k++){
    const char *zCol = sqlite3_column_name(pRow, k+1);
    pCache->azRowKey[k] = zCol ? jsonKey("", zCol, ":") : 0;
    if( pCache->azRowKey[k]==0 ){
      jsonFreeStrings(pCache->azRowKey, n);
      pCache->azRowKey = 0;
      pCache->nRowKey = 0;
      return SQLITE_NOMEM;
    }
  }
  pCache->nReprepare = nReprepare;
  return SQLITE_OK;
}

/* The first size of a result's text at most: one large result makes the
** next ones no larger than this at first (they grow by doubling) */
#define JSON_HINT_MAX 65536

/* Tables whose look-ups the connection keeps at most (see relJsonFunc) */
#define JSON_NCONN 8

/*
** Free what the connection keeps for rel_json(): at once, unless a call
** is running (which frees it when it ends). Called when the last
** relationship table of the connection disconnects (so at the latest
** when the connection closes, before SQLite checks that no statement is
** left) and when the module is destroyed.
*/
void relJsonRelease(RelGlobal *pGlobal){
  JsonCache *p = (JsonCache*)pGlobal->pJson;
  if( pGlobal->nJsonBusy>0 ) return;
  pGlobal->pJson = 0;
  while( p ){
    JsonCache *pNext = p->pNext;
    jsonCacheFree(p);
    p = pNext;
  }
}

/*
** The look-ups the connection keeps for table argument zName, moved to
** the front of the list, or NULL. Entries worked out before a
** relationship table connected or disconnected are freed on the way.
*/
static JsonCache *jsonConnFind(RelGlobal *pGlobal, const char *zName){
  JsonCache **pp = (JsonCache**)&pGlobal->pJson;
  while( *pp ){
    JsonCache *p = *pp;
    if( p->iGeneration!=pGlobal->iGeneration ){
      *pp = p->pNext;
      jsonCacheFree(p);
      continue;
    }
    if( strcmp(p->zArg, zName)==0 ){
      *pp = p->pNext;
      p->pNext = (JsonCache*)pGlobal->pJson;
      pGlobal->pJson = p;
      return p;
    }
    pp = &p->pNext;
  }
  return 0;
}

/*
** Take pCache out of the connection's list (and free it).
*/
static void jsonConnUnlink(RelGlobal *pGlobal, JsonCache *pCache){
  JsonCache **pp;
  for(pp=(JsonCache**)&pGlobal->pJson; *pp; pp=&(*pp)->pNext){
    if( *pp==pCache ){
      *pp = pCache->pNext;
      break;
    }
  }
  pCache->pNext = 0;
}
static void jsonConnDrop(RelGlobal *pGlobal, JsonCache *pCache){
  jsonConnUnlink(pGlobal, pCache);
  jsonCacheFree(pCache);
}

/*
** Keep pCache (worked out for table argument zName) on the connection,
** if it can be: a relationship table is connected (its disconnection is
** what frees the list, at the latest when the connection closes), and
** the table is in main or temp (a schema change there, by any connection,
** makes SQLite prepare pRow anew, which tells the next call; see
** relJsonFunc). The oldest entry goes past JSON_NCONN. Returns 1 when
** kept.
*/
static int jsonConnKeep(RelGlobal *pGlobal, JsonCache *pCache,
                        const char *zName){
  JsonCache *p;
  int n;
  if( pGlobal->pList==0 ) return 0;
  if( strcmp(pCache->zDb, "main")!=0 && strcmp(pCache->zDb, "temp")!=0 ){
    return 0;
  }
  pCache->zArg = relStrdup(zName);
  if( pCache->zArg==0 ) return 0;
  pCache->pNext = (JsonCache*)pGlobal->pJson;
  pGlobal->pJson = pCache;
  /* p: the JSON_NCONN-th entry, if there is one; those after it go */
  for(p=pCache, n=1; p && n<JSON_NCONN; p=p->pNext, n++){}
  while( p && p->pNext ){
    JsonCache *pOld = p->pNext;
    p->pNext = pOld->pNext;
    jsonCacheFree(pOld);
  }
  return 1;
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
  int nDepth = 1, rc = SQLITE_OK, bKeep = 0, bFound = 0;
  int bConn = 0;          /* pCache is kept on the connection */
  int bFresh = 0;         /* pCache was worked out by this call */
  int eStep;

  memset(&sCtx, 0, sizeof(sCtx));
  memset(&sRoot, 0, sizeof(sRoot));
  sCtx.db = db;
  sCtx.mxLen = sRoot.s.mxLen = sqlite3_limit(db, SQLITE_LIMIT_LENGTH, -1);
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

  pGlobal->nJsonBusy++;
  pCache = (JsonCache*)sqlite3_get_auxdata(ctx, 0);
  if( pCache && pCache->iGeneration!=pGlobal->iGeneration ){
    /* a relationship table connected or disconnected since */
    sqlite3_set_auxdata(ctx, 0, 0, 0);
    pCache = 0;
  }
  if( pCache==0 && pGlobal->nJsonBusy==1 ){
    pCache = jsonConnFind(pGlobal, zName);
    bConn = pCache!=0;
  }
  while( rc==SQLITE_OK ){
    if( pCache==0 ){
      rc = jsonCacheNew(pGlobal, zName, &pCache, &zErr);
      if( rc!=SQLITE_OK ) break;
      bFresh = 1;
      if( pGlobal->nJsonBusy==1 && jsonConnKeep(pGlobal, pCache, zName) ){
        bConn = 1;
      }else{
        bKeep = 1;
      }
    }
    pRow = pCache->pRow;
    sqlite3_bind_value(pRow, 1, argv[1]);
    eStep = sqlite3_step(pRow);
    if( bConn ){
      /* Kept from an earlier statement: still good unless the schema
      ** changed since (SQLite then prepared pRow anew, or failed to: it
      ** reads main, and a change to temp makes every statement prepare
      ** anew) or a relationship table connected or disconnected */
      int n = sqlite3_stmt_status(pRow, SQLITE_STMTSTATUS_REPREPARE, 0);
      if( !bFresh && ((eStep!=SQLITE_ROW && eStep!=SQLITE_DONE)
                      || n!=pCache->nConnPrepare
                      || pCache->iGeneration!=pGlobal->iGeneration) ){
        sqlite3_reset(pRow);
        sqlite3_clear_bindings(pRow);
        jsonConnDrop(pGlobal, pCache);
        pCache = 0;
        bConn = 0;
        continue;                         /* work it out anew */
      }
      pCache->nConnPrepare = n;
    }
    if( eStep==SQLITE_ROW ){
      rc = jsonCacheRowKeys(pCache);
      if( rc==SQLITE_OK ){
        bFound = 1;
        sRoot.iRowid = sqlite3_column_int64(pRow, 0);
        /* at once as long as the last result, as a rule (a longer one
        ** grows by doubling) */
        if( jsonGrow(&sRoot.s, 0, pCache->nHint+1)==SQLITE_OK ){
          jsonObject(&sRoot.s, pRow, 1, pCache->azRowKey, pCache->nRowKey);
          sRoot.s.n--;                    /* '}' after the relationships */
        }
        rc = sRoot.s.rc;
      }
    }
    if( rc==SQLITE_OK ) rc = sqlite3_reset(pRow);
    else sqlite3_reset(pRow);
    sqlite3_clear_bindings(pRow);
    break;
  }
  if( rc==SQLITE_OK && bFound && nDepth>0 ){
    int bNew = !pCache->bRels;
    rc = jsonCacheRels(pGlobal, pCache, &zErr);
    if( rc==SQLITE_OK ){
      /* relationship tables it connected were counted in: they are in */
      if( bNew ) pCache->iGeneration = pGlobal->iGeneration;
      sCtx.nRel = pCache->nRel;
      sCtx.aRel = pCache->aRel;
      rc = jsonEmbed(&sCtx, pCache->zTab, -1, &sRoot, 1, nDepth);
    }
  }

  if( rc==SQLITE_OK && bFound ){
    char *zOut;
    i64 n;
    jsonChar(&sRoot.s, '}');
    n = sRoot.s.n;
    zOut = jsonFinish(&sRoot.s);
    rc = sRoot.s.rc;
    if( zOut ){
      /* length -1: SQLite marks it terminated (it has no NUL inside:
      ** jsonString escapes them), so sqlite3_column_text() copies nothing */
      sqlite3_result_text(ctx, zOut, -1, sqlite3_free);
      sqlite3_result_subtype(ctx, 'J');
      pCache->nHint = n<JSON_HINT_MAX ? n : JSON_HINT_MAX;
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
  sqlite3_free(sRoot.s.z);
  sqlite3_free(sCtx.zErr);
  sqlite3_free(zErr);
  if( bConn && pCache->bPins ){
    /* its statements would hold a relationship table connected, and so
    ** the list too (up to sqlite3_close(), which would then fail): it is
    ** kept for this statement only */
    jsonConnUnlink(pGlobal, pCache);
    bKeep = 1;
  }
  if( bKeep ){
    /* for the next call (SQLite frees it at once when it keeps nothing
    ** for this argument, and when the statement ends) */
    sqlite3_set_auxdata(ctx, 0, pCache, jsonCacheFree);
  }
  pGlobal->nJsonBusy--;
  if( pGlobal->nJsonBusy==0 && pGlobal->pList==0 ){
    /* the last relationship table disconnected during the call */
    relJsonRelease(pGlobal);
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
