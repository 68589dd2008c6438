/*
** rel_main.c: the entry point of sqlite-relationship, and the small helpers
** every other file uses (errors, statements, strings, the registry of
** relationship tables connected on a database connection).
**
** USAGE
**
**     .load ./build/relationship
**     SELECT rel_version();                               -- '0.1.0'
**     CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);
**     CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT,
**                        parent_id INTEGER REFERENCES parent(id));
**     SELECT rel_declare('child_parent', 'child', 'parent', 'backref=children');
**                                         -- '["child_parent","parent_children"]'
**
** HOW IT WORKS
**
** sqlite3_relationship_init() registers, on one connection: the module
** "relationship" (rel_vtab.c), the functions rel_version() and
** rel_declare(), then, through the table aReg[], what each other file
** offers: rel_list (rel_list.c), rel_closure (rel_closure.c), rel_json
** (rel_json.c), rel_check (rel_check.c), rel_diagram (rel_diagram.c),
** rel_infer and rel_infer_sql (rel_infer.c), rel_repair (rel_repair.c).
** The connection's RelGlobal is the client data of all of them; it lists
** the relationship tables connected so far, so that one declaration can
** find another (back_populates, the shared triggers of a link, rel_list).
*/
#define REL_MAIN_FILE
#include "relationship_int.h"
SQLITE_EXTENSION_INIT1

#include <stdarg.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>

/*
** Set the error message of a virtual table, freeing any earlier one.
*/
void relVtabError(sqlite3_vtab *pVtab, const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  sqlite3_free(pVtab->zErrMsg);
  pVtab->zErrMsg = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
}

/*
** Format SQL with sqlite3_mprintf() conventions (%w and %q quote) and
** prepare it as a long-lived statement. Returns an SQLite code; *ppStmt is
** NULL on error, and the message is the connection's.
*/
int relPrepare(sqlite3 *db, sqlite3_stmt **ppStmt, const char *zFmt, ...){
  va_list ap;
  char *zSql;
  int rc;
  va_start(ap, zFmt);
  zSql = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  *ppStmt = 0;
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v3(db, zSql, -1, SQLITE_PREPARE_PERSISTENT, ppStmt, 0);
  sqlite3_free(zSql);
  return rc;
}

/*
** Format SQL and run it to completion. On error, *pzErr (if pzErr is not
** NULL) gets a copy of the message, which the caller frees.
*/
int relExec(sqlite3 *db, char **pzErr, const char *zFmt, ...){
  va_list ap;
  char *zSql;
  int rc;
  va_start(ap, zFmt);
  zSql = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_exec(db, zSql, 0, 0, 0);
  sqlite3_free(zSql);
  if( rc!=SQLITE_OK && pzErr ){
    sqlite3_free(*pzErr);
    *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(db));
  }
  return rc;
}

/*
** A copy of z in memory from sqlite3_malloc64(), or NULL for NULL or when
** out of memory. The caller frees it with sqlite3_free().
*/
char *relStrdup(const char *z){
  size_t n;
  char *zOut;
  if( z==0 ) return 0;
  n = strlen(z);
  zOut = sqlite3_malloc64(n+1);
  if( zOut ) memcpy(zOut, z, n+1);
  return zOut;
}

/*
** n zeroed bytes from sqlite3_malloc64(), or NULL. Freed with sqlite3_free().
*/
void *relMallocZero(i64 n){
  void *p = sqlite3_malloc64(n>0 ? n : 1);
  if( p ) memset(p, 0, n>0 ? n : 1);
  return p;
}

/*
** Remove SQL quotes ('x', "x", [x], `x`) from z, in place, undoubling
** quotes inside. A string that is not quoted is left as it is.
*/
void relDequote(char *z){
  char q;
  int i, j;
  if( z==0 ) return;
  q = z[0];
  if( q=='[' ) q = ']';
  else if( q!='\'' && q!='"' && q!='`' ) return;
  for(i=1, j=0; z[i]; i++){
    if( z[i]==q ){
      if( q!=']' && z[i+1]==q ){ z[j++] = q; i++; }
      else break;
    }else{
      z[j++] = z[i];
    }
  }
  z[j] = 0;
}

/*
** Read a boolean option value: 0/1, true/false, yes/no, on/off. Returns 1
** and sets *pb when z is one of them, 0 otherwise.
*/
int relIsBool(const char *z, int *pb){
  static const char *azTrue[] = { "1", "true", "yes", "on" };
  static const char *azFalse[] = { "0", "false", "no", "off" };
  int i;
  for(i=0; i<4; i++){
    if( sqlite3_stricmp(z, azTrue[i])==0 ){ *pb = 1; return 1; }
    if( sqlite3_stricmp(z, azFalse[i])==0 ){ *pb = 0; return 1; }
  }
  return 0;
}

/*
** The name rel_list.kind shows for a REL_* kind.
*/
const char *relKindName(int eKind){
  switch( eKind ){
    case REL_ONE_TO_MANY:  return "one_to_many";
    case REL_MANY_TO_ONE:  return "many_to_one";
    case REL_ONE_TO_ONE:   return "one_to_one";
    default:               return "many_to_many";
  }
}

/*
** Add a connected relationship table to the connection's registry, and
** take it out again (at xDisconnect and xDestroy).
*/
void relRegister(RelGlobal *pGlobal, RelVtab *p){
  p->pNext = pGlobal->pList;
  pGlobal->pList = p;
  pGlobal->iGeneration++;
}
void relUnregister(RelGlobal *pGlobal, RelVtab *p){
  RelVtab **pp;
  for(pp=&pGlobal->pList; *pp; pp=&(*pp)->pNext){
    if( *pp==p ){ *pp = p->pNext; break; }
  }
  pGlobal->iGeneration++;
  /* the last one: what rel_json() kept goes (sqlite3_close() disconnects
  ** every table before it checks that no statement is left) */
  if( pGlobal->pList==0 ) relJsonRelease(pGlobal);
}

/*
** The text of table zName's CREATE statement in schema zDb, in *pzSql
** (sqlite3_malloc'd; NULL when there is no such table).
*/
int relSchemaSql(sqlite3 *db, const char *zDb, const char *zName,
                 char **pzSql){
  sqlite3_stmt *pStmt = 0;
  int rc = relPrepare(db, &pStmt, "SELECT sql FROM \"%w\".sqlite_schema"
                      " WHERE type='table' AND name=?1 COLLATE NOCASE", zDb);
  *pzSql = 0;
  if( rc!=SQLITE_OK ) return rc;
  sqlite3_bind_text(pStmt, 1, zName, -1, SQLITE_STATIC);
  if( sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *z = (const char*)sqlite3_column_text(pStmt, 0);
    if( z ){
      *pzSql = relStrdup(z);
      if( *pzSql==0 ){
        sqlite3_finalize(pStmt);
        return SQLITE_NOMEM;
      }
    }
  }
  return sqlite3_finalize(pStmt);
}

/*
** Is p's declaration still the one in the schema? Another connection may
** have dropped and declared the table anew since p was connected; p then
** stays connected (a statement this connection keeps may hold it) but is
** marked stale, and never used again for lookups.
*/
static int relDeclIsCurrent(RelGlobal *pGlobal, RelVtab *p,
                            const char *zKnownSql, int *pbCurrent){
  char *zSql = 0;
  int rc;
  *pbCurrent = 1;
  if( p->zSchemaSql==0 ) return SQLITE_OK;
  if( zKnownSql==0 ){
    rc = relSchemaSql(pGlobal->db, p->pDecl->zDb, p->pDecl->zName, &zSql);
    if( rc!=SQLITE_OK ) return rc;
    zKnownSql = zSql;
  }
  if( zKnownSql==0 || strcmp(zKnownSql, p->zSchemaSql)!=0 ){
    p->bStale = 1;
    pGlobal->iGeneration++;
    *pbCurrent = 0;
  }
  sqlite3_free(zSql);
  return SQLITE_OK;
}

/*
** The declaration of relationship table zName of schema zDb as connected
** on this connection, newest first, without running SQL or allocating
** (no check that the schema still says so): for a table just connected.
*/
static RelDecl *relConnectedDecl(RelGlobal *pGlobal, const char *zDb,
                                 const char *zName){
  RelVtab *p;
  for(p=pGlobal->pList; p; p=p->pNext){
    if( !p->bStale
     && sqlite3_stricmp(p->pDecl->zDb, zDb)==0
     && sqlite3_stricmp(p->pDecl->zName, zName)==0 ){
      return p->pDecl;
    }
  }
  return 0;
}

/*
** Find the declaration of relationship table zName in schema zDb,
** connecting the table first when this connection has not used it yet.
** *ppDecl is owned by the table's RelVtab: valid until it disconnects.
** Returns SQLITE_OK, or an error with *pzErr set (the caller frees it).
** *ppDecl is NULL, with SQLITE_OK, when zName is not a relationship table.
*/
static int relFindDeclSql(RelGlobal*, const char*, const char*, const char*,
                          RelDecl**, char**);
int relFindDecl(
  RelGlobal *pGlobal, const char *zDb, const char *zName,
  RelDecl **ppDecl, char **pzErr
){
  return relFindDeclSql(pGlobal, zDb, zName, 0, ppDecl, pzErr);
}

/*
** relFindDecl(), where zSchemaSql (when not NULL) is what the schema
** says of zName now (its sqlite_schema.sql, just read by the caller), so
** that the check that the connected declaration is still that one runs
** no statement of its own.
*/
static int relFindDeclSql(
  RelGlobal *pGlobal, const char *zDb, const char *zName,
  const char *zSchemaSql, RelDecl **ppDecl, char **pzErr
){
  int iTry;
  *ppDecl = 0;
  for(iTry=0; iTry<2; iTry++){
    RelVtab *p;
    sqlite3_stmt *pStmt = 0;
    int rc;
    for(p=pGlobal->pList; p; p=p->pNext){
      if( !p->bStale
       && sqlite3_stricmp(p->pDecl->zDb, zDb)==0
       && sqlite3_stricmp(p->pDecl->zName, zName)==0
      ){
        int bCurrent = 1;
        rc = relDeclIsCurrent(pGlobal, p, zSchemaSql, &bCurrent);
        if( rc!=SQLITE_OK ){
          sqlite3_free(*pzErr);
          *pzErr = sqlite3_mprintf("%s", rc==SQLITE_NOMEM ? "out of memory"
                                   : sqlite3_errmsg(pGlobal->db));
          return rc;
        }
        if( !bCurrent ) continue;
        /* (no relBaseCheck here: SQL run on p's behalf outside its own
        ** methods may free it, when out of memory makes SQLite reset the
        ** schema; and its triggers' owners must see it as it was) */
        *ppDecl = p->pDecl;
        return SQLITE_OK;
      }
    }
    if( iTry ) break;
    if( pGlobal->zDropping && sqlite3_stricmp(pGlobal->zDropping, zName)==0 ){
      break;                         /* being dropped: gone already */
    }
    /* Is it a relationship table at all? */
    rc = relPrepare(pGlobal->db, &pStmt, "SELECT 1 FROM \"%w\".sqlite_schema"
        " WHERE type='table' AND name=?1 COLLATE NOCASE"
        " AND sql LIKE 'CREATE VIRTUAL TABLE%%USING%%relationship%%'", zDb);
    if( rc==SQLITE_OK ){
      int bIs;
      sqlite3_bind_text(pStmt, 1, zName, -1, SQLITE_STATIC);
      bIs = sqlite3_step(pStmt)==SQLITE_ROW;
      rc = sqlite3_finalize(pStmt);
      pStmt = 0;
      if( rc==SQLITE_OK && !bIs ) break;
    }
    /* Preparing a statement that reads the table connects it. */
    if( rc==SQLITE_OK ){
      rc = relPrepare(pGlobal->db, &pStmt, "SELECT 1 FROM \"%w\".\"%w\"",
                      zDb, zName);
    }
    if( rc!=SQLITE_OK ){
      sqlite3_free(*pzErr);
      *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(pGlobal->db));
      return rc;
    }
    sqlite3_finalize(pStmt);
  }
  return SQLITE_OK;
}

/*
** List the declarations of every relationship table in schema zDb but
** zSkip (which may be NULL). *papDecl is an array from sqlite3_malloc64()
** that the caller frees; the declarations in it belong to their tables.
*/
static int relListDeclsAll(RelGlobal*, const char*, const char*,
                           RelDecl***, int*, RelBroken**, int*, char**);
int relListDecls(
  RelGlobal *pGlobal, const char *zDb, const char *zSkip,
  RelDecl ***papDecl, int *pnDecl, char **pzErr
){
  return relListDeclsAll(pGlobal, zDb, zSkip, papDecl, pnDecl, 0, 0, pzErr);
}

/*
** relListDecls() of every relationship table of schema zDb, and in
** *paBroken (*pnBroken entries, freed by relBrokenFree) those whose
** declaration no longer reads: the message each use of them gives, and
** the source table each names first.
*/
int relListDeclsBroken(
  RelGlobal *pGlobal, const char *zDb, RelDecl ***papDecl, int *pnDecl,
  RelBroken **paBroken, int *pnBroken, char **pzErr
){
  return relListDeclsAll(pGlobal, zDb, 0, papDecl, pnDecl, paBroken,
                         pnBroken, pzErr);
}

void relBrokenFree(RelBroken *aBroken, int nBroken){
  int i;
  for(i=0; i<nBroken; i++){
    sqlite3_free(aBroken[i].zName);
    sqlite3_free(aBroken[i].zSource);
    sqlite3_free(aBroken[i].zErr);
  }
  sqlite3_free(aBroken);
}

static int relSplitArgs(const char*, int*, int*, char***);

/*
** Add broken declaration zName (CREATE VIRTUAL TABLE text zSql, message
** zErr, which is taken over) to *paBroken. Returns SQLITE_OK or
** SQLITE_NOMEM.
*/
static int relBrokenAdd(RelBroken **paBroken, int *pnBroken,
                        const char *zName, const char *zSql, char *zErr){
  RelBroken *aNew;
  char **azArg = 0;
  int nArg = 0, bRel = 0;
  int rc = relSplitArgs(zSql, &bRel, &nArg, &azArg);
  aNew = rc==SQLITE_OK ? sqlite3_realloc64(*paBroken,
                                 sizeof(RelBroken)*(*pnBroken+1)) : 0;
  if( aNew==0 ){
    sqlite3_free(azArg);
    sqlite3_free(zErr);
    return SQLITE_NOMEM;
  }
  *paBroken = aNew;
  aNew += (*pnBroken)++;
  if( nArg>0 ) relDequote(azArg[0]);
  aNew->zName = relStrdup(zName);
  aNew->zSource = relStrdup(nArg>0 ? azArg[0] : "");
  aNew->zErr = zErr;
  sqlite3_free(azArg);
  return aNew->zName && aNew->zSource && aNew->zErr ? SQLITE_OK
                                                    : SQLITE_NOMEM;
}

static int relListDeclsAll(
  RelGlobal *pGlobal, const char *zDb, const char *zSkip,
  RelDecl ***papDecl, int *pnDecl, RelBroken **paBroken, int *pnBroken,
  char **pzErr
){
  sqlite3_stmt *pStmt = 0;
  RelDecl **aDecl = 0;
  int nDecl = 0;
  int rc;
  *papDecl = 0;
  *pnDecl = 0;
  if( paBroken ){
    *paBroken = 0;
    *pnBroken = 0;
  }
  rc = relPrepare(pGlobal->db, &pStmt,
      "SELECT name, sql FROM \"%w\".sqlite_schema WHERE type='table'"
      " AND sql LIKE 'CREATE VIRTUAL TABLE%%USING%%relationship%%'"
      " AND name IS NOT ?1 COLLATE NOCASE ORDER BY name", zDb);
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, zSkip, -1, SQLITE_TRANSIENT);
  }else{
    *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(pGlobal->db));
  }
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    char *zName = relStrdup((const char*)sqlite3_column_text(pStmt, 0));
    char *zSql = relStrdup((const char*)sqlite3_column_text(pStmt, 1));
    RelDecl *pDecl = 0;
    if( zName==0 || zSql==0 ){
      sqlite3_free(zName);
      sqlite3_free(zSql);
      rc = SQLITE_NOMEM;
      break;
    }
    /* the row says what the table's declaration is: no look-up of it */
    rc = relFindDeclSql(pGlobal, zDb, zName, zSql, &pDecl, pzErr);
    if( rc==SQLITE_ERROR ){
      /* a declaration the schema no longer fits: every use of it says
      ** so; it is not in the list (but in *paBroken) */
      if( paBroken ){
        rc = relBrokenAdd(paBroken, pnBroken, zName, zSql, *pzErr);
      }else{
        sqlite3_free(*pzErr);
        rc = SQLITE_OK;
      }
      *pzErr = 0;
      pDecl = 0;
    }
    sqlite3_free(zName);
    sqlite3_free(zSql);
    if( rc==SQLITE_OK && pDecl ){
      RelDecl **aNew = sqlite3_realloc64(aDecl, sizeof(RelDecl*)*(nDecl+1));
      if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
      aDecl = aNew;
      aDecl[nDecl++] = pDecl;
    }
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  else sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK ){
    sqlite3_free(aDecl);
    if( paBroken ){
      relBrokenFree(*paBroken, *pnBroken);
      *paBroken = 0;
      *pnBroken = 0;
    }
    return rc;
  }
  *papDecl = aDecl;
  *pnDecl = nDecl;
  return SQLITE_OK;
}

/*
** z past white space and SQL comments ("-- ..." to the end of the line,
** C-style comments).
*/
static const char *relSkipSpace(const char *z){
  for(;;){
    if( isspace((unsigned char)*z) ){
      z++;
    }else if( z[0]=='-' && z[1]=='-' ){
      while( *z && *z!='\n' ) z++;
    }else if( z[0]=='/' && z[1]=='*' ){
      z += 2;
      while( *z && (z[0]!='*' || z[1]!='/') ) z++;
      if( *z ) z += 2;
    }else{
      return z;
    }
  }
}

/*
** The end of the token that starts at z (not space): a quoted name or
** string ('x', "x", `x`, [x], doubled quotes inside), a run of identifier
** characters, or one other character.
*/
static const char *relTokenEnd(const char *z){
  char q = z[0];
  if( q=='[' ){
    while( *z && *z!=']' ) z++;
    return *z ? z+1 : z;
  }
  if( q=='\'' || q=='"' || q=='`' ){
    for(z++; *z; z++){
      if( *z==q ){
        if( z[1]!=q ) return z+1;
        z++;
      }
    }
    return z;
  }
  if( isalnum((unsigned char)q) || q=='_' || q=='$' || (q & 0x80) ){
    while( isalnum((unsigned char)*z) || *z=='_' || *z=='$' || (*z & 0x80) ){
      z++;
    }
    return z;
  }
  return *z ? z+1 : z;
}

/*
** Walk the module arguments that start after the '(' at z: at the commas
** outside parentheses, each argument the text from its first token to the
** end of its last, empty ones left out. Returns how many there are and,
** when azArg is not NULL, copies them to azArg[], NUL-terminated, into
** the space at zOut. *pnByte (when not NULL) is the bytes that takes.
*/
static int relArgWalk(const char *z, char **azArg, char *zOut,
                      i64 *pnByte){
  const char *zStart = 0, *zEnd = 0;
  int nArg = 0, iDepth = 0;
  i64 nByte = 0;
  while( *z ){
    const char *zTok = relSkipSpace(z);
    if( *zTok==0 ) break;
    if( iDepth==0 && (*zTok==',' || *zTok==')') ){
      if( zStart ){
        size_t n = (size_t)(zEnd-zStart);
        if( azArg ){
          memcpy(zOut, zStart, n);
          zOut[n] = 0;
          azArg[nArg] = zOut;
          zOut += n+1;
        }
        nByte += n+1;
        nArg++;
      }
      zStart = 0;
      if( *zTok==')' ) break;
      z = zTok+1;
      continue;
    }
    if( *zTok=='(' ) iDepth++;
    if( *zTok==')' ) iDepth--;
    if( zStart==0 ) zStart = zTok;
    z = zEnd = relTokenEnd(zTok);
  }
  if( pnByte ) *pnByte = nByte;
  return nArg;
}

/*
** The module arguments of a CREATE VIRTUAL TABLE statement as
** sqlite_schema holds it ("CREATE VIRTUAL TABLE x USING m(a, b, ...)"),
** split as SQLite splits them for xConnect (relArgWalk()). *pbRel is set
** when the module is "relationship". *pazArg (NULL when there are none)
** is one allocation, the array then the strings, that the caller frees
** with sqlite3_free(). Returns SQLITE_OK or SQLITE_NOMEM.
*/
static int relSplitArgs(const char *zSql, int *pbRel, int *pnArg,
                        char ***pazArg){
  const char *z = zSql;
  char *zModule;
  char **azArg;
  i64 nByte = 0;
  int i, nArg;

  *pbRel = 0;
  *pnArg = 0;
  *pazArg = 0;
  if( z==0 ) return SQLITE_OK;
  /* CREATE VIRTUAL TABLE name USING */
  for(i=0; i<5; i++){
    z = relSkipSpace(z);
    if( *z==0 ) return SQLITE_OK;
    if( i==4 && (relTokenEnd(z)-z!=5 || sqlite3_strnicmp(z, "using", 5)) ){
      return SQLITE_OK;
    }
    z = relTokenEnd(z);
  }
  z = relSkipSpace(z);
  zModule = sqlite3_mprintf("%.*s", (int)(relTokenEnd(z)-z), z);
  if( zModule==0 ) return SQLITE_NOMEM;
  relDequote(zModule);
  *pbRel = sqlite3_stricmp(zModule, "relationship")==0;
  sqlite3_free(zModule);
  z = relSkipSpace(relTokenEnd(z));
  if( !*pbRel || *z!='(' ) return SQLITE_OK;
  nArg = relArgWalk(z+1, 0, 0, &nByte);
  if( nArg==0 ) return SQLITE_OK;
  azArg = sqlite3_malloc64(sizeof(char*)*nArg + nByte);
  if( azArg==0 ) return SQLITE_NOMEM;
  relArgWalk(z+1, azArg, (char*)&azArg[nArg], 0);
  *pnArg = nArg;
  *pazArg = azArg;
  return SQLITE_OK;
}

/*
** Might the relationship table whose CREATE VIRTUAL TABLE text is zSql
** (one that no longer reads: relDeclRead() fails) be over a link of
** table zChild that refers to table zParent? Told from its arguments
** alone: zParent is its source or its target, and zChild its source,
** its target or its secondary=. Sets *pb. For rel_repair, which leaves
** such a link as it is: the rules it adds cannot be worked out. Returns
** SQLITE_OK or SQLITE_NOMEM.
*/
int relDeclMayLink(const char *zSql, const char *zChild,
                   const char *zParent, int *pb){
  char **azArg = 0;
  int nArg = 0, bRel = 0, bChild = 0, bParent = 0;
  int i;
  int rc = relSplitArgs(zSql, &bRel, &nArg, &azArg);
  *pb = 0;
  if( rc!=SQLITE_OK ) return rc;
  for(i=0; i<nArg; i++){
    char *zTab = azArg[i];
    if( i>=2 ){
      /* secondary=<table> (the key may be quoted, spaces around '=') */
      char *zEq = strchr(zTab, '=');
      char *zEnd;
      if( zEq==0 ) continue;
      zEnd = zEq;
      while( zEnd>zTab && isspace((unsigned char)zEnd[-1]) ) zEnd--;
      *zEnd = 0;
      relDequote(zTab);
      if( sqlite3_stricmp(zTab, "secondary")!=0 ) continue;
      zTab = zEq+1;
      while( isspace((unsigned char)*zTab) ) zTab++;
      zEnd = zTab + strlen(zTab);
      while( zEnd>zTab && isspace((unsigned char)zEnd[-1]) ) *--zEnd = 0;
    }
    relDequote(zTab);
    if( sqlite3_stricmp(zTab, zChild)==0 ) bChild = 1;
    if( i<2 && sqlite3_stricmp(zTab, zParent)==0 ) bParent = 1;
  }
  sqlite3_free(azArg);
  *pb = bRel && bChild && bParent;
  return SQLITE_OK;
}

/*
** Read the declaration of table zName of schema zDb afresh from zSql, its
** CREATE VIRTUAL TABLE statement in sqlite_schema, as a new connection
** would connect it. What this connection connected earlier is not used:
** a table dropped or created on this connection since does not reach
** it. For rel_check, rel_list, rel_diagram, rel_infer and rel_repair,
** which describe (or mend) the schema as it is.
**
** Returns SQLITE_OK with *ppDecl the declaration (the caller frees it
** with relDeclFree()), or NULL when zSql is not a relationship table's;
** SQLITE_ERROR when the tables no longer fit the declaration (also: a
** many-to-many's association table is gone), with *pzErr what every use
** of the table says, "relationship x: ...; DROP TABLE x and declare it
** again" (the caller frees it); or another error code.
*/
int relDeclRead(sqlite3 *db, const char *zDb, const char *zName,
                const char *zSql, RelDecl **ppDecl, char **pzErr){
  char **azArg = 0;
  int nArg = 0, bRel = 0;
  int rc = relSplitArgs(zSql, &bRel, &nArg, &azArg);
  *ppDecl = 0;
  *pzErr = 0;
  if( rc!=SQLITE_OK || !bRel ) return rc;
  rc = relDeclParse(db, zDb, zName, nArg, (const char *const*)azArg,
                    ppDecl, pzErr);
  sqlite3_free(azArg);
  if( rc==SQLITE_OK && (*ppDecl)->eKind==REL_MANY_TO_MANY
   && !(*ppDecl)->sec.bExists ){
    /* only a new declaration creates it */
    *pzErr = sqlite3_mprintf("relationship %s: no table %s in schema %s",
                             zName, (*ppDecl)->sec.zName, zDb);
    relDeclFree(*ppDecl);
    *ppDecl = 0;
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if( rc==SQLITE_ERROR ){
    char *zMsg = sqlite3_mprintf("%s; DROP TABLE %s and declare it again",
                                 *pzErr ? *pzErr : "cannot be read", zName);
    sqlite3_free(*pzErr);
    *pzErr = zMsg;
    if( zMsg==0 ) rc = SQLITE_NOMEM;
  }
  return rc;
}

/*
** Prepare *ppStmt to read the name and CREATE VIRTUAL TABLE text of every
** relationship table of schema zDb, by name. Returns an SQLite code, with
** *pzErr set (the caller frees it) when the prepare fails.
*/
int relDeclRows(sqlite3 *db, const char *zDb, sqlite3_stmt **ppStmt,
                char **pzErr){
  int rc = relPrepare(db, ppStmt,
      "SELECT name, sql FROM \"%w\".sqlite_schema WHERE type='table'"
      " AND sql LIKE 'CREATE VIRTUAL TABLE%%USING%%relationship%%'"
      " ORDER BY name", zDb);
  if( rc!=SQLITE_OK ) *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(db));
  return rc;
}

/*
** The declarations of every relationship table of schema zDb, by name,
** read afresh (relDeclRead()); those the tables no longer fit are left
** out. *papDecl is an array from sqlite3_malloc64() of declarations the
** caller owns: free it with relFreeDecls(). Returns an SQLite code, with
** *pzErr set (the caller frees it) on an error other than out of memory.
*/
int relReadDecls(sqlite3 *db, const char *zDb, RelDecl ***papDecl,
                 int *pnDecl, char **pzErr){
  sqlite3_stmt *pStmt = 0;
  RelDecl **aDecl = 0;
  int nDecl = 0;
  int rc;
  *papDecl = 0;
  *pnDecl = 0;
  rc = relDeclRows(db, zDb, &pStmt, pzErr);
  if( rc!=SQLITE_OK ) return rc;
  while( sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zName = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zSql = (const char*)sqlite3_column_text(pStmt, 1);
    RelDecl *pDecl = 0;
    char *zErr = 0;
    RelDecl **aNew;
    if( zName==0 || zSql==0 ){ rc = SQLITE_NOMEM; break; }  /* not NULL */
    rc = relDeclRead(db, zDb, zName, zSql, &pDecl, &zErr);
    sqlite3_free(zErr);
    if( rc==SQLITE_ERROR ){
      rc = SQLITE_OK;               /* broken: not in the list */
      continue;
    }
    if( rc!=SQLITE_OK ) break;
    if( pDecl==0 ) continue;
    aNew = sqlite3_realloc64(aDecl, sizeof(RelDecl*)*(nDecl+1));
    if( aNew==0 ){
      relDeclFree(pDecl);
      rc = SQLITE_NOMEM;
      break;
    }
    aDecl = aNew;
    aDecl[nDecl++] = pDecl;
  }
  /* a step that failed (out of memory) ends the loop: its code is here */
  if( rc==SQLITE_OK ){
    rc = sqlite3_finalize(pStmt);
  }else{
    sqlite3_finalize(pStmt);
  }
  if( rc!=SQLITE_OK ){
    if( rc!=SQLITE_NOMEM ) *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(db));
    relFreeDecls(aDecl, nDecl);
    return rc;
  }
  *papDecl = aDecl;
  *pnDecl = nDecl;
  return SQLITE_OK;
}

/*
** Free an array of nDecl declarations from relReadDecls() and the
** declarations in it.
*/
void relFreeDecls(RelDecl **aDecl, int nDecl){
  int i;
  for(i=0; i<nDecl; i++) relDeclFree(aDecl[i]);
  sqlite3_free(aDecl);
}

/*
** SQL function rel_version(): the version string.
*/
static void relVersionFunc(
  sqlite3_context *ctx, int argc, sqlite3_value **argv
){
  (void)argc; (void)argv;
  sqlite3_result_text(ctx, SQLITE_RELATIONSHIP_VERSION, -1, SQLITE_STATIC);
}

/*
** Append one option of rel_declare()'s option string to pStr as
** key='value' (the value quoted as an SQL string, so that nothing in it
** can reach the SQL as code). zOpt is "key=value", trimmed, value quotes
** (if any) kept; returns 0 when zOpt has no '='.
*/
static int relDeclareAppendOpt(sqlite3_str *pStr, char *zOpt){
  char *zEq = strchr(zOpt, '=');
  char *zKey, *zVal, *zEnd;
  if( zEq==0 ) return 0;
  *zEq = 0;
  zKey = zOpt;
  zEnd = zEq;
  while( zEnd>zKey && isspace((unsigned char)zEnd[-1]) ) *--zEnd = 0;
  zVal = zEq+1;
  while( isspace((unsigned char)*zVal) ) zVal++;
  relDequote(zKey);
  if( zVal[0]=='\'' || zVal[0]=='"' || zVal[0]=='`' || zVal[0]=='[' ){
    /* dequote only a value that is one quoted token ("col" DESC is not) */
    char q = zVal[0]=='[' ? ']' : zVal[0];
    char *z = zVal+1;
    while( *z && !(*z==q && (q==']' || z[1]!=q)) ) z += (*z==q) ? 2 : 1;
    if( *z==q && z[1]==0 ) relDequote(zVal);
  }
  sqlite3_str_appendf(pStr, ", \"%w\"='%q'", zKey, zVal);
  return 1;
}

/*
** The double that the number text z..zEnd stands for, its syntax checked
** by the caller ([+-] digits [. digits] [e [+-] digits]). strtod() reads
** the decimal point of the program's locale (a comma in de_DE, where
** "1.5" would read as 1), so it is given the digits without a point, the
** exponent adjusted: "12.5e3" as "125e2". At most 40 significant digits
** are kept (SQLite's own conversion keeps fewer), the exponent is clamped
** (beyond it the value is 0 or infinite either way). Allocates nothing.
*/
static double relAtof(const char *z, const char *zEnd){
  char zBuf[64];                  /* sign, 40 digits, 'e', sign, 6 digits */
  int n = 0, nSig = 0, bPoint = 0, bNeg = 0;
  long long iExp = 0, iSrcExp = 0;
  const char *p = z;
  if( p<zEnd && (*p=='+' || *p=='-') ){ bNeg = *p=='-'; p++; }
  if( bNeg ) zBuf[n++] = '-';
  for(; p<zEnd && *p!='e' && *p!='E'; p++){
    if( *p=='.' ){ bPoint = 1; continue; }
    if( nSig==0 && *p=='0' ){       /* a leading zero */
      if( bPoint ) iExp--;
      continue;
    }
    if( nSig<40 ){
      zBuf[n++] = *p;
      nSig++;
      if( bPoint ) iExp--;
    }else if( !bPoint ){
      iExp++;                       /* an integer digit dropped */
    }
  }
  if( nSig==0 ) return bNeg ? -0.0 : 0.0;
  if( p<zEnd ){                     /* the exponent */
    int bExpNeg = 0;
    p++;
    if( p<zEnd && (*p=='+' || *p=='-') ){ bExpNeg = *p=='-'; p++; }
    for(; p<zEnd; p++){
      if( iSrcExp<100000 ) iSrcExp = iSrcExp*10 + (*p - '0');
    }
    if( bExpNeg ) iSrcExp = -iSrcExp;
  }
  iExp += iSrcExp;
  if( iExp>100000 ) iExp = 100000;
  if( iExp<-100000 ) iExp = -100000;
  snprintf(&zBuf[n], sizeof(zBuf)-n, "e%lld", iExp);
  return strtod(zBuf, 0);
}

/*
** The number text z stands for when numeric affinity is applied to it, as
** SQLite does when the text is compared with a column of INTEGER, REAL or
** NUMERIC affinity ('1' and ' 2.0 ' are the integers 1 and 2, '1.5' the
** real 1.5, '1x' stays text): 1 with *peType and *piKey set
** (SQLITE_INTEGER with the integer, or SQLITE_FLOAT with the bits of the
** double in *piKey), or 0 when z stays text. Allocates nothing.
*/
int relNumericText(const char *z, int *peType, i64 *piKey){
  const char *zEnd;
  const char *p;
  int nDigit = 0, bReal = 0;
  double r;
  while( isspace((unsigned char)*z) ) z++;
  zEnd = z + strlen(z);
  while( zEnd>z && isspace((unsigned char)zEnd[-1]) ) zEnd--;
  p = z;
  if( p<zEnd && (*p=='+' || *p=='-') ) p++;
  while( p<zEnd && isdigit((unsigned char)*p) ){ p++; nDigit++; }
  if( p<zEnd && *p=='.' ){
    bReal = 1;
    p++;
    while( p<zEnd && isdigit((unsigned char)*p) ){ p++; nDigit++; }
  }
  if( nDigit==0 ) return 0;
  if( p<zEnd && (*p=='e' || *p=='E') ){
    int nExp = 0;
    bReal = 1;
    p++;
    if( p<zEnd && (*p=='+' || *p=='-') ) p++;
    while( p<zEnd && isdigit((unsigned char)*p) ){ p++; nExp++; }
    if( nExp==0 ) return 0;
  }
  if( p!=zEnd ) return 0;
  /* the syntax is checked: the conversions stop exactly at zEnd */
  if( !bReal ){
    char *zStop = 0;
    long long v;
    errno = 0;
    v = strtoll(z, &zStop, 10);
    if( errno==0 && zStop==zEnd ){
      *peType = SQLITE_INTEGER;
      *piKey = (i64)v;
      return 1;
    }
  }
  r = relAtof(z, zEnd);
  if( r>=-9.2e18 && r<=9.2e18 && r==(double)(i64)r ){
    *peType = SQLITE_INTEGER;
    *piKey = (i64)r;
  }else{
    *peType = SQLITE_FLOAT;
    memcpy(piKey, &r, sizeof(*piKey));
  }
  return 1;
}

/*
** The type of v for a key comparison: text that is a number (as numeric
** affinity reads it) is that number, in *pi or *pr. v is left as it is
** (sqlite3_value_numeric_type() would change it, and cannot be used on
** a sqlite3_value_dup() copy).
*/
static int relKeyType(sqlite3_value *v, i64 *pi, double *pr){
  int t = sqlite3_value_type(v);
  if( t==SQLITE_TEXT ){
    const char *z = (const char*)sqlite3_value_text(v);
    i64 iKey = 0;
    if( z && relNumericText(z, &t, &iKey) ){
      if( t==SQLITE_INTEGER ) *pi = iKey;
      else memcpy(pr, &iKey, sizeof(*pr));
    }else{
      t = SQLITE_TEXT;
    }
  }else if( t==SQLITE_INTEGER ){
    *pi = sqlite3_value_int64(v);
  }else if( t==SQLITE_FLOAT ){
    *pr = sqlite3_value_double(v);
  }
  if( t==SQLITE_INTEGER ) *pr = (double)*pi;
  return t;
}

/*
** Are two values the same for a key comparison (numbers by value, text
** and blobs by bytes; NULL equals nothing)?
*/
int relValueEq(sqlite3_value *a, sqlite3_value *b){
  i64 ia = 0, ib = 0;
  double ra = 0.0, rb = 0.0;
  int ta = relKeyType(a, &ia, &ra);
  int tb = relKeyType(b, &ib, &rb);
  if( ta==SQLITE_NULL || tb==SQLITE_NULL ) return 0;
  if( (ta==SQLITE_INTEGER || ta==SQLITE_FLOAT)
   && (tb==SQLITE_INTEGER || tb==SQLITE_FLOAT) ){
    if( ta==SQLITE_INTEGER && tb==SQLITE_INTEGER ) return ia==ib;
    return ra==rb;
  }
  if( ta!=tb ) return 0;
  {
    int na = sqlite3_value_bytes(a);
    int nb = sqlite3_value_bytes(b);
    const void *pa = ta==SQLITE_BLOB ? sqlite3_value_blob(a)
                                     : (const void*)sqlite3_value_text(a);
    const void *pb = tb==SQLITE_BLOB ? sqlite3_value_blob(b)
                                     : (const void*)sqlite3_value_text(b);
    return na==nb && (na==0 || memcmp(pa, pb, na)==0);
  }
}

/*
** Are two values, each as a column stores it, the same key? As
** relValueEq(), except that two texts are the same only byte for byte:
** '1' and '1.0' are two keys of a TEXT column, which relValueEq() takes
** for the number 1. A text and a number compare as a numeric column
** compares them ('1' is 1).
*/
int relStoredEq(sqlite3_value *a, sqlite3_value *b){
  if( sqlite3_value_type(a)==SQLITE_TEXT
   && sqlite3_value_type(b)==SQLITE_TEXT ){
    int n = sqlite3_value_bytes(a);
    return n==sqlite3_value_bytes(b)
        && (n==0 || memcmp(sqlite3_value_text(a), sqlite3_value_text(b),
                           n)==0);
  }
  return relValueEq(a, b);
}

/*
** Record the error "<zWho> <zName>: <message>" (or "<zWho>: <message>"
** when zName is NULL) in *pzErr, with *pRc SQLITE_ERROR, unless an error
** is recorded already; SQLITE_NOMEM when the message cannot be made.
*/
void relErrorV(int *pRc, char **pzErr, const char *zWho, const char *zName,
               const char *zFmt, va_list ap){
  char *zMsg;
  if( *pRc!=SQLITE_OK ) return;
  zMsg = sqlite3_vmprintf(zFmt, ap);
  *pRc = SQLITE_ERROR;
  *pzErr = 0;
  if( zMsg ){
    *pzErr = zName ? sqlite3_mprintf("%s %s: %s", zWho, zName, zMsg)
                   : sqlite3_mprintf("%s: %s", zWho, zMsg);
  }
  if( *pzErr==0 ) *pRc = SQLITE_NOMEM;
  sqlite3_free(zMsg);
}

/*
** Record error rc of a statement of db in *pRc and *pzErr unless one is
** recorded: "<zWho>: <the connection's message>"; out of memory without
** a message.
*/
static void relRecordDbError(sqlite3 *db, int rc, const char *zWho,
                             int *pRc, char **pzErr){
  if( *pRc!=SQLITE_OK ) return;
  *pRc = rc;
  if( rc==SQLITE_NOMEM ) return;
  *pzErr = sqlite3_mprintf("%s: %s", zWho, sqlite3_errmsg(db));
  if( *pzErr==0 ) *pRc = SQLITE_NOMEM;
}

/*
** Run azSql[0..nSql) (each run by sqlite3_exec(): several statements may
** be one entry) inside SAVEPOINT zName: all of them, or, on the first
** error, none. The error is recorded in *pRc and *pzErr as
** relRecordDbError() does, unless one is recorded; where SQLite opens no
** savepoint (inside a statement that writes) it is "<zWho>: <zBusy>".
** rel_infer() and
** rel_repair() run their statements so, from a statement of their own
** (relSelfCall()). Returns 0 when the SAVEPOINT could not be closed (out
** of memory), else 1.
*/
int relSavepointRun(sqlite3 *db, const char *zName, const char *zWho,
                    const char *zBusy, char *const *azSql, int nSql,
                    int *pRc, char **pzErr){
  sqlite3_stmt *pUndo = 0, *pRelease = 0;
  char *zOpen;
  int i, rc, bClosed = 1;
  /* The statements that end the savepoint are prepared before it opens:
  ** an error later must not leave it (and its transaction) open. */
  rc = relPrepare(db, &pUndo, "ROLLBACK TO \"%w\"", zName);
  if( rc==SQLITE_OK ){
    rc = relPrepare(db, &pRelease, "RELEASE \"%w\"", zName);
  }
  if( rc==SQLITE_OK ){
    zOpen = sqlite3_mprintf("SAVEPOINT \"%w\"", zName);
    rc = zOpen ? sqlite3_exec(db, zOpen, 0, 0, 0) : SQLITE_NOMEM;
    sqlite3_free(zOpen);
  }
  if( rc==SQLITE_BUSY ){
    /* SQLite opens no savepoint while a statement that writes runs */
    if( *pRc==SQLITE_OK ){
      *pRc = SQLITE_ERROR;
      *pzErr = sqlite3_mprintf("%s: %s", zWho, zBusy);
      if( *pzErr==0 ) *pRc = SQLITE_NOMEM;
    }
  }else if( rc!=SQLITE_OK ){
    relRecordDbError(db, rc, zWho, pRc, pzErr);
  }
  if( rc!=SQLITE_OK ){
    /* a SAVEPOINT that failed out of memory may have opened (one that
    ** failed otherwise, BUSY in a writing statement, did not) */
    if( rc==SQLITE_NOMEM && pRelease && !sqlite3_get_autocommit(db) ){
      sqlite3_step(pUndo);
      bClosed = sqlite3_step(pRelease)==SQLITE_DONE;
    }
    sqlite3_finalize(pUndo);
    sqlite3_finalize(pRelease);
    return bClosed;
  }
  for(i=0; i<nSql && rc==SQLITE_OK; i++){
    rc = sqlite3_exec(db, azSql[i], 0, 0, 0);
    if( rc!=SQLITE_OK ) relRecordDbError(db, rc, zWho, pRc, pzErr);
  }
  if( rc==SQLITE_OK ){
    sqlite3_step(pRelease);
    rc = sqlite3_reset(pRelease);
    if( rc!=SQLITE_OK ) relRecordDbError(db, rc, zWho, pRc, pzErr);
  }
  if( rc!=SQLITE_OK ){
    /* undo what was done; the recorded error is the first one. Out of
    ** memory inside a statement may have rolled the whole transaction
    ** back already (no savepoint left: nothing to do), or may keep every
    ** statement from running until the calling one ends (bClosed 0). */
    sqlite3_reset(pRelease);
    if( !sqlite3_get_autocommit(db) ){
      sqlite3_step(pUndo);
      bClosed = sqlite3_step(pRelease)==SQLITE_DONE;
    }
  }
  sqlite3_finalize(pUndo);
  sqlite3_finalize(pRelease);
  return bClosed;
}

/*
** Call SQL function zFunc with pointer p (of pointer type zType) as its
** one argument, from "SELECT zFunc(?1) FROM main.sqlite_schema LIMIT 1",
** a statement of its own that reads a database.
**
** Why: out of memory inside one of the statements relSavepointRun() runs
** can keep SQLite from running any statement of the connection (the
** ROLLBACK TO too) until the statement that called the function ends,
** and a bare "SELECT rel_infer()" reads no database, so its end rolls
** back nothing: the SAVEPOINT's transaction would stay open, half done.
** A statement that reads a database and fails out of memory rolls the
** transaction back when it ends (sqlite3VdbeHalt), as SQLite does for any
** such statement; so the inner call fails with SQLITE_NOMEM exactly when
** the SAVEPOINT could not be closed. Returns SQLITE_DONE when the inner
** call returned, else the statement's error code.
*/
int relSelfCall(sqlite3 *db, const char *zFunc, void *p, const char *zType){
  sqlite3_stmt *pStmt = 0;
  int rc = relPrepare(db, &pStmt,
      "SELECT %s(?1) FROM main.sqlite_schema LIMIT 1", zFunc);
  if( rc==SQLITE_OK ){
    sqlite3_bind_pointer(pStmt, 1, p, zType, 0);
    rc = sqlite3_step(pStmt);
    if( rc==SQLITE_ROW ) rc = SQLITE_DONE;
  }
  sqlite3_finalize(pStmt);
  return rc;
}

/*
** Register the nFunc SQL functions of aFunc, pGlobal their user data.
*/
int relCreateFunctions(sqlite3 *db, RelGlobal *pGlobal, const RelFunc *aFunc,
                       int nFunc){
  int i, rc = SQLITE_OK;
  for(i=0; i<nFunc && rc==SQLITE_OK; i++){
    rc = sqlite3_create_function(db, aFunc[i].zName, aFunc[i].nArg,
                                 aFunc[i].eFlags, pGlobal, aFunc[i].xFunc,
                                 0, 0);
  }
  return rc;
}

/*
** Append z to pStr as a JSON string, quoted and escaped.
*/
void relJsonString(sqlite3_str *pStr, const char *z){
  sqlite3_str_appendchar(pStr, 1, '"');
  for(; *z; z++){
    unsigned char c = (unsigned char)*z;
    if( c=='"' || c=='\\' ){
      sqlite3_str_appendchar(pStr, 1, '\\');
      sqlite3_str_appendchar(pStr, 1, (char)c);
    }else if( c<0x20 ){
      sqlite3_str_appendf(pStr, "\\u%04x", c);
    }else{
      sqlite3_str_appendchar(pStr, 1, (char)c);
    }
  }
  sqlite3_str_appendchar(pStr, 1, '"');
}

/*
** Write zA (then "_" and zB, when zB is not NULL) as a JSON string into
** zOut at offset n, with no allocation: zOut has room for 6 bytes per
** byte plus the quotes. Returns the offset after it.
*/
static sqlite3_int64 relDeclareJsonName(char *zOut, sqlite3_int64 n,
                                        const char *zA, const char *zB){
  int i;
  zOut[n++] = '"';
  for(i=0; i<2; i++){
    const unsigned char *z = (const unsigned char*)(i==0 ? zA : zB);
    if( z==0 ) break;
    if( i==1 ) zOut[n++] = '_';
    for(; *z; z++){
      if( *z=='"' || *z=='\\' ){
        zOut[n++] = '\\';
        zOut[n++] = (char)*z;
      }else if( *z<0x20 ){
        static const char hex[] = "0123456789abcdef";
        memcpy(&zOut[n], "\\u00", 4);
        zOut[n+4] = hex[*z>>4];
        zOut[n+5] = hex[*z&15];
        n += 6;
      }else{
        zOut[n++] = (char)*z;
      }
    }
  }
  zOut[n++] = '"';
  return n;
}

/*
** SQL function rel_declare(NAME, SOURCE, TARGET [, OPTIONS]): runs
** CREATE VIRTUAL TABLE NAME USING relationship(SOURCE, TARGET, OPTIONS)
** and returns the names of the tables it created as a JSON array.
**
** OPTIONS is "key=value, key=value"; a comma-separated piece that has no
** '=' belongs to the value before it, so "cascade=all, delete-orphan"
** reads as one option. Every name and value is quoted afresh.
*/
static void relDeclareFunc(
  sqlite3_context *ctx, int argc, sqlite3_value **argv
){
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char *zName = (const char*)sqlite3_value_text(argv[0]);
  const char *zSrc = (const char*)sqlite3_value_text(argv[1]);
  const char *zTgt = (const char*)sqlite3_value_text(argv[2]);
  const char *zOpts = argc>3 ? (const char*)sqlite3_value_text(argv[3]) : 0;
  sqlite3_str *pStr;
  char *zOptCopy = 0;
  char *zSql;
  char *zOut;
  sqlite3_int64 nOut;
  int rc;

  if( zName==0 || zSrc==0 || zTgt==0 ){
    sqlite3_result_error(ctx,
        "rel_declare: name, source and target must not be NULL", -1);
    return;
  }
  pStr = sqlite3_str_new(db);
  sqlite3_str_appendf(pStr,
      "CREATE VIRTUAL TABLE \"%w\" USING relationship(\"%w\", \"%w\"",
      zName, zSrc, zTgt);
  if( zOpts && zOpts[0] ){
    /* Split at commas outside quotes; glue pieces without '=' back on. */
    char *zPiece, *z;
    char q = 0;
    zOptCopy = relStrdup(zOpts);
    if( zOptCopy==0 ){
      sqlite3_free(sqlite3_str_finish(pStr));
      sqlite3_result_error_nomem(ctx);
      return;
    }
    zPiece = zOptCopy;
    for(z=zOptCopy; ; z++){
      if( q ){
        if( *z==q ) q = 0;
        else if( *z==0 ) break;
        continue;
      }
      if( *z=='\'' || *z=='"' || *z=='`' ){ q = *z; continue; }
      if( *z=='[' ){ q = ']'; continue; }
      if( *z==',' || *z==0 ){
        char *zNext = z;
        int bEnd = *z==0;
        /* Does the next piece hold an '=' before the next comma? */
        if( !bEnd ){
          char *y = z+1;
          while( *y && *y!=',' && *y!='=' ) y++;
          if( *y!='=' ) continue;     /* no: it belongs to this value */
        }
        *zNext = 0;
        while( isspace((unsigned char)*zPiece) ) zPiece++;
        if( *zPiece ){
          if( !relDeclareAppendOpt(pStr, zPiece) ){
            sqlite3_free(sqlite3_str_finish(pStr));
            zSql = sqlite3_mprintf(
                "rel_declare: option \"%s\" is not of the form key=value",
                zPiece);
            sqlite3_result_error(ctx, zSql ? zSql : "out of memory", -1);
            sqlite3_free(zSql);
            sqlite3_free(zOptCopy);
            return;
          }
        }
        if( bEnd ) break;
        zPiece = z+1;
      }
    }
  }
  sqlite3_str_appendall(pStr, ")");
  zSql = sqlite3_str_finish(pStr);
  sqlite3_free(zOptCopy);
  if( zSql==0 ){
    sqlite3_result_error_nomem(ctx);
    return;
  }
  /* The result's buffer is allocated before the CREATE runs, so that
  ** nothing is left to fail once the schema is written: the names in it
  ** are this one and TARGET_BACKREF (TARGET as the schema spells it, as
  ** long as the given one; the backref no longer than the options), each
  ** at most 6 bytes a byte as a JSON string. */
  nOut = 6*((sqlite3_int64)strlen(zName) + strlen(zTgt) + 1
            + (zOpts ? strlen(zOpts) : 0)) + 16;
  zOut = sqlite3_malloc64(nOut);
  if( zOut==0 ){
    sqlite3_free(zSql);
    sqlite3_result_error_nomem(ctx);
    return;
  }
  rc = sqlite3_exec(db, zSql, 0, 0, 0);
  sqlite3_free(zSql);
  if( rc!=SQLITE_OK ){
    sqlite3_free(zOut);
    sqlite3_result_error(ctx, sqlite3_errmsg(db), -1);
    sqlite3_result_error_code(ctx, rc);
    return;
  }else{
    /* The names created: this one, and its backref's table if any. The
    ** table was just connected: it is in the registry, found without SQL
    ** and without allocating. */
    RelGlobal *pGlobal = (RelGlobal*)sqlite3_user_data(ctx);
    RelDecl *pDecl = relConnectedDecl(pGlobal, "main", zName);
    sqlite3_int64 n = 0;
    if( pDecl==0 ){
      sqlite3_free(zOut);
      sqlite3_result_error(ctx, "rel_declare: lost table", -1);
      return;
    }
    zOut[n++] = '[';
    n = relDeclareJsonName(zOut, n, pDecl->zName, 0);
    if( pDecl->zBackref
     && 6*(sqlite3_int64)(strlen(pDecl->zName) + strlen(pDecl->tgt.zName)
                          + 1 + strlen(pDecl->zBackref)) + 8 <= nOut
    ){
      zOut[n++] = ',';
      n = relDeclareJsonName(zOut, n, pDecl->tgt.zName, pDecl->zBackref);
    }
    zOut[n++] = ']';
    zOut[n] = 0;
    sqlite3_result_text(ctx, zOut, -1, sqlite3_free);
    sqlite3_result_subtype(ctx, 'J');
  }
}

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_relationship_init(
  sqlite3 *db,
  char **pzErrMsg,
  const sqlite3_api_routines *pApi
){
  static const RelFunc aFunc[] = {
    { "rel_version", 0,
      SQLITE_UTF8|SQLITE_DETERMINISTIC|SQLITE_INNOCUOUS, relVersionFunc },
    /* rel_declare() writes the schema: never from a trigger or a view. */
    { "rel_declare", 3, SQLITE_UTF8|SQLITE_DIRECTONLY, relDeclareFunc },
    { "rel_declare", 4, SQLITE_UTF8|SQLITE_DIRECTONLY, relDeclareFunc },
  };
  /* Eponymous tables and functions that live in files of their own, each
  ** registered by that file's relRegisterXxx() */
  static const struct {
    const char *zName;
    int (*xRegister)(sqlite3*, RelGlobal*);
  } aReg[] = {
    { "rel_list", relRegisterList },
    { "rel_closure", relRegisterClosure },
    { "rel_json", relRegisterJson },
    { "rel_check", relRegisterCheck },
    { "rel_diagram", relRegisterDiagram },
    { "rel_infer", relRegisterInfer },
    { "rel_repair", relRegisterRepair },
  };
  RelGlobal *pGlobal;
  int rc;
  size_t i;
  SQLITE_EXTENSION_INIT2(pApi);

  if( sqlite3_libversion_number()<3037000 ){
    *pzErrMsg = sqlite3_mprintf(
        "sqlite-relationship needs SQLite 3.37 or newer, not %s",
        sqlite3_libversion());
    return SQLITE_ERROR;
  }
  pGlobal = relMallocZero(sizeof(*pGlobal));
  if( pGlobal==0 ) return SQLITE_NOMEM;
  pGlobal->db = db;

  /* The module owns pGlobal: its destructor runs at sqlite3_close(). */
  rc = relRegisterModule(db, pGlobal);
  if( rc!=SQLITE_OK ){
    *pzErrMsg = sqlite3_mprintf("relationship: cannot register module: %s",
                                sqlite3_errmsg(db));
    return rc;
  }
  for(i=0; i<sizeof(aFunc)/sizeof(aFunc[0]); i++){
    rc = sqlite3_create_function(db, aFunc[i].zName, aFunc[i].nArg,
        aFunc[i].eFlags, pGlobal, aFunc[i].xFunc, 0, 0);
    if( rc!=SQLITE_OK ){
      *pzErrMsg = sqlite3_mprintf("relationship: cannot register %s: %s",
                                  aFunc[i].zName, sqlite3_errmsg(db));
      return rc;
    }
  }
  for(i=0; i<sizeof(aReg)/sizeof(aReg[0]); i++){
    rc = aReg[i].xRegister(db, pGlobal);
    if( rc!=SQLITE_OK ){
      *pzErrMsg = sqlite3_mprintf("relationship: cannot register %s: %s",
                                  aReg[i].zName, sqlite3_errmsg(db));
      return rc;
    }
  }
  return SQLITE_OK;
}
