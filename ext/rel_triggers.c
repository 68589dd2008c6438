/*
** rel_triggers.c: what a declaration installs in the schema, so that the
** rules hold for every writer, with or without the extension loaded.
**
** USAGE
**
**     CREATE TABLE parent(id INTEGER PRIMARY KEY);
**     CREATE TABLE child(id INTEGER PRIMARY KEY,
**                        parent_id INTEGER REFERENCES parent(id));
**     CREATE VIRTUAL TABLE parent_children USING relationship(parent, child,
**                                                  cascade='all, delete-orphan');
**     SELECT name FROM sqlite_schema WHERE name LIKE 'rel_%';
**         -- rel_child_parent_id_idx     the index the traversal needs
**         -- rel_child_parent_id_delete  parent deleted: its children too
**         -- rel_child_parent_id_key     parent key changed: carried over
**         -- rel_child_parent_id_orphan  child unlinked: deleted
**     DELETE FROM parent WHERE id = 1;      -- plain SQL: children go too
**
** HOW IT WORKS
**
** A "link" is one column holding a reference: child.parent_id for a
** one-to-many or many-to-one, and each of the association table's two
** columns for a many-to-many. Every declaration over a link has a say in
** its rules (a back_populates pair declares the same link twice; a
** many-to-many's two sides share the association table). Whenever a
** declaration is created or dropped, the rules of its links are worked out
** again from all the declarations that remain, and the link's triggers,
** named rel_<table>_<column>_<purpose>, are dropped and created anew:
**
**   _delete      the referenced row is deleted: set NULL (default), refuse
**                (a NOT NULL column), delete the referring rows (cascade
**                delete, and always for association rows); none with
**                passive_deletes=1
**   _key         the referenced key changes: carried to the referring rows
**   _orphan      delete-orphan: a row whose reference becomes NULL goes
**   _one_insert, _one_update   uselist=0: a second referring row is refused
**
** and the index rel_<table>_<column>_idx, when the column has none. They
** are ordinary schema objects: plain SQL that runs whoever writes.
*/
#include "relationship_int.h"


#define DEL_NONE     0    /* passive_deletes: nothing */
#define DEL_SETNULL  1
#define DEL_DELETE   2

/* The rules of one link, merged over the declarations on it. */
typedef struct RelRules RelRules;
struct RelRules {
  int nDecl;            /* Declarations over the link */
  int bPassive;         /* One of them says passive_deletes=1 */
  int eDelete;          /* DEL_SETNULL or DEL_DELETE */
  int bOrphan;          /* delete-orphan */
  int bOne;             /* uselist=0 */
  int bIndex;           /* create_index (any of them) */
  const char *zName;    /* Relationship named in messages */
  RelDecl *pOrder;      /* A collection whose order_by the index serves */
  const char *zOne;     /* The declaration that says uselist=0 */
};

/* The triggers of a link, in this order (REL_NTRIGGER of them) */
static const char *const azPurpose[REL_NTRIGGER] = {
  "delete", "key", "orphan", "one_insert", "one_update"
};

/*
** The links of declaration p into aLink[] (2 entries); returns how many.
*/
int relDeclLinks(RelDecl *p, RelLink *aLink){
  switch( p->eKind ){
    case REL_ONE_TO_MANY:
    case REL_ONE_TO_ONE:
      aLink[0].zNext = 0;
      aLink[0].zChild = p->tgt.zName;  aLink[0].zCol = p->zFk;
      aLink[0].zParent = p->src.zName; aLink[0].zKey = p->zSrcKey;
      aLink[0].pChildBase = &p->tgt;   aLink[0].pParentBase = &p->src;
      return 1;
    case REL_MANY_TO_ONE:
      aLink[0].zNext = 0;
      aLink[0].zChild = p->src.zName;  aLink[0].zCol = p->zFk;
      aLink[0].zParent = p->tgt.zName; aLink[0].zKey = p->zTgtKey;
      aLink[0].pChildBase = &p->src;   aLink[0].pParentBase = &p->tgt;
      return 1;
    default:
      aLink[0].zChild = p->sec.zName;  aLink[0].zCol = p->zSrcCol;
      aLink[0].zParent = p->src.zName; aLink[0].zKey = p->zSrcKey;
      aLink[1].zChild = p->sec.zName;  aLink[1].zCol = p->zTgtCol;
      aLink[1].zParent = p->tgt.zName; aLink[1].zKey = p->zTgtKey;
      aLink[0].pChildBase = aLink[1].pChildBase = &p->sec;
      aLink[0].pParentBase = &p->src;
      aLink[1].pParentBase = &p->tgt;
      aLink[0].zNext = p->zTgtCol;
      aLink[1].zNext = p->zSrcCol;
      return 2;
  }
}

/*
** Is pL one of declaration p's links (the same column of the same table)?
** Returns 1 or 0.
*/
int relDeclHasLink(RelDecl *p, const RelLink *pL){
  RelLink aLink[2];
  int n = relDeclLinks(p, aLink);
  int i;
  for(i=0; i<n; i++){
    if( sqlite3_stricmp(aLink[i].zChild, pL->zChild)==0
     && sqlite3_stricmp(aLink[i].zCol, pL->zCol)==0 ) return 1;
  }
  return 0;
}

/*
** Fold declaration p into the rules of link pLink, if p is over it.
*/
static void relRulesAdd(RelRules *pR, RelDecl *p, RelLink *pLink){
  RelLink aLink[2];
  int n = relDeclLinks(p, aLink);
  int i;
  for(i=0; i<n; i++){
    if( sqlite3_stricmp(aLink[i].zChild, pLink->zChild)==0
     && sqlite3_stricmp(aLink[i].zCol, pLink->zCol)==0 ) break;
  }
  if( i==n ) return;
  pR->nDecl++;
  if( p->bViewonly ){
    /* loads only: it adds no rule, only (maybe) the index it reads by */
    if( p->bCreateIndex ) pR->bIndex = 1;
    if( p->zOrderBy && pR->pOrder==0 ) pR->pOrder = p;
    return;
  }
  if( p->zOrderBy && p->eKind!=REL_MANY_TO_MANY && p->bUselist ){
    pR->pOrder = p;
  }
  if( p->bPassive ) pR->bPassive = 1;
  if( p->bCreateIndex ) pR->bIndex = 1;
  if( p->bOneToOne ){
    pR->bOne = 1;
    /* the scalar side (one_to_one) speaks, whichever is listed first */
    if( pR->zOne==0 || p->eKind==REL_ONE_TO_ONE ) pR->zOne = p->zName;
  }
  switch( p->eKind ){
    case REL_MANY_TO_MANY:
      pR->eDelete = DEL_DELETE;
      if( pR->zName==0 ) pR->zName = p->zName;
      break;
    case REL_MANY_TO_ONE:
      if( pR->eDelete<DEL_SETNULL ) pR->eDelete = DEL_SETNULL;
      if( pR->zName==0 ) pR->zName = p->zName;
      break;
    default:
      if( p->mCascade & REL_CASCADE_DELETE ) pR->eDelete = DEL_DELETE;
      else if( pR->eDelete<DEL_SETNULL ) pR->eDelete = DEL_SETNULL;
      if( p->mCascade & REL_CASCADE_DELETE_ORPHAN ) pR->bOrphan = 1;
      pR->zName = p->zName;      /* the collection side speaks */
      break;
  }
}

/*
** Is column zCol of table zTable (schema zDb) NOT NULL? And what does the
** table's own FOREIGN KEY clause on it say ON DELETE (into *pzOnDelete,
** freed by the caller; NULL when there is no such clause)?
*/
static int relColumnFacts(
  sqlite3 *db, const char *zDb, const char *zTable, const char *zCol,
  const char *zParent, int *pbNotNull, char **pzOnDelete
){
  sqlite3_stmt *pStmt = 0;
  int rc = relPrepare(db, &pStmt,
      "SELECT (SELECT \"notnull\" FROM pragma_table_info(?1, ?2)"
      "        WHERE name=?3 COLLATE NOCASE),"
      "       (SELECT on_delete FROM pragma_foreign_key_list(?1, ?2)"
      "        WHERE \"from\"=?3 COLLATE NOCASE AND \"table\"=?4"
      "        COLLATE NOCASE)");
  *pbNotNull = 0;
  *pzOnDelete = 0;
  if( rc!=SQLITE_OK ) return rc;
  sqlite3_bind_text(pStmt, 1, zTable, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, zDb, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 3, zCol, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 4, zParent, -1, SQLITE_STATIC);
  if( sqlite3_step(pStmt)==SQLITE_ROW ){
    *pbNotNull = sqlite3_column_int(pStmt, 0);
    *pzOnDelete = relStrdup((const char*)sqlite3_column_text(pStmt, 1));
  }
  return sqlite3_finalize(pStmt);
}

/*
** Drop the triggers of a link, and (bIndex) the index we made for it.
*/
static int relDropLink(sqlite3 *db, const char *zDb, RelLink *pL,
                       int bIndex, char **pzErr){
  int rc = SQLITE_OK;
  size_t i;
  for(i=0; rc==SQLITE_OK && i<sizeof(azPurpose)/sizeof(azPurpose[0]); i++){
    rc = relExec(db, pzErr, "DROP TRIGGER IF EXISTS \"%w\".\"rel_%w_%w_%w\"",
                 zDb, pL->zChild, pL->zCol, azPurpose[i]);
  }
  if( rc==SQLITE_OK && bIndex ){
    rc = relExec(db, pzErr, "DROP INDEX IF EXISTS \"%w\".\"rel_%w_%w_idx\"",
                 zDb, pL->zChild, pL->zCol);
  }
  return rc;
}

/*
** Run zSql, a question about column zCol of table zTable in schema zDb
** (?1 table, ?2 schema, ?3 column): *pbYes is whether it returns a row.
*/
static int relSchemaAsk(sqlite3 *db, const char *zSql, const char *zDb,
                        const char *zTable, const char *zCol, int *pbYes){
  sqlite3_stmt *pStmt = 0;
  int rc = relPrepare(db, &pStmt, "%s", zSql);
  *pbYes = 0;
  if( rc!=SQLITE_OK ) return rc;
  sqlite3_bind_text(pStmt, 1, zTable, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, zDb, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 3, zCol, -1, SQLITE_STATIC);
  *pbYes = sqlite3_step(pStmt)==SQLITE_ROW;
  return sqlite3_finalize(pStmt);
}

/*
** Does some index of table zTable start with column zCol (or is zCol the
** INTEGER PRIMARY KEY)?
*/
static int relHasIndex(sqlite3 *db, const char *zDb, const char *zTable,
                       const char *zCol, int *pbHas){
  return relSchemaAsk(db,
      "SELECT 1 FROM pragma_index_list(?1, ?2) AS il"
      " WHERE NOT il.partial AND (SELECT name FROM pragma_index_info(il.name,"
      " ?2) WHERE seqno=0)=?3 COLLATE NOCASE"
      " UNION ALL SELECT 1 FROM pragma_table_info(?1, ?2)"
      " WHERE name=?3 COLLATE NOCASE AND pk=1 AND type='INTEGER' COLLATE"
      " NOCASE AND (SELECT count(*) FROM pragma_table_info(?1, ?2)"
      " WHERE pk>0)=1", zDb, zTable, zCol, pbHas);
}

/*
** Is key zKey (NULL: the rowid) of table zTable its rowid? An INTEGER
** PRIMARY KEY is, unless SQLite made an index for it (PRIMARY KEY DESC,
** WITHOUT ROWID): such a key is a column of its own.
*/
static int relKeyIsRowid(sqlite3 *db, const char *zDb, const char *zTable,
                         const char *zKey, int *pbRowid){
  if( zKey==0 ){
    *pbRowid = 1;
    return SQLITE_OK;
  }
  return relSchemaAsk(db,
      "SELECT 1 FROM pragma_table_info(?1, ?2)"
      " WHERE name=?3 COLLATE NOCASE AND pk=1 AND type='INTEGER' COLLATE"
      " NOCASE AND (SELECT count(*) FROM pragma_table_info(?1, ?2)"
      " WHERE pk>0)=1 AND NOT EXISTS(SELECT 1 FROM pragma_index_list(?1, ?2)"
      " WHERE origin='pk')", zDb, zTable, zKey, pbRowid);
}

/*
** Set *pz to z, from sqlite3_mprintf(): SQLITE_NOMEM when it is NULL.
*/
static int relSqlSet(char **pz, char *z){
  *pz = z;
  return z ? SQLITE_OK : SQLITE_NOMEM;
}

/*
** The triggers of link pL under rules pR, as SQL without executing it:
** azSql[i] (REL_NTRIGGER entries, the purposes of azPurpose[] in order)
** is the text of CREATE TRIGGER from the trigger's name on ("\"rel_..."
** BEFORE DELETE ON ..."), or NULL when the rules call for no such
** trigger. SQLite stores "CREATE TRIGGER " and that text in
** sqlite_schema.sql, whatever schema the statement named. The caller
** frees the strings (also on error). Returns an SQLite code.
*/
static int relLinkTriggerSql(sqlite3 *db, const char *zDb, RelLink *pL,
                             RelRules *pR, char **azSql){
  char *zKeyOld = relBaseKey("OLD", pL->pParentBase, pL->zKey);
  const char *zRowid = relRowidName(pL->pChildBase);   /* the child's */
  char *zMsg = 0;
  char *zOnDelete = 0;
  char *zAlso = 0;            /* " AND col = OLD.key COLLATE <key's>" */
  char *zNewAlso = 0;         /* " AND col = NEW.col COLLATE <key's>" */
  char *zTreeAlso = 0;        /* " AND c.col = sub.k COLLATE <key's>" */
  int bNotNull = 0;
  int eDelete = pR->eDelete;
  int iKeyCol = pL->zKey ? relColumnIndex(pL->pParentBase, pL->zKey) : -1;
  const char *zKeyColl = iKeyCol>=0 ? pL->pParentBase->aCol[iKeyCol].zColl
                                    : 0;
  int bKeyGenerated = iKeyCol>=0 && pL->pParentBase->aCol[iKeyCol].bGenerated;
  /* A link holds its key as the referenced row stores it. A column that
  ** compares under another collating sequence than the key (a NOCASE
  ** child.parent_code referring to a BINARY parent.code) would take
  ** 'ABC' for the key 'abc', another row's: the rules compare under both,
  ** the column's first, so that its index serves (zBoth: the key's). And
  ** a NOCASE key changed from 'abc' to 'ABC' is a change to carry: the
  ** WHEN of _key compares as BINARY. (Neither adds anything where the
  ** sequences are BINARY, or the same.) */
  const char *zBoth = relLinkKeyColl(pL->pChildBase, pL->zCol,
                                     pL->pParentBase, pL->zKey);
  int rc;

  if( zKeyColl && sqlite3_stricmp(zKeyColl, "BINARY")==0 ) zKeyColl = 0;

  memset(azSql, 0, sizeof(char*)*REL_NTRIGGER);
  rc = zKeyOld ? SQLITE_OK : SQLITE_NOMEM;
  if( rc==SQLITE_OK ){
    zAlso = zBoth ? sqlite3_mprintf(" AND \"%w\" = %s COLLATE \"%w\"",
                                    pL->zCol, zKeyOld, zBoth)
                  : sqlite3_mprintf("");
    zNewAlso = zBoth ? sqlite3_mprintf(" AND \"%w\" = NEW.\"%w\" COLLATE"
                                       " \"%w\"", pL->zCol, pL->zCol, zBoth)
                     : sqlite3_mprintf("");
    zTreeAlso = zBoth ? sqlite3_mprintf(" AND c.\"%w\" = sub.k COLLATE"
                                        " \"%w\"", pL->zCol, zBoth)
                      : sqlite3_mprintf("");
    if( zAlso==0 || zNewAlso==0 || zTreeAlso==0 ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ){
    rc = relColumnFacts(db, zDb, pL->zChild, pL->zCol, pL->zParent,
                        &bNotNull, &zOnDelete);
  }
  if( rc!=SQLITE_OK ) goto done;

  /* The table's own ON DELETE CASCADE / SET NULL says what it wants. */
  if( zOnDelete && eDelete==DEL_SETNULL ){
    if( sqlite3_stricmp(zOnDelete, "CASCADE")==0 ) eDelete = DEL_DELETE;
  }

  if( eDelete==DEL_NONE ){
    /* only view-only declarations: no rule */
  }else if( !pR->bPassive && eDelete==DEL_SETNULL && bNotNull ){
    zMsg = sqlite3_mprintf("relationship %s: cannot delete a %s row that"
        " %s rows refer to: %s.%s is NOT NULL; delete them first, or"
        " declare cascade='all, delete-orphan'", pR->zName, pL->zParent,
        pL->zChild, pL->zChild, pL->zCol);
    if( zMsg==0 ){ rc = SQLITE_NOMEM; goto done; }
    rc = relSqlSet(&azSql[0], sqlite3_mprintf(
        "\"rel_%w_%w_delete\" BEFORE DELETE ON \"%w\""
        " WHEN EXISTS (SELECT 1 FROM \"%w\" WHERE \"%w\" = %s%s)"
        " BEGIN SELECT RAISE(ABORT, '%q'); END",
        pL->zChild, pL->zCol, pL->zParent, pL->zChild, pL->zCol,
        zKeyOld, zAlso, zMsg));
  }else if( !pR->bPassive && eDelete==DEL_SETNULL ){
    rc = relSqlSet(&azSql[0], sqlite3_mprintf(
        "\"rel_%w_%w_delete\" AFTER DELETE ON \"%w\""
        " BEGIN UPDATE \"%w\" SET \"%w\" = NULL WHERE \"%w\" = %s%s; END",
        pL->zChild, pL->zCol, pL->zParent, pL->zChild, pL->zCol,
        pL->zCol, zKeyOld, zAlso));
  }else if( !pR->bPassive && eDelete==DEL_DELETE
         && sqlite3_stricmp(pL->zChild, pL->zParent)==0 ){
    /* A tree: the whole subtree goes in one statement, so that it does
    ** not depend on PRAGMA recursive_triggers. sub starts from OLD's key
    ** and holds each row below: its rowid when that is the key, else its
    ** key and rowid (a key may be NULL; the rowid reaches the row without
    ** another look-up). A key other than the rowid is wrapped in unary +
    ** in both arms, so that sub.k has no affinity and compares as the
    ** relationship table reads: SQLite 3.40 took a compound CTE column's
    ** affinity from its first arm, newer releases from any arm that has
    ** one (c's key column), which made '2' find 2 (cascade.test 4.8). */
    char *zKeyC = relBaseKey("c", pL->pParentBase, pL->zKey);
    int bRowid = 0;
    if( zKeyC==0 ){ rc = SQLITE_NOMEM; goto done; }
    rc = relKeyIsRowid(db, zDb, pL->zParent, pL->zKey, &bRowid);
    if( rc==SQLITE_OK && bRowid ){
      rc = relSqlSet(&azSql[0], sqlite3_mprintf(
        "\"rel_%w_%w_delete\" AFTER DELETE ON \"%w\""
        " BEGIN DELETE FROM \"%w\" WHERE %s IN ("
        "WITH RECURSIVE sub(r) AS (SELECT %s UNION"
        " SELECT c.%s FROM \"%w\" AS c JOIN sub ON c.\"%w\" = sub.r)"
        " SELECT r FROM sub); END",
        pL->zChild, pL->zCol, pL->zParent, pL->zChild, zRowid, zKeyOld,
        zRowid, pL->zChild, pL->zCol));
    }else if( rc==SQLITE_OK ){
      rc = relSqlSet(&azSql[0], sqlite3_mprintf(
        "\"rel_%w_%w_delete\" AFTER DELETE ON \"%w\""
        " BEGIN DELETE FROM \"%w\" WHERE %s IN ("
        "WITH RECURSIVE sub(k, r) AS (SELECT +%s, NULL UNION"
        " SELECT +%s, c.%s FROM \"%w\" AS c JOIN sub ON c.\"%w\" = sub.k"
        "%s) SELECT r FROM sub); END",
        pL->zChild, pL->zCol, pL->zParent, pL->zChild, zRowid, zKeyOld,
        zKeyC, zRowid, pL->zChild, pL->zCol, zTreeAlso));
    }
    sqlite3_free(zKeyC);
  }else if( !pR->bPassive && eDelete==DEL_DELETE ){
    /* BEFORE: the children go first, as SQLAlchemy deletes them, so the
    ** table's own ON DELETE SET NULL / RESTRICT finds none left */
    rc = relSqlSet(&azSql[0], sqlite3_mprintf(
        "\"rel_%w_%w_delete\" BEFORE DELETE ON \"%w\""
        " BEGIN DELETE FROM \"%w\" WHERE \"%w\" = %s%s; END",
        pL->zChild, pL->zCol, pL->zParent, pL->zChild, pL->zCol,
        zKeyOld, zAlso));
  }
  if( rc!=SQLITE_OK ) goto done;

  if( pL->zKey && eDelete!=DEL_NONE ){
    /* A generated key changes with the columns it is made of, and an
    ** UPDATE OF trigger fires only for the columns an UPDATE names: such
    ** a key's rule fires on every UPDATE, its WHEN telling a change */
    char *zOf = bKeyGenerated ? sqlite3_mprintf("")
                              : sqlite3_mprintf(" OF \"%w\"", pL->zKey);
    rc = zOf ? relSqlSet(&azSql[1], sqlite3_mprintf(
        "\"rel_%w_%w_key\" AFTER UPDATE%s ON"
        " \"%w\" WHEN OLD.\"%w\" IS NOT NEW.\"%w\"%s"
        " BEGIN UPDATE \"%w\" SET \"%w\" = NEW.\"%w\" WHERE \"%w\" ="
        " OLD.\"%w\"%s; END",
        pL->zChild, pL->zCol, zOf, pL->zParent, pL->zKey,
        pL->zKey, zKeyColl ? " COLLATE BINARY" : "", pL->zChild, pL->zCol,
        pL->zKey, pL->zCol, pL->zKey, zAlso)) : SQLITE_NOMEM;
    sqlite3_free(zOf);
    if( rc!=SQLITE_OK ) goto done;
  }

  if( pR->bOrphan ){
    rc = relSqlSet(&azSql[2], sqlite3_mprintf(
        "\"rel_%w_%w_orphan\" AFTER UPDATE OF \"%w\" ON"
        " \"%w\" WHEN NEW.\"%w\" IS NULL AND OLD.\"%w\" IS NOT NULL"
        " BEGIN DELETE FROM \"%w\" WHERE %s = NEW.%s; END",
        pL->zChild, pL->zCol, pL->zCol, pL->zChild, pL->zCol, pL->zCol,
        pL->zChild, zRowid, zRowid));
    if( rc!=SQLITE_OK ) goto done;
  }

  if( pR->bOne ){
    sqlite3_free(zMsg);
    zMsg = sqlite3_mprintf("relationship %s: a %s row can have only one"
        " %s (uselist=0)", pR->zOne, pL->zParent, pL->zChild);
    if( zMsg==0 ){ rc = SQLITE_NOMEM; goto done; }
    rc = relSqlSet(&azSql[3], sqlite3_mprintf(
        "\"rel_%w_%w_one_insert\" BEFORE INSERT ON"
        " \"%w\" WHEN NEW.\"%w\" IS NOT NULL AND EXISTS (SELECT 1 FROM \"%w\""
        " WHERE \"%w\" = NEW.\"%w\"%s)"
        " BEGIN SELECT RAISE(ABORT, '%q'); END",
        pL->zChild, pL->zCol, pL->zChild, pL->zCol, pL->zChild,
        pL->zCol, pL->zCol, zNewAlso, zMsg));
    if( rc==SQLITE_OK ){
      rc = relSqlSet(&azSql[4], sqlite3_mprintf(
          "\"rel_%w_%w_one_update\" BEFORE UPDATE OF"
          " \"%w\" ON \"%w\" WHEN NEW.\"%w\" IS NOT NULL AND NEW.\"%w\" IS NOT"
          " OLD.\"%w\" AND EXISTS (SELECT 1 FROM \"%w\" WHERE \"%w\" ="
          " NEW.\"%w\"%s AND %s <> NEW.%s)"
          " BEGIN SELECT RAISE(ABORT, '%q'); END",
          pL->zChild, pL->zCol, pL->zCol, pL->zChild, pL->zCol,
          pL->zCol, pL->zCol, pL->zChild, pL->zCol, pL->zCol, zNewAlso,
          zRowid, zRowid, zMsg));
    }
    if( rc!=SQLITE_OK ) goto done;
  }

 done:
  sqlite3_free(zKeyOld);
  sqlite3_free(zAlso);
  sqlite3_free(zNewAlso);
  sqlite3_free(zTreeAlso);
  sqlite3_free(zMsg);
  sqlite3_free(zOnDelete);
  return rc;
}

/*
** The CREATE INDEX statement of link pL's index under rules pR, into *pzSql
** (the caller frees it); NULL when an index starts with the link column
** already (or it is the INTEGER PRIMARY KEY). The caller asks only when
** pR->bIndex (create_index) says to. The index is rel_<table>_<column>_idx:
** an association table's is (this end, the other end), so that a
** collection comes in order without a sort, from the index alone; any
** other is (link column, order_by columns...), for collections in order,
** unsorted. Returns an SQLite code.
*/
static int relLinkIndexSql(sqlite3 *db, const char *zDb, RelLink *pL,
                           RelRules *pR, char **pzSql){
  sqlite3_str *pStr;
  RelDecl *q = pR->pOrder;
  int bHas = 0;
  int i, rc;

  *pzSql = 0;
  rc = relHasIndex(db, zDb, pL->zChild, pL->zCol, &bHas);
  if( rc!=SQLITE_OK || bHas ) return rc;
  pStr = sqlite3_str_new(db);
  sqlite3_str_appendf(pStr,
      "CREATE INDEX \"%w\".\"rel_%w_%w_idx\" ON \"%w\"(\"%w\"",
      zDb, pL->zChild, pL->zCol, pL->zChild, pL->zCol);
  if( pL->zNext ){
    sqlite3_str_appendf(pStr, ", \"%w\"", pL->zNext);
  }else{
    for(i=0; q && i<q->nOrder; i++){
      if( q->aOrderCol[i]>=q->nTgtCol ) break;
      sqlite3_str_appendf(pStr, ", \"%w\"%s",
          q->tgt.aCol[q->aBaseCol[q->aOrderCol[i]]].zName,
          q->aOrderDesc[i] ? " DESC" : "");
    }
  }
  sqlite3_str_appendall(pStr, ")");
  *pzSql = sqlite3_str_finish(pStr);
  return *pzSql ? SQLITE_OK : SQLITE_NOMEM;
}

/*
** Install the triggers (and index) of link pL under rules pR, after
** dropping the ones it had.
*/
static int relInstallLink(sqlite3 *db, const char *zDb, RelLink *pL,
                          RelRules *pR, char **pzErr){
  char *azSql[REL_NTRIGGER];
  int i;
  int rc;

  rc = relLinkTriggerSql(db, zDb, pL, pR, azSql);
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM && pzErr && *pzErr==0 ){
    *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(db));
  }
  if( rc==SQLITE_OK ) rc = relDropLink(db, zDb, pL, 0, pzErr);
  for(i=0; rc==SQLITE_OK && i<REL_NTRIGGER; i++){
    if( azSql[i] ){
      rc = relExec(db, pzErr, "CREATE TRIGGER \"%w\".%s", zDb, azSql[i]);
    }
  }
  for(i=0; i<REL_NTRIGGER; i++) sqlite3_free(azSql[i]);
  if( rc!=SQLITE_OK ) goto done;

  if( pR->bIndex ){
    char *zIndex = 0;
    rc = relLinkIndexSql(db, zDb, pL, pR, &zIndex);
    if( rc==SQLITE_OK && zIndex ) rc = relExec(db, pzErr, "%s", zIndex);
    sqlite3_free(zIndex);
  }

 done:
  if( rc==SQLITE_NOMEM && pzErr && *pzErr==0 ){
    *pzErr = sqlite3_mprintf("out of memory");
  }
  return rc;
}

/*
** What the declarations aDecl[0..nDecl) of schema zDb install on link pL
** now: azSql[i] (REL_NTRIGGER entries) as for relLinkTriggerSql(), NULL
** where no trigger of purpose relTriggerPurpose(i) is called for (also
** all of them when no declaration is over the link). With pzIndex, also
** the CREATE INDEX statement of the link's index into *pzIndex when one
** of the declarations has create_index on and no index starts with the
** link column, else NULL (relLinkIndexSql()). For rel_check and
** rel_repair. The caller frees the strings, also on error. Returns an
** SQLite code.
*/
int relLinkTriggers(sqlite3 *db, const char *zDb, RelLink *pL,
                    RelDecl **aDecl, int nDecl, char **azSql,
                    char **pzIndex){
  RelRules r;
  int j, rc;
  memset(&r, 0, sizeof(r));
  memset(azSql, 0, sizeof(char*)*REL_NTRIGGER);
  if( pzIndex ) *pzIndex = 0;
  for(j=0; j<nDecl; j++) relRulesAdd(&r, aDecl[j], pL);
  if( r.nDecl==0 ) return SQLITE_OK;
  rc = relLinkTriggerSql(db, zDb, pL, &r, azSql);
  if( rc==SQLITE_OK && pzIndex && r.bIndex ){
    rc = relLinkIndexSql(db, zDb, pL, &r, pzIndex);
  }
  return rc;
}

/*
** The purpose of the i-th trigger of a link (0 <= i < REL_NTRIGGER): its
** name is rel_<table>_<column>_<purpose>.
*/
const char *relTriggerPurpose(int i){
  return azPurpose[i];
}

/*
** The names of a link's triggers and index are rel_<table>_<column>_...,
** so two different links can come out with the same names (a.b_c and
** a_b.c). Refuse declaration p when one of its links would take the names
** of a link of declaration q, rather than let one replace the other's;
** also when p declares q's column a link to another table or key (the
** one set of triggers of the column would go to p's table).
*/
static int relCheckNames(RelDecl *q, RelDecl *p, RelLink *aLink, int nLink,
                         char **pzErr){
  RelLink aOther[2];
  int nOther = relDeclLinks(q, aOther);
  int i, k;
  for(i=0; i<nLink; i++){
    for(k=0; k<nOther; k++){
      RelLink *a = &aLink[i], *b = &aOther[k];
      char *zA, *zB;
      int bClash;
      if( sqlite3_stricmp(a->zChild, b->zChild)==0
       && sqlite3_stricmp(a->zCol, b->zCol)==0 ){
        /* the same link: to the same key of the same table, or the
        ** triggers would be moved from q's table to p's */
        const char *zKeyA = a->zKey ? a->zKey : "rowid";
        const char *zKeyB = b->zKey ? b->zKey : "rowid";
        if( sqlite3_stricmp(a->zParent, b->zParent)==0
         && sqlite3_stricmp(zKeyA, zKeyB)==0 ) continue;
        *pzErr = sqlite3_mprintf("relationship %s: %s.%s refers to %s.%s"
            " already (relationship %s), not to %s.%s; a column links to"
            " one key of one table", p->zName, a->zChild, a->zCol, b->zParent, zKeyB,
            q->zName, a->zParent, zKeyA);
        return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
      }
      zA = sqlite3_mprintf("%s_%s", a->zChild, a->zCol);
      zB = sqlite3_mprintf("%s_%s", b->zChild, b->zCol);
      bClash = zA && zB && sqlite3_stricmp(zA, zB)==0;
      if( bClash ){
        *pzErr = sqlite3_mprintf("relationship %s: the triggers of %s.%s"
            " would be named rel_%s_*, as those of %s.%s (relationship %s);"
            " rename a table or a column", p->zName, a->zChild, a->zCol,
            zA, b->zChild, b->zCol, q->zName);
      }
      sqlite3_free(zA);
      sqlite3_free(zB);
      if( zA==0 || zB==0 ) return SQLITE_NOMEM;
      if( bClash ) return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
  }
  return SQLITE_OK;
}

/*
** Work out the rules of p's links again from the declarations of schema
** p->zDb (plus p itself when bWithSelf), and install them. A link that no
** declaration is over any more loses its triggers and index.
*/
static int relRefreshLinks(RelGlobal *pGlobal, RelDecl *p, int bWithSelf,
                           char **pzErr){
  RelDecl **aDecl = 0;
  RelLink aLink[2];
  int nDecl = 0, nLink, i, j;
  int rc;

  rc = relListDecls(pGlobal, p->zDb, p->zName, &aDecl, &nDecl, pzErr);
  if( rc!=SQLITE_OK ) return rc;
  nLink = relDeclLinks(p, aLink);
  if( bWithSelf ){
    for(j=0; rc==SQLITE_OK && j<nDecl; j++){
      rc = relCheckNames(aDecl[j], p, aLink, nLink, pzErr);
    }
    if( rc!=SQLITE_OK ){
      sqlite3_free(aDecl);
      return rc;
    }
  }
  for(i=0; rc==SQLITE_OK && i<nLink; i++){
    RelRules r;
    int bSelf = !bWithSelf;     /* p's rules added */
    memset(&r, 0, sizeof(r));
    /* by name, p among the others, as rel_check and rel_repair read them
    ** (relReadDecls()): the relationship a rule's message names and the
    ** order_by of the index depend on the order */
    for(j=0; j<nDecl; j++){
      if( !bSelf && strcmp(p->zName, aDecl[j]->zName)<0 ){
        relRulesAdd(&r, p, &aLink[i]);
        bSelf = 1;
      }
      relRulesAdd(&r, aDecl[j], &aLink[i]);
    }
    if( !bSelf ) relRulesAdd(&r, p, &aLink[i]);
    if( r.nDecl==0 ){
      rc = relDropLink(pGlobal->db, p->zDb, &aLink[i], 1, pzErr);
    }else{
      rc = relInstallLink(pGlobal->db, p->zDb, &aLink[i], &r, pzErr);
    }
  }
  sqlite3_free(aDecl);
  return rc;
}

/*
** Create the association table of a many-to-many that does not exist yet:
** two NOT NULL columns referring to the two keys, a composite primary key,
** and an index on the second column (then the first).
*/
static int relCreateSecondary(sqlite3 *db, RelDecl *p, char **pzErr){
  sqlite3_str *pStr = sqlite3_str_new(db);
  char *zSql;
  int rc;
  int k;
  sqlite3_str_appendf(pStr, "CREATE TABLE \"%w\".\"%w\"(", p->zDb,
                      p->sec.zName);
  for(k=0; k<2; k++){
    RelBase *pEnd = k==0 ? &p->src : &p->tgt;
    const char *zCol = k==0 ? p->zSrcCol : p->zTgtCol;
    const char *zKey = k==0 ? p->zSrcKey : p->zTgtKey;
    int iKey = relColumnIndex(pEnd, zKey);
    const char *zType = iKey>=0 ? pEnd->aCol[iKey].zType : "INTEGER";
    sqlite3_str_appendf(pStr, "\"%w\" %s NOT NULL", zCol, zType);
    if( zKey ){
      sqlite3_str_appendf(pStr, " REFERENCES \"%w\"(\"%w\")", pEnd->zName,
                          zKey);
    }
    sqlite3_str_appendall(pStr, ", ");
  }
  sqlite3_str_appendf(pStr, "PRIMARY KEY(\"%w\", \"%w\"))", p->zSrcCol,
                      p->zTgtCol);
  zSql = sqlite3_str_finish(pStr);
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = relExec(db, pzErr, "%s", zSql);
  sqlite3_free(zSql);
  if( rc==SQLITE_OK ){
    /* (target, source): the reverse side's reads, in order, covered */
    rc = relExec(db, pzErr,
        "CREATE INDEX \"%w\".\"rel_%w_%w_idx\" ON \"%w\"(\"%w\", \"%w\")",
        p->zDb, p->sec.zName, p->zTgtCol, p->sec.zName, p->zTgtCol,
        p->zSrcCol);
  }
  if( rc==SQLITE_OK ) p->sec.bExists = 1;
  return rc;
}

/*
** Install what declaration p needs (xCreate, after every check passed):
** the association table if missing, then its links' triggers and index.
*/
int relInstall(RelGlobal *pGlobal, RelDecl *p, char **pzErr){
  int rc = SQLITE_OK;
  if( p->eKind==REL_MANY_TO_MANY && !p->sec.bExists ){
    rc = relCreateSecondary(pGlobal->db, p, pzErr);
  }
  if( rc==SQLITE_OK ) rc = relRefreshLinks(pGlobal, p, 1, pzErr);
  if( rc!=SQLITE_OK && pzErr && *pzErr ){
    char *zErr = *pzErr;
    if( sqlite3_strnicmp(zErr, "relationship ", 13)!=0 ){
      *pzErr = sqlite3_mprintf("relationship %s: %s", p->zName, zErr);
      sqlite3_free(zErr);
    }
  }
  return rc;
}

/*
** Remove what declaration p installed (xDestroy): its links' rules are
** worked out again without it, and the reverse table of a backref pair
** is dropped with it.
*/
int relUninstall(RelGlobal *pGlobal, RelDecl *p, char **pzErr){
  char *zPartner = 0;
  int rc;

  rc = relRefreshLinks(pGlobal, p, 0, pzErr);
  if( rc!=SQLITE_OK ) return rc;

  if( p->zBackref ){
    zPartner = sqlite3_mprintf("%s_%s", p->tgt.zName, p->zBackref);
    if( zPartner==0 ) return SQLITE_NOMEM;
  }else if( p->zBackPop ){
    RelDecl *q = 0;
    char *zErr = 0;
    /* was p made by q's backref? then q goes too (a q that no longer
    ** reads is left; out of memory fails the DROP) */
    rc = relFindDecl(pGlobal, p->zDb, p->zBackPop, &q, &zErr);
    sqlite3_free(zErr);
    if( rc==SQLITE_NOMEM ) return rc;
    rc = SQLITE_OK;
    if( q && q->zBackref ){
      char *zMade = sqlite3_mprintf("%s_%s", q->tgt.zName, q->zBackref);
      if( zMade==0 ) return SQLITE_NOMEM;
      if( sqlite3_stricmp(zMade, p->zName)==0 ){
        zPartner = relStrdup(q->zName);
        if( zPartner==0 ){ sqlite3_free(zMade); return SQLITE_NOMEM; }
      }
      sqlite3_free(zMade);
    }
  }
  if( zPartner && (pGlobal->zDropping==0
                   || sqlite3_stricmp(pGlobal->zDropping, zPartner)!=0) ){
    sqlite3_stmt *pStmt = 0;
    int bExists = 0;
    rc = relPrepare(pGlobal->db, &pStmt, "SELECT 1 FROM \"%w\".sqlite_schema"
                    " WHERE type='table' AND name=?1 COLLATE NOCASE", p->zDb);
    if( rc==SQLITE_OK ){
      sqlite3_bind_text(pStmt, 1, zPartner, -1, SQLITE_STATIC);
      bExists = sqlite3_step(pStmt)==SQLITE_ROW;
      rc = sqlite3_finalize(pStmt);
    }
    if( rc==SQLITE_OK && bExists ){
      const char *zSave = pGlobal->zDropping;
      pGlobal->zDropping = p->zName;
      rc = relExec(pGlobal->db, pzErr, "DROP TABLE \"%w\".\"%w\"", p->zDb,
                   zPartner);
      pGlobal->zDropping = zSave;
    }
  }
  sqlite3_free(zPartner);
  return rc;
}
