/*
** relationship_int.h: the private interface shared by the ext/ files.
**
** Cut into one banner section per file, as fts5Int.h is. Every file but
** rel_main.c starts with SQLITE_EXTENSION_INIT3 (through this header);
** rel_main.c holds SQLITE_EXTENSION_INIT1.
*/
#ifndef RELATIONSHIP_INT_H
#define RELATIONSHIP_INT_H

#include "sqlite3ext.h"
#ifndef REL_MAIN_FILE
SQLITE_EXTENSION_INIT3
#endif
#include "relationship.h"

#include <stdarg.h>
#include <string.h>

typedef sqlite3_int64 i64;
typedef unsigned char u8;

/* The kinds of relationship (rel_list.kind spells them). */
#define REL_ONE_TO_MANY   1
#define REL_MANY_TO_ONE   2
#define REL_ONE_TO_ONE    3
#define REL_MANY_TO_MANY  4

/* Cascade words that change what the database does (RelDecl.mCascade).
** save-update, merge, refresh-expire and expunge are accepted for
** SQLAlchemy compatibility; they describe session behaviour and have no
** effect on rows. */
#define REL_CASCADE_DELETE         0x01
#define REL_CASCADE_DELETE_ORPHAN  0x02

/* One column of a base table, as pragma_table_xinfo describes it. */
typedef struct RelColumn RelColumn;
struct RelColumn {
  char *zName;        /* Column name, as declared */
  char *zType;        /* Declared type, "" when none */
  char *zColl;        /* Collating sequence, NULL when BINARY */
  char *zDflt;        /* DEFAULT expression text, or NULL */
  int bNotNull;       /* NOT NULL constraint */
  int iPk;            /* 1-based position in the PRIMARY KEY, 0 if not in it */
  int bGenerated;     /* A generated column: never written */
};

/* A base table: a source, a target or an association (secondary) table. */
typedef struct RelBase RelBase;
struct RelBase {
  char *zName;        /* Name as stored in sqlite_schema */
  int nCol;           /* Number of columns */
  RelColumn *aCol;    /* The columns, in table order */
  int bWithoutRowid;  /* A WITHOUT ROWID table */
  int iIpk;           /* INTEGER PRIMARY KEY column (the rowid), or -1 */
  int bExists;        /* 0: secondary to be created by the declaration */
  char *zRowid;       /* How SQL names its rowid (relRowidName), or NULL */
};

/* A declared relationship, resolved against the schema. */
typedef struct RelDecl RelDecl;
struct RelDecl {
  char *zDb;          /* Schema holding the relationship table */
  char *zName;        /* The relationship table's name */
  char *zAttr;        /* Attribute name (zName less "<source>_") */
  int eKind;          /* REL_ONE_TO_MANY, ... */
  RelBase src;        /* Source table */
  RelBase tgt;        /* Target table */
  RelBase sec;        /* Association table (many-to-many only) */
  char *zFk;          /* o2m/o2o: column of tgt; m2o: column of src */
  char *zSrcCol;      /* m2m: column of sec pointing at the source */
  char *zTgtCol;      /* m2m: column of sec pointing at the target */
  char *zSrcKey;      /* Referenced key of the source; NULL: rowid */
  char *zTgtKey;      /* Referenced key of the target; NULL: rowid */
  char *zBackref;     /* backref= option, or NULL */
  char *zBackPop;     /* back_populates= option, or NULL */
  int bUselist;       /* 0: scalar side (many-to-one, one-to-one) */
  int bOneToOne;      /* The link is one-to-one (uselist=0, either side) */
  unsigned mCascade;  /* REL_CASCADE_* bits */
  char *zCascade;     /* The cascade words, normalised */
  int bPassive;       /* passive_deletes=1 */
  int bViewonly;      /* viewonly=1 */
  int bCreateIndex;   /* create_index (default 1) */
  int bSymmetric;     /* symmetric=1 */
  char *zOrderBy;     /* order_by= as given (normalised), or NULL */
  char *zOwner;       /* Name of the hidden owner column */

  /* The relationship table's visible columns: the target's columns, then
  ** the association table's extra columns (m2m). The owner column follows
  ** them at index nCol, HIDDEN. */
  int nCol;
  char **azCol;       /* Column names as the relationship table shows them */
  char **azExpr;      /* SQL reading each one, over aliases t (target), a */
  int *aBaseCol;      /* Index of each in tgt.aCol, or in sec.aCol */
  int nTgtCol;        /* The first nTgtCol columns are the target's */
  int nOrder;         /* Terms of the collection's order */
  int *aOrderCol;     /* Relationship-table column of each term */
  u8 *aOrderDesc;     /* 1 where the term is DESC */
};

/* Per-connection state: the module's client data. */
typedef struct RelGlobal RelGlobal;
typedef struct RelVtab RelVtab;
typedef struct RelAddr RelAddr;
struct RelGlobal {
  sqlite3 *db;        /* The connection */
  RelVtab *pList;     /* Relationship tables connected on it */
  unsigned iGeneration;   /* Changes whenever pList (or a stale mark) does:
                          ** what was worked out from it is out of date */
  const char *zDropping;  /* Relationship table being dropped, or NULL */
  void *pJson;            /* What rel_json() keeps on the connection: its
                          ** prepared statements are finalized when the
                          ** last relationship table disconnects
                          ** (relJsonRelease), at the latest at close */
  int nJsonBusy;          /* rel_json() calls running: pJson stays */
  int nWriteDepth;        /* xUpdate calls running, on every relationship
                          ** table: writes nested by triggers (rel_vtab.c) */
};

/* Cached write statements of a relationship table (RelVtab.aWrite). */
#define REL_W_OWNER_FIND   0   /* source row (rowid[, fk]) by source key */
#define REL_W_TGT_FIND     1   /* target row (rowid, key[, fk]) by key */
#define REL_W_TGT_ROWID    2   /* target row (rowid, key[, fk]) by rowid */
#define REL_W_TGT_SAME     3   /* do given values match the stored row? */
#define REL_W_TGT_INSERT   4   /* insert a target row */
#define REL_W_LINK         5   /* make the link */
#define REL_W_UNLINK       6   /* remove the link (by link rowid) */
#define REL_W_LOCATE       7   /* link rowid -> owner, target rowid, key */
#define REL_W_LINK_FIND    8   /* m2m: association row of (owner, key) */
#define REL_W_CURRENT      9   /* scalar o2o: the owner's current child */
#define REL_W_MOVE        10   /* m2m: give an association row a new owner */
#define REL_W_LINK_FAST   11   /* m2m: check both ends and link, one INSERT */
#define REL_W_CHILD_FAST  12   /* o2m: check the owner and link, one UPDATE */
#define REL_W_LINK_ROWID  13   /* m2m: REL_W_LINK with the rowid given */
#define REL_NWRITE        14

#define REL_NPLAN  32          /* plan bits of idxNum: see the table in rel_vtab.c */
#define REL_NREAD  64          /* distinct (plan, columns) read statements kept */

/* One read statement of a relationship table: a plan and the columns it
** reads (rel_vtab.c). */
typedef struct RelRead RelRead;
struct RelRead {
  int iPlan;                  /* PLAN_* bits */
  sqlite3_uint64 mCols;       /* Columns read: bit i column i, bit nCol owner */
  sqlite3_stmt *pStmt;        /* Idle statement; NULL while a cursor has it */
  char *zPlan;                /* Its query plan, for xBestIndex's idxStr */
  int iRowid;                 /* Result column holding the link rowid */
  int *aPos;                  /* Result column of each column, -1: not read,
                              ** -2: the owner's value, given (bOwnerArg) */
  int bOwnerArg;              /* Columns that are the owner are not read: the
                              ** cursor has it (RelCursor.iOwner) */
  int iMerge;                 /* Its merge statement's index + 1; -1: none;
                              ** 0: not worked out yet (rel_vtab.c) */
  int iOwnerArg;              /* Its bOwnerArg statement's index + 1; -1:
                              ** none; 0: not worked out yet */
};

/* A write statement prepared for one nested xUpdate: a trigger fired by
** one of the table's own running write statements writes through the
** table again (rel_write.c relStmt). Finalized when that xUpdate returns. */
typedef struct RelNested RelNested;
struct RelNested {
  sqlite3_stmt *pStmt;
  int iDepth;                 /* RelVtab.nUpdate of the xUpdate that made it */
  RelNested *pNext;
};

/* A relationship table (the virtual table object). */
struct RelVtab {
  sqlite3_vtab base;          /* Base class; must be first */
  sqlite3 *db;                /* The connection */
  RelGlobal *pGlobal;         /* Per-connection state */
  RelDecl *pDecl;             /* What it is; NULL when broken */
  char *zBroken;              /* Why the declaration no longer reads */
  RelVtab *pNext;             /* Next in pGlobal->pList */
  RelRead **apRead;           /* Read statements, by idxNum>>5 */
  int nRead;                  /* Entries of apRead[] */
  const char *zIdxLast;       /* The idxStr xFilter read last, and the read */
  int iIdxLast;               /* statement it named (cleared by xBestIndex) */
  sqlite3_stmt *aWrite[REL_NWRITE];/* Write statements, prepared on use */
  int rcStmt;                 /* Code of the last failure to prepare one */
  int eFastLink;              /* REL_W_LINK_FAST usable: 1 yes, -1 no, 0 not
                              ** worked out yet (rel_write.c) */
  char *azDynSql[2];          /* SQL of apDyn[] */
  sqlite3_stmt *apDyn[2];     /* Last UPDATE of a target / association row */
  char *azGone[4];            /* Broken: schema, source, target, secondary */
  char *zSchemaSql;           /* Its CREATE VIRTUAL TABLE, as when connected */
  unsigned mStmtUsed;         /* Write statements used by the running write */
  unsigned mStmtDrop;         /* ... that are not to be kept (rel_write.c) */
  int bStale;                 /* Declared anew since (by another connection) */
  RelAddr *pAddr;             /* Rowids of WITHOUT ROWID links (rel_addr.c) */
  RelNested *pNested;         /* Statements of nested writes (rel_write.c) */
  int nCursor;                /* Cursors open on the table */
  struct RelCursor *pSpare;   /* A closed cursor, for the next xOpen */
  int nUpdate;                /* xUpdate calls running on the table */
  int bWrote;                 /* The running xUpdate call has written */
  int eSrcRowid;              /* The source key is the rowid: 1 yes, -1 no,
                              ** 0 not worked out yet (rel_write.c) */
  char *azBaseSql[3];         /* CREATE TABLE text of the source, target and
                              ** association table as read (relBaseCheck) */
  sqlite3_stmt *pBaseSql;     /* Reads that text now; kept */
  sqlite3_stmt *pInEq;        /* "?1 = ?2" under the owner's sequence
                              ** (rel_vtab.c relInTake); kept */
  char *zChanged;             /* A base table created anew since: every use
                              ** fails with this message */
  int bBaseOk;                /* Checked since the running write began */
};

/* One link: column zCol of table zChild, referring to key zKey (NULL:
** rowid) of table zParent. Pointers borrowed from the declaration. */
typedef struct RelLink RelLink;
struct RelLink {
  const char *zChild;
  const char *zCol;
  const char *zParent;
  const char *zKey;
  const char *zNext;  /* m2m: the other column, second in the index */
  RelBase *pChildBase;    /* zChild and zParent as read (their rowids: */
  RelBase *pParentBase;   /* relRowidName) */
};

/**** Interface to code in rel_main.c ****/
void relVtabError(sqlite3_vtab *pVtab, const char *zFmt, ...);
int relPrepare(sqlite3 *db, sqlite3_stmt **ppStmt, const char *zFmt, ...);
int relExec(sqlite3 *db, char **pzErr, const char *zFmt, ...);
char *relStrdup(const char *z);
void relErrorV(int *pRc, char **pzErr, const char *zWho, const char *zName,
               const char *zFmt, va_list ap);

/* A row of a table of SQL functions to register (relCreateFunctions). */
typedef struct RelFunc RelFunc;
struct RelFunc {
  const char *zName;
  int nArg;
  int eFlags;
  void (*xFunc)(sqlite3_context*, int, sqlite3_value**);
};
int relCreateFunctions(sqlite3 *db, RelGlobal *pGlobal, const RelFunc *aFunc,
                       int nFunc);
int relNumericText(const char *z, int *peType, i64 *piKey);
int relValueEq(sqlite3_value *a, sqlite3_value *b);
int relStoredEq(sqlite3_value *a, sqlite3_value *b);
void *relMallocZero(i64 n);
void relDequote(char *z);
int relIsBool(const char *z, int *pb);
void relRegister(RelGlobal *pGlobal, RelVtab *p);
int relIsReverse(RelDecl *p, RelDecl *q);
int relSchemaSql(sqlite3 *db, const char *zDb, const char *zName,
                 char **pzSql);
void relUnregister(RelGlobal *pGlobal, RelVtab *p);
int relFindDecl(RelGlobal *pGlobal, const char *zDb, const char *zName,
                RelDecl **ppDecl, char **pzErr);
/* A relationship table whose declaration no longer reads (relListDecls) */
typedef struct RelBroken RelBroken;
struct RelBroken {
  char *zName;        /* The relationship table */
  char *zSource;      /* Its first argument, the source table */
  char *zErr;         /* What every use of it says */
};
int relListDecls(RelGlobal *pGlobal, const char *zDb, const char *zSkip,
                 RelDecl ***papDecl, int *pnDecl, char **pzErr);
int relListDeclsBroken(RelGlobal *pGlobal, const char *zDb,
                       RelDecl ***papDecl, int *pnDecl,
                       RelBroken **paBroken, int *pnBroken, char **pzErr);
void relBrokenFree(RelBroken *aBroken, int nBroken);
int relDeclRead(sqlite3 *db, const char *zDb, const char *zName,
                const char *zSql, RelDecl **ppDecl, char **pzErr);
int relDeclMayLink(const char *zSql, const char *zChild,
                   const char *zParent, int *pb);
int relDeclRows(sqlite3 *db, const char *zDb, sqlite3_stmt **ppStmt,
                char **pzErr);
int relReadDecls(sqlite3 *db, const char *zDb, RelDecl ***papDecl,
                 int *pnDecl, char **pzErr);
void relFreeDecls(RelDecl **aDecl, int nDecl);
const char *relKindName(int eKind);
void relJsonString(sqlite3_str *pStr, const char *z);
int relSavepointRun(sqlite3 *db, const char *zName, const char *zWho,
                    const char *zBusy, char *const *azSql, int nSql,
                    int *pRc, char **pzErr);
int relSelfCall(sqlite3 *db, const char *zFunc, void *p, const char *zType);

/**** Interface to code in rel_declare.c ****/
int relDeclParse(sqlite3 *db, const char *zDb, const char *zName,
                 int nArg, const char *const *azArg,
                 RelDecl **ppDecl, char **pzErr);
void relDeclFree(RelDecl *p);
char *relDeclSchema(RelDecl *p, int bColl);
RelColumn *relOwnerColumn(RelDecl *p);
char *relDeclReverseSql(RelDecl *p, const char *zReverse);
const char *relRowidName(RelBase *pBase);
char *relBaseKey(const char *zAlias, RelBase *pBase, const char *zKey);
const char *relLinkKeyColl(RelBase *pLink, const char *zCol, RelBase *pKey,
                           const char *zKey);
int relColumnIndex(RelBase *pBase, const char *zCol);

/**** Interface to code in rel_triggers.c ****/
int relInstall(RelGlobal *pGlobal, RelDecl *p, char **pzErr);
int relDeclLinks(RelDecl *p, RelLink *aLink);
int relDeclHasLink(RelDecl *p, const RelLink *pL);
int relUninstall(RelGlobal *pGlobal, RelDecl *p, char **pzErr);
#define REL_NTRIGGER 5    /* Triggers a link may have (relTriggerPurpose) */
int relLinkTriggers(sqlite3 *db, const char *zDb, RelLink *pL,
                    RelDecl **aDecl, int nDecl, char **azSql,
                    char **pzIndex);
const char *relTriggerPurpose(int i);

/**** Interface to code in rel_vtab.c ****/
int relRegisterModule(sqlite3 *db, RelGlobal *pGlobal);
char *relFromSql(RelDecl *p, int bOwner);
char *relSymmetricSql(RelDecl *p);
char *relOwnerExpr(RelDecl *p);
int relOrderIsKey(RelDecl *p, int i);
void relOrderAppend(sqlite3_str *pStr, RelDecl *p, int i);
char *relRowidExpr(RelDecl *p);
int relBaseCheck(RelVtab *pTab);

/**** Interface to code in rel_write.c ****/
void relWriteRelease(RelVtab *pTab);
void relNestedRelease(RelVtab *pTab, int iDepth);
int relUpdate(sqlite3_vtab *pVtab, int argc, sqlite3_value **argv,
              sqlite_int64 *pRowid);

/**** Interface to code in rel_addr.c ****/
int relAddrKeyed(RelDecl *p);
void relAddrSymmetricCols(sqlite3_str *pStr, RelDecl *p, int k);
char *relAddrCols(RelDecl *p, int bAssoc);
char *relAddrWhere(RelDecl *p, int iParam, int bAssoc);
void relAddrReset(RelVtab *pTab);
void relAddrFree(RelVtab *pTab);
int relAddrRegister(RelVtab *pTab, sqlite3_stmt *pStmt, int iCol,
                    int bDirCol, i64 *piRowid);
int relAddrBind(RelVtab *pTab, sqlite3_stmt *pStmt, int iParam, i64 iRowid,
                int bAssoc);
void relAddrForget(RelVtab *pTab, i64 iRowid);
int relAddrAfterTarget(RelVtab *pTab, sqlite3_value *pOld,
                       sqlite3_value *pNew);
int relAddrAfterAssoc(RelVtab *pTab, i64 iRowid, sqlite3_value **aVal);

/**** Interface to code in rel_list.c ****/
int relRegisterList(sqlite3 *db, RelGlobal *pGlobal);

/**** Interface to code in rel_closure.c ****/
int relRegisterClosure(sqlite3 *db, RelGlobal *pGlobal);
/**** Interface to code in rel_json.c ****/
void relJsonRelease(RelGlobal *pGlobal);
int relRegisterJson(sqlite3 *db, RelGlobal *pGlobal);
/**** Interface to code in rel_check.c ****/
int relRegisterCheck(sqlite3 *db, RelGlobal *pGlobal);

/**** Interface to code in rel_diagram.c ****/
int relRegisterDiagram(sqlite3 *db, RelGlobal *pGlobal);
/**** Interface to code in rel_infer.c ****/
int relRegisterInfer(sqlite3 *db, RelGlobal *pGlobal);
/**** Interface to code in rel_repair.c ****/
int relRegisterRepair(sqlite3 *db, RelGlobal *pGlobal);

#endif /* RELATIONSHIP_INT_H */
