/*
** rel_diagram.c: the SQL function rel_diagram([format]), the declared
** relationships as the text of a diagram: a Mermaid erDiagram (the
** default; GitHub and most Markdown viewers draw it) or Graphviz dot.
**
** USAGE
**
**     CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);
**     CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT,
**                        parent_id INTEGER REFERENCES parent(id));
**     CREATE VIRTUAL TABLE parent_children USING relationship(parent, child,
**                                                  backref=parent);
**     CREATE TABLE "left"(id INTEGER PRIMARY KEY);
**     CREATE TABLE "right"(id INTEGER PRIMARY KEY);
**     CREATE VIRTUAL TABLE left_children USING relationship("left",
**         "right", secondary=association, backref=parents);
**
**     SELECT rel_diagram();
**     -- erDiagram
**     --     "left" }o--o{ "right" : "children / parents (association)"
**     --     "parent" ||--o{ "child" : "children / parent"
**
**     SELECT rel_diagram('dot');              -- the same for Graphviz:
**     -- sqlite3 app.db ".load ./build/relationship" \
**     --   "SELECT rel_diagram('dot')" | dot -Tpng -o schema.png
**
** HOW IT WORKS
**
** The declarations of every schema (main, temp, attached, in that order;
** relationship tables by name) are grouped by link, the column that holds
** the reference (child.parent_id, or an association table's pair of
** columns), so that a backref or back_populates pair is one line,
** labelled "<attribute on the one side> / <attribute on the other>". A
** link is drawn from the referenced ("one") table to the referring one:
**
**   one-to-many, many-to-one    "parent" ||--o{ "child"
**   one-to-one (uselist=0)      "parent" ||--o| "child"
**   many-to-many                "left" }o--o{ "right", the association
**                               table named in the label's parentheses
**                               (not drawn as an entity of its own)
**
** Lines come in the order of their first declaration. Entity names are
** always double-quoted (a quoted name may hold any character but '"',
** '%', '\' and control characters, which become '_' and "'"); tables of
** a schema other than main are named "<schema>.<table>". In dot, names
** and labels are quoted strings with '"' and '\' escaped, and the ends
** of each edge carry the same crow's-foot marks (teetee: exactly one,
** crowodot: zero or more, teeodot: zero or one). A broken declaration
** (tables renamed or dropped under it) is left out, as in rel_list.
*/
#include "relationship_int.h"

#define DIAG_MERMAID 0
#define DIAG_DOT     1

/* One line of the diagram: a link and the declarations over it. */
typedef struct DiagEdge DiagEdge;
struct DiagEdge {
  int eKind;            /* REL_ONE_TO_MANY (any fk link) or REL_MANY_TO_MANY */
  int bOne;             /* uselist=0: one-to-one */
  RelDecl *pFirst;      /* First declaration over the link (borrowed) */
  const char *zLeft;    /* Table drawn first: the referenced one / m2m source */
  const char *zRight;   /* Table drawn second */
  const char *zSec;     /* m2m: association table */
  const char *zCol;     /* fk link: the column; m2m: left's column in zSec */
  const char *zCol2;    /* m2m: right's column in zSec */
  sqlite3_str *pLeft;   /* Attribute names on the left table's side */
  sqlite3_str *pRight;  /* ... on the right table's side */
};

/*
** Append attribute name zAttr to a side's list ("a, b").
*/
static void diagAddAttr(sqlite3_str *pStr, const char *zAttr){
  if( sqlite3_str_length(pStr)>0 ) sqlite3_str_appendall(pStr, ", ");
  sqlite3_str_appendall(pStr, zAttr);
}

/*
** Append z to pStr inside a Mermaid double-quoted string, with the
** characters such a string cannot hold replaced: '"' by "'", '%', '\' and
** control characters by '_'.
*/
static void diagMermaidText(sqlite3_str *pStr, const char *z){
  for(; *z; z++){
    unsigned char c = (unsigned char)*z;
    if( c=='"' ) c = '\'';
    else if( c=='%' || c=='\\' || c<0x20 || c==0x7f ) c = '_';
    sqlite3_str_appendchar(pStr, 1, (char)c);
  }
}

/*
** Append z to pStr inside a dot quoted string: '"' and '\' escaped,
** control characters as '_'.
*/
static void diagDotText(sqlite3_str *pStr, const char *z){
  for(; *z; z++){
    unsigned char c = (unsigned char)*z;
    if( c=='"' || c=='\\' ) sqlite3_str_appendchar(pStr, 1, '\\');
    else if( c<0x20 || c==0x7f ) c = '_';
    sqlite3_str_appendchar(pStr, 1, (char)c);
  }
}

/*
** Append the quoted name of table zTable of schema zDb (qualified unless
** zDb is main) in the format eFormat.
*/
static void diagName(sqlite3_str *pStr, int eFormat, const char *zDb,
                     const char *zTable){
  void (*xText)(sqlite3_str*, const char*) =
      eFormat==DIAG_DOT ? diagDotText : diagMermaidText;
  sqlite3_str_appendchar(pStr, 1, '"');
  if( sqlite3_stricmp(zDb, "main")!=0 ){
    xText(pStr, zDb);
    sqlite3_str_appendchar(pStr, 1, '.');
  }
  xText(pStr, zTable);
  sqlite3_str_appendchar(pStr, 1, '"');
}

/*
** Does declaration p lie over the link of edge e? Sets *pbRight to 1 when
** p speaks for the right-hand table's side (a many-to-one, or a
** many-to-many seen from the right). Returns 1 or 0.
*/
static int diagSameLink(DiagEdge *e, RelDecl *p, int *pbRight){
  if( e->eKind==REL_MANY_TO_MANY ){
    if( p->eKind!=REL_MANY_TO_MANY
     || sqlite3_stricmp(p->sec.zName, e->zSec)!=0 ) return 0;
    if( sqlite3_stricmp(p->zSrcCol, e->zCol)==0
     && sqlite3_stricmp(p->zTgtCol, e->zCol2)==0 ){
      *pbRight = 0;
      return 1;
    }
    if( sqlite3_stricmp(p->zSrcCol, e->zCol2)==0
     && sqlite3_stricmp(p->zTgtCol, e->zCol)==0 ){
      *pbRight = 1;
      return 1;
    }
    return 0;
  }
  if( p->eKind==REL_MANY_TO_MANY ) return 0;
  if( p->eKind==REL_MANY_TO_ONE ){
    *pbRight = 1;
    return sqlite3_stricmp(p->src.zName, e->zRight)==0
        && sqlite3_stricmp(p->zFk, e->zCol)==0;
  }
  *pbRight = 0;
  return sqlite3_stricmp(p->tgt.zName, e->zRight)==0
      && sqlite3_stricmp(p->zFk, e->zCol)==0;
}

/*
** Append the lines of one schema's declarations aDecl[0..nDecl) to pOut.
** Returns SQLITE_OK or SQLITE_NOMEM.
*/
static int diagSchema(sqlite3_str *pOut, int eFormat, const char *zDb,
                      RelDecl **aDecl, int nDecl){
  DiagEdge *aEdge;
  int nEdge = 0;
  int i, j, rc = SQLITE_OK;

  aEdge = relMallocZero(sizeof(DiagEdge)*(nDecl>0 ? nDecl : 1));
  if( aEdge==0 ) return SQLITE_NOMEM;
  for(i=0; i<nDecl; i++){
    RelDecl *p = aDecl[i];
    DiagEdge *e = 0;
    int bRight = 0;
    for(j=0; j<nEdge; j++){
      if( diagSameLink(&aEdge[j], p, &bRight) ){ e = &aEdge[j]; break; }
    }
    if( e==0 ){
      e = &aEdge[nEdge++];
      e->pFirst = p;
      e->pLeft = sqlite3_str_new(0);
      e->pRight = sqlite3_str_new(0);
      if( p->eKind==REL_MANY_TO_MANY ){
        e->eKind = REL_MANY_TO_MANY;
        bRight = 0;
        e->zLeft = p->src.zName;
        e->zRight = p->tgt.zName;
        e->zSec = p->sec.zName;
        e->zCol = p->zSrcCol;
        e->zCol2 = p->zTgtCol;
      }else{
        e->eKind = REL_ONE_TO_MANY;
        e->zCol = p->zFk;
        bRight = p->eKind==REL_MANY_TO_ONE;
        e->zLeft = bRight ? p->tgt.zName : p->src.zName;
        e->zRight = bRight ? p->src.zName : p->tgt.zName;
      }
    }
    if( p->bOneToOne && p->eKind!=REL_MANY_TO_MANY ) e->bOne = 1;
    diagAddAttr(bRight ? e->pRight : e->pLeft, p->zAttr);
  }

  for(i=0; i<nEdge; i++){
    DiagEdge *e = &aEdge[i];
    sqlite3_str *pLabel = sqlite3_str_new(0);
    char *zLeft, *zRight, *zLabel;
    /* an empty name list finishes as NULL too: ask for the error first */
    if( sqlite3_str_errcode(e->pLeft) || sqlite3_str_errcode(e->pRight) ){
      rc = SQLITE_NOMEM;
    }
    zLeft = sqlite3_str_finish(e->pLeft);
    zRight = sqlite3_str_finish(e->pRight);
    e->pLeft = e->pRight = 0;
    if( zLeft && zLeft[0] ) sqlite3_str_appendall(pLabel, zLeft);
    if( zLeft && zLeft[0] && zRight && zRight[0] ){
      sqlite3_str_appendall(pLabel, " / ");
    }
    if( zRight && zRight[0] ) sqlite3_str_appendall(pLabel, zRight);
    if( e->eKind==REL_MANY_TO_MANY ){
      sqlite3_str_appendf(pLabel, " (%s)", e->zSec);
    }
    zLabel = sqlite3_str_finish(pLabel);
    if( zLabel==0 ) rc = SQLITE_NOMEM;
    if( rc==SQLITE_OK && eFormat==DIAG_MERMAID ){
      const char *zCard = e->eKind==REL_MANY_TO_MANY ? "}o--o{"
                        : e->bOne ? "||--o|" : "||--o{";
      sqlite3_str_appendall(pOut, "\n    ");
      diagName(pOut, eFormat, zDb, e->zLeft);
      sqlite3_str_appendf(pOut, " %s ", zCard);
      diagName(pOut, eFormat, zDb, e->zRight);
      sqlite3_str_appendall(pOut, " : \"");
      diagMermaidText(pOut, zLabel);
      sqlite3_str_appendall(pOut, "\"");
    }else if( rc==SQLITE_OK ){
      const char *zTail = e->eKind==REL_MANY_TO_MANY ? "crowodot" : "teetee";
      const char *zHead = e->eKind==REL_MANY_TO_MANY ? "crowodot"
                        : e->bOne ? "teeodot" : "crowodot";
      sqlite3_str_appendall(pOut, "\n  ");
      diagName(pOut, eFormat, zDb, e->zLeft);
      sqlite3_str_appendall(pOut, " -> ");
      diagName(pOut, eFormat, zDb, e->zRight);
      sqlite3_str_appendall(pOut, " [label=\"");
      diagDotText(pOut, zLabel);
      sqlite3_str_appendf(pOut, "\", arrowtail=%s, arrowhead=%s];",
                          zTail, zHead);
    }
    sqlite3_free(zLeft);
    sqlite3_free(zRight);
    sqlite3_free(zLabel);
  }
  for(i=0; i<nEdge; i++){
    sqlite3_free(sqlite3_str_finish(aEdge[i].pLeft));
    sqlite3_free(sqlite3_str_finish(aEdge[i].pRight));
  }
  sqlite3_free(aEdge);
  return rc;
}

/*
** SQL function rel_diagram([FORMAT]): the diagram's text, 'mermaid'
** (default, also for NULL) or 'dot'. The result is from sqlite3_malloc64()
** and handed to SQLite, which frees it.
*/
static void relDiagramFunc(
  sqlite3_context *ctx, int argc, sqlite3_value **argv
){
  RelGlobal *pGlobal = (RelGlobal*)sqlite3_user_data(ctx);
  sqlite3 *db = pGlobal->db;
  const char *zFormat = argc>0 ? (const char*)sqlite3_value_text(argv[0]) : 0;
  int eFormat = DIAG_MERMAID;
  sqlite3_stmt *pDbs = 0;
  sqlite3_str *pOut;
  char *zErr = 0;
  char *zOut;
  int rc;

  if( zFormat && sqlite3_stricmp(zFormat, "dot")==0 ){
    eFormat = DIAG_DOT;
  }else if( zFormat && sqlite3_stricmp(zFormat, "mermaid")!=0 ){
    char *zMsg = sqlite3_mprintf("rel_diagram: unknown format '%s'; use"
                                 " 'mermaid' or 'dot'", zFormat);
    sqlite3_result_error(ctx, zMsg ? zMsg : "out of memory", -1);
    sqlite3_free(zMsg);
    return;
  }

  pOut = sqlite3_str_new(db);
  if( eFormat==DIAG_MERMAID ){
    sqlite3_str_appendall(pOut, "erDiagram");
  }else{
    sqlite3_str_appendall(pOut, "digraph relationships {\n  rankdir=LR;\n"
        "  node [shape=box, fontname=\"Helvetica\"];\n"
        "  edge [dir=both, fontname=\"Helvetica\", fontsize=10];");
  }
  rc = relPrepare(db, &pDbs,
                  "SELECT name FROM pragma_database_list ORDER BY seq");
  while( rc==SQLITE_OK && sqlite3_step(pDbs)==SQLITE_ROW ){
    char *zDb = relStrdup((const char*)sqlite3_column_text(pDbs, 0));
    RelDecl **aDecl = 0;
    int nDecl = 0;
    if( zDb==0 ){ rc = SQLITE_NOMEM; break; }
    rc = relReadDecls(db, zDb, &aDecl, &nDecl, &zErr);
    if( rc==SQLITE_OK ) rc = diagSchema(pOut, eFormat, zDb, aDecl, nDecl);
    relFreeDecls(aDecl, nDecl);
    sqlite3_free(zDb);
  }
  /* a step that failed (out of memory) ends the loop: its code is here */
  if( rc==SQLITE_OK ){
    rc = sqlite3_finalize(pDbs);
  }else{
    sqlite3_finalize(pDbs);
  }
  if( eFormat==DIAG_DOT ) sqlite3_str_appendall(pOut, "\n}");
  zOut = sqlite3_str_finish(pOut);
  if( rc==SQLITE_OK && zOut==0 ) rc = SQLITE_NOMEM;
  if( rc!=SQLITE_OK ){
    sqlite3_free(zOut);
    if( rc==SQLITE_NOMEM ){
      sqlite3_result_error_nomem(ctx);
    }else{
      char *zMsg = sqlite3_mprintf("rel_diagram: %s",
                                   zErr ? zErr : sqlite3_errmsg(db));
      sqlite3_result_error(ctx, zMsg ? zMsg : "out of memory", -1);
      sqlite3_result_error_code(ctx, rc);
      sqlite3_free(zMsg);
    }
    sqlite3_free(zErr);
    return;
  }
  sqlite3_free(zErr);
  sqlite3_result_text(ctx, zOut, -1, sqlite3_free);
}

/*
** Register rel_diagram() with 0 and 1 arguments on db. Returns an SQLite
** code.
*/
int relRegisterDiagram(sqlite3 *db, RelGlobal *pGlobal){
  int rc = sqlite3_create_function(db, "rel_diagram", 0, SQLITE_UTF8,
                                   pGlobal, relDiagramFunc, 0, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function(db, "rel_diagram", 1, SQLITE_UTF8,
                                 pGlobal, relDiagramFunc, 0, 0);
  }
  return rc;
}
