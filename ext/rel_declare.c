/*
** rel_declare.c: reading a declaration, CREATE VIRTUAL TABLE ... USING
** relationship(source, target, option=value, ...), against the schema.
**
** USAGE
**
**     CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);
**     CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT,
**                        parent_id INTEGER REFERENCES parent(id));
**     -- one-to-many, inferred from the REFERENCES clause:
**     CREATE VIRTUAL TABLE parent_children USING relationship(parent, child);
**     -- many-to-one, the same foreign key seen from the child:
**     CREATE VIRTUAL TABLE child_parent USING relationship(child, parent);
**     -- many-to-many through an association table (created if missing):
**     CREATE VIRTUAL TABLE left_children USING relationship("left", "right",
**         secondary=association);
**
** HOW IT WORKS
**
** relDeclParse() reads the options, loads the shapes of the tables named
** (pragma_table_xinfo, pragma_foreign_key_list, pragma_index_list), picks
** the foreign key (refusing an ambiguous or missing one with a message
** that names the candidates and the option that picks one), checks that
** every referenced key is unique, and works out the relationship table's
** columns. It writes nothing: what a declaration installs is done by
** relInstall() in rel_triggers.c, after every check has passed.
**
** The relationship table's schema (relDeclSchema) is
**
**     CREATE TABLE x(<target columns>, <association columns>, owner HIDDEN)
**
** where the owner column holds the source key.
*/
#include "relationship_int.h"
#include <ctype.h>

/* Options, in the order of the DESIGN table. */
enum {
  OPT_FOREIGN_KEY, OPT_KIND, OPT_SECONDARY, OPT_SOURCE_COLUMN,
  OPT_TARGET_COLUMN, OPT_SOURCE_KEY, OPT_TARGET_KEY, OPT_BACKREF,
  OPT_BACK_POPULATES, OPT_USELIST, OPT_CASCADE, OPT_PASSIVE_DELETES,
  OPT_ORDER_BY, OPT_VIEWONLY, OPT_CREATE_INDEX, OPT_SYMMETRIC,
  OPT_OWNER_COLUMN, OPT_COUNT
};
static const char *const azOptName[OPT_COUNT] = {
  "foreign_key", "kind", "secondary", "source_column", "target_column",
  "source_key", "target_key", "backref", "back_populates", "uselist",
  "cascade", "passive_deletes", "order_by", "viewonly", "create_index",
  "symmetric", "owner_column"
};

/* The state of one relDeclParse() call. */
typedef struct DeclCtx DeclCtx;
struct DeclCtx {
  sqlite3 *db;
  RelDecl *p;                /* The declaration being built */
  char *azOpt[OPT_COUNT];    /* Option values, dequoted, or NULL */
  char *zErr;                /* Error message */
  int rc;                    /* Error code */
};

/* A foreign key candidate: column zFrom of one table, referencing zTo
** (NULL: the referenced table's primary key). */
typedef struct FkCand FkCand;
struct FkCand {
  int eKind;                 /* REL_ONE_TO_MANY or REL_MANY_TO_ONE */
  char *zFrom;
  char *zTo;
};

/*
** Record an error "relationship NAME: <message>" unless one is recorded.
*/
static void declError(DeclCtx *pCtx, const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  relErrorV(&pCtx->rc, &pCtx->zErr, "relationship", pCtx->p->zName, zFmt, ap);
  va_end(ap);
}

/*
** Record the connection's last error (a failed pragma query).
*/
static void declDbError(DeclCtx *pCtx, int rc){
  if( pCtx->rc!=SQLITE_OK ) return;
  pCtx->rc = rc;
  pCtx->zErr = sqlite3_mprintf("relationship %s: %s", pCtx->p->zName,
                               sqlite3_errmsg(pCtx->db));
}

/*
** A copy of z, recording SQLITE_NOMEM when that fails.
*/
static char *declDup(DeclCtx *pCtx, const char *z){
  char *zOut = relStrdup(z);
  if( z && zOut==0 && pCtx->rc==SQLITE_OK ) pCtx->rc = SQLITE_NOMEM;
  return zOut;
}

/*
** The index of column zCol in pBase (case-insensitive), or -1.
*/
int relColumnIndex(RelBase *pBase, const char *zCol){
  int i;
  if( zCol==0 ) return -1;
  for(i=0; i<pBase->nCol; i++){
    if( sqlite3_stricmp(pBase->aCol[i].zName, zCol)==0 ) return i;
  }
  return -1;
}

/*
** The name by which SQL reaches the rowid of pBase: "rowid", or, when the
** table has a column of that name that is not its INTEGER PRIMARY KEY,
** the first of "_rowid_" and "oid" that is not such a column, else its
** INTEGER PRIMARY KEY (quoted). A column takes the name from the rowid,
** so "t.rowid" over CREATE TABLE t(rowid TEXT, ...) reads the column.
** Worked out by baseLoad(); a declaration refuses a table that SQL cannot
** reach the rowid of. "rowid" for a table not read (a secondary the
** declaration creates) or WITHOUT ROWID.
*/
const char *relRowidName(RelBase *pBase){
  return pBase->zRowid ? pBase->zRowid : "rowid";
}

/*
** SQL for key column zKey of pBase, the table behind alias zAlias:
** t."id", or its rowid when zKey is NULL (t.rowid, or as relRowidName()
** names it). The caller frees it with sqlite3_free().
*/
char *relBaseKey(const char *zAlias, RelBase *pBase, const char *zKey){
  if( zKey==0 ){
    return sqlite3_mprintf("%s.%s", zAlias, relRowidName(pBase));
  }
  return sqlite3_mprintf("%s.\"%w\"", zAlias, zKey);
}

/*
** A link column zCol of pLink referring to key zKey (NULL: the rowid) of
** pKey holds the key as the referenced row stores it. When the column
** compares under another collating sequence than the key (a NOCASE
** child.parent_code referring to a BINARY parent.code, which may hold
** 'abc' and 'ABC'), a comparison of the column with a key must hold under
** the key's sequence too: the name of that sequence ("BINARY" for a
** BINARY key or the rowid). NULL when the column's comparison is enough
** (its sequence is BINARY, or the key's).
*/
const char *relLinkKeyColl(RelBase *pLink, const char *zCol, RelBase *pKey,
                           const char *zKey){
  int iCol = relColumnIndex(pLink, zCol);
  int iKey = zKey ? relColumnIndex(pKey, zKey) : -1;
  const char *zColColl = iCol>=0 ? pLink->aCol[iCol].zColl : 0;
  const char *zKeyColl = iKey>=0 ? pKey->aCol[iKey].zColl : 0;
  if( zKeyColl && sqlite3_stricmp(zKeyColl, "BINARY")==0 ) zKeyColl = 0;
  if( zColColl==0 || sqlite3_stricmp(zColColl, "BINARY")==0 ) return 0;
  if( zKeyColl && sqlite3_stricmp(zKeyColl, zColColl)==0 ) return 0;
  return zKeyColl ? zKeyColl : "BINARY";
}

/*
** Free a RelBase's contents (not the RelBase itself).
*/
static void baseClear(RelBase *pBase){
  int i;
  for(i=0; i<pBase->nCol; i++){
    sqlite3_free(pBase->aCol[i].zName);
    sqlite3_free(pBase->aCol[i].zType);
    sqlite3_free(pBase->aCol[i].zColl);
    sqlite3_free(pBase->aCol[i].zDflt);
  }
  sqlite3_free(pBase->aCol);
  sqlite3_free(pBase->zName);
  sqlite3_free(pBase->zRowid);
  memset(pBase, 0, sizeof(*pBase));
}

/*
** Free a declaration and everything it owns. NULL is a no-op.
*/
void relDeclFree(RelDecl *p){
  int i;
  if( p==0 ) return;
  sqlite3_free(p->zDb);
  sqlite3_free(p->zName);
  sqlite3_free(p->zAttr);
  baseClear(&p->src);
  baseClear(&p->tgt);
  baseClear(&p->sec);
  sqlite3_free(p->zFk);
  sqlite3_free(p->zSrcCol);
  sqlite3_free(p->zTgtCol);
  sqlite3_free(p->zSrcKey);
  sqlite3_free(p->zTgtKey);
  sqlite3_free(p->zBackref);
  sqlite3_free(p->zBackPop);
  sqlite3_free(p->zCascade);
  sqlite3_free(p->zOrderBy);
  sqlite3_free(p->zOwner);
  for(i=0; i<p->nCol; i++){
    if( p->azCol ) sqlite3_free(p->azCol[i]);
    if( p->azExpr ) sqlite3_free(p->azExpr[i]);
  }
  sqlite3_free(p->azCol);
  sqlite3_free(p->azExpr);
  sqlite3_free(p->aBaseCol);
  sqlite3_free(p->aOrderCol);
  sqlite3_free(p->aOrderDesc);
  sqlite3_free(p);
}

/*
** Load the shape of table zTable of schema zDb into pBase. When the table
** does not exist: with bMayBeMissing, pBase->bExists stays 0 and the name
** is kept as given; otherwise it is an error naming the table.
*/
static void baseLoad(
  DeclCtx *pCtx, const char *zDb, const char *zTable, RelBase *pBase,
  int bMayBeMissing
){
  sqlite3_stmt *pStmt = 0;
  int rc, i;
  int nPk = 0, iPkCol = -1;

  if( pCtx->rc ) return;
  rc = relPrepare(pCtx->db, &pStmt,
      "SELECT s.name, (SELECT wr FROM pragma_table_list(s.name)"
      " WHERE schema=?2) FROM \"%w\".sqlite_schema AS s WHERE type='table'"
      " AND s.name=?1 COLLATE NOCASE", zDb);
  if( rc!=SQLITE_OK ){ declDbError(pCtx, rc); return; }
  sqlite3_bind_text(pStmt, 1, zTable, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, zDb, -1, SQLITE_STATIC);
  if( sqlite3_step(pStmt)==SQLITE_ROW ){
    pBase->zName = declDup(pCtx, (const char*)sqlite3_column_text(pStmt, 0));
    pBase->bWithoutRowid = sqlite3_column_int(pStmt, 1);
    pBase->bExists = 1;
  }
  rc = sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK ){ declDbError(pCtx, rc); return; }
  pBase->iIpk = -1;
  if( !pBase->bExists ){
    if( bMayBeMissing ){
      pBase->zName = declDup(pCtx, zTable);
    }else{
      declError(pCtx, "no table %s in schema %s", zTable, zDb);
    }
    return;
  }
  if( pCtx->rc ) return;

  rc = relPrepare(pCtx->db, &pStmt,
      "SELECT name, type, \"notnull\", dflt_value, pk, hidden"
      " FROM pragma_table_xinfo(?1, ?2) ORDER BY cid");
  if( rc!=SQLITE_OK ){ declDbError(pCtx, rc); return; }
  sqlite3_bind_text(pStmt, 1, pBase->zName, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, zDb, -1, SQLITE_STATIC);
  while( sqlite3_step(pStmt)==SQLITE_ROW ){
    RelColumn *pCol;
    RelColumn *aNew;
    int eHidden = sqlite3_column_int(pStmt, 5);
    if( eHidden==1 ) continue;         /* hidden column of a virtual table */
    aNew = sqlite3_realloc64(pBase->aCol, sizeof(RelColumn)*(pBase->nCol+1));
    if( aNew==0 ){ pCtx->rc = SQLITE_NOMEM; break; }
    pBase->aCol = aNew;
    pCol = &aNew[pBase->nCol++];
    memset(pCol, 0, sizeof(*pCol));
    pCol->zName = declDup(pCtx, (const char*)sqlite3_column_text(pStmt, 0));
    pCol->zType = declDup(pCtx, (const char*)sqlite3_column_text(pStmt, 1));
    pCol->bNotNull = sqlite3_column_int(pStmt, 2);
    if( sqlite3_column_type(pStmt, 3)!=SQLITE_NULL ){
      pCol->zDflt = declDup(pCtx, (const char*)sqlite3_column_text(pStmt,3));
    }
    pCol->iPk = sqlite3_column_int(pStmt, 4);
    pCol->bGenerated = eHidden==2 || eHidden==3;
    if( pCol->iPk ){ nPk++; iPkCol = pBase->nCol-1; }
  }
  rc = sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK ){ declDbError(pCtx, rc); return; }
  if( pCtx->rc ) return;
  /* the collating sequences, which the relationship table's columns
  ** declare too (pragma_table_xinfo does not give them) */
  for(i=0; i<pBase->nCol; i++){
    const char *zColl = 0;
    rc = sqlite3_table_column_metadata(pCtx->db, zDb, pBase->zName,
        pBase->aCol[i].zName, 0, &zColl, 0, 0, 0);
    if( rc==SQLITE_NOMEM ){ pCtx->rc = SQLITE_NOMEM; return; }
    if( rc==SQLITE_OK && zColl && sqlite3_stricmp(zColl, "BINARY")!=0 ){
      pBase->aCol[i].zColl = declDup(pCtx, zColl);
      if( pCtx->rc ) return;
    }
  }
  if( nPk==1 && !pBase->bWithoutRowid
   && sqlite3_stricmp(pBase->aCol[iPkCol].zType, "INTEGER")==0
  ){
    /* the rowid, unless SQLite made an index for it (PRIMARY KEY DESC):
    ** then it is a column of its own, its values not the rowids */
    rc = relPrepare(pCtx->db, &pStmt, "SELECT 1 FROM pragma_index_list(?1,"
                    " ?2) WHERE origin = 'pk'");
    if( rc!=SQLITE_OK ){ declDbError(pCtx, rc); return; }
    sqlite3_bind_text(pStmt, 1, pBase->zName, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 2, zDb, -1, SQLITE_STATIC);
    if( sqlite3_step(pStmt)!=SQLITE_ROW ) pBase->iIpk = iPkCol;
    rc = sqlite3_finalize(pStmt);
    if( rc!=SQLITE_OK ){ pBase->iIpk = -1; declDbError(pCtx, rc); return; }
  }
  if( !pBase->bWithoutRowid ){
    /* the name of the rowid (relRowidName): NULL when every name is taken */
    static const char *azName[] = { "rowid", "_rowid_", "oid" };
    int i;
    for(i=0; i<(int)(sizeof(azName)/sizeof(azName[0])); i++){
      int iCol = relColumnIndex(pBase, azName[i]);
      if( iCol<0 || iCol==pBase->iIpk ) break;
    }
    if( i<(int)(sizeof(azName)/sizeof(azName[0])) ){
      pBase->zRowid = declDup(pCtx, azName[i]);
    }else if( pBase->iIpk>=0 ){
      pBase->zRowid = sqlite3_mprintf("\"%w\"",
                                      pBase->aCol[pBase->iIpk].zName);
      if( pBase->zRowid==0 ) pCtx->rc = SQLITE_NOMEM;
    }
  }
}

/*
** The default key of a table: its single-column PRIMARY KEY, or NULL
** (the rowid). A copy the caller frees; an error for a WITHOUT ROWID
** table with a composite key.
*/
static char *baseDefaultKey(DeclCtx *pCtx, RelBase *pBase){
  int i, iPk = -1, nPk = 0;
  for(i=0; i<pBase->nCol; i++){
    if( pBase->aCol[i].iPk ){ nPk++; iPk = i; }
  }
  if( nPk==1 ) return declDup(pCtx, pBase->aCol[iPk].zName);
  if( pBase->bWithoutRowid ){
    declError(pCtx, "%s has a composite primary key; name a unique key"
                    " column with source_key= or target_key=", pBase->zName);
  }
  return 0;
}

/*
** Check that zCol (NULL: rowid) is a unique key of pBase: the rowid, the
** INTEGER PRIMARY KEY, or the only column of a PRIMARY KEY or UNIQUE
** constraint or index (not a partial one).
*/
static void baseCheckUnique(
  DeclCtx *pCtx, const char *zDb, RelBase *pBase, const char *zCol,
  const char *zOpt
){
  sqlite3_stmt *pStmt = 0;
  int rc, bUnique = 0;
  if( pCtx->rc || zCol==0 || !pBase->bExists ) return;
  if( pBase->iIpk>=0
   && sqlite3_stricmp(pBase->aCol[pBase->iIpk].zName, zCol)==0 ) return;
  rc = relPrepare(pCtx->db, &pStmt,
      "SELECT 1 FROM pragma_index_list(?1, ?2) AS il"
      " WHERE il.\"unique\" AND NOT il.partial"
      "   AND (SELECT count(*) FROM pragma_index_info(il.name, ?2))=1"
      "   AND (SELECT name FROM pragma_index_info(il.name, ?2))=?3"
      "       COLLATE NOCASE");
  if( rc!=SQLITE_OK ){ declDbError(pCtx, rc); return; }
  sqlite3_bind_text(pStmt, 1, pBase->zName, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, zDb, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 3, zCol, -1, SQLITE_STATIC);
  bUnique = sqlite3_step(pStmt)==SQLITE_ROW;
  rc = sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK ){ declDbError(pCtx, rc); return; }
  if( !bUnique ){
    declError(pCtx, "%s.%s is not unique; the key a relationship refers to"
              " must be the rowid, a PRIMARY KEY or UNIQUE (or name another"
              " with %s=)", pBase->zName, zCol, zOpt);
  }
}

/*
** Make *pzCol (a column name given by the user or found in a foreign key)
** the canonical spelling of a column of pBase, or report that it is
** missing. A NULL *pzCol (rowid) is left alone.
*/
static void baseColumn(DeclCtx *pCtx, RelBase *pBase, char **pzCol){
  int i;
  if( pCtx->rc || *pzCol==0 || !pBase->bExists ) return;
  i = relColumnIndex(pBase, *pzCol);
  if( i<0 ){
    if( sqlite3_stricmp(*pzCol, "rowid")==0 && !pBase->bWithoutRowid ){
      sqlite3_free(*pzCol);
      *pzCol = 0;
      return;
    }
    declError(pCtx, "no column %s in %s", *pzCol, pBase->zName);
    return;
  }
  sqlite3_free(*pzCol);
  *pzCol = declDup(pCtx, pBase->aCol[i].zName);
}

/*
** Append to *paCand the single-column foreign keys of pFrom that refer to
** table zTo, each marked with eKind. Composite foreign keys are skipped.
*/
static void fkCandidates(
  DeclCtx *pCtx, const char *zDb, RelBase *pFrom, const char *zTo, int eKind,
  FkCand **paCand, int *pnCand
){
  sqlite3_stmt *pStmt = 0;
  int rc;
  if( pCtx->rc || !pFrom->bExists ) return;
  rc = relPrepare(pCtx->db, &pStmt,
      "SELECT \"from\", \"to\" FROM pragma_foreign_key_list(?1, ?2) AS f"
      " WHERE \"table\"=?3 COLLATE NOCASE"
      "   AND (SELECT count(*) FROM pragma_foreign_key_list(?1, ?2) AS g"
      "        WHERE g.id=f.id)=1"
      " ORDER BY id DESC");          /* pragma ids count from the last */
  if( rc!=SQLITE_OK ){ declDbError(pCtx, rc); return; }
  sqlite3_bind_text(pStmt, 1, pFrom->zName, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, zDb, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 3, zTo, -1, SQLITE_STATIC);
  while( sqlite3_step(pStmt)==SQLITE_ROW ){
    FkCand *aNew = sqlite3_realloc64(*paCand, sizeof(FkCand)*(*pnCand+1));
    FkCand *pCand;
    if( aNew==0 ){ pCtx->rc = SQLITE_NOMEM; break; }
    *paCand = aNew;
    pCand = &aNew[(*pnCand)++];
    pCand->eKind = eKind;
    pCand->zFrom = declDup(pCtx, (const char*)sqlite3_column_text(pStmt, 0));
    pCand->zTo = declDup(pCtx, (const char*)sqlite3_column_text(pStmt, 1));
  }
  rc = sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK ) declDbError(pCtx, rc);
}

static void fkCandFree(FkCand *aCand, int nCand){
  int i;
  for(i=0; i<nCand; i++){
    sqlite3_free(aCand[i].zFrom);
    sqlite3_free(aCand[i].zTo);
  }
  sqlite3_free(aCand);
}

/*
** "two", "three", ... for messages.
*/
static const char *countWord(int n){
  static const char *az[] = { "no", "one", "two", "three", "four", "five" };
  return n<6 ? az[n] : "several";
}

/*
** The candidates' columns as "(a, b)" or "(t.a, u.b)" when bQualify.
** The caller frees the result.
*/
static char *fkCandList(RelDecl *p, FkCand *aCand, int nCand, int bQualify){
  sqlite3_str *pStr = sqlite3_str_new(0);
  int i;
  sqlite3_str_appendall(pStr, "(");
  for(i=0; i<nCand; i++){
    if( i ) sqlite3_str_appendall(pStr, ", ");
    if( bQualify ){
      sqlite3_str_appendf(pStr, "%s.", aCand[i].eKind==REL_ONE_TO_MANY
                          ? p->tgt.zName : p->src.zName);
    }
    sqlite3_str_appendall(pStr, aCand[i].zFrom);
  }
  sqlite3_str_appendall(pStr, ")");
  return sqlite3_str_finish(pStr);
}

/*
** Parse option arguments "key = value" into pCtx->azOpt.
*/
static void parseOptions(DeclCtx *pCtx, int nArg, const char *const *azArg){
  int i, j;
  for(i=0; i<nArg && pCtx->rc==SQLITE_OK; i++){
    char *zArg = declDup(pCtx, azArg[i]);
    char *zEq, *zKey, *zVal, *zEnd;
    if( zArg==0 ) break;
    zEq = strchr(zArg, '=');
    if( zEq==0 ){
      declError(pCtx, "argument %d (%s) is not of the form option=value",
                i+3, zArg);
      sqlite3_free(zArg);
      break;
    }
    *zEq = 0;
    zKey = zArg;
    while( isspace((unsigned char)*zKey) ) zKey++;
    zEnd = zEq;
    while( zEnd>zKey && isspace((unsigned char)zEnd[-1]) ) *--zEnd = 0;
    zVal = zEq+1;
    while( isspace((unsigned char)*zVal) ) zVal++;
    zEnd = zVal + strlen(zVal);
    while( zEnd>zVal && isspace((unsigned char)zEnd[-1]) ) *--zEnd = 0;
    relDequote(zKey);
    if( zVal[0]=='\'' || zVal[0]=='"' || zVal[0]=='`' || zVal[0]=='[' ){
      /* a quoted value must be the whole value */
      char q = zVal[0]=='[' ? ']' : zVal[0];
      char *z = zVal+1;
      while( *z ){
        if( *z==q ){
          if( q!=']' && z[1]==q ){ z += 2; continue; }
          break;
        }
        z++;
      }
      if( *z==0 || z[1]!=0 ){
        if( sqlite3_stricmp(zKey, "order_by")==0 && *z ){
          /* "col" DESC: a quoted column name; parseOrderBy reads it */
          if( pCtx->azOpt[OPT_ORDER_BY] ){
            declError(pCtx, "option order_by given twice");
          }else{
            pCtx->azOpt[OPT_ORDER_BY] = declDup(pCtx, zVal);
          }
          sqlite3_free(zArg);
          continue;
        }
        declError(pCtx, "option %s: the value %s has text outside its"
                  " quotes; quote all of it", zKey, zVal);
        sqlite3_free(zArg);
        break;
      }
    }
    relDequote(zVal);
    for(j=0; j<OPT_COUNT; j++){
      if( sqlite3_stricmp(zKey, azOptName[j])==0 ) break;
    }
    if( zKey[0]==0 ){
      declError(pCtx, "argument %d (=%s) has no option name", i+3, zVal);
    }else if( j==OPT_COUNT ){
      declError(pCtx, "unknown option %s", zKey);
    }else if( pCtx->azOpt[j] ){
      declError(pCtx, "option %s given twice", azOptName[j]);
    }else if( zVal[0]==0 ){
      declError(pCtx, "option %s needs a value", azOptName[j]);
    }else{
      pCtx->azOpt[j] = declDup(pCtx, zVal);
    }
    sqlite3_free(zArg);
  }
}

/*
** A boolean option: its value, or iDefault when not given.
*/
static int boolOption(DeclCtx *pCtx, int eOpt, int iDefault){
  int b = iDefault;
  if( pCtx->azOpt[eOpt] && !relIsBool(pCtx->azOpt[eOpt], &b) ){
    declError(pCtx, "%s must be 0 or 1, not %s", azOptName[eOpt],
              pCtx->azOpt[eOpt]);
  }
  return b;
}

/*
** Read cascade= into p->mCascade and p->zCascade (normalised: the words in
** the order given, joined by ", ").
*/
static void parseCascade(DeclCtx *pCtx){
  static const char *azWord[] = {
    "save-update", "merge", "refresh-expire", "expunge", "delete",
    "delete-orphan", "all", "none"
  };
  RelDecl *p = pCtx->p;
  const char *z = pCtx->azOpt[OPT_CASCADE];
  sqlite3_str *pStr;
  if( z==0 ){
    p->zCascade = declDup(pCtx, "save-update, merge");
    return;
  }
  pStr = sqlite3_str_new(0);
  while( *z && pCtx->rc==SQLITE_OK ){
    const char *zStart;
    int n, i;
    while( *z==',' || isspace((unsigned char)*z) ) z++;
    if( *z==0 ) break;
    zStart = z;
    while( *z && *z!=',' && !isspace((unsigned char)*z) ) z++;
    n = (int)(z - zStart);
    for(i=0; i<8; i++){
      if( (int)strlen(azWord[i])==n
       && sqlite3_strnicmp(zStart, azWord[i], n)==0 ) break;
    }
    if( i==8 ){
      declError(pCtx, "unknown cascade %.*s (use save-update, merge, delete,"
                " delete-orphan, all, refresh-expire, expunge, none)",
                n, zStart);
      break;
    }
    if( i==4 || i==6 ) p->mCascade |= REL_CASCADE_DELETE;
    if( i==5 ) p->mCascade |= REL_CASCADE_DELETE_ORPHAN;
    if( sqlite3_str_length(pStr) ) sqlite3_str_appendall(pStr, ", ");
    sqlite3_str_appendall(pStr, azWord[i]);
  }
  if( sqlite3_str_errcode(pStr) && pCtx->rc==SQLITE_OK ){
    pCtx->rc = SQLITE_NOMEM;       /* not an empty list: out of memory */
  }
  p->zCascade = sqlite3_str_finish(pStr);
  if( p->zCascade==0 && pCtx->rc==SQLITE_OK ){
    /* only commas and spaces: as empty as cascade='' */
    declError(pCtx, "option cascade needs a value (none for no cascade)");
  }
}

/*
** Resolve a relationship without secondary=: choose the foreign key, the
** direction and the keys.
*/
static void resolveForeignKey(DeclCtx *pCtx, int eKindOpt){
  RelDecl *p = pCtx->p;
  const char *zFkOpt = pCtx->azOpt[OPT_FOREIGN_KEY];
  int bSelf = sqlite3_stricmp(p->src.zName, p->tgt.zName)==0;
  int bO2m = eKindOpt==0 || eKindOpt==REL_ONE_TO_MANY
          || eKindOpt==REL_ONE_TO_ONE;
  int bM2o = eKindOpt==0 || eKindOpt==REL_MANY_TO_ONE;
  FkCand *aCand = 0;
  int nCand = 0;
  int i;

  if( pCtx->rc ) return;
  if( bSelf && eKindOpt==0 ){
    fkCandidates(pCtx, p->zDb, &p->tgt, p->src.zName, REL_ONE_TO_MANY,
                 &aCand, &nCand);
    if( pCtx->rc==SQLITE_OK ){
      char *zList = fkCandList(p, aCand, nCand, 0);
      declError(pCtx, "%s refers to itself%s%s; say which side this is with"
                " kind=one_to_many (the children) or kind=many_to_one"
                " (the parent)", p->src.zName, nCand ? " " : "",
                nCand ? zList : "");
      sqlite3_free(zList);
    }
    fkCandFree(aCand, nCand);
    return;
  }
  if( bO2m ){
    fkCandidates(pCtx, p->zDb, &p->tgt, p->src.zName, REL_ONE_TO_MANY,
                 &aCand, &nCand);
  }
  if( bM2o && !(bSelf && bO2m) ){
    fkCandidates(pCtx, p->zDb, &p->src, p->tgt.zName, REL_MANY_TO_ONE,
                 &aCand, &nCand);
  }
  if( pCtx->rc ){ fkCandFree(aCand, nCand); return; }

  if( zFkOpt ){
    /* Keep the candidates on that column; a column with no REFERENCES
    ** clause is a candidate too, referring to the primary key. */
    int nKeep = 0;
    for(i=0; i<nCand; i++){
      if( sqlite3_stricmp(aCand[i].zFrom, zFkOpt)==0 ){
        FkCand t = aCand[nKeep]; aCand[nKeep] = aCand[i]; aCand[i] = t;
        nKeep++;
      }
    }
    for(i=nKeep; i<nCand; i++){
      sqlite3_free(aCand[i].zFrom);
      sqlite3_free(aCand[i].zTo);
    }
    nCand = nKeep;
    if( nCand==0 ){
      int bOnTgt = bO2m && relColumnIndex(&p->tgt, zFkOpt)>=0;
      int bOnSrc = bM2o && !(bSelf && bO2m)
                && relColumnIndex(&p->src, zFkOpt)>=0;
      if( bOnTgt && bOnSrc ){
        declError(pCtx, "both %s and %s have a column %s; say which holds"
                  " the link with kind=one_to_many (%s) or"
                  " kind=many_to_one (%s)", p->tgt.zName, p->src.zName,
                  zFkOpt, p->tgt.zName, p->src.zName);
      }else if( bOnTgt || bOnSrc ){
        aCand = sqlite3_realloc64(aCand, sizeof(FkCand));
        if( aCand==0 ){ pCtx->rc = SQLITE_NOMEM; return; }
        aCand[0].eKind = bOnTgt ? REL_ONE_TO_MANY : REL_MANY_TO_ONE;
        aCand[0].zFrom = declDup(pCtx, zFkOpt);
        aCand[0].zTo = 0;
        nCand = 1;
      }else if( bO2m && bM2o && !bSelf ){
        declError(pCtx, "no column %s in %s or %s", zFkOpt, p->tgt.zName,
                  p->src.zName);
      }else{
        declError(pCtx, "no column %s in %s", zFkOpt,
                  bO2m ? p->tgt.zName : p->src.zName);
      }
    }
  }
  if( pCtx->rc==SQLITE_OK && nCand==0 ){
    if( eKindOpt==REL_MANY_TO_ONE ){
      declError(pCtx, "no foreign key from %s to %s; add REFERENCES %s to a"
                " column of %s, or name the column with foreign_key=",
                p->src.zName, p->tgt.zName, p->tgt.zName, p->src.zName);
    }else if( eKindOpt ){
      declError(pCtx, "no foreign key from %s to %s; add REFERENCES %s to a"
                " column of %s, or name the column with foreign_key=",
                p->tgt.zName, p->src.zName, p->src.zName, p->tgt.zName);
    }else{
      declError(pCtx, "no foreign key between %s and %s; add a REFERENCES"
                " clause, or name the column with foreign_key=",
                p->src.zName, p->tgt.zName);
    }
  }
  if( pCtx->rc==SQLITE_OK && nCand>1 ){
    int bMixed = 0;
    char *zList;
    for(i=1; i<nCand; i++){
      if( aCand[i].eKind!=aCand[0].eKind ) bMixed = 1;
    }
    zList = fkCandList(p, aCand, nCand, bMixed);
    if( bMixed ){
      declError(pCtx, "%s and %s refer to each other %s; name the link with"
                " foreign_key= or kind=", p->src.zName, p->tgt.zName, zList);
    }else if( aCand[0].eKind==REL_ONE_TO_MANY ){
      declError(pCtx, "%s has %s foreign keys to %s %s; name one with"
                " foreign_key=", p->tgt.zName, countWord(nCand), p->src.zName,
                zList);
    }else{
      declError(pCtx, "%s has %s foreign keys to %s %s; name one with"
                " foreign_key=", p->src.zName, countWord(nCand), p->tgt.zName,
                zList);
    }
    sqlite3_free(zList);
  }
  if( pCtx->rc ){ fkCandFree(aCand, nCand); return; }

  /* One candidate: the link. */
  p->eKind = eKindOpt ? eKindOpt : aCand[0].eKind;
  p->zFk = aCand[0].zFrom;
  aCand[0].zFrom = 0;
  if( aCand[0].eKind==REL_ONE_TO_MANY ){
    baseColumn(pCtx, &p->tgt, &p->zFk);
    p->zSrcKey = aCand[0].zTo; aCand[0].zTo = 0;
  }else{
    baseColumn(pCtx, &p->src, &p->zFk);
    p->zTgtKey = aCand[0].zTo; aCand[0].zTo = 0;
  }
  fkCandFree(aCand, nCand);
}

/*
** Settle one referenced key: *pzKey came from the foreign key (or is NULL
** when it names no column). zOpt is the source_key/target_key option.
*/
static void resolveKey(
  DeclCtx *pCtx, RelBase *pBase, char **pzKey, int bFromFk, int eOpt
){
  const char *zOpt = pCtx->azOpt[eOpt];
  if( pCtx->rc ) return;
  if( zOpt ){
    if( *pzKey && sqlite3_stricmp(*pzKey, zOpt)!=0 ){
      declError(pCtx, "%s=%s, but the foreign key refers to %s.%s",
                azOptName[eOpt], zOpt, pBase->zName, *pzKey);
      return;
    }
    sqlite3_free(*pzKey);
    *pzKey = declDup(pCtx, zOpt);
  }else if( *pzKey==0 || !bFromFk ){
    if( *pzKey==0 ) *pzKey = baseDefaultKey(pCtx, pBase);
  }
  baseColumn(pCtx, pBase, pzKey);
  baseCheckUnique(pCtx, pCtx->p->zDb, pBase, *pzKey, azOptName[eOpt]);
}

/*
** Settle one column of an existing association table: the one named by
** option zOptName (value zOpt, may be NULL), else the only foreign key
** candidate to table zEnd. Sets *pzCol and the key it refers to, *pzKey.
*/
static void secColumn(
  DeclCtx *pCtx, const char *zOpt, FkCand *aCand, int nCand,
  const char *zEnd, const char *zOptName, char **pzCol, char **pzKey
){
  RelDecl *p = pCtx->p;
  int i;
  if( pCtx->rc ) return;
  if( zOpt ){
    *pzCol = declDup(pCtx, zOpt);
    for(i=0; i<nCand; i++){
      if( sqlite3_stricmp(aCand[i].zFrom, zOpt)==0 ){
        *pzKey = declDup(pCtx, aCand[i].zTo);
      }
    }
  }else if( nCand==1 ){
    *pzCol = declDup(pCtx, aCand[0].zFrom);
    *pzKey = declDup(pCtx, aCand[0].zTo);
  }else if( nCand==0 ){
    declError(pCtx, "no foreign key from %s to %s; add REFERENCES %s to a"
              " column of %s, or name the column with %s=",
              p->sec.zName, zEnd, zEnd, p->sec.zName, zOptName);
  }else{
    char *zList = fkCandList(p, aCand, nCand, 0);
    declError(pCtx, "%s has %s foreign keys to %s %s; name one with %s=",
              p->sec.zName, countWord(nCand), zEnd, zList, zOptName);
    sqlite3_free(zList);
  }
}

/*
** Resolve a many-to-many: the association table's two columns (named, or
** inferred from its foreign keys, or made up when the table is to be
** created) and the keys they refer to.
*/
static void resolveSecondary(DeclCtx *pCtx){
  RelDecl *p = pCtx->p;
  int bSelf = sqlite3_stricmp(p->src.zName, p->tgt.zName)==0;
  FkCand *aSrc = 0, *aTgt = 0;
  int nSrc = 0, nTgt = 0;
  const char *zSrcOpt = pCtx->azOpt[OPT_SOURCE_COLUMN];
  const char *zTgtOpt = pCtx->azOpt[OPT_TARGET_COLUMN];

  if( pCtx->rc ) return;
  if( pCtx->azOpt[OPT_FOREIGN_KEY] ){
    declError(pCtx, "foreign_key does not apply to a many_to_many; name the"
              " association columns with source_column= and target_column=");
    return;
  }
  baseLoad(pCtx, p->zDb, pCtx->azOpt[OPT_SECONDARY], &p->sec, 1);
  if( pCtx->rc ) return;
  if( sqlite3_stricmp(p->sec.zName, p->src.zName)==0
   || sqlite3_stricmp(p->sec.zName, p->tgt.zName)==0 ){
    declError(pCtx, "secondary=%s must be a table of its own, not the source"
              " or the target", p->sec.zName);
    return;
  }

  if( !p->sec.bExists ){
    /* To be created: columns named <table>_<key>, unless given. */
    p->zSrcKey = declDup(pCtx, pCtx->azOpt[OPT_SOURCE_KEY]);
    if( p->zSrcKey==0 ) p->zSrcKey = baseDefaultKey(pCtx, &p->src);
    p->zTgtKey = declDup(pCtx, pCtx->azOpt[OPT_TARGET_KEY]);
    if( p->zTgtKey==0 ) p->zTgtKey = baseDefaultKey(pCtx, &p->tgt);
    baseColumn(pCtx, &p->src, &p->zSrcKey);
    baseColumn(pCtx, &p->tgt, &p->zTgtKey);
    baseCheckUnique(pCtx, p->zDb, &p->src, p->zSrcKey, "source_key");
    baseCheckUnique(pCtx, p->zDb, &p->tgt, p->zTgtKey, "target_key");
    if( pCtx->rc ) return;
    p->zSrcCol = zSrcOpt ? declDup(pCtx, zSrcOpt)
        : sqlite3_mprintf("%s_%s", p->src.zName,
                          p->zSrcKey ? p->zSrcKey : "rowid");
    p->zTgtCol = zTgtOpt ? declDup(pCtx, zTgtOpt)
        : sqlite3_mprintf("%s_%s", p->tgt.zName,
                          p->zTgtKey ? p->zTgtKey : "rowid");
    if( p->zSrcCol==0 || p->zTgtCol==0 ){ pCtx->rc = SQLITE_NOMEM; return; }
    if( sqlite3_stricmp(p->zSrcCol, p->zTgtCol)==0 ){
      declError(pCtx, "both columns of the new association table %s would be"
                " named %s; name them with source_column= and"
                " target_column=", p->sec.zName, p->zSrcCol);
    }
    return;
  }

  fkCandidates(pCtx, p->zDb, &p->sec, p->src.zName, REL_MANY_TO_ONE,
               &aSrc, &nSrc);
  if( !bSelf ){
    fkCandidates(pCtx, p->zDb, &p->sec, p->tgt.zName, REL_MANY_TO_ONE,
                 &aTgt, &nTgt);
  }
  if( pCtx->rc ) goto done;

  if( bSelf && (zSrcOpt==0 || zTgtOpt==0) ){
    /* Both columns point at the same table: the options must say which is
    ** which (one of them is enough when there are exactly two). */
    if( nSrc==2 && (zSrcOpt || zTgtOpt) ){
      const char *zGiven = zSrcOpt ? zSrcOpt : zTgtOpt;
      int iGiven = sqlite3_stricmp(aSrc[0].zFrom, zGiven)==0 ? 0 :
                   sqlite3_stricmp(aSrc[1].zFrom, zGiven)==0 ? 1 : -1;
      if( iGiven>=0 ){
        p->zSrcCol = declDup(pCtx, zSrcOpt ? zGiven : aSrc[1-iGiven].zFrom);
        p->zTgtCol = declDup(pCtx, zSrcOpt ? aSrc[1-iGiven].zFrom : zGiven);
        p->zSrcKey = declDup(pCtx, aSrc[zSrcOpt ? iGiven : 1-iGiven].zTo);
        p->zTgtKey = declDup(pCtx, aSrc[zSrcOpt ? 1-iGiven : iGiven].zTo);
        goto keys;
      }
    }
    {
      char *zList = fkCandList(p, aSrc, nSrc, 0);
      declError(pCtx, "%s has %s foreign keys to %s %s; name them with"
                " source_column= and target_column=", p->sec.zName,
                countWord(nSrc), p->src.zName, zList);
      sqlite3_free(zList);
    }
    goto done;
  }
  if( bSelf ){
    aTgt = aSrc;          /* both options given: look each up below */
    nTgt = nSrc;
  }

  secColumn(pCtx, zSrcOpt, aSrc, nSrc, p->src.zName, "source_column",
            &p->zSrcCol, &p->zSrcKey);
  secColumn(pCtx, zTgtOpt, aTgt, nTgt, p->tgt.zName, "target_column",
            &p->zTgtCol, &p->zTgtKey);
  if( bSelf ){ aTgt = 0; nTgt = 0; }

 keys:
  baseColumn(pCtx, &p->sec, &p->zSrcCol);
  baseColumn(pCtx, &p->sec, &p->zTgtCol);
  if( pCtx->rc==SQLITE_OK && p->zSrcCol && p->zTgtCol
   && sqlite3_stricmp(p->zSrcCol, p->zTgtCol)==0 ){
    declError(pCtx, "source_column and target_column are both %s",
              p->zSrcCol);
  }
  resolveKey(pCtx, &p->src, &p->zSrcKey, 1, OPT_SOURCE_KEY);
  resolveKey(pCtx, &p->tgt, &p->zTgtKey, 1, OPT_TARGET_KEY);

 done:
  fkCandFree(aSrc, nSrc);
  fkCandFree(aTgt, nTgt);
}

/*
** Work out the relationship table's columns: the target's, then (m2m)
** the association table's own columns, then the hidden owner.
*/
static void buildColumns(DeclCtx *pCtx){
  RelDecl *p = pCtx->p;
  int nMax, i;
  if( pCtx->rc ) return;
  nMax = p->tgt.nCol + p->sec.nCol;
  p->azCol = relMallocZero(sizeof(char*)*nMax);
  p->azExpr = relMallocZero(sizeof(char*)*nMax);
  p->aBaseCol = relMallocZero(sizeof(int)*nMax);
  if( !p->azCol || !p->azExpr || !p->aBaseCol ){
    pCtx->rc = SQLITE_NOMEM;
    return;
  }
  for(i=0; i<p->tgt.nCol; i++){
    p->azCol[p->nCol] = declDup(pCtx, p->tgt.aCol[i].zName);
    p->azExpr[p->nCol] = sqlite3_mprintf("t.\"%w\"", p->tgt.aCol[i].zName);
    p->aBaseCol[p->nCol] = i;
    p->nCol++;
  }
  p->nTgtCol = p->nCol;
  if( p->eKind==REL_MANY_TO_MANY ){
    for(i=0; i<p->sec.nCol; i++){
      RelColumn *pCol = &p->sec.aCol[i];
      if( sqlite3_stricmp(pCol->zName, p->zSrcCol)==0 ) continue;
      if( sqlite3_stricmp(pCol->zName, p->zTgtCol)==0 ) continue;
      if( i==p->sec.iIpk ) continue;
      if( relColumnIndex(&p->tgt, pCol->zName)>=0 ){
        p->azCol[p->nCol] = sqlite3_mprintf("%s_%s", p->sec.zName,
                                            pCol->zName);
      }else{
        p->azCol[p->nCol] = declDup(pCtx, pCol->zName);
      }
      p->azExpr[p->nCol] = sqlite3_mprintf("a.\"%w\"", pCol->zName);
      p->aBaseCol[p->nCol] = i;
      p->nCol++;
    }
  }
  for(i=0; i<p->nCol; i++){
    if( p->azCol[i]==0 || p->azExpr[i]==0 ) pCtx->rc = SQLITE_NOMEM;
  }
  if( pCtx->rc ) return;

  p->zOwner = declDup(pCtx, pCtx->azOpt[OPT_OWNER_COLUMN]
                            ? pCtx->azOpt[OPT_OWNER_COLUMN] : "owner");
  for(i=0; i<p->nCol && pCtx->rc==SQLITE_OK; i++){
    if( sqlite3_stricmp(p->azCol[i], p->zOwner)==0 ){
      if( pCtx->azOpt[OPT_OWNER_COLUMN] ){
        declError(pCtx, "owner_column=%s clashes with column %s",
                  p->zOwner, p->azCol[i]);
      }else{
        declError(pCtx, "%s has a column named %s; name the hidden source key"
                  " column with owner_column=", i<p->nTgtCol ? p->tgt.zName
                  : p->sec.zName, p->zOwner);
      }
    }
  }
}

/*
** Read order_by= ("col [ASC|DESC], ...") over the relationship table's
** columns; by default the collection is ordered by the target key.
*/
static void parseOrderBy(DeclCtx *pCtx){
  RelDecl *p = pCtx->p;
  const char *z = pCtx->azOpt[OPT_ORDER_BY];
  sqlite3_str *pStr;
  if( pCtx->rc ) return;
  p->aOrderCol = relMallocZero(sizeof(int)*(p->nCol+1));
  p->aOrderDesc = relMallocZero(p->nCol+1);
  if( !p->aOrderCol || !p->aOrderDesc ){ pCtx->rc = SQLITE_NOMEM; return; }
  if( z==0 ){
    int iKey = p->zTgtKey ? relColumnIndex(&p->tgt, p->zTgtKey)
                          : p->tgt.iIpk;
    if( iKey>=0 ){
      p->aOrderCol[0] = iKey;
      p->nOrder = 1;
    }
    return;
  }
  pStr = sqlite3_str_new(0);
  while( pCtx->rc==SQLITE_OK ){
    char zWord[256];
    char *zCol;
    int n = 0, i, bDesc = 0;
    while( isspace((unsigned char)*z) ) z++;
    if( *z==0 ) break;
    if( *z=='"' || *z=='[' || *z=='`' ){
      char q = *z=='[' ? ']' : *z;
      zWord[n++] = *z++;
      while( *z && n<250 ){
        zWord[n++] = *z;
        if( *z++==q ){
          if( *z==q && q!=']' ){ zWord[n++] = *z++; continue; }
          break;
        }
      }
    }else{
      while( *z && *z!=',' && !isspace((unsigned char)*z) && n<250 ){
        zWord[n++] = *z++;
      }
    }
    zWord[n] = 0;
    zCol = declDup(pCtx, zWord);
    if( zCol==0 ) break;
    relDequote(zCol);
    for(i=0; i<p->nCol; i++){
      if( sqlite3_stricmp(p->azCol[i], zCol)==0 ) break;
    }
    if( i==p->nCol ){
      declError(pCtx, "order_by: no column %s in %s", zCol, p->tgt.zName);
      sqlite3_free(zCol);
      break;
    }
    sqlite3_free(zCol);
    while( isspace((unsigned char)*z) ) z++;
    if( sqlite3_strnicmp(z, "desc", 4)==0
     && (z[4]==0 || z[4]==',' || isspace((unsigned char)z[4])) ){
      bDesc = 1; z += 4;
    }else if( sqlite3_strnicmp(z, "asc", 3)==0
     && (z[3]==0 || z[3]==',' || isspace((unsigned char)z[3])) ){
      z += 3;
    }
    while( isspace((unsigned char)*z) ) z++;
    if( *z!=0 && *z!=',' ){
      declError(pCtx, "order_by: expected column [ASC|DESC], ... near %s", z);
      break;
    }
    if( *z==',' ) z++;
    if( p->nOrder>p->nCol ){
      declError(pCtx, "order_by: too many terms");
      break;
    }
    p->aOrderCol[p->nOrder] = i;
    p->aOrderDesc[p->nOrder] = (u8)bDesc;
    p->nOrder++;
    if( sqlite3_str_length(pStr) ) sqlite3_str_appendall(pStr, ", ");
    sqlite3_str_appendall(pStr, p->azCol[i]);
    if( bDesc ) sqlite3_str_appendall(pStr, " DESC");
  }
  p->zOrderBy = sqlite3_str_finish(pStr);
  if( pCtx->rc==SQLITE_OK && p->nOrder>0 && p->zOrderBy==0 ){
    pCtx->rc = SQLITE_NOMEM;
  }
  if( pCtx->rc==SQLITE_OK && p->nOrder==0 ){
    declError(pCtx, "order_by needs at least one column");
  }
}

/*
** Read a declaration: nArg arguments azArg (source, target, options, as
** xCreate/xConnect receive them after the module name) for relationship
** table zName in schema zDb. On success *ppDecl is the new declaration
** (free it with relDeclFree()); on error *pzErr is the message (free it
** with sqlite3_free()). Writes nothing.
*/
int relDeclParse(
  sqlite3 *db, const char *zDb, const char *zName,
  int nArg, const char *const *azArg,
  RelDecl **ppDecl, char **pzErr
){
  DeclCtx ctx;
  RelDecl *p;
  int eKindOpt = 0;
  int i;

  memset(&ctx, 0, sizeof(ctx));
  *ppDecl = 0;
  p = relMallocZero(sizeof(RelDecl));
  if( p==0 ) return SQLITE_NOMEM;
  ctx.db = db;
  ctx.p = p;
  p->zDb = declDup(&ctx, zDb);
  p->zName = declDup(&ctx, zName);
  if( ctx.rc ) goto out;

  if( nArg<2 ){
    declError(&ctx, "expected USING relationship(source, target"
              " [, option=value ...])");
    goto out;
  }
  for(i=0; i<2; i++){
    char *zTab = declDup(&ctx, azArg[i]);
    if( zTab==0 ) goto out;
    relDequote(zTab);
    if( strchr(azArg[i], '=') && azArg[i][0]!='"' && azArg[i][0]!='['
     && azArg[i][0]!='`' && azArg[i][0]!='\'' ){
      declError(&ctx, "expected USING relationship(source, target"
                " [, option=value ...]); the %s table comes before any"
                " option", i==0 ? "source" : "target");
    }
    baseLoad(&ctx, zDb, zTab, i==0 ? &p->src : &p->tgt, 0);
    sqlite3_free(zTab);
  }
  parseOptions(&ctx, nArg-2, &azArg[2]);
  if( ctx.rc ) goto out;

  /* kind= */
  if( ctx.azOpt[OPT_KIND] ){
    static const int aKind[] = {
      REL_ONE_TO_MANY, REL_MANY_TO_ONE, REL_ONE_TO_ONE, REL_MANY_TO_MANY
    };
    for(i=0; i<4; i++){
      if( sqlite3_stricmp(ctx.azOpt[OPT_KIND], relKindName(aKind[i]))==0 ){
        eKindOpt = aKind[i];
      }
    }
    if( eKindOpt==0 ){
      declError(&ctx, "unknown kind %s (use one_to_many, many_to_one,"
                " one_to_one or many_to_many)", ctx.azOpt[OPT_KIND]);
      goto out;
    }
  }

  /* Tables without a rowid cannot be addressed row by row here yet. */
  if( ctx.azOpt[OPT_SECONDARY] ){
    if( eKindOpt && eKindOpt!=REL_MANY_TO_MANY ){
      declError(&ctx, "kind=%s does not go with secondary=; a secondary"
                " table makes a many_to_many", ctx.azOpt[OPT_KIND]);
      goto out;
    }
    p->eKind = REL_MANY_TO_MANY;
    resolveSecondary(&ctx);
  }else{
    if( eKindOpt==REL_MANY_TO_MANY ){
      declError(&ctx, "kind=many_to_many needs secondary= (the association"
                " table)");
      goto out;
    }
    for(i=OPT_SOURCE_COLUMN; i<=OPT_TARGET_COLUMN; i++){
      if( ctx.azOpt[i] ){
        declError(&ctx, "%s applies to a many_to_many (with secondary=)",
                  azOptName[i]);
        goto out;
      }
    }
    if( ctx.azOpt[OPT_SYMMETRIC] ){
      declError(&ctx, "symmetric applies to a self-referential many_to_many"
                " (with secondary=)");
      goto out;
    }
    resolveForeignKey(&ctx, eKindOpt);
    if( p->eKind==REL_MANY_TO_ONE ){
      resolveKey(&ctx, &p->tgt, &p->zTgtKey, 1, OPT_TARGET_KEY);
      p->zSrcKey = declDup(&ctx, ctx.azOpt[OPT_SOURCE_KEY]);
      if( p->zSrcKey==0 ) p->zSrcKey = baseDefaultKey(&ctx, &p->src);
      baseColumn(&ctx, &p->src, &p->zSrcKey);
      baseCheckUnique(&ctx, zDb, &p->src, p->zSrcKey, "source_key");
    }else if( ctx.rc==SQLITE_OK ){
      resolveKey(&ctx, &p->src, &p->zSrcKey, 1, OPT_SOURCE_KEY);
      p->zTgtKey = declDup(&ctx, ctx.azOpt[OPT_TARGET_KEY]);
      if( p->zTgtKey==0 ) p->zTgtKey = baseDefaultKey(&ctx, &p->tgt);
      baseColumn(&ctx, &p->tgt, &p->zTgtKey);
      baseCheckUnique(&ctx, zDb, &p->tgt, p->zTgtKey, "target_key");
    }
  }
  if( ctx.rc ) goto out;

  /* Rows are addressed by rowid: of the target (o2m), of the source
  ** (m2o). A WITHOUT ROWID association row (m2m) is addressed by its
  ** PRIMARY KEY instead (rel_addr.c). */
  {
    RelBase *aNeed[2];
    int nNeed = 0;
    aNeed[nNeed++] = &p->tgt;
    if( p->eKind==REL_MANY_TO_ONE ) aNeed[nNeed++] = &p->src;
    for(i=0; i<nNeed; i++){
      if( aNeed[i]->bWithoutRowid ){
        declError(&ctx, "%s is a WITHOUT ROWID table; relationships through"
                  " it are not supported yet", aNeed[i]->zName);
        goto out;
      }
    }
  }

  /* A rowid table whose columns take all three names of the rowid, none
  ** of them its INTEGER PRIMARY KEY: no SQL can reach its rows' rowids,
  ** by which reads, writes and triggers find a row (relRowidName) */
  {
    RelBase *aBase[3];
    aBase[0] = &p->src;
    aBase[1] = &p->tgt;
    aBase[2] = &p->sec;
    for(i=0; i<3; i++){
      if( aBase[i]->bExists && !aBase[i]->bWithoutRowid
       && aBase[i]->zRowid==0 ){
        declError(&ctx, "%s has columns named rowid, _rowid_ and oid and"
                  " no INTEGER PRIMARY KEY, so its rowid cannot be reached;"
                  " rename one of those columns", aBase[i]->zName);
        goto out;
      }
    }
  }

  /* uselist=, cascade=, and the boolean options. */
  p->bUselist = p->eKind!=REL_MANY_TO_ONE && p->eKind!=REL_ONE_TO_ONE;
  if( ctx.azOpt[OPT_USELIST] ){
    int b = boolOption(&ctx, OPT_USELIST, 1);
    if( ctx.rc ) goto out;
    if( p->eKind==REL_MANY_TO_MANY && b==0 ){
      declError(&ctx, "uselist=0 is not supported for a many_to_many");
    }else if( p->eKind==REL_ONE_TO_ONE && b ){
      declError(&ctx, "uselist=1 contradicts kind=one_to_one");
    }else if( p->eKind==REL_MANY_TO_ONE && b ){
      declError(&ctx, "uselist=1 does not apply to a many_to_one (a"
                " scalar); uselist=0 here makes the link one-to-one");
    }else if( p->eKind==REL_ONE_TO_MANY && b==0 ){
      p->eKind = REL_ONE_TO_ONE;
      p->bUselist = 0;
    }
    if( p->eKind==REL_MANY_TO_ONE && b==0 ) p->bOneToOne = 1;
  }
  if( p->eKind==REL_ONE_TO_ONE ) p->bOneToOne = 1;
  parseCascade(&ctx);
  p->bPassive = boolOption(&ctx, OPT_PASSIVE_DELETES, 0);
  p->bViewonly = boolOption(&ctx, OPT_VIEWONLY, 0);
  p->bCreateIndex = boolOption(&ctx, OPT_CREATE_INDEX, 1);
  p->bSymmetric = boolOption(&ctx, OPT_SYMMETRIC, 0);
  if( ctx.rc ) goto out;
  if( p->mCascade && p->eKind==REL_MANY_TO_ONE && !ctx.azOpt[OPT_BACKREF] ){
    declError(&ctx, "cascade=%s applies to the one_to_many side; declare it"
              " there, or give backref= to pass it to the reverse",
              p->zCascade);
    goto out;
  }
  if( (p->mCascade & REL_CASCADE_DELETE) && p->eKind==REL_MANY_TO_MANY ){
    declError(&ctx, "cascade delete through a secondary table is not"
              " supported yet; deleting either end removes only the"
              " association rows");
    goto out;
  }
  if( (p->mCascade & REL_CASCADE_DELETE_ORPHAN) && p->eKind==REL_MANY_TO_MANY ){
    declError(&ctx, "cascade delete-orphan does not apply to a"
              " many_to_many");
    goto out;
  }
  if( p->bViewonly && p->mCascade ){
    declError(&ctx, "viewonly=1 relationships only load; cascade=%s does not"
              " go with it", p->zCascade);
    goto out;
  }
  if( p->bSymmetric && sqlite3_stricmp(p->src.zName, p->tgt.zName)!=0 ){
    declError(&ctx, "symmetric=1 needs a self-referential many_to_many"
              " (source and target the same table)");
    goto out;
  }

  if( ctx.azOpt[OPT_BACKREF] && ctx.azOpt[OPT_BACK_POPULATES] ){
    declError(&ctx, "give backref= or back_populates=, not both");
    goto out;
  }
  p->zBackref = declDup(&ctx, ctx.azOpt[OPT_BACKREF]);
  p->zBackPop = declDup(&ctx, ctx.azOpt[OPT_BACK_POPULATES]);

  /* attribute: the name less "<source>_" */
  {
    int n = (int)strlen(p->src.zName);
    if( sqlite3_strnicmp(zName, p->src.zName, n)==0 && zName[n]=='_'
     && zName[n+1] ){
      p->zAttr = declDup(&ctx, &zName[n+1]);
    }else{
      p->zAttr = declDup(&ctx, zName);
    }
  }
  buildColumns(&ctx);
  parseOrderBy(&ctx);

 out:
  for(i=0; i<OPT_COUNT; i++) sqlite3_free(ctx.azOpt[i]);
  if( ctx.rc!=SQLITE_OK ){
    relDeclFree(p);
    *pzErr = ctx.zErr;
    return ctx.rc;
  }
  *ppDecl = p;
  return SQLITE_OK;
}

/*
** The column whose values the owner column shows: the link column (the
** target's foreign key, the association's source column), or the source
** key of a many-to-one; NULL for a rowid. A many-to-many's association
** table that the declaration creates has the source key's type.
*/
RelColumn *relOwnerColumn(RelDecl *p){
  int iCol;
  switch( p->eKind ){
    case REL_ONE_TO_MANY:
    case REL_ONE_TO_ONE:
      iCol = relColumnIndex(&p->tgt, p->zFk);
      return iCol>=0 ? &p->tgt.aCol[iCol] : 0;
    case REL_MANY_TO_MANY:
      iCol = relColumnIndex(&p->sec, p->zSrcCol);
      if( iCol>=0 ) return &p->sec.aCol[iCol];
      break;
  }
  iCol = relColumnIndex(&p->src, p->zSrcKey);
  return iCol>=0 ? &p->src.aCol[iCol] : 0;
}

/*
** Append the type and collating sequence of a relationship-table column
** showing pCol (NULL: a rowid) to pStr. With bHidden, the owner: a type
** of its own, for "HIDDEN" alone would give NUMERIC affinity, where an
** untyped column has none; and no collating sequence, which SQLite loses
** on a HIDDEN column that has a type (it reads a piece of the type's
** text as the sequence's name).
*/
static void declColumnType(sqlite3_str *pStr, RelColumn *pCol, int bColl,
                           int bHidden){
  const char *zType = pCol ? pCol->zType : "INTEGER";
  if( bHidden ){
    sqlite3_str_appendf(pStr, " %s HIDDEN", zType[0] ? zType : "BLOB");
    return;
  }
  sqlite3_str_appendf(pStr, " %s", zType);
  if( bColl && pCol && pCol->zColl ){
    sqlite3_str_appendf(pStr, " COLLATE \"%w\"", pCol->zColl);
  }
}

/*
** The CREATE TABLE statement to pass to sqlite3_declare_vtab(). The caller
** frees it. Each column has the type and collating sequence of the base
** column it shows (the owner: the type of the link column, which its
** reads compare with), so that SQLite compares and sorts its values as
** the base tables do whether or not a constraint or ORDER BY goes to the
** read statement. Without bColl, no collating sequences (for a
** connection that does not know one of them).
*/
char *relDeclSchema(RelDecl *p, int bColl){
  sqlite3_str *pStr = sqlite3_str_new(0);
  int i;
  sqlite3_str_appendall(pStr, "CREATE TABLE x(");
  for(i=0; i<p->nCol; i++){
    RelColumn *pCol = i<p->nTgtCol ? &p->tgt.aCol[p->aBaseCol[i]]
                                   : &p->sec.aCol[p->aBaseCol[i]];
    sqlite3_str_appendf(pStr, "\"%w\"", p->azCol[i]);
    declColumnType(pStr, pCol, bColl, 0);
    sqlite3_str_appendall(pStr, ", ");
  }
  sqlite3_str_appendf(pStr, "\"%w\"", p->zOwner);
  declColumnType(pStr, relOwnerColumn(p), bColl, 1);
  sqlite3_str_appendall(pStr, ")");
  return sqlite3_str_finish(pStr);
}

/*
** The CREATE VIRTUAL TABLE statement of the reverse relationship that
** backref= asks for, named zReverse. The caller frees it.
*/
char *relDeclReverseSql(RelDecl *p, const char *zReverse){
  sqlite3_str *pStr = sqlite3_str_new(0);
  const char *zKind;
  sqlite3_str_appendf(pStr,
      "CREATE VIRTUAL TABLE \"%w\".\"%w\" USING relationship(\"%w\", \"%w\"",
      p->zDb, zReverse, p->tgt.zName, p->src.zName);
  switch( p->eKind ){
    case REL_ONE_TO_MANY:  zKind = "many_to_one"; break;
    case REL_ONE_TO_ONE:   zKind = "many_to_one"; break;
    case REL_MANY_TO_ONE:  zKind = p->bOneToOne ? "one_to_one" : "one_to_many";
                           break;
    default:               zKind = "many_to_many"; break;
  }
  sqlite3_str_appendf(pStr, ", kind=%s", zKind);
  if( p->eKind==REL_MANY_TO_MANY ){
    sqlite3_str_appendf(pStr, ", secondary=\"%w\", source_column=\"%w\","
        " target_column=\"%w\"", p->sec.zName, p->zTgtCol, p->zSrcCol);
  }else{
    sqlite3_str_appendf(pStr, ", foreign_key=\"%w\"", p->zFk);
  }
  if( p->zTgtKey ){
    sqlite3_str_appendf(pStr, ", source_key=\"%w\"", p->zTgtKey);
  }
  if( p->zSrcKey ){
    sqlite3_str_appendf(pStr, ", target_key=\"%w\"", p->zSrcKey);
  }
  if( p->eKind==REL_ONE_TO_ONE ) sqlite3_str_appendf(pStr, ", uselist=0");
  if( p->eKind==REL_MANY_TO_ONE && p->mCascade ){
    /* cascade= on a many-to-one with backref= is the collection's */
    sqlite3_str_appendf(pStr, ", cascade='%q'", p->zCascade);
  }
  if( p->bPassive ) sqlite3_str_appendall(pStr, ", passive_deletes=1");
  if( p->bViewonly ) sqlite3_str_appendall(pStr, ", viewonly=1");
  if( !p->bCreateIndex ) sqlite3_str_appendall(pStr, ", create_index=0");
  if( p->zOwner && sqlite3_stricmp(p->zOwner, "owner")!=0 ){
    /* the name given for this side's hidden column serves the reverse's */
    sqlite3_str_appendf(pStr, ", owner_column=\"%w\"", p->zOwner);
  }
  sqlite3_str_appendf(pStr, ", back_populates=\"%w\")", p->zName);
  return sqlite3_str_finish(pStr);
}
