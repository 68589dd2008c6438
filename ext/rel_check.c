/*
** rel_check.c: the eponymous table rel_check, one row per integrity
** problem of the declared relationships; empty when every rule holds.
**
** USAGE
**
**     CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);
**     CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT,
**                        parent_id INTEGER REFERENCES parent(id));
**     CREATE VIRTUAL TABLE parent_children USING relationship(parent, child,
**         cascade='all, delete-orphan');
**
**     -- rows the triggers do not stop (an INSERT with a parent that is
**     -- not there, a child inserted without one):
**     INSERT INTO child VALUES (5, 'lost', 7), (6, 'alone', NULL);
**
**     SELECT * FROM rel_check;
**     -- parent_children|missing source|5|child.parent_id = 7: no parent
**     --                                    row with id = 7
**     -- parent_children|orphan|6|child.parent_id is NULL: a child row
**     --                            without a parent row (delete-orphan)
**
**     SELECT count(*) = 0 FROM rel_check;    -- a health check for CI
**     SELECT c.* FROM rel_check k JOIN child c ON c.rowid = k.rowid;
**
** The problem words, and what rowid holds (the rowid of the row holding
** the link, NULL when the problem is not one row's):
**
**   missing source        a target row's foreign key names no source row
**                         (one-to-many, one-to-one); rowid of the target row
**   missing target        a source row's foreign key names no target row
**                         (many-to-one); rowid of the source row
**   dangling association  an association row whose end is NULL or gone;
**                         rowid of the association row (one row per end);
**                         WITHOUT ROWID: NULL, and the detail ends with
**                         the row's PRIMARY KEY: "(left_id = 1, ...)"
**   duplicate one_to_one  a second row under uselist=0 with the same
**                         foreign key; rowid of each row but the first
**   orphan                under cascade delete-orphan, a row whose foreign
**                         key is NULL (not in a self-referential table,
**                         where it is a root); rowid of that row
**   missing index         no index starts with the link column; NULL
**   missing trigger       a trigger the declarations over the link install
**                         (rel_triggers.c) is not in the schema; NULL
**   stale trigger         one of that name is, with other SQL; NULL
**   duplicate link        symmetric=1: an association row holding the
**                         ends of an earlier one, either way round; rowid
**                         of each but the first (WITHOUT ROWID: NULL)
**   missing reverse       a back_populates naming a table that is not a
**                         relationship table, or one that does not name
**                         it back; NULL
**   broken declaration    the tables no longer fit the declaration (a
**                         table renamed or dropped, a column gone); NULL
**
** HOW IT WORKS
**
**     CREATE TABLE rel_check(relationship, problem, rowid, detail)
**
** xFilter reads the declarations of every schema (main, temp, attached,
** in pragma_database_list order; relationship tables by name), afresh
** from each table's CREATE VIRTUAL TABLE as a new connection would (not
** as this connection first read them: a table dropped or created anew
** since counts), and turns each link into checks. A link is one column
** holding a reference: child.parent_id, or each of an association
** table's two columns. A link declared twice (a backref or back_populates
** pair, the two sides of a many-to-many) is checked once, under the name
** that sorts first; the rules of the link (uselist=0, delete-orphan) are
** merged over every declaration on it but viewonly ones, as the
** triggers' are (rel_triggers.c).
**
** Each check is one SQL statement yielding (rowid, detail) rows, the
** anti-join that PRAGMA foreign_key_check runs:
**
**     SELECT c.rowid, <detail> FROM child AS c WHERE c.parent_id IS NOT NULL
**       AND NOT EXISTS (SELECT 1 FROM parent AS p WHERE p.id = c.parent_id)
**
** which searches the referenced key's index once per row. The cursor
** prepares one check at a time, steps it as xNext is called, and finalizes
** it before the next: the rows are streamed, never materialised; only the
** list of checks (their SQL) is kept. The statements are prepared for each
** scan, as PRAGMA foreign_key_check compiles its own, since the schema may
** have changed in between.
**
** Rows come by schema, then relationship name, then link, then problem in
** the order of the table above (duplicate link and missing reverse, the
** declaration's own, after its links), then rowid.
*/
#include "relationship_int.h"

#define CHECK_NCOL 4

typedef struct CheckVtab CheckVtab;
struct CheckVtab {
  sqlite3_vtab base;          /* Base class; must be first */
  RelGlobal *pGlobal;         /* Per-connection state */
};

/* One check: a statement yielding (rowid, detail) rows of one problem. */
typedef struct CheckItem CheckItem;
struct CheckItem {
  char *zRel;                 /* Relationship the rows are reported under */
  const char *zProblem;       /* Problem word (static) */
  char *zSql;                 /* SELECT rowid-or-NULL, detail ... */
};

typedef struct CheckCursor CheckCursor;
struct CheckCursor {
  sqlite3_vtab_cursor base;   /* Base class; must be first */
  int nItem;                  /* Checks to run */
  int nAlloc;                 /* Allocated slots of aItem */
  CheckItem *aItem;           /* The checks, in row order */
  int iItem;                  /* Check that pStmt runs */
  sqlite3_stmt *pStmt;        /* Its statement, on its current row */
  i64 iRowid;                 /* Row counter: the rowid of rel_check */
};

static const char *const zMissingSource = "missing source";
static const char *const zMissingTarget = "missing target";
static const char *const zDangling = "dangling association";
static const char *const zDuplicate = "duplicate one_to_one";
static const char *const zOrphan = "orphan";
static const char *const zNoIndex = "missing index";
static const char *const zNoTrigger = "missing trigger";
static const char *const zStale = "stale trigger";
static const char *const zDupLink = "duplicate link";
static const char *const zNoReverse = "missing reverse";
static const char *const zBroken = "broken declaration";

/*
** xConnect: declare the table's schema and make the table object, which
** checkDisconnect() frees. Returns an SQLite code.
*/
static int checkConnect(sqlite3 *db, void *pAux, int argc,
                        const char *const *argv, sqlite3_vtab **ppVtab,
                        char **pzErr){
  CheckVtab *pNew;
  int rc;
  (void)argc; (void)argv; (void)pzErr;
  rc = sqlite3_declare_vtab(db,
      "CREATE TABLE x(relationship, problem, rowid, detail)");
  if( rc!=SQLITE_OK ) return rc;
  /* Reads only: safe anywhere. */
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  pNew = relMallocZero(sizeof(*pNew));
  if( pNew==0 ) return SQLITE_NOMEM;
  pNew->pGlobal = (RelGlobal*)pAux;
  *ppVtab = &pNew->base;
  return SQLITE_OK;
}

/*
** xDisconnect: free the table object from checkConnect().
*/
static int checkDisconnect(sqlite3_vtab *pVtab){
  sqlite3_free(pVtab->zErrMsg);
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

/*
** xBestIndex: one plan, a full scan of every check.
*/
static int checkBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  (void)pVtab;
  pInfo->estimatedCost = 1e6;
  pInfo->estimatedRows = 100;
  return SQLITE_OK;
}

/*
** xOpen: a new cursor with no checks, freed by checkClose().
*/
static int checkOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  CheckCursor *pCur = relMallocZero(sizeof(*pCur));
  (void)pVtab;
  if( pCur==0 ) return SQLITE_NOMEM;
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

/*
** Finalize the cursor's statement and free its checks.
*/
static void checkClear(CheckCursor *pCur){
  int i;
  sqlite3_finalize(pCur->pStmt);
  pCur->pStmt = 0;
  for(i=0; i<pCur->nItem; i++){
    sqlite3_free(pCur->aItem[i].zRel);
    sqlite3_free(pCur->aItem[i].zSql);
  }
  sqlite3_free(pCur->aItem);
  pCur->aItem = 0;
  pCur->nItem = pCur->nAlloc = 0;
  pCur->iItem = 0;
  pCur->iRowid = 0;
}

/*
** xClose: finalize the cursor's statement, free its checks and itself.
*/
static int checkClose(sqlite3_vtab_cursor *cur){
  checkClear((CheckCursor*)cur);
  sqlite3_free(cur);
  return SQLITE_OK;
}

/*
** Append a check to the cursor. Takes ownership of zSql (from
** sqlite3_mprintf(), freed here on failure); zRel is copied. Returns
** SQLITE_OK or SQLITE_NOMEM.
*/
static int checkAdd(CheckCursor *pCur, const char *zRel,
                    const char *zProblem, char *zSql){
  CheckItem *pItem;
  if( zSql==0 ) return SQLITE_NOMEM;
  if( pCur->nItem>=pCur->nAlloc ){
    int nNew = pCur->nAlloc ? pCur->nAlloc*2 : 16;
    CheckItem *aNew = sqlite3_realloc64(pCur->aItem, sizeof(CheckItem)*nNew);
    if( aNew==0 ){ sqlite3_free(zSql); return SQLITE_NOMEM; }
    pCur->aItem = aNew;
    pCur->nAlloc = nNew;
  }
  pItem = &pCur->aItem[pCur->nItem];
  pItem->zRel = relStrdup(zRel);
  if( pItem->zRel==0 ){ sqlite3_free(zSql); return SQLITE_NOMEM; }
  pItem->zProblem = zProblem;
  pItem->zSql = zSql;
  pCur->nItem++;
  return SQLITE_OK;
}

/*
** For a many-to-many through a WITHOUT ROWID association table (whose
** rows have no rowid to report): SQL appending the row's PRIMARY KEY to
** a detail, " || ' (a = ' || quote(c.a) || ', b = ' ... || ')'". An empty
** string otherwise; NULL when out of memory. The caller frees it.
*/
static char *checkRowName(RelDecl *p){
  sqlite3_str *pStr;
  int i, k, n = 0;
  if( p->eKind!=REL_MANY_TO_MANY || !p->sec.bWithoutRowid ){
    return sqlite3_mprintf("");
  }
  pStr = sqlite3_str_new(0);
  for(k=1; k<=p->sec.nCol; k++){
    for(i=0; i<p->sec.nCol; i++){
      const char *zCol = p->sec.aCol[i].zName;
      if( p->sec.aCol[i].iPk!=k ) continue;
      sqlite3_str_appendf(pStr, " || '%s%q = ' || quote(c.\"%w\")",
                          n++ ? ", " : " (", zCol, zCol);
    }
  }
  sqlite3_str_appendall(pStr, " || ')'");
  return sqlite3_str_finish(pStr);
}

/*
** The checks of the triggers of link pLink, reported under declaration p:
** each trigger the declarations aDecl[0..nDecl) install on the link
** (relLinkTriggers(), the SQL relInstall() runs) is in the schema, with
** the SQL SQLite stored for it ("CREATE TRIGGER " and the text from the
** name on). One statement per problem, a UNION ALL over the triggers in
** relTriggerPurpose() order. Returns an SQLite code.
*/
static int checkAddTriggers(
  CheckCursor *pCur, RelDecl *p, const RelLink *pLink,
  RelDecl **aDecl, int nDecl
){
  sqlite3 *db = ((CheckVtab*)pCur->base.pVtab)->pGlobal->db;
  RelLink link = *pLink;
  char *azSql[REL_NTRIGGER];
  sqlite3_str *aStr[2];
  char *zFix;
  int i, k, rc;

  rc = relLinkTriggers(db, p->zDb, &link, aDecl, nDecl, azSql, 0);
  zFix = sqlite3_mprintf("SELECT rel_repair() installs it again");
  aStr[0] = sqlite3_str_new(0);
  aStr[1] = sqlite3_str_new(0);
  if( rc==SQLITE_OK && zFix==0 ) rc = SQLITE_NOMEM;
  for(i=0; rc==SQLITE_OK && i<REL_NTRIGGER; i++){
    char *zName, *zQuoted;
    const char *zRest;        /* azSql[i] after the trigger's name */
    if( azSql[i]==0 ) continue;
    zName = sqlite3_mprintf("rel_%s_%s_%s", pLink->zChild, pLink->zCol,
                            relTriggerPurpose(i));
    zQuoted = sqlite3_mprintf("\"%w\"", zName);
    if( zName==0 || zQuoted==0 ){
      sqlite3_free(zName);
      sqlite3_free(zQuoted);
      rc = SQLITE_NOMEM;
      break;
    }
    /* A link column renamed (ALTER TABLE ... RENAME COLUMN): SQLite
    ** rewrote the triggers' SQL but kept their names, so the rule holds
    ** under the old name. Such a trigger, the same SQL under another
    ** name, counts as the one the declarations install */
    zRest = strncmp(azSql[i], zQuoted, strlen(zQuoted))==0
          ? azSql[i] + strlen(zQuoted) : 0;
    sqlite3_free(zQuoted);
    for(k=0; k<2; k++){
      if( sqlite3_str_length(aStr[k]) ){
        sqlite3_str_appendall(aStr[k], " UNION ALL ");
      }
    }
    sqlite3_str_appendf(aStr[0], "SELECT NULL, '%q: no such trigger, so its"
        " rule does not hold; %q' WHERE NOT EXISTS (SELECT 1 FROM"
        " \"%w\".sqlite_schema WHERE type = 'trigger' AND (name = '%q'"
        " COLLATE NOCASE", zName, zFix, p->zDb, zName);
    if( zRest ){
      sqlite3_str_appendf(aStr[0], " OR sql IS 'CREATE TRIGGER \"'"
          " || replace(name, '\"', '\"\"') || '\"%q'", zRest);
    }
    sqlite3_str_appendall(aStr[0], "))");
    sqlite3_str_appendf(aStr[1], "SELECT NULL, '%q: not the trigger the"
        " declarations install (its SQL differs); %q' FROM"
        " \"%w\".sqlite_schema WHERE type = 'trigger' AND name = '%q'"
        " COLLATE NOCASE AND sql IS NOT 'CREATE TRIGGER %q'",
        zName, zFix, p->zDb, zName, azSql[i]);
    sqlite3_free(zName);
  }
  for(k=0; k<2; k++){
    int bErr = sqlite3_str_errcode(aStr[k])!=SQLITE_OK;
    char *zSql = sqlite3_str_finish(aStr[k]);
    if( rc==SQLITE_OK && bErr ) rc = SQLITE_NOMEM;
    if( rc==SQLITE_OK && zSql ){
      /* (none at all when the link has no trigger: no check) */
      rc = checkAdd(pCur, p->zName, k==0 ? zNoTrigger : zStale, zSql);
    }else{
      sqlite3_free(zSql);
    }
  }
  for(i=0; i<REL_NTRIGGER; i++) sqlite3_free(azSql[i]);
  sqlite3_free(zFix);
  return rc;
}

/*
** Add the checks of link pLink, reported under declaration p (the first
** by name over the link); aDecl[0..nDecl) are all the declarations of the
** schema, whose rules on the link are merged. Returns an SQLite code.
*/
static int checkAddLink(
  CheckCursor *pCur, RelDecl *p, const RelLink *pLink,
  RelDecl **aDecl, int nDecl
){
  const char *zDb = p->zDb;
  const char *zWord;
  char *zKeyP = relBaseKey("p", pLink->pParentBase, pLink->zKey);
  const char *zR = relRowidName(pLink->pChildBase);   /* the child's rowid */
  char *zNotNull = sqlite3_mprintf("c.\"%w\" IS NOT NULL AND",
                                   pLink->zCol);
  const char *zKeyName = pLink->zKey ? pLink->zKey : "rowid";
  char *zWhich = checkRowName(p);
  int bOne = 0, bOrphan = 0;
  int i, rc;

  if( zKeyP==0 || zNotNull==0 || zWhich==0 ){ rc = SQLITE_NOMEM; goto done; }
  for(i=0; i<nDecl; i++){
    RelDecl *q = aDecl[i];
    if( q->eKind==REL_MANY_TO_MANY || !relDeclHasLink(q, pLink) ) continue;
    /* viewonly=1 only loads: it adds no rule, as for the triggers */
    if( q->bViewonly ) continue;
    if( q->bOneToOne ) bOne = 1;
    if( (q->mCascade & REL_CASCADE_DELETE_ORPHAN)
     && (q->eKind==REL_ONE_TO_MANY || q->eKind==REL_ONE_TO_ONE) ){
      bOrphan = 1;
    }
  }

  /* A reference to a row that is not there (an association row: also a
  ** NULL end, which links nothing). */
  switch( p->eKind ){
    case REL_MANY_TO_MANY: zWord = zDangling; break;
    case REL_MANY_TO_ONE:  zWord = zMissingTarget; break;
    default:               zWord = zMissingSource; break;
  }
  rc = checkAdd(pCur, p->zName, zWord, sqlite3_mprintf(
      "SELECT %s%s, CASE WHEN c.\"%w\" IS NULL THEN '%q.%q is NULL'"
      " ELSE '%q.%q = ' || quote(c.\"%w\") || ': no %q row with %q = '"
      " || quote(c.\"%w\") END%s"
      " FROM \"%w\".\"%w\" AS c WHERE %s NOT EXISTS (SELECT 1 FROM"
      " \"%w\".\"%w\" AS p WHERE %s = c.\"%w\")%s%s",
      *zWhich ? "NULL" : "c.", *zWhich ? "" : zR,
      pLink->zCol, pLink->zChild, pLink->zCol,
      pLink->zChild, pLink->zCol, pLink->zCol, pLink->zParent, zKeyName,
      pLink->zCol, zWhich,
      zDb, pLink->zChild,
      zWord==zDangling ? "" : zNotNull,
      zDb, pLink->zParent, zKeyP, pLink->zCol,
      *zWhich ? "" : " ORDER BY c.", *zWhich ? "" : zR));
  if( rc!=SQLITE_OK ) goto done;

  /* uselist=0: every row but the first with the same foreign key (under
  ** the key's collating sequence too, as the triggers compare) */
  if( bOne ){
    const char *zColl = relLinkKeyColl(pLink->pChildBase, pLink->zCol,
                                       pLink->pParentBase, pLink->zKey);
    char *zSame = zColl ? sqlite3_mprintf("d.\"%w\" = c.\"%w\" AND"
                                          " d.\"%w\" = c.\"%w\" COLLATE \"%w\"",
                                          pLink->zCol, pLink->zCol,
                                          pLink->zCol, pLink->zCol, zColl)
                        : sqlite3_mprintf("d.\"%w\" = c.\"%w\"",
                                          pLink->zCol, pLink->zCol);
    if( zSame==0 ){ rc = SQLITE_NOMEM; goto done; }
    rc = checkAdd(pCur, p->zName, zDuplicate, sqlite3_mprintf(
        "SELECT c.%s, '%q.%q = ' || quote(c.\"%w\") || ', as in %q row '"
        " || (SELECT min(d.%s) FROM \"%w\".\"%w\" AS d WHERE %s)"
        " || ': uselist=0 allows one %q row per %q row'"
        " FROM \"%w\".\"%w\" AS c WHERE c.\"%w\" IS NOT NULL AND EXISTS"
        " (SELECT 1 FROM \"%w\".\"%w\" AS d WHERE %s"
        " AND d.%s < c.%s) ORDER BY c.%s", zR,
        pLink->zChild, pLink->zCol, pLink->zCol, pLink->zChild,
        zR, zDb, pLink->zChild, zSame,
        pLink->zChild, pLink->zParent,
        zDb, pLink->zChild, pLink->zCol,
        zDb, pLink->zChild, zSame, zR, zR, zR));
    sqlite3_free(zSame);
    if( rc!=SQLITE_OK ) goto done;
  }

  /* delete-orphan: a row with no parent at all. In a self-referential
  ** table such a row is a root (a tree has one), not an orphan. */
  if( bOrphan && sqlite3_stricmp(pLink->zChild, pLink->zParent)!=0 ){
    rc = checkAdd(pCur, p->zName, zOrphan, sqlite3_mprintf(
        "SELECT c.%s, '%q.%q is NULL: a %q row without a %q row"
        " (delete-orphan)' FROM \"%w\".\"%w\" AS c WHERE c.\"%w\" IS NULL"
        " ORDER BY c.%s", zR,
        pLink->zChild, pLink->zCol, pLink->zChild, pLink->zParent,
        zDb, pLink->zChild, pLink->zCol, zR));
    if( rc!=SQLITE_OK ) goto done;
  }

  /* An index starting with the link column (or the column is the rowid),
  ** as rel_triggers.c looks for one. */
  rc = checkAdd(pCur, p->zName, zNoIndex, sqlite3_mprintf(
      "SELECT NULL, 'no index starts with %q.%q, so every lookup by it"
      " scans %q' WHERE NOT EXISTS (SELECT 1 FROM pragma_index_list('%q',"
      " '%q') AS il WHERE NOT il.partial AND (SELECT name FROM"
      " pragma_index_info(il.name, '%q') WHERE seqno=0) = '%q' COLLATE NOCASE"
      " UNION ALL SELECT 1 FROM pragma_table_info('%q', '%q') WHERE name ="
      " '%q' COLLATE NOCASE AND pk=1 AND type='INTEGER' COLLATE NOCASE AND"
      " (SELECT count(*) FROM pragma_table_info('%q', '%q') WHERE pk>0)=1)",
      pLink->zChild, pLink->zCol, pLink->zChild,
      pLink->zChild, zDb, zDb, pLink->zCol,
      pLink->zChild, zDb, pLink->zCol, pLink->zChild, zDb));
  if( rc!=SQLITE_OK ) goto done;

  rc = checkAddTriggers(pCur, p, pLink, aDecl, nDecl);

 done:
  sqlite3_free(zKeyP);
  sqlite3_free(zNotNull);
  sqlite3_free(zWhich);
  return rc;
}

/*
** SQL naming a row of p's association table by alias zAlias: its rowid
** (bName 0: "d.rowid"), or for a WITHOUT ROWID table its PRIMARY KEY
** columns ("d.\"a\", d.\"b\"") or, bName 1, a text of them, "(a = 1,
** b = 2)". NULL when out of memory; the caller frees it.
*/
static char *checkAssocRow(RelDecl *p, const char *zAlias, int bName){
  sqlite3_str *pStr;
  int i, k, n = 0;
  if( !p->sec.bWithoutRowid ){
    return sqlite3_mprintf("%s.%s", zAlias, relRowidName(&p->sec));
  }
  pStr = sqlite3_str_new(0);
  for(k=1; k<=p->sec.nCol; k++){
    for(i=0; i<p->sec.nCol; i++){
      const char *zCol = p->sec.aCol[i].zName;
      if( p->sec.aCol[i].iPk!=k ) continue;
      if( bName ){
        sqlite3_str_appendf(pStr, "%s'%s%q = ' || quote(%s.\"%w\")",
            n ? " || " : "", n ? ", " : "(", zCol, zAlias, zCol);
      }else{
        sqlite3_str_appendf(pStr, "%s%s.\"%w\"", n ? ", " : "", zAlias,
                            zCol);
      }
      n++;
    }
  }
  if( bName ) sqlite3_str_appendall(pStr, " || ')'");
  return sqlite3_str_finish(pStr);
}

/*
** The check of a symmetric=1 many-to-many p: a link is one association
** row, so a row holding the ends of another, either way round ((2, 1)
** after (1, 2)), is a duplicate that the relationship table shows twice.
** Every row but the first (lowest rowid; WITHOUT ROWID: lowest PRIMARY
** KEY) is reported, naming the first. Returns an SQLite code.
*/
static int checkAddSymmetric(CheckCursor *pCur, RelDecl *p){
  char *zKeyC = checkAssocRow(p, "c", 0);
  char *zKeyD = checkAssocRow(p, "d", 0);
  char *zNameD = checkAssocRow(p, "d", 1);
  char *zWhich = checkRowName(p);
  char *zSame = sqlite3_mprintf("(d.\"%w\" = c.\"%w\" AND d.\"%w\" ="
      " c.\"%w\" OR d.\"%w\" = c.\"%w\" AND d.\"%w\" = c.\"%w\")",
      p->zSrcCol, p->zSrcCol, p->zTgtCol, p->zTgtCol,
      p->zSrcCol, p->zTgtCol, p->zTgtCol, p->zSrcCol);
  int rc;
  if( zKeyC==0 || zKeyD==0 || zNameD==0 || zWhich==0 || zSame==0 ){
    rc = SQLITE_NOMEM;
  }else{
    rc = checkAdd(pCur, p->zName, zDupLink, sqlite3_mprintf(
        "SELECT %s, '%q.%q = ' || quote(c.\"%w\") || ', %q.%q = ' ||"
        " quote(c.\"%w\") || ': the link of %q row ' || (SELECT %s FROM"
        " \"%w\".\"%w\" AS d WHERE %s ORDER BY %s LIMIT 1) || ' again;"
        " symmetric=1 holds a link once, either way round'%s"
        " FROM \"%w\".\"%w\" AS c WHERE EXISTS (SELECT 1 FROM \"%w\".\"%w\""
        " AS d WHERE %s AND (%s) < (%s)) ORDER BY %s",
        p->sec.bWithoutRowid ? "NULL" : zKeyC,
        p->sec.zName, p->zSrcCol, p->zSrcCol,
        p->sec.zName, p->zTgtCol, p->zTgtCol, p->sec.zName,
        zNameD, p->zDb, p->sec.zName, zSame, zKeyD, zWhich,
        p->zDb, p->sec.zName, p->zDb, p->sec.zName, zSame, zKeyD, zKeyC,
        zKeyC));
  }
  sqlite3_free(zKeyC);
  sqlite3_free(zKeyD);
  sqlite3_free(zNameD);
  sqlite3_free(zWhich);
  sqlite3_free(zSame);
  return rc;
}

/*
** The check of p's back_populates among the nDecl declarations of its
** schema: the table it names is declared and names p back ("both sides
** must agree"; the other side dropped, or declared without it, breaks
** that). Returns an SQLite code.
*/
static int checkAddReverse(CheckCursor *pCur, RelDecl *p, RelDecl **aDecl,
                           int nDecl){
  RelDecl *q = 0;
  char *zDetail, *zSql;
  int j;
  for(j=0; j<nDecl; j++){
    if( sqlite3_stricmp(aDecl[j]->zName, p->zBackPop)==0 ) q = aDecl[j];
  }
  if( q && q->zBackPop && sqlite3_stricmp(q->zBackPop, p->zName)==0 ){
    return SQLITE_OK;
  }
  if( q && q->zBackref ){
    /* p is q's backref table, <q's target>_<backref> */
    char *zRev = sqlite3_mprintf("%s_%s", q->tgt.zName, q->zBackref);
    int bSame = zRev && sqlite3_stricmp(zRev, p->zName)==0;
    sqlite3_free(zRev);
    if( zRev==0 ) return SQLITE_NOMEM;
    if( bSame ) return SQLITE_OK;
  }
  if( q==0 ){
    zDetail = sqlite3_mprintf("back_populates=%s, which is not a"
                              " relationship table", p->zBackPop);
  }else if( q->zBackPop || q->zBackref ){
    /* (another back_populates is refused when declared; a backref not) */
    zDetail = sqlite3_mprintf("back_populates=%s, but %s says %s=%s",
        p->zBackPop, q->zName, q->zBackPop ? "back_populates" : "backref",
        q->zBackPop ? q->zBackPop : q->zBackref);
  }else{
    zDetail = sqlite3_mprintf("back_populates=%s, but %s has no"
                              " back_populates", p->zBackPop, q->zName);
  }
  if( zDetail==0 ) return SQLITE_NOMEM;
  zSql = sqlite3_mprintf("SELECT NULL, %Q", zDetail);
  sqlite3_free(zDetail);
  return checkAdd(pCur, p->zName, zNoReverse, zSql);
}

/*
** Add the checks of schema zDb to the cursor. Each relationship table's
** declaration is read afresh from the schema (relDeclRead(): a table
** dropped on this connection since the relationship table was connected
** counts); one whose tables no longer fit becomes a "broken declaration"
** check, in its place by name. Any other error is returned with *pzErr
** set (the caller frees it).
*/
static int checkAddSchema(CheckCursor *pCur, RelGlobal *pGlobal,
                          const char *zDb, char **pzErr){
  sqlite3 *db = pGlobal->db;
  sqlite3_stmt *pStmt = 0;
  RelDecl **aDecl = 0;        /* The declarations that read, by name */
  char **azName = 0;          /* Every relationship table, by name */
  char **azBroken = 0;        /* Why each does not read, or NULL */
  int *aiDecl = 0;            /* Its index in aDecl, or -1 */
  int nName = 0, nDecl = 0;
  int i, j, k, rc;

  rc = relDeclRows(db, zDb, &pStmt, pzErr);
  if( rc!=SQLITE_OK ) return rc;
  while( sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zName = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zSql = (const char*)sqlite3_column_text(pStmt, 1);
    RelDecl *pDecl = 0;
    char *zErr = 0;
    void *pNew;
    if( zName==0 || zSql==0 ){ rc = SQLITE_NOMEM; break; }  /* not NULL */
    rc = relDeclRead(db, zDb, zName, zSql, &pDecl, &zErr);
    if( rc==SQLITE_OK && pDecl==0 ) continue;     /* another module's */
    if( rc!=SQLITE_OK && rc!=SQLITE_ERROR ){
      sqlite3_free(zErr);
      if( rc!=SQLITE_NOMEM ) *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(db));
      break;
    }
    pNew = sqlite3_realloc64(azName, sizeof(char*)*(nName+1));
    if( pNew ) azName = pNew;
    pNew = pNew ? sqlite3_realloc64(azBroken, sizeof(char*)*(nName+1)) : 0;
    if( pNew ) azBroken = pNew;
    pNew = pNew ? sqlite3_realloc64(aiDecl, sizeof(int)*(nName+1)) : 0;
    if( pNew ) aiDecl = pNew;
    pNew = pNew ? sqlite3_realloc64(aDecl, sizeof(RelDecl*)*(nDecl+1)) : 0;
    if( pNew ) aDecl = pNew;
    if( pNew ){
      azName[nName] = relStrdup(zName);
      azBroken[nName] = zErr;
      aiDecl[nName] = pDecl ? nDecl : -1;
      nName++;
      if( pDecl ) aDecl[nDecl++] = pDecl;
      zErr = 0;
      pDecl = 0;
    }
    sqlite3_free(zErr);
    relDeclFree(pDecl);
    rc = (pNew && azName[nName-1]) ? SQLITE_OK : SQLITE_NOMEM;
    if( rc!=SQLITE_OK ) break;
  }
  /* a step that failed (out of memory) ends the loop: its code is here */
  if( rc==SQLITE_OK ){
    rc = sqlite3_finalize(pStmt);
    if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
      *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(db));
    }
  }else{
    sqlite3_finalize(pStmt);
  }

  /* Table by table, by name: a broken declaration; each link once, under
  ** the first declaration (by name) over it; back_populates. */
  for(i=0; rc==SQLITE_OK && i<nName; i++){
    RelDecl *p;
    RelLink aLink[2];
    int nLink, iDecl = aiDecl[i];
    if( iDecl<0 ){
      /* the message every use of the table gives, less its
      ** "relationship X: " */
      const char *zMsg = azBroken[i];
      char *zPre = sqlite3_mprintf("relationship %s: ", azName[i]);
      if( zPre==0 ){ rc = SQLITE_NOMEM; break; }
      if( sqlite3_strnicmp(zMsg, zPre, (int)strlen(zPre))==0 ){
        zMsg += strlen(zPre);
      }
      sqlite3_free(zPre);
      rc = checkAdd(pCur, azName[i], zBroken,
                    sqlite3_mprintf("SELECT NULL, '%q'", zMsg));
      continue;
    }
    p = aDecl[iDecl];
    nLink = relDeclLinks(p, aLink);
    for(k=0; rc==SQLITE_OK && k<nLink; k++){
      for(j=0; j<iDecl; j++){
        if( relDeclHasLink(aDecl[j], &aLink[k]) ) break;
      }
      if( j<iDecl ) continue;
      rc = checkAddLink(pCur, p, &aLink[k], aDecl, nDecl);
    }
    if( rc==SQLITE_OK && p->bSymmetric ){
      /* once per association table, under the first symmetric name */
      for(j=0; j<iDecl; j++){
        if( aDecl[j]->bSymmetric && relDeclHasLink(aDecl[j], &aLink[0]) ){
          break;
        }
      }
      if( j==iDecl ) rc = checkAddSymmetric(pCur, p);
    }
    if( rc==SQLITE_OK && p->zBackPop ){
      /* a table named that cannot be read is reported as broken */
      for(j=0; j<nName; j++){
        if( aiDecl[j]<0 && sqlite3_stricmp(azName[j], p->zBackPop)==0 ) break;
      }
      if( j==nName ) rc = checkAddReverse(pCur, p, aDecl, nDecl);
    }
  }
  for(i=0; i<nName; i++){
    sqlite3_free(azName[i]);
    sqlite3_free(azBroken[i]);
  }
  sqlite3_free(azName);
  sqlite3_free(azBroken);
  sqlite3_free(aiDecl);
  relFreeDecls(aDecl, nDecl);
  return rc;
}

/*
** Step the checks from the current one until one yields a row (pStmt is
** on it) or none is left (pStmt NULL, iItem==nItem). Returns an SQLite
** code; a failing check sets the table's error message.
*/
static int checkStep(CheckCursor *pCur){
  sqlite3 *db = ((CheckVtab*)pCur->base.pVtab)->pGlobal->db;
  while( pCur->iItem<pCur->nItem ){
    int rc;
    if( pCur->pStmt==0 ){
      rc = sqlite3_prepare_v2(db, pCur->aItem[pCur->iItem].zSql, -1,
                              &pCur->pStmt, 0);
      if( rc!=SQLITE_OK ){
        relVtabError(pCur->base.pVtab, "rel_check: %s: %s",
                     pCur->aItem[pCur->iItem].zRel, sqlite3_errmsg(db));
        return rc;
      }
    }
    rc = sqlite3_step(pCur->pStmt);
    if( rc==SQLITE_ROW ){
      pCur->iRowid++;
      return SQLITE_OK;
    }
    if( rc!=SQLITE_DONE ){
      rc = sqlite3_finalize(pCur->pStmt);
      pCur->pStmt = 0;
      relVtabError(pCur->base.pVtab, "rel_check: %s: %s",
                   pCur->aItem[pCur->iItem].zRel, sqlite3_errmsg(db));
      return rc;
    }
    sqlite3_finalize(pCur->pStmt);
    pCur->pStmt = 0;
    pCur->iItem++;
  }
  return SQLITE_OK;
}

/*
** xFilter: list the checks of every schema, then run to the first row.
*/
static int checkFilter(sqlite3_vtab_cursor *cur, int idxNum,
                       const char *idxStr, int argc, sqlite3_value **argv){
  CheckCursor *pCur = (CheckCursor*)cur;
  RelGlobal *pGlobal = ((CheckVtab*)cur->pVtab)->pGlobal;
  sqlite3_stmt *pDbs = 0;
  int rc;
  (void)idxNum; (void)idxStr; (void)argc; (void)argv;
  checkClear(pCur);
  rc = relPrepare(pGlobal->db, &pDbs,
                  "SELECT name FROM pragma_database_list ORDER BY seq");
  while( rc==SQLITE_OK && sqlite3_step(pDbs)==SQLITE_ROW ){
    char *zDb = relStrdup((const char*)sqlite3_column_text(pDbs, 0));
    char *zErr = 0;
    if( zDb==0 ){ rc = SQLITE_NOMEM; break; }
    rc = checkAddSchema(pCur, pGlobal, zDb, &zErr);
    sqlite3_free(zDb);
    if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
      relVtabError(cur->pVtab, "rel_check: %s", zErr ? zErr : "error");
    }
    sqlite3_free(zErr);
  }
  /* a step that failed (out of memory) ends the loop: its code is here */
  if( rc==SQLITE_OK ){
    rc = sqlite3_finalize(pDbs);
  }else{
    sqlite3_finalize(pDbs);
  }
  if( rc==SQLITE_OK ) rc = checkStep(pCur);
  return rc;
}

/*
** xNext: the next row of the current check, or of the next one.
*/
static int checkNext(sqlite3_vtab_cursor *cur){
  CheckCursor *pCur = (CheckCursor*)cur;
  return checkStep(pCur);
}

/*
** xEof: 1 when every check has run out of rows.
*/
static int checkEof(sqlite3_vtab_cursor *cur){
  CheckCursor *pCur = (CheckCursor*)cur;
  return pCur->iItem>=pCur->nItem;
}

/*
** xColumn: relationship, problem, rowid, detail.
*/
static int checkColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx,
                       int i){
  CheckCursor *pCur = (CheckCursor*)cur;
  CheckItem *pItem = &pCur->aItem[pCur->iItem];
  switch( i ){
    case 0:
      sqlite3_result_text(ctx, pItem->zRel, -1, SQLITE_TRANSIENT);
      break;
    case 1:
      sqlite3_result_text(ctx, pItem->zProblem, -1, SQLITE_STATIC);
      break;
    default:
      sqlite3_result_value(ctx, sqlite3_column_value(pCur->pStmt, i-2));
      break;
  }
  return SQLITE_OK;
}

/*
** xRowid: the row's number in this scan, from 1.
*/
static int checkRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = ((CheckCursor*)cur)->iRowid;
  return SQLITE_OK;
}

static sqlite3_module checkModule = {
  /* iVersion    */ 0,
  /* xCreate     */ 0,
  /* xConnect    */ checkConnect,
  /* xBestIndex  */ checkBestIndex,
  /* xDisconnect */ checkDisconnect,
  /* xDestroy    */ 0,
  /* xOpen       */ checkOpen,
  /* xClose      */ checkClose,
  /* xFilter     */ checkFilter,
  /* xNext       */ checkNext,
  /* xEof        */ checkEof,
  /* xColumn     */ checkColumn,
  /* xRowid      */ checkRowid,
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
** Register rel_check on db. Returns an SQLite code.
*/
int relRegisterCheck(sqlite3 *db, RelGlobal *pGlobal){
  return sqlite3_create_module(db, "rel_check", &checkModule, pGlobal);
}
