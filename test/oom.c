/*
** test/oom.c: the out-of-memory sweep (make test-oom).
**
** The extension is compiled into this program (-DSQLITE_CORE) and
** registered with sqlite3_auto_extension(). An allocator installed with
** SQLITE_CONFIG_MALLOC wraps SQLite's own and fails the Nth allocation
** (mode "once") or the Nth and every later one (mode "persistent").
**
** For each scenario of aScenario[] (setup SQL, then one statement), and
** for each mode, N runs from 1 until the statement runs without reaching
** its Nth allocation. Every N starts from the same state:
**
**   - on a fresh database file, setup runs without faults (and, for
**     scenarios marked bReopen, the connection is closed and reopened, so
**     that the statement connects the relationship tables: xConnect);
**   - a dump of the database (sqlite_schema, main and temp, then every
**     table's rows, integrity_check, rel_check) is taken: the "before"
**     dump. (A dump equal to the "before" one or to the reference run's
**     "after" one up to its rel_check rows takes those rows over instead
**     of running rel_check again: see apKnown.)
**
** That preparation is done once per scenario. When it is costly (it makes
** 3000 allocations or more: the scenarios that declare relationships), the
** file's bytes are saved and each N runs in a child process forked from
** the prepared connection: the child starts from exactly that connection,
** page cache and allocation count, as a fresh preparation would leave
** them, and sends its results back through a pipe; the parent writes the
** saved bytes back into the same file (no journal) before each fork. A
** fork costs about as much as a cheap preparation, so the cheap ones are
** simply prepared afresh at every N. Either way, at every N:
**
**   - the fault is armed; the statement runs; the fault is disarmed;
**   - the statement either fails with SQLITE_NOMEM and the dump is
**     unchanged, or succeeds with the reference result and the reference
**     dump (those of a run with no fault);
**   - PRAGMA integrity_check says ok; rel_check (when this build has it)
**     is empty;
**   - after sqlite3_close() every allocation made since the connection
**     was opened is freed (the wrapper counts them): no leak at any N.
**     A child that crashes is a failure at that N.
**
** Adding a scenario for a new feature is one entry in aScenario[].
** A scenario with zKnown set is a known failure not yet fixed: its
** failures are counted apart ("known"), so that the sweep guards
** everything else; remove zKnown once the bug is fixed.
**
** Each scenario's line gives its failure points and the CPU seconds
** (user and system, the forked children's too) it took.
** The last line is "oom: N failure points swept, M failures"; the exit
** status is non-zero when M is not 0. Options: -v (each failure point,
** and how each scenario is prepared), a scenario name (only that one),
** -j J (each scenario in a process of its own, J at a time: make
** test-oom runs one a core), -n N (at most N points a mode: for
** measuring), --fork-at A (fork when preparing makes A allocations or
** more; 0: always, a large number: never).
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/resource.h>
#if defined(__SANITIZE_ADDRESS__)
# define OOM_ASAN 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define OOM_ASAN 1
# endif
#endif
#ifdef OOM_ASAN
void __sanitizer_purge_allocator(void);   /* the sanitizers' runtime */
# define oomPurge() __sanitizer_purge_allocator()
#endif
#ifndef oomPurge
# define oomPurge()
#endif

int sqlite3_relationship_init(sqlite3*, char**, const sqlite3_api_routines*);

/*------------------------------------------------------------------------
** The scenarios. zSetup runs without faults; zStmt is the statement under
** test (one statement, or several run by sqlite3_exec() as one unit only
** when that is what a user would do).
*/
#define PC_SCHEMA \
  "CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);" \
  "CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT," \
  "  parent_id INTEGER REFERENCES parent(id));" \
  "INSERT INTO parent VALUES (1,'p1'),(2,'p2'),(3,'p3');" \
  "INSERT INTO child VALUES (1,'c1',1),(2,'c2',1),(3,'c3',2),(4,'c4',NULL);"
#define PC_DECL \
  "CREATE VIRTUAL TABLE child_parent USING relationship(child, parent," \
  "  backref=children);"
#define PC_ORPHAN \
  "CREATE VIRTUAL TABLE parent_children USING relationship(parent, child," \
  "  cascade='all, delete-orphan', order_by='name DESC');"
#define LR_SCHEMA \
  "CREATE TABLE \"left\"(id INTEGER PRIMARY KEY, name TEXT);" \
  "CREATE TABLE \"right\"(id INTEGER PRIMARY KEY, name TEXT);" \
  "INSERT INTO \"left\" VALUES (1,'L1'),(2,'L2'),(3,'L3');" \
  "INSERT INTO \"right\" VALUES (1,'R1'),(2,'R2'),(3,'R3'),(4,'R4');"
#define LR_DECL \
  "CREATE VIRTUAL TABLE left_children USING relationship(\"left\", \"right\"," \
  "  secondary=association, backref=parents);" \
  "INSERT INTO association VALUES (1,1),(1,2),(2,2),(2,3),(3,3);"
#define AO_DECL \
  "CREATE TABLE assoc(left_id INTEGER REFERENCES \"left\"(id)," \
  "  right_id INTEGER REFERENCES \"right\"(id), extra TEXT," \
  "  PRIMARY KEY(left_id, right_id));" \
  "CREATE VIRTUAL TABLE left_items USING relationship(\"left\", \"right\"," \
  "  secondary=assoc);" \
  "INSERT INTO assoc VALUES (1,1,'a'),(1,2,'b'),(2,2,'c');"
#define SYM_DECL \
  "CREATE TABLE person(id INTEGER PRIMARY KEY, name TEXT);" \
  "INSERT INTO person VALUES (1,'a'),(2,'b'),(3,'c');" \
  "CREATE VIRTUAL TABLE person_friends USING relationship(person, person," \
  "  secondary=friendship, source_column=a, target_column=b, symmetric=1);" \
  "INSERT INTO person_friends(owner, id) VALUES (1, 2);"
#define WR_DECL \
  "CREATE TABLE wassoc(left_id INTEGER NOT NULL REFERENCES \"left\"(id)," \
  "  right_id INTEGER NOT NULL REFERENCES \"right\"(id), extra TEXT," \
  "  PRIMARY KEY(left_id, right_id)) WITHOUT ROWID;" \
  "CREATE VIRTUAL TABLE left_wr USING relationship(\"left\", \"right\"," \
  "  secondary=wassoc, backref=wr_parents);" \
  "INSERT INTO wassoc VALUES (1,1,'a'),(1,2,'b'),(2,2,'c'),(2,3,'d');"
#define WR_SYM_DECL \
  "CREATE TABLE person(id INTEGER PRIMARY KEY, name TEXT);" \
  "INSERT INTO person VALUES (1,'a'),(2,'b'),(3,'c');" \
  "CREATE TABLE friendship(a INTEGER NOT NULL REFERENCES person(id)," \
  "  b INTEGER NOT NULL REFERENCES person(id), PRIMARY KEY(a, b))" \
  "  WITHOUT ROWID;" \
  "CREATE VIRTUAL TABLE person_friends USING relationship(person, person," \
  "  secondary=friendship, source_column=a, target_column=b, symmetric=1);" \
  "INSERT INTO person_friends(owner, id) VALUES (1, 2), (3, 1);"

#define TREE_DECL \
  "CREATE TABLE folder(id INTEGER PRIMARY KEY, name TEXT," \
  "  parent_id INTEGER REFERENCES folder(id));" \
  "CREATE VIRTUAL TABLE folder_children USING relationship(folder, folder," \
  "  kind=one_to_many, foreign_key=parent_id, backref=parent);" \
  "INSERT INTO folder VALUES (1,'/',NULL),(2,'home',1),(3,'usr',1)," \
  "  (4,'ann',2),(5,'bob',2),(6,'lib',3),(7,'tcl',6);"
#define TREE_CASCADE_SCHEMA \
  "CREATE TABLE folder(id INTEGER PRIMARY KEY, name TEXT," \
  "  parent_id INTEGER REFERENCES folder(id));" \
  "INSERT INTO folder VALUES (1,'/',NULL),(2,'home',1),(3,'usr',1)," \
  "  (4,'ann',2),(5,'bob',2),(6,'lib',3),(7,'tcl',6);"
#define TREE_CASCADE_DECL \
  "CREATE VIRTUAL TABLE folder_children USING relationship(folder, folder," \
  "  kind=one_to_many, cascade='all, delete-orphan')"
#define GRAPH_DECL \
  "CREATE TABLE node(id INTEGER PRIMARY KEY, label TEXT);" \
  "CREATE VIRTUAL TABLE node_higher_neighbors USING relationship(node, node," \
  "  secondary=edge, source_column=lower_id, target_column=higher_id," \
  "  backref=lower_neighbors);" \
  "INSERT INTO node(label) VALUES ('n1'),('n2'),('n3'),('n4'),('n5'),('n6');" \
  "INSERT INTO edge VALUES (1,2),(1,5),(2,3),(2,4),(5,6),(2,1);"
#define TEXT_GRAPH_DECL \
  "CREATE TABLE tnode(k TEXT PRIMARY KEY, label TEXT);" \
  "CREATE VIRTUAL TABLE tnode_next USING relationship(tnode, tnode," \
  "  secondary=tedge, source_column=a, target_column=b);" \
  "INSERT INTO tnode VALUES ('a','A'),('b','B'),('c','C'),('d','D');" \
  "INSERT INTO tedge VALUES ('a','b'),('b','c'),('c','a'),('b','d');"
/* For rel_json: parent/child both ways (order_by), left/right both ways,
** and an association object from left. */
#define JSON_DECL \
  PC_SCHEMA LR_SCHEMA \
  "CREATE VIRTUAL TABLE parent_children USING relationship(parent, child," \
  "  order_by='name DESC', back_populates=child_parent);" \
  "CREATE VIRTUAL TABLE child_parent USING relationship(child, parent," \
  "  back_populates=parent_children);" \
  LR_DECL AO_DECL
/* For rel_infer: two foreign keys, an association table, a self-reference */
#define INFER_SCHEMA \
  "CREATE TABLE author(id INTEGER PRIMARY KEY, name TEXT);" \
  "CREATE TABLE book(id INTEGER PRIMARY KEY, title TEXT," \
  "  author_id INTEGER REFERENCES author(id));" \
  "CREATE TABLE tag(id INTEGER PRIMARY KEY, label TEXT," \
  "  parent_id INTEGER REFERENCES tag(id));" \
  "CREATE TABLE book_tag(book_id INTEGER REFERENCES book(id)," \
  "  tag_id INTEGER REFERENCES tag(id), PRIMARY KEY(book_id, tag_id));" \
  "INSERT INTO author VALUES (1,'Ada');" \
  "INSERT INTO book VALUES (1,'Notes',1);" \
  "INSERT INTO tag VALUES (1,'maths',NULL),(2,'algebra',1);" \
  "INSERT INTO book_tag VALUES (1,2);"
/* For rel_check: rows written before the declarations break their rules
** (child 4 is an orphan, child 5 has no parent, assoc rows dangle, two
** "one" rows share a solo, solo_one has no index), then a clean one. */
#define CHECK_DECL \
  PC_SCHEMA LR_SCHEMA \
  "INSERT INTO child VALUES (5,'lost',7);" \
  "CREATE TABLE assoc(left_id INTEGER REFERENCES \"left\"(id)," \
  "  right_id INTEGER REFERENCES \"right\"(id), extra TEXT," \
  "  PRIMARY KEY(left_id, right_id));" \
  "INSERT INTO assoc VALUES (1,1,'a'),(9,2,'b'),(2,NULL,'c');" \
  "CREATE TABLE solo(id INTEGER PRIMARY KEY);" \
  "CREATE TABLE one(id INTEGER PRIMARY KEY, solo_id INTEGER REFERENCES solo(id));" \
  "INSERT INTO solo VALUES (1);" \
  "INSERT INTO one VALUES (1,1),(2,1);" \
  "CREATE VIRTUAL TABLE parent_children USING relationship(parent, child," \
  "  cascade='all, delete-orphan');" \
  "CREATE VIRTUAL TABLE left_items USING relationship(\"left\", \"right\"," \
  "  secondary=assoc);" \
  "CREATE VIRTUAL TABLE solo_one USING relationship(solo, one, uselist=0," \
  "  create_index=0);" \
  LR_DECL

/* columns named rowid, _rowid_, oid: the rowid goes by another name */
#define RC_SCHEMA \
  "CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);" \
  "CREATE TABLE child(rowid TEXT, _rowid_ TEXT, oid TEXT," \
  "  id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id));" \
  "CREATE TABLE item(rowid TEXT, parent_id INTEGER REFERENCES parent(id));" \
  "INSERT INTO parent VALUES (1,'p1'),(2,'p2');" \
  "INSERT INTO child VALUES ('x','y','z',1,1),('x','y','z',2,1)," \
  "  ('x','y','z',3,2);" \
  "INSERT INTO item VALUES ('x',1),('x',1),('x',2);"
#define RC_DECL \
  "CREATE VIRTUAL TABLE parent_children USING relationship(parent, child," \
  "  backref=parent, cascade='all, delete-orphan');" \
  "CREATE VIRTUAL TABLE parent_items USING relationship(parent, item," \
  "  cascade='all, delete-orphan');"

static const struct Scenario {
  const char *zName;
  const char *zSetup;
  const char *zStmt;
  int bReopen;        /* Close and reopen before: the statement connects */
  const char *zKnown; /* A known failure, not yet fixed: why */
} aScenario[] = {
  /* declaration */
  { "declare-o2m", PC_SCHEMA,
    "CREATE VIRTUAL TABLE parent_children USING relationship(parent, child)" },
  { "declare-backref", PC_SCHEMA, PC_DECL },
  { "declare-m2m-create-secondary", LR_SCHEMA,
    "CREATE VIRTUAL TABLE left_children USING relationship(\"left\","
    " \"right\", secondary=association, backref=parents)" },
  { "declare-symmetric", "CREATE TABLE person(id INTEGER PRIMARY KEY);",
    "CREATE VIRTUAL TABLE person_friends USING relationship(person, person,"
    " secondary=friendship, source_column=a, target_column=b, symmetric=1)" },
  { "declare-error", PC_SCHEMA,
    "CREATE VIRTUAL TABLE parent_x USING relationship(parent, child,"
    " foreign_key=nosuch)" },
  { "rel_declare", PC_SCHEMA,
    "SELECT rel_declare('child_parent', 'child', 'parent',"
    " 'backref=children, cascade=all, delete-orphan')" },
  { "declare-collate", "CREATE TABLE parent(id INTEGER PRIMARY KEY);"
    "CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT COLLATE NOCASE,"
    " parent_id REFERENCES parent(id));",
    "CREATE VIRTUAL TABLE parent_children USING relationship(parent, child,"
    " order_by='name')" },
  { "declare-collate-link", "CREATE TABLE node(code TEXT PRIMARY KEY,"
    " up TEXT COLLATE NOCASE REFERENCES node(code));"
    "INSERT INTO node VALUES ('r',NULL),('a','r'),('A','r');",
    "CREATE VIRTUAL TABLE node_kids USING relationship(node, node,"
    " kind=one_to_many, foreign_key=up, cascade='all, delete-orphan')" },
  { "cascade-collate-link", "CREATE TABLE node(code TEXT PRIMARY KEY,"
    " up TEXT COLLATE NOCASE REFERENCES node(code));"
    "CREATE VIRTUAL TABLE node_kids USING relationship(node, node,"
    " kind=one_to_many, foreign_key=up, cascade='all, delete-orphan');"
    "INSERT INTO node VALUES ('r',NULL),('a','r'),('A','r'),('a1','a');",
    "DELETE FROM node WHERE code = 'a'" },
  { "write-collate-o2o", "CREATE TABLE parent(code TEXT PRIMARY KEY);"
    "CREATE TABLE only(id INTEGER PRIMARY KEY,"
    " parent_code TEXT COLLATE NOCASE REFERENCES parent(code));"
    "CREATE VIRTUAL TABLE parent_only USING relationship(parent, only,"
    " uselist=0);"
    "CREATE TABLE tag(code TEXT PRIMARY KEY);"
    "CREATE TABLE pt(parent_code TEXT COLLATE NOCASE NOT NULL"
    " REFERENCES parent(code), tag_code TEXT COLLATE NOCASE NOT NULL"
    " REFERENCES tag(code));"
    "CREATE VIRTUAL TABLE parent_tags USING relationship(parent, tag,"
    " secondary=pt);"
    "INSERT INTO parent VALUES ('abc'),('ABC'); INSERT INTO tag VALUES ('t'),('T');"
    "INSERT INTO only VALUES (1,'ABC'),(2,'abc');"
    "INSERT INTO pt VALUES ('abc','t');",
    "INSERT INTO parent_only(owner) VALUES ('abc')" },
  { "write-collate-m2m", "CREATE TABLE parent(code TEXT PRIMARY KEY);"
    "CREATE TABLE tag(code TEXT PRIMARY KEY);"
    "CREATE TABLE pt(parent_code TEXT COLLATE NOCASE NOT NULL"
    " REFERENCES parent(code), tag_code TEXT COLLATE NOCASE NOT NULL"
    " REFERENCES tag(code));"
    "CREATE VIRTUAL TABLE parent_tags USING relationship(parent, tag,"
    " secondary=pt);"
    "INSERT INTO parent VALUES ('abc'),('ABC'); INSERT INTO tag VALUES ('t'),('T');"
    "INSERT INTO pt VALUES ('abc','t');",
    "INSERT INTO parent_tags(owner, code) VALUES ('ABC', 't'), ('abc', 'T')" },
  { "check-collate-link", "CREATE TABLE parent(code TEXT PRIMARY KEY);"
    "CREATE TABLE only(id INTEGER PRIMARY KEY,"
    " parent_code TEXT COLLATE NOCASE REFERENCES parent(code));"
    "CREATE VIRTUAL TABLE parent_only USING relationship(parent, only,"
    " uselist=0);"
    "INSERT INTO parent VALUES ('abc'),('ABC');"
    "INSERT INTO only VALUES (1,'ABC'),(2,'abc');",
    "SELECT * FROM rel_check" },
  { "connect-collate", "CREATE TABLE parent(id INTEGER PRIMARY KEY);"
    "CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT COLLATE NOCASE,"
    " parent_id REFERENCES parent(id));"
    "CREATE VIRTUAL TABLE parent_children USING relationship(parent, child,"
    " order_by='name');"
    "INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1,'b',1),(2,'A',1);",
    "SELECT name FROM parent_children WHERE +owner = 1 ORDER BY name", 1 },
  { "drop", PC_SCHEMA PC_DECL, "DROP TABLE parent_children" },
  { "drop-declared-side", PC_SCHEMA PC_DECL, "DROP TABLE child_parent" },
  { "drop-m2m", LR_SCHEMA LR_DECL, "DROP TABLE right_parents" },
  /* reads */
  { "plain-read", PC_SCHEMA, "SELECT * FROM child" },
  { "read-owner", PC_SCHEMA PC_DECL,
    "SELECT * FROM parent_children(1)" },
  { "connect-read", PC_SCHEMA PC_DECL,
    "SELECT * FROM parent_children(1)", 1 },
  { "connect-write", PC_SCHEMA PC_DECL,
    "INSERT INTO parent_children(owner, id) VALUES (2, 4)", 1 },
  { "connect-no-secondary",
    "CREATE TABLE l(id INTEGER PRIMARY KEY);"
    "CREATE TABLE r(id INTEGER PRIMARY KEY);"
    "CREATE VIRTUAL TABLE l_rs USING relationship(l, r, secondary=lr);"
    "DROP TABLE lr;",
    "SELECT * FROM l_rs", 1 },
  { "read-join", PC_SCHEMA PC_DECL,
    "SELECT p.name, c.name FROM parent p JOIN parent_children(p.id) c"
    " ORDER BY 1, 2" },
  { "read-scan-in", PC_SCHEMA PC_DECL,
    "SELECT owner, * FROM parent_children WHERE owner IN (1, 2)"
    " ORDER BY owner, id" },
  { "read-in-nocase", "CREATE TABLE parent(code TEXT PRIMARY KEY);"
    "CREATE TABLE child(id INTEGER PRIMARY KEY,"
    " parent_code TEXT COLLATE NOCASE REFERENCES parent(code));"
    "CREATE VIRTUAL TABLE parent_children USING relationship(parent, child);"
    "INSERT INTO parent VALUES ('a'),('b'),('c');"
    "INSERT INTO child VALUES (1,'a'),(2,'A'),(3,'b'),(4,'c');",
    "SELECT id FROM parent_children WHERE owner IN ('a','B','A','zz','b','c',"
    " 'C',1) ORDER BY id" },
  { "read-scalar", PC_SCHEMA PC_DECL, "SELECT * FROM child_parent(3)" },
  { "read-order-by", PC_SCHEMA PC_ORPHAN,
    "SELECT name FROM parent_children(1) ORDER BY name DESC" },
  { "read-m2m", LR_SCHEMA LR_DECL,
    "SELECT owner, id FROM right_parents ORDER BY 1, 2" },
  { "read-assoc-object", LR_SCHEMA AO_DECL,
    "SELECT owner, id, extra FROM left_items ORDER BY 1, 2" },
  { "read-symmetric", SYM_DECL, "SELECT owner, id FROM person_friends" },
  { "rel_list", PC_SCHEMA LR_SCHEMA PC_DECL LR_DECL,
    "SELECT * FROM rel_list" },
  /* writes */
  { "link", PC_SCHEMA PC_DECL,
    "INSERT INTO parent_children(owner, id) VALUES (2, 4)" },
  { "link-new-rows", PC_SCHEMA PC_DECL,
    "INSERT INTO parent_children(owner, name) VALUES (1,'n1'),(2,'n2'),(3,'n3')" },
  { "link-or-ignore", PC_SCHEMA PC_DECL,
    "INSERT OR IGNORE INTO parent_children(owner, id) VALUES (1, 1), (3, 4)" },
  { "assign-scalar", PC_SCHEMA PC_DECL,
    "INSERT OR REPLACE INTO child_parent(owner, id) VALUES (4, 3)" },
  { "unlink", PC_SCHEMA PC_DECL,
    "DELETE FROM parent_children WHERE owner = 1" },
  { "unlink-orphan", PC_SCHEMA PC_ORPHAN,
    "DELETE FROM parent_children WHERE owner = 1 AND id = 2" },
  { "move", PC_SCHEMA PC_DECL,
    "UPDATE parent_children SET owner = 3 WHERE owner = 1" },
  { "update-rowid-as-text", PC_SCHEMA PC_DECL,
    "UPDATE parent_children SET rowid = ' 1 ', name = 'x' WHERE id = 1" },
  { "update-target", PC_SCHEMA PC_DECL,
    "UPDATE parent_children SET name = upper(name) WHERE owner = 1" },
  { "key-move", PC_SCHEMA PC_DECL,
    "UPDATE parent_children SET id = 9, name = 'n', owner = 3"
    " WHERE owner = 1 AND id = 1" },
  { "m2o-key-move", PC_SCHEMA PC_DECL,
    "UPDATE child_parent SET id = 8, owner = 4 WHERE owner = 3" },
  { "m2o-owner-other-name", "CREATE TABLE parent(id INTEGER PRIMARY KEY);"
    "CREATE TABLE kid(code TEXT COLLATE NOCASE PRIMARY KEY,"
    " parent_id INTEGER REFERENCES parent(id));"
    "CREATE VIRTUAL TABLE kid_parent USING relationship(kid, parent,"
    " backref=kids, cascade='all, delete-orphan');"
    "INSERT INTO parent VALUES (1),(2); INSERT INTO kid VALUES ('c1',1),('1',2),('1.0',NULL);",
    "UPDATE kid_parent SET owner = CASE owner WHEN 'c1' THEN 'C1' ELSE '1.0'"
    " END" },
  { "update-from", "CREATE TABLE parent(id INTEGER PRIMARY KEY);"
    "CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT,"
    " up TEXT AS (upper(name)), parent_id INTEGER REFERENCES parent(id));"
    "CREATE VIRTUAL TABLE parent_children USING relationship(parent, child);"
    "CREATE TABLE post(id INTEGER PRIMARY KEY);"
    "CREATE TABLE tag(id INTEGER PRIMARY KEY);"
    "CREATE TABLE pt(post_id INTEGER NOT NULL REFERENCES post(id),"
    " tag_id INTEGER NOT NULL REFERENCES tag(id), note TEXT,"
    " loud TEXT AS (upper(note)), PRIMARY KEY(post_id, tag_id));"
    "CREATE VIRTUAL TABLE post_tags USING relationship(post, tag,"
    " secondary=pt);"
    "INSERT INTO parent VALUES (1),(2); INSERT INTO post VALUES (1),(2);"
    "INSERT INTO tag VALUES (1),(2);"
    "INSERT INTO child VALUES (1,'a',1),(2,'b',1);"
    "INSERT INTO pt(post_id, tag_id, note) VALUES (1,1,'x'),(1,2,'y');"
    "CREATE TABLE map(id INTEGER, np INTEGER, nn TEXT);"
    "INSERT INTO map VALUES (1,2,'A'),(2,2,'B');",
    "UPDATE parent_children SET owner = m.np, name = m.nn FROM map m"
    " WHERE parent_children.id = m.id" },
  { "update-from-m2m", "CREATE TABLE post(id INTEGER PRIMARY KEY);"
    "CREATE TABLE tag(id INTEGER PRIMARY KEY);"
    "CREATE TABLE pt(post_id INTEGER NOT NULL REFERENCES post(id),"
    " tag_id INTEGER NOT NULL REFERENCES tag(id), note TEXT,"
    " loud TEXT AS (upper(note)), PRIMARY KEY(post_id, tag_id));"
    "CREATE VIRTUAL TABLE post_tags USING relationship(post, tag,"
    " secondary=pt);"
    "INSERT INTO post VALUES (1),(2); INSERT INTO tag VALUES (1),(2);"
    "INSERT INTO pt(post_id, tag_id, note) VALUES (1,1,'x'),(1,2,'y');"
    "CREATE TABLE map(id INTEGER, np INTEGER, nn TEXT);"
    "INSERT INTO map VALUES (1,2,'A'),(2,2,'B');",
    "UPDATE post_tags SET owner = m.np, note = m.nn FROM map m"
    " WHERE post_tags.id = m.id" },
  { "m2m-link", LR_SCHEMA LR_DECL,
    "INSERT INTO left_children(owner, id) VALUES (3, 1), (3, 4)" },
  { "m2m-link-new", LR_SCHEMA LR_DECL,
    "INSERT INTO right_parents(owner, name) VALUES (4, 'L4')" },
  { "m2m-link-rowid", LR_SCHEMA LR_DECL,
    "INSERT INTO left_children(owner, rowid, name) VALUES (3, 40, 'R5')" },
  { "m2o-rowid-refused", PC_SCHEMA PC_DECL,
    "INSERT INTO child_parent(owner, rowid, id) VALUES (4, 3, 2)" },
  { "m2m-unlink", LR_SCHEMA LR_DECL,
    "DELETE FROM left_children WHERE id = 2" },
  { "m2m-move", LR_SCHEMA LR_DECL,
    "UPDATE left_children SET owner = 3 WHERE owner = 1 AND id = 1" },
  { "assoc-update", LR_SCHEMA AO_DECL,
    "UPDATE left_items SET extra = 'z' WHERE owner = 1" },
  { "symmetric-link", SYM_DECL,
    "INSERT INTO person_friends(owner, id) VALUES (3, 1)" },
  /* through a WITHOUT ROWID association table (rowids: rel_addr.c) */
  { "wr-read-rowid", LR_SCHEMA WR_DECL,
    "SELECT rowid, owner, id FROM left_wr ORDER BY 2, 3" },
  { "wr-link", LR_SCHEMA WR_DECL,
    "INSERT INTO left_wr(owner, id, extra) VALUES (3, 1, 'e'), (3, 4, 'f')" },
  { "wr-link-replace", LR_SCHEMA WR_DECL,
    "INSERT OR REPLACE INTO left_wr(owner, id, extra) VALUES (1, 1, 'z')" },
  { "wr-unlink", LR_SCHEMA WR_DECL, "DELETE FROM left_wr WHERE id = 2" },
  { "wr-move", LR_SCHEMA WR_DECL,
    "UPDATE left_wr SET owner = 3 WHERE owner = 2" },
  { "wr-assoc-update", LR_SCHEMA WR_DECL,
    "UPDATE right_wr_parents SET extra = upper(extra) WHERE owner = 2" },
  { "wr-key-move", LR_SCHEMA WR_DECL,
    "UPDATE left_wr SET id = 7, owner = 3 WHERE owner = 1 AND id = 1" },
  { "wr-key-assoc-update", LR_SCHEMA WR_DECL,
    "UPDATE left_wr SET id = 7, extra = 'k' WHERE owner = 1 AND id = 1" },
  { "wr-symmetric-unlink", WR_SYM_DECL,
    "DELETE FROM person_friends WHERE owner = 1" },
  { "wr-symmetric-move", WR_SYM_DECL,
    "UPDATE person_friends SET owner = 2 WHERE owner = 3" },
  /* UPDATE OR REPLACE moves onto links that are there: those go */
  { "m2m-move-replace", LR_SCHEMA LR_DECL,
    "UPDATE OR REPLACE left_children SET owner = 2 WHERE owner = 1" },
  { "wr-move-replace", LR_SCHEMA WR_DECL,
    "UPDATE OR REPLACE left_wr SET owner = 2 WHERE owner = 1" },
  { "wr-symmetric-move-replace", WR_SYM_DECL,
    "UPDATE OR REPLACE person_friends SET owner = 2 WHERE owner = 3" },
  { "o2o-move-replace", PC_SCHEMA "DELETE FROM child WHERE id = 2;"
    "CREATE VIRTUAL TABLE parent_child USING relationship(parent, child,"
    "  uselist=0);",
    "UPDATE OR REPLACE parent_child SET owner = 2 WHERE owner = 1" },
  { "o2o-move-replace-orphan", PC_SCHEMA "DELETE FROM child WHERE id = 2;"
    "CREATE VIRTUAL TABLE parent_child USING relationship(parent, child,"
    "  uselist=0, cascade='all, delete-orphan');",
    "UPDATE OR REPLACE parent_child SET owner = 2, name = 'x'"
    " WHERE owner = 1" },
  /* cascades and triggers, written on the base tables */
  { "cascade-set-null", PC_SCHEMA PC_DECL, "DELETE FROM parent WHERE id = 1" },
  { "cascade-delete", PC_SCHEMA PC_ORPHAN, "DELETE FROM parent WHERE id < 3" },
  { "nested-write", PC_SCHEMA PC_DECL
    "CREATE TRIGGER child_follow AFTER UPDATE OF parent_id ON child"
    " WHEN NEW.id = 4 BEGIN"
    " INSERT INTO parent_children(owner, id) VALUES (NEW.parent_id, 3);"
    " UPDATE parent_children SET name = 'moved' WHERE id = 3; END;",
    "INSERT INTO parent_children(owner, id) VALUES (1, 4)" },
  { "link-trigger-skip", PC_SCHEMA PC_DECL
    "CREATE TABLE log(x);"
    "CREATE TRIGGER child_skip BEFORE UPDATE OF parent_id ON child"
    " WHEN OLD.id = 4 BEGIN INSERT INTO log VALUES (OLD.id);"
    " SELECT RAISE(IGNORE); END;",
    "INSERT INTO parent_children(owner, id) VALUES (1, 4), (2, 3)" },
  { "create-skipped",
    "CREATE TABLE post(id INTEGER PRIMARY KEY);"
    "CREATE TABLE tag(id INTEGER PRIMARY KEY,"
    "  name TEXT UNIQUE ON CONFLICT IGNORE);"
    "CREATE VIRTUAL TABLE post_tags USING relationship(post, tag,"
    "  secondary=post_tag);"
    "INSERT INTO post VALUES (1), (2); INSERT INTO tag VALUES (1, 'sql');",
    "INSERT OR IGNORE INTO post_tags(owner, name) VALUES (1,'sql'),(2,'tcl')" },
  { "m2m-link-trigger-skip", LR_SCHEMA LR_DECL
    "CREATE TRIGGER assoc_skip BEFORE INSERT ON association"
    " WHEN NEW.left_id = 3 BEGIN SELECT RAISE(IGNORE); END;",
    "INSERT INTO left_children(owner, id) VALUES (3, 1), (2, 4)" },
  { "ignore-partway",
    "CREATE TABLE parent(id INTEGER PRIMARY KEY, code TEXT UNIQUE, name);"
    "CREATE TABLE child(id INTEGER PRIMARY KEY, pcode REFERENCES parent(code));"
    "CREATE VIRTUAL TABLE child_parent USING relationship(child, parent,"
    "  kind=many_to_one, foreign_key=pcode);"
    "INSERT INTO child VALUES (1, NULL), (2, NULL);",
    "INSERT OR IGNORE INTO child_parent(owner, code, name)"
    " VALUES (2, 'b', 'pb'), (1, NULL, 'p')" },
  { "declare-tree-cascade", TREE_CASCADE_SCHEMA, TREE_CASCADE_DECL },
  { "cascade-subtree", TREE_CASCADE_SCHEMA TREE_CASCADE_DECL ";",
    "DELETE FROM folder WHERE id = 2" },
  { "orphan-trigger", PC_SCHEMA PC_ORPHAN,
    "UPDATE child SET parent_id = NULL WHERE id = 1" },
  { "m2m-delete-source", LR_SCHEMA LR_DECL, "DELETE FROM \"left\" WHERE id = 2" },
  { "key-change", LR_SCHEMA LR_DECL,
    "UPDATE \"right\" SET id = 10 WHERE id = 2" },
  /* closure */
  { "closure-tree", TREE_DECL,
    "SELECT id, depth, parent FROM rel_closure('folder_children', 1)" },
  { "closure-ancestors", TREE_DECL,
    "SELECT id, depth, parent FROM rel_closure('folder_parent', 7)" },
  { "closure-depth", TREE_DECL,
    "SELECT id FROM rel_closure('folder_children', 1) WHERE depth <= 1"
    " ORDER BY depth" },
  { "closure-join", TREE_DECL,
    "SELECT f.id, c.id FROM folder f, rel_closure('folder_children', f.id) c"
    " ORDER BY 1, 2" },
  { "closure-m2m-cycle", GRAPH_DECL,
    "SELECT id, depth, parent FROM rel_closure('node_higher_neighbors', 1)" },
  { "closure-m2m-reverse", GRAPH_DECL,
    "SELECT id, depth, parent FROM rel_closure('node_lower_neighbors', 6)" },
  { "closure-text-cycle", TEXT_GRAPH_DECL,
    "SELECT id, depth, parent FROM rel_closure('tnode_next', 'a')" },
  { "closure-number-root", TEXT_GRAPH_DECL
    "INSERT INTO tnode VALUES ('1.5','N'); INSERT INTO tedge VALUES ('1.5','a');",
    "SELECT id, depth, parent FROM rel_closure('tnode_next', 1.5)" },
  { "closure-error", TREE_DECL,
    "SELECT id FROM rel_closure('nosuch', 1)" },
  /* json */
  { "json-depth1", JSON_DECL,
    "SELECT rel_json('parent', 1), rel_json('left', 1), rel_json('right', 2)" },
  { "json-depth2", JSON_DECL,
    "SELECT rel_json('parent', 1, 2), rel_json('left', 1, 2),"
    " rel_json('child', 1, 2)" },
  { "json-self", TREE_DECL GRAPH_DECL,
    "SELECT rel_json('folder', 1, 3), rel_json('node', 1, 2)" },
  { "json-all-rows", JSON_DECL,
    "SELECT rel_json('parent', id) FROM parent ORDER BY id" },
  /* look-ups kept on the connection by the setup's calls */
  { "json-kept", JSON_DECL
    "SELECT rel_json('parent', 1, 2), rel_json('left', 1, 2);",
    "SELECT rel_json('parent', 2, 2), rel_json('left', 1, 2),"
    " rel_json('child', 1)" },
  /* a relationship of the table whose target was dropped: the
  ** declaration's message, on this connection and on a new one */
  { "json-broken", JSON_DECL
    "SELECT rel_json('parent', 1); DROP TABLE child;",
    "SELECT rel_json('parent', 1)" },
  { "json-broken-reopen", JSON_DECL "DROP TABLE child;",
    "SELECT rel_json('parent', 1)", 1 },
  /* rowid columns */
  { "rowidcol-declare", RC_SCHEMA,
    "CREATE VIRTUAL TABLE parent_children USING relationship(parent, child,"
    " backref=parent, cascade='all, delete-orphan')" },
  { "rowidcol-declare-item", RC_SCHEMA,
    "CREATE VIRTUAL TABLE parent_items USING relationship(parent, item)" },
  { "rowidcol-write", RC_SCHEMA RC_DECL,
    "DELETE FROM parent_items WHERE _rowid_ = 2" },
  { "rowidcol-json", RC_SCHEMA RC_DECL,
    "SELECT rel_json('parent', 1), rel_json('child', 2), rel_json('item', 3)" },
  /* infer */
  { "infer-sql", INFER_SCHEMA, "SELECT rel_infer_sql()" },
  { "infer-sql-table", INFER_SCHEMA, "SELECT rel_infer_sql('book')" },
  { "infer", INFER_SCHEMA, "SELECT rel_infer()" },
  /* repair: triggers dropped, one replaced by a user's own, indexes
  ** dropped (a one-to-many with order_by, a many-to-many's both ends),
  ** a broken declaration skipped */
  { "repair", PC_SCHEMA PC_ORPHAN LR_SCHEMA LR_DECL
    "DROP TRIGGER rel_child_parent_id_orphan;"
    "DROP TRIGGER rel_child_parent_id_key;"
    "CREATE TRIGGER rel_child_parent_id_key AFTER UPDATE ON parent"
    "  BEGIN SELECT 1; END;"
    "DROP INDEX rel_child_parent_id_idx;"
    "DROP TRIGGER rel_association_left_id_delete;"
    "DROP INDEX rel_association_right_id_idx;"
    "CREATE TABLE gone(id INTEGER PRIMARY KEY);"
    "CREATE TABLE kept(id INTEGER PRIMARY KEY,"
    "  gone_id INTEGER REFERENCES gone(id));"
    "CREATE VIRTUAL TABLE gone_kepts USING relationship(gone, kept);"
    "DROP TABLE gone;",
    "SELECT rel_repair()" },
  { "repair-named", PC_SCHEMA PC_ORPHAN LR_SCHEMA LR_DECL
    "DROP TRIGGER rel_child_parent_id_orphan;"
    "DROP TRIGGER rel_association_left_id_delete;"
    "DROP TRIGGER rel_association_right_id_key;"
    "DROP INDEX rel_association_right_id_idx;",
    "SELECT rel_repair('right_parents')" },
  /* the last step fails (an index of one's own under the link index's
  ** name): the triggers created before it are undone */
  { "repair-undo", PC_SCHEMA
    "CREATE VIRTUAL TABLE parent_children USING relationship(parent, child,"
    "  cascade='all, delete-orphan');"
    "DROP TRIGGER rel_child_parent_id_delete;"
    "DROP TRIGGER rel_child_parent_id_orphan;"
    "DROP INDEX rel_child_parent_id_idx;"
    "CREATE INDEX rel_child_parent_id_idx ON child(name);",
    "SELECT rel_repair()" },
  /* a broken declaration named: its message */
  { "repair-broken-named", PC_SCHEMA PC_ORPHAN
    "ALTER TABLE parent RENAME TO dad;",
    "SELECT rel_repair('parent_children')" },
  /* a broken declaration over a link another one is over: the link left
  ** as it is (relDeclMayLink); one between other tables repaired */
  { "repair-broken-link", PC_SCHEMA LR_SCHEMA LR_DECL
    "CREATE TABLE toy(id INTEGER PRIMARY KEY, rank INT,"
    "  child_id INTEGER REFERENCES child(id));"
    "CREATE VIRTUAL TABLE child_toys USING relationship(child, toy,"
    "  cascade='all', order_by='rank');"
    "CREATE VIRTUAL TABLE toy_child USING relationship(toy, child);"
    "DROP INDEX rel_toy_child_id_idx;"
    "ALTER TABLE toy DROP COLUMN rank;"
    "CREATE VIRTUAL TABLE parent_children USING relationship(parent,"
    "  child);"
    "DROP TRIGGER rel_child_parent_id_delete;"
    "DROP TRIGGER rel_association_left_id_delete;",
    "SELECT rel_repair()" },
  /* the 12-step rebuild of child (legacy_alter_table=ON) */
  { "repair-rebuild", PC_SCHEMA PC_ORPHAN
    "PRAGMA legacy_alter_table=ON;"
    "CREATE TABLE child_new(id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
    "  parent_id INTEGER REFERENCES parent(id), age INTEGER);"
    "INSERT INTO child_new(id, name, parent_id) SELECT * FROM child;"
    "DROP TABLE child;"
    "ALTER TABLE child_new RENAME TO child;",
    "SELECT rel_repair()", 1 },
  { "infer-generated", "CREATE TABLE parent(id INTEGER PRIMARY KEY);"
    "CREATE TABLE child(id INTEGER PRIMARY KEY, raw TEXT,"
    " parent_id INTEGER AS (CAST(raw AS INTEGER)) REFERENCES parent(id));"
    "CREATE TABLE a(id INTEGER PRIMARY KEY);"
    "CREATE TABLE b(id INTEGER PRIMARY KEY);"
    "CREATE TABLE a_b(a_id INTEGER REFERENCES a(id),"
    " b_id INTEGER AS (a_id) REFERENCES b(id));",
    "SELECT rel_infer()" },
  { "declare-generated-link", "CREATE TABLE parent(id INTEGER PRIMARY KEY);"
    "CREATE TABLE child(id INTEGER PRIMARY KEY, raw TEXT,"
    " parent_id INTEGER AS (CAST(raw AS INTEGER)) REFERENCES parent(id));",
    "CREATE VIRTUAL TABLE parent_children USING relationship(parent, child,"
    " backref=parent)" },
  /* check, diagram */
  { "check", CHECK_DECL, "SELECT * FROM rel_check" },
  /* back_populates on one side only: a "missing reverse" row */
  { "check-reverse", PC_SCHEMA
    "CREATE VIRTUAL TABLE parent_children USING relationship(parent, child,"
    "  back_populates=child_parent);",
    "SELECT * FROM rel_check" },
  /* triggers gone (dropped, a user's own under the name, a rowid column
  ** added), a symmetric link stored twice, a WITHOUT ROWID one too */
  { "check-triggers", PC_SCHEMA
    "CREATE VIRTUAL TABLE parent_children USING relationship(parent, child,"
    "  uselist=0, cascade='all, delete-orphan');"
    "DROP TRIGGER rel_child_parent_id_delete;"
    "DROP TRIGGER rel_child_parent_id_key;"
    "CREATE TRIGGER rel_child_parent_id_key AFTER UPDATE ON parent"
    "  BEGIN SELECT 1; END;"
    "ALTER TABLE child ADD COLUMN rowid TEXT;"
    "CREATE TABLE friend(a INTEGER REFERENCES parent(id),"
    "  b INTEGER REFERENCES parent(id));"
    "CREATE VIRTUAL TABLE parent_friends USING relationship(parent, parent,"
    "  secondary=friend, source_column=a, target_column=b, symmetric=1);"
    "INSERT INTO friend VALUES (1,2),(2,1);"
    "CREATE TABLE pal(a INTEGER REFERENCES parent(id),"
    "  b INTEGER REFERENCES parent(id), PRIMARY KEY(a, b)) WITHOUT ROWID;"
    "CREATE VIRTUAL TABLE parent_pals USING relationship(parent, parent,"
    "  secondary=pal, source_column=a, target_column=b, symmetric=1);"
    "INSERT INTO pal VALUES (1,2),(2,1);",
    "SELECT * FROM rel_check" },
  { "check-count", CHECK_DECL TREE_DECL GRAPH_DECL,
    "SELECT relationship, problem, count(*) FROM rel_check GROUP BY 1, 2" },
  { "diagram-mermaid", JSON_DECL TREE_DECL GRAPH_DECL,
    "SELECT rel_diagram()" },
  { "diagram-dot", JSON_DECL TREE_DECL GRAPH_DECL,
    "SELECT rel_diagram('dot')" },
  /* a second table for a column that links to one already: refused */
  { "declare-second-table",
    "CREATE TABLE a(id INTEGER PRIMARY KEY);"
    "CREATE TABLE b(id INTEGER PRIMARY KEY);"
    "CREATE TABLE note(id INTEGER PRIMARY KEY, target_id INTEGER);"
    "CREATE VIRTUAL TABLE a_notes USING relationship(a, note,"
    "  foreign_key=target_id);",
    "CREATE VIRTUAL TABLE b_notes USING relationship(b, note,"
    "  foreign_key=target_id)" },
  /* tables dropped on this connection after use: declarations read afresh
  ** (broken ones, a table created anew), by name with the others */
  { "check-dropped", CHECK_DECL
    "SELECT count(*) FROM parent_children, left_items;"
    "DROP TABLE assoc; DROP TABLE child;"
    "CREATE TABLE child(id INTEGER PRIMARY KEY, dad_id INTEGER"
    "  REFERENCES parent(id));",
    "SELECT * FROM rel_check" },
  { "list-dropped", CHECK_DECL
    "SELECT count(*) FROM parent_children, left_items;"
    "DROP TABLE assoc;",
    "SELECT * FROM rel_list" },
  { "diagram-dropped", CHECK_DECL
    "SELECT count(*) FROM parent_children, left_items;"
    "DROP TABLE assoc;",
    "SELECT rel_diagram()" },
  /* a base table dropped and created again on the connection: refused
  ** (relBaseCheck), or, with the same CREATE TABLE text, used */
  { "recreated-write", PC_SCHEMA PC_DECL
    "INSERT INTO parent_children(owner, name) VALUES (1, 'a');"
    "DROP TABLE child; CREATE TABLE child(id TEXT PRIMARY KEY, name TEXT,"
    "  parent_id INTEGER REFERENCES parent(id));",
    "INSERT INTO parent_children(owner, name) VALUES (1, 'b')" },
  { "recreated-read", PC_SCHEMA PC_DECL
    "SELECT count(*) FROM parent_children;"
    "DROP TABLE child; CREATE TABLE child(id TEXT PRIMARY KEY, name TEXT,"
    "  parent_id INTEGER REFERENCES parent(id));",
    "SELECT * FROM parent_children(1)" },
  { "recreated-same", PC_SCHEMA PC_DECL
    "INSERT INTO parent_children(owner, id) VALUES (1, 4);"
    "DROP TABLE child; CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT,"
    "  parent_id INTEGER REFERENCES parent(id));"
    "INSERT INTO child VALUES (5, 'c5', NULL);",
    "INSERT INTO parent_children(owner, id) VALUES (2, 5), (3, 6)" },
};
#define NSCENARIO ((int)(sizeof(aScenario)/sizeof(aScenario[0])))

/*------------------------------------------------------------------------
** The failing allocator.
*/
static sqlite3_mem_methods orig;    /* SQLite's own */
static int iFailAt = 0;             /* Fail allocation number iFailAt; 0: off */
static int bPersist = 0;            /* Also fail every one after it */
static int nCall = 0;               /* Allocations since armed */
static int nFailed = 0;             /* Allocations failed since armed */
static long nLive = 0;              /* Allocations not yet freed */
static long nAllocAll = 0;          /* Allocations asked for, ever */

static int shouldFail(void){
  nAllocAll++;
  if( iFailAt==0 ) return 0;
  nCall++;
  if( nCall==iFailAt || (bPersist && nCall>iFailAt) ){ nFailed++; return 1; }
  return 0;
}
static void *oomMalloc(int n){
  void *p;
  if( shouldFail() ) return 0;
  p = orig.xMalloc(n);
  if( p ) nLive++;
  return p;
}
static void oomFree(void *p){
  if( p ){ nLive--; orig.xFree(p); }
}
static void *oomRealloc(void *p, int n){
  void *pNew;
  if( shouldFail() ) return 0;
  pNew = orig.xRealloc(p, n);
  if( pNew && p==0 ) nLive++;
  return pNew;
}
static int oomSize(void *p){ return orig.xSize(p); }
static int oomRoundup(int n){ return orig.xRoundup(n); }
static int oomInit(void *p){ return orig.xInit(p); }
static void oomShutdown(void *p){ orig.xShutdown(p); }

/*------------------------------------------------------------------------
** Text buffers: results and dumps.
*/
typedef struct Buf Buf;
struct Buf { char *z; size_t n, nAlloc; };
static void bufAppend(Buf *p, const char *z){
  size_t n = strlen(z);
  if( p->n+n+1>p->nAlloc ){
    p->nAlloc = (p->n+n+1)*2;
    p->z = realloc(p->z, p->nAlloc);
    if( p->z==0 ){ fprintf(stderr, "oom: out of real memory\n"); exit(2); }
  }
  memcpy(p->z+p->n, z, n+1);
  p->n += n;
}

static void bufReset(Buf *p){ p->n = 0; if( p->z ) p->z[0] = 0; else bufAppend(p, ""); }

static int rowCb(void *pArg, int nCol, char **az, char **azCol){
  Buf *p = (Buf*)pArg;
  int i;
  (void)azCol;
  for(i=0; i<nCol; i++){
    bufAppend(p, az[i] ? az[i] : "NULL");
    bufAppend(p, i==nCol-1 ? "\n" : "|");
  }
  return 0;
}

/*
** Run zSql (one or more statements), appending result rows to p, as
** sqlite3_exec() does but with every step and column checked: SQLite
** 3.40's sqlite3_exec() can return SQLITE_ROW when converting a column to
** text runs out of memory. Returns an SQLite code; the message is the
** connection's.
*/
static int runSql(sqlite3 *db, const char *zSql, Buf *p){
  const char *zTail = zSql;
  int rc = SQLITE_OK;
  while( rc==SQLITE_OK && zTail && zTail[0] ){
    sqlite3_stmt *pStmt = 0;
    rc = sqlite3_prepare_v2(db, zTail, -1, &pStmt, &zTail);
    if( rc!=SQLITE_OK || pStmt==0 ) break;
    while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
      int i, nCol = sqlite3_column_count(pStmt);
      for(i=0; i<nCol; i++){
        const char *z = (const char*)sqlite3_column_text(pStmt, i);
        if( z==0 && sqlite3_column_type(pStmt, i)!=SQLITE_NULL ){
          rc = SQLITE_NOMEM;
          break;
        }
        bufAppend(p, z ? z : "NULL");
        bufAppend(p, i==nCol-1 ? "\n" : "|");
      }
      if( rc==SQLITE_NOMEM ) break;
    }
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
    if( sqlite3_finalize(pStmt)!=SQLITE_OK && rc==SQLITE_OK ){
      rc = sqlite3_errcode(db);
    }
  }
  return rc;
}

/*
** The dumps whose rel_check rows a later dump may take over: the "before"
** dump of the scenario, and the reference run's "after" one (0: none).
** rel_check reads the declarations afresh from the schema and checks the
** rows, so two dumps equal up to their rel_check sections (the schemas,
** main and temp, every row, integrity_check) have the same rel_check
** rows; running it again, about 85% of a declaring scenario's dump, would
** find the same. It runs whenever the database is in any other state.
*/
static const Buf *apKnown[2];

/* Where p's rel_check section starts (its "rel_check:" line), or 0 */
static size_t checkAt(const Buf *p){
  static const char zMark[] = "\nrel_check:\n";
  size_t i, n = sizeof(zMark)-1;
  if( p->z==0 || p->n<n ) return 0;
  for(i=p->n-n+1; i>0; i--){
    if( memcmp(p->z+i-1, zMark, n)==0 ) return i;
  }
  return 0;
}

/*
** Dump the whole database into p: the schema (main, then temp), then
** every ordinary table's rows (quoted), then integrity_check and
** rel_check (when there is one; taken over from a dump of apKnown[] when
** all before it is the same). Runs with no fault armed. Returns 0, or 1
** when the dump itself failed.
*/
static int dumpDb(sqlite3 *db, Buf *p){
  sqlite3_stmt *pList = 0;
  int rc, i;
  bufReset(p);
  rc = sqlite3_exec(db, "SELECT type, name, tbl_name, sql FROM sqlite_schema"
      " ORDER BY type, name", rowCb, p, 0);
  if( rc ) return 1;
  bufAppend(p, "temp:\n");
  rc = sqlite3_exec(db, "SELECT type, name, tbl_name, sql"
      " FROM temp.sqlite_schema ORDER BY type, name", rowCb, p, 0);
  if( rc ) return 1;
  rc = sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema"
      " WHERE type='table' AND name NOT LIKE 'sqlite_%'"
      " AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name", -1, &pList, 0);
  if( rc ) return 1;
  while( sqlite3_step(pList)==SQLITE_ROW ){
    const char *zTab = (const char*)sqlite3_column_text(pList, 0);
    char *zSql = sqlite3_mprintf(
        "SELECT 'row', * FROM \"%w\"", zTab);
    bufAppend(p, zTab);
    bufAppend(p, ":\n");
    rc = sqlite3_exec(db, zSql, rowCb, p, 0);
    sqlite3_free(zSql);
    if( rc ){ sqlite3_finalize(pList); return 1; }
  }
  sqlite3_finalize(pList);
  bufAppend(p, "integrity_check:\n");
  if( sqlite3_exec(db, "PRAGMA integrity_check", rowCb, p, 0) ) return 1;
  /* Hook for rel_check: every build that has it must find it empty. */
  if( sqlite3_exec(db, "SELECT 1 FROM rel_check LIMIT 0", 0, 0, 0)==SQLITE_OK ){
    bufAppend(p, "rel_check:\n");
    for(i=0; i<2; i++){
      const Buf *pK = apKnown[i];
      size_t iAt = pK ? checkAt(pK) : 0;
      if( iAt && iAt+11==p->n && memcmp(pK->z, p->z, p->n)==0 ){
        bufAppend(p, pK->z+p->n);
        return 0;
      }
    }
    if( sqlite3_exec(db, "SELECT * FROM rel_check", rowCb, p, 0) ) return 1;
  }
  return 0;
}

/*------------------------------------------------------------------------
** One scenario's preparation (see the top of the file): the connection
** after setup (and the reopen) and the "before" dump, with the database
** file's bytes when the points are forked from it. The parent's copy of
** the connection is never used again, only closed; the bytes go back into
** the same file (same inode, which the connection has open) before each
** fork.
*/
static char zDbFile[256];
static char zJournal[300];
static int bVerbose = 0;
static long nForkAt = 3000;  /* Fork when preparing makes this many allocations */
static int nMaxPoint = 0;    /* -n: stop each mode after this many points */

typedef struct Prep Prep;
struct Prep {
  sqlite3 *db;        /* The setup's connection; 0: prepare afresh each time */
  long nBase;         /* nLive before it was opened */
  Buf before;         /* Dump after setup */
  unsigned char *a;   /* The database file's bytes after setup */
  size_t n;
  long nAlloc;        /* Allocations the preparation made */
  char zErr[512];     /* Why the setup failed, when db is 0 */
};

typedef struct Run Run;
struct Run {
  int rc;             /* Statement's return code */
  int nAlloc;         /* Allocations it made (nCall when not failed) */
  int nFailed;        /* Allocations that failed */
  int bBad;           /* Something else went wrong (message in zErr) */
  char zErr[512];     /* Error message, if any */
  Buf res;            /* Its result rows */
  Buf before, after;  /* Dumps */
};

static int openDb(sqlite3 **pDb){
  int rc = sqlite3_open(zDbFile, pDb);
  if( rc==SQLITE_OK ){
    rc = sqlite3_exec(*pDb, "PRAGMA synchronous=OFF", 0, 0, 0);
  }
  return rc;
}

/*
** Read the whole file zFile into *pa (malloc'd; the caller frees it) and
** its size into *pn. Returns 0, or 1 on error.
*/
static int readFile(const char *zFile, unsigned char **pa, size_t *pn){
  FILE *f = fopen(zFile, "rb");
  long n;
  if( f==0 ) return 1;
  if( fseek(f, 0, SEEK_END) || (n = ftell(f))<0 || fseek(f, 0, SEEK_SET) ){
    fclose(f);
    return 1;
  }
  *pa = malloc(n ? n : 1);
  if( *pa==0 || fread(*pa, 1, n, f)!=(size_t)n ){ fclose(f); return 1; }
  fclose(f);
  *pn = (size_t)n;
  return 0;
}

/*
** Put the database file back as the setup left it: the same bytes in the
** same file (the setup's connection, and every child's copy of it, has it
** open), and no journal. Returns 0, or 1 on error.
*/
static int restoreFile(const Prep *pP){
  int fd = open(zDbFile, O_WRONLY);
  size_t i = 0;
  if( fd<0 ) return 1;
  while( i<pP->n ){
    ssize_t n = pwrite(fd, pP->a+i, pP->n-i, (off_t)i);
    if( n<=0 ){ close(fd); return 1; }
    i += (size_t)n;
  }
  if( ftruncate(fd, (off_t)pP->n) ){ close(fd); return 1; }
  close(fd);
  unlink(zJournal);
  return 0;
}

/*
** Prepare scenario pS on a fresh database file: open, setup (without
** faults), for bReopen close and open again, dump ("before"), save the
** file's bytes. On error pP->db is 0 and pP->zErr says why.
*/
static void prepare(const struct Scenario *pS, Prep *pP, int bSave){
  sqlite3 *db = 0;
  char *zErr = 0;

  unlink(zDbFile);
  unlink(zJournal);
  pP->zErr[0] = 0;
  pP->db = 0;
  pP->nBase = nLive;
  pP->nAlloc = nAllocAll;
  if( openDb(&db) || sqlite3_exec(db, pS->zSetup, 0, 0, &zErr) ){
    snprintf(pP->zErr, sizeof(pP->zErr), "setup: %s",
             zErr ? zErr : sqlite3_errmsg(db));
    sqlite3_free(zErr);
    sqlite3_close(db);
    return;
  }
  if( pS->bReopen ){
    sqlite3_close(db);
    db = 0;
    if( openDb(&db) ){
      snprintf(pP->zErr, sizeof(pP->zErr), "reopen: %s", sqlite3_errmsg(db));
      sqlite3_close(db);
      return;
    }
  }
  if( dumpDb(db, &pP->before) ){
    snprintf(pP->zErr, sizeof(pP->zErr), "dump before: %s",
             sqlite3_errmsg(db));
    sqlite3_close(db);
    return;
  }
  if( bSave && readFile(zDbFile, &pP->a, &pP->n) ){
    snprintf(pP->zErr, sizeof(pP->zErr), "setup: cannot save the file");
    sqlite3_close(db);
    return;
  }
  pP->nAlloc = nAllocAll - pP->nAlloc;
  pP->db = db;
}

/* Close the setup's connection, if it is open; forget the file */
static void unprepare(Prep *pP){
  if( pP->db ) sqlite3_close(pP->db);
  pP->db = 0;
  free(pP->a);
  pP->a = 0;
  unlink(zDbFile);
  unlink(zJournal);
}

/*
** Run the statement on the prepared connection with the fault armed at
** allocation iAt (0: none), check, dump, close it, count what was not
** freed; fill pRun. The connection is closed on return.
*/
static void runPoint(const struct Scenario *pS, const Prep *pP, int iAt,
                     int bP, Run *pRun){
  sqlite3 *db = pP->db;
  char *zErr = 0;
  int rc;

  nCall = 0;
  nFailed = 0;
  bPersist = bP;
  iFailAt = iAt;
  rc = runSql(db, pS->zStmt, &pRun->res);
  iFailAt = 0;
  if( rc!=SQLITE_OK ) zErr = sqlite3_mprintf("%s", sqlite3_errmsg(db));
  pRun->rc = rc;
  pRun->nAlloc = nCall;
  pRun->nFailed = nFailed;
  if( zErr ){
    snprintf(pRun->zErr, sizeof(pRun->zErr), "%s", zErr);
    sqlite3_free(zErr);
  }
  if( sqlite3_get_autocommit(db)==0 ){
    /* A failed statement must not leave a transaction behind */
    snprintf(pRun->zErr, sizeof(pRun->zErr), "transaction left open");
    pRun->bBad = 1;
    sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
  }
  if( dumpDb(db, &pRun->after) ){
    snprintf(pRun->zErr, sizeof(pRun->zErr), "dump after: %s",
             sqlite3_errmsg(db));
    pRun->bBad = 1;
  }
  if( sqlite3_close(db)!=SQLITE_OK ){
    snprintf(pRun->zErr, sizeof(pRun->zErr), "close: %s", sqlite3_errmsg(db));
    pRun->bBad = 1;
    sqlite3_close_v2(db);
  }
  if( nLive!=pP->nBase ){
    snprintf(pRun->zErr, sizeof(pRun->zErr),
             "leak: %ld allocations not freed", nLive-pP->nBase);
    pRun->bBad = 1;
  }
}

/* Write n bytes to fd; returns 0, or 1 on error */
static int writeAll(int fd, const void *p, size_t n){
  const char *z = (const char*)p;
  while( n>0 ){
    ssize_t k = write(fd, z, n);
    if( k<=0 ) return 1;
    z += k;
    n -= (size_t)k;
  }
  return 0;
}

/* Read n bytes from fd; returns 0, or 1 on error or end of file */
static int readAll(int fd, void *p, size_t n){
  char *z = (char*)p;
  while( n>0 ){
    ssize_t k = read(fd, z, n);
    if( k<=0 ) return 1;
    z += k;
    n -= (size_t)k;
  }
  return 0;
}

/* Read a string of n bytes from fd into p (replacing its text) */
/* CPU seconds used so far, user and system, this process's and its
** children's (the forked points) */
static double cpuSeconds(void){
  struct rusage a, b;
  getrusage(RUSAGE_SELF, &a);
  getrusage(RUSAGE_CHILDREN, &b);
  return a.ru_utime.tv_sec + b.ru_utime.tv_sec + a.ru_stime.tv_sec
       + b.ru_stime.tv_sec + 1e-6*(a.ru_utime.tv_usec + b.ru_utime.tv_usec
       + a.ru_stime.tv_usec + b.ru_stime.tv_usec);
}

static int readBuf(int fd, Buf *p, size_t n){
  char *z = malloc(n+1);
  int rc;
  if( z==0 ){ fprintf(stderr, "oom: out of real memory\n"); exit(2); }
  rc = readAll(fd, z, n);
  z[n] = 0;
  bufReset(p);
  bufAppend(p, z);
  free(z);
  return rc;
}

/*
** One run at allocation iAt (0: the reference run), in one of two ways:
**
**   - pP->db is 0 (a scenario cheap to prepare): here, on a connection
**     prepared afresh, as every point once was;
**   - otherwise: restore the file, fork, run the point in the child on
**     its copy of the prepared connection; the child sends back its Run
**     through a pipe and exits. A child that crashes or sends nothing is
**     a run gone bad.
*/
static void runOnce(const struct Scenario *pS, const Prep *pP, int iAt,
                    int bP, Run *pRun){
  int aFd[2];
  int st = 0;
  pid_t pid;
  size_t an[2];

  pRun->bBad = 0;
  pRun->zErr[0] = 0;
  pRun->rc = SQLITE_OK;
  pRun->nAlloc = pRun->nFailed = 0;
  bufReset(&pRun->res);
  bufReset(&pRun->after);
  bufReset(&pRun->before);
  if( pP->db==0 ){
    Prep fresh;
    memset(&fresh, 0, sizeof(fresh));
    fresh.before = pRun->before;
    prepare(pS, &fresh, 0);
    pRun->before = fresh.before;
    if( fresh.db==0 ){
      snprintf(pRun->zErr, sizeof(pRun->zErr), "%s", fresh.zErr);
      pRun->bBad = 1;
    }else{
      runPoint(pS, &fresh, iAt, bP, pRun);
      fresh.db = 0;
    }
    unlink(zDbFile);
    unlink(zJournal);
    return;
  }
  bufAppend(&pRun->before, pP->before.z);
  if( restoreFile(pP) || pipe(aFd) ){
    snprintf(pRun->zErr, sizeof(pRun->zErr), "cannot restore the file");
    pRun->bBad = 1;
    return;
  }
  pid = fork();
  if( pid<0 ){
    snprintf(pRun->zErr, sizeof(pRun->zErr), "cannot fork");
    pRun->bBad = 1;
    close(aFd[0]);
    close(aFd[1]);
    return;
  }
  if( pid==0 ){
    close(aFd[0]);
    runPoint(pS, pP, iAt, bP, pRun);
    an[0] = pRun->res.n;
    an[1] = pRun->after.n;
    /* _exit(): no atexit handlers (LeakSanitizer is the parent's) */
    _exit(writeAll(aFd[1], pRun, sizeof(*pRun))
       || writeAll(aFd[1], an, sizeof(an))
       || writeAll(aFd[1], pRun->res.z, an[0])
       || writeAll(aFd[1], pRun->after.z, an[1]) ? 3 : 0);
  }
  close(aFd[1]);
  {
    Buf res = pRun->res, before = pRun->before, after = pRun->after;
    int bShort = readAll(aFd[0], pRun, sizeof(*pRun));
    pRun->res = res;       /* the child's pointers mean nothing here */
    pRun->before = before;
    pRun->after = after;
    bShort = bShort || readAll(aFd[0], an, sizeof(an))
          || readBuf(aFd[0], &pRun->res, an[0])
          || readBuf(aFd[0], &pRun->after, an[1]);
    close(aFd[0]);
    while( waitpid(pid, &st, 0)<0 ){}
    if( bShort || !WIFEXITED(st) || WEXITSTATUS(st)!=0 ){
      if( WIFSIGNALED(st) ){
        snprintf(pRun->zErr, sizeof(pRun->zErr), "crashed (signal %d)",
                 WTERMSIG(st));
      }else{
        snprintf(pRun->zErr, sizeof(pRun->zErr), "child exited with %d",
                 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
      }
      pRun->bBad = 1;
    }
  }
}

/* Counts of a sweep */
typedef struct Tally Tally;
struct Tally { int nPoint, nFail, nKnown; };

/*
** Sweep scenario pS (see the top of the file): its lines to stdout, its
** counts added to *pT.
*/
static void sweepScenario(const struct Scenario *pS, Tally *pT){
  Run ref, run;
  Prep prep;
  int nHere = 0, nBadHere = 0, iMode;
  double tStart = cpuSeconds();

  memset(&prep, 0, sizeof(prep));
  memset(&ref, 0, sizeof(ref));
  memset(&run, 0, sizeof(run));
  apKnown[0] = apKnown[1] = 0;
  prepare(pS, &prep, 1);
  if( prep.db==0 ){
    printf("! %s: %s\n", pS->zName, prep.zErr);
    pT->nFail++;
    goto done;
  }
  if( bVerbose ){
    printf("  %s: preparing it makes %ld allocations: %s\n", pS->zName,
           prep.nAlloc, prep.nAlloc<nForkAt ? "afresh at each point"
           : "forked at each point");
  }
  if( prep.nAlloc<nForkAt ){
    unprepare(&prep);
  }else{
    /* What ASan keeps of the memory freed so far (its quarantine, up to
    ** 256 MB) would be copied at every fork: give it back first */
    oomPurge();
  }
  apKnown[0] = &prep.before;
  runOnce(pS, &prep, 0, 0, &ref);
  apKnown[1] = &ref.after;
  if( ref.bBad ){
    printf("! %s: reference run: %s\n", pS->zName, ref.zErr);
    pT->nFail++;
    goto done;
  }
  for(iMode=0; iMode<2; iMode++){
    int n;
    for(n=1; ; n++){
      const char *zWhy = 0;
      runOnce(pS, &prep, n, iMode, &run);
      if( run.nFailed==0 && !run.bBad ) break;     /* swept them all */
      if( nMaxPoint && n>nMaxPoint ) break;
      pT->nPoint++;
      nHere++;
      if( run.bBad ){
        zWhy = run.zErr;
      }else if( run.rc!=SQLITE_OK ){
        if( run.rc!=ref.rc && run.rc!=SQLITE_NOMEM ){
          zWhy = "failed with a code other than SQLITE_NOMEM";
        }else if( strcmp(run.before.z, run.after.z) ){
          zWhy = "database changed by a failed statement";
        }
      }else if( strcmp(run.res.z, ref.res.z) ){
        zWhy = "succeeded with another result";
      }else if( strcmp(run.after.z, ref.after.z) ){
        zWhy = "succeeded with another database";
      }
      if( zWhy && pS->zKnown ){
        pT->nKnown++;
        nBadHere++;
      }else if( zWhy ){
        pT->nFail++;
        nBadHere++;
        if( nBadHere<=3 || bVerbose ){
          printf("! %s %s N=%d: %s (rc=%d: %s)\n", pS->zName,
                 iMode ? "persistent" : "once", n, zWhy, run.rc, run.zErr);
        }
        if( bVerbose && run.rc!=SQLITE_OK ){
          printf("--- before\n%s--- after\n%s", run.before.z, run.after.z);
        }else if( bVerbose && strcmp(run.res.z, ref.res.z) ){
          printf("--- expected\n%s--- got\n%s", ref.res.z, run.res.z);
        }else if( bVerbose ){
          printf("--- expected\n%s--- got\n%s", ref.after.z, run.after.z);
        }
      }else if( bVerbose ){
        printf("  %s %s N=%d: rc=%d %s\n", pS->zName,
               iMode ? "persistent" : "once", n, run.rc, run.zErr);
      }
      if( n>100000 ){
        printf("! %s: no end\n", pS->zName);
        pT->nFail++;
        break;
      }
    }
  }
  printf("%-30s %5d failure points %7.1f s CPU%s\n", pS->zName, nHere,
         cpuSeconds()-tStart,
         nBadHere==0 ? "" : pS->zKnown ? "  KNOWN" : "  FAILED");
  if( nBadHere && pS->zKnown ) printf("  known: %s\n", pS->zKnown);
done:
  unprepare(&prep);
  apKnown[0] = apKnown[1] = 0;
  free(prep.before.z);
  free(ref.res.z); free(ref.before.z); free(ref.after.z);
  free(run.res.z); free(run.before.z); free(run.after.z);
}

/* Name the database file after this process (each job has its own) */
static void nameDbFile(void){
  snprintf(zDbFile, sizeof(zDbFile), "build/oom-%d.db", (int)getpid());
  snprintf(zJournal, sizeof(zJournal), "%s-journal", zDbFile);
}

/*
** -j J: each scenario in a process of its own, J at a time, forked from
** this one, which opens no database: every scenario starts from a small
** process (one that has swept others has a grown heap, and each fork
** and page it touches costs more: the same scenario took up to 4x the
** CPU late in a long run). A job's lines go to a temporary file, printed
** here in the table's order as the jobs end; its counts come back as its
** last line, "= points failures known". A job that ends otherwise (a
** crash outside a forked point, a sanitizer's report) is a failure.
*/
static void runJobs(const char *zOnly, int nJob, Tally *pT){
  pid_t aPid[NSCENARIO];
  FILE *aOut[NSCENARIO];
  int aSt[NSCENARIO], aDone[NSCENARIO];
  int iNext = 0, iPrint = 0, nRun = 0, i;

  memset(aDone, 0, sizeof(aDone));
  while( iPrint<NSCENARIO ){
    while( iNext<NSCENARIO && nRun<nJob ){
      const struct Scenario *pS = &aScenario[iNext];
      if( zOnly && strcmp(zOnly, pS->zName) ){
        aOut[iNext] = 0;
        aDone[iNext++] = 1;
        continue;
      }
      aOut[iNext] = tmpfile();
      if( aOut[iNext]==0 ){ perror("oom: tmpfile"); exit(2); }
      fflush(stdout);
      fflush(stderr);
      aPid[iNext] = fork();
      if( aPid[iNext]<0 ){ perror("oom: fork"); exit(2); }
      if( aPid[iNext]==0 ){
        Tally t = {0, 0, 0};
        dup2(fileno(aOut[iNext]), 1);
        dup2(fileno(aOut[iNext]), 2);
        nameDbFile();
        sweepScenario(pS, &t);
        printf("= %d %d %d\n", t.nPoint, t.nFail, t.nKnown);
        fflush(stdout);
        exit(0);        /* LeakSanitizer checks the job at its exit */
      }
      iNext++;
      nRun++;
    }
    if( nRun>0 ){
      int st = 0;
      pid_t pid = wait(&st);
      if( pid<0 ){ perror("oom: wait"); exit(2); }
      for(i=0; i<iNext; i++){
        if( !aDone[i] && aOut[i] && aPid[i]==pid ){
          aSt[i] = st;
          aDone[i] = 1;
          nRun--;
        }
      }
    }
    for(; iPrint<iNext && aDone[iPrint]; iPrint++){
      char zLine[1024];
      int bCounts = 0;
      if( aOut[iPrint]==0 ) continue;
      rewind(aOut[iPrint]);
      while( fgets(zLine, sizeof(zLine), aOut[iPrint]) ){
        Tally t;
        if( sscanf(zLine, "= %d %d %d", &t.nPoint, &t.nFail, &t.nKnown)==3 ){
          pT->nPoint += t.nPoint;
          pT->nFail += t.nFail;
          pT->nKnown += t.nKnown;
          bCounts = 1;
        }else{
          fputs(zLine, stdout);
        }
      }
      fclose(aOut[iPrint]);
      if( !bCounts || !WIFEXITED(aSt[iPrint]) || WEXITSTATUS(aSt[iPrint]) ){
        printf("! %s: its job ended with %s %d\n", aScenario[iPrint].zName,
               WIFSIGNALED(aSt[iPrint]) ? "signal" : "status",
               WIFSIGNALED(aSt[iPrint]) ? WTERMSIG(aSt[iPrint])
                                        : WEXITSTATUS(aSt[iPrint]));
        pT->nFail++;
      }
    }
  }
}

int main(int argc, char **argv){
  static const sqlite3_mem_methods wrap = {
    oomMalloc, oomFree, oomRealloc, oomSize, oomRoundup,
    oomInit, oomShutdown, 0
  };
  const char *zOnly = 0;
  int nJob = 0;                   /* -j J: J jobs at a time; 0: no jobs */
  Tally t = {0, 0, 0};
  int i;

  setvbuf(stdout, 0, _IOLBF, 0);   /* progress shows line by line */
  for(i=1; i<argc; i++){
    if( strcmp(argv[i], "-v")==0 ) bVerbose = 1;
    else if( strcmp(argv[i], "-j")==0 && i+1<argc ){
      nJob = atoi(argv[++i]);
      if( nJob<1 ){
        fprintf(stderr, "oom: -j J with J >= 1\n");
        return 2;
      }
    }
    else if( strcmp(argv[i], "-n")==0 && i+1<argc ) nMaxPoint = atoi(argv[++i]);
    else if( strcmp(argv[i], "--fork-at")==0 && i+1<argc ){
      nForkAt = atol(argv[++i]);
    }
    else zOnly = argv[i];
  }
  if( zOnly ){
    for(i=0; i<NSCENARIO && strcmp(zOnly, aScenario[i].zName); i++){}
    if( i==NSCENARIO ){
      fprintf(stderr, "oom: no scenario named %s\n", zOnly);
      return 2;
    }
  }
  sqlite3_config(SQLITE_CONFIG_GETMALLOC, &orig);
  if( sqlite3_config(SQLITE_CONFIG_MALLOC, &wrap)!=SQLITE_OK
   || sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 0, 0)!=SQLITE_OK
  ){
    fprintf(stderr, "oom: cannot install the allocator\n");
    return 2;
  }
  sqlite3_initialize();
  sqlite3_auto_extension((void(*)(void))sqlite3_relationship_init);

  if( nJob ){
    runJobs(zOnly, nJob, &t);
  }else{
    nameDbFile();
    for(i=0; i<NSCENARIO; i++){
      if( zOnly && strcmp(zOnly, aScenario[i].zName) ) continue;
      sweepScenario(&aScenario[i], &t);
    }
  }
  if( t.nKnown ){
    printf("oom: %d known failures, in the scenarios marked KNOWN\n", t.nKnown);
  }
  printf("oom: %d failure points swept, %d failures\n", t.nPoint, t.nFail);
  return t.nFail!=0;
}
