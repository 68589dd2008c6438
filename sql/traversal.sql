-- sql/traversal.sql: rel_closure, the transitive closure of a
-- self-referential relationship: a folder tree (down to a subtree, up to
-- the ancestors) and the seeds' node/edge graph with its cycle 1<->2.
-- Run: sqlite3 :memory: < sql/traversal.sql
.bail on
.load ./build/relationship
.mode box
.headers on

-- An adjacency list. A table that refers to itself needs kind= to say
-- which side this is; the backref is the other side.
CREATE TABLE folder(id INTEGER PRIMARY KEY, name TEXT,
                    parent_id INTEGER REFERENCES folder(id));
CREATE VIRTUAL TABLE folder_children USING relationship(folder, folder,
  kind=one_to_many, foreign_key=parent_id, backref=parent);
INSERT INTO folder VALUES (1, '/', NULL), (2, 'home', 1), (3, 'usr', 1),
  (4, 'ann', 2), (5, 'bob', 2), (6, 'lib', 3), (7, 'tcl', 6);

.print '-- the subtree of / (folder_children walks down)'
SELECT c.id, c.depth, c.parent, f.name
FROM rel_closure('folder_children', 1) AS c JOIN folder AS f ON f.id = c.id;

.print '-- at most one level down'
SELECT id, depth FROM rel_closure('folder_children', 1, 1);

.print '-- the path of tcl up to the root (folder_parent walks up)'
SELECT group_concat(f.name, ' < ') AS path
FROM rel_closure('folder_parent', 7) AS c JOIN folder AS f ON f.id = c.id;

.print '-- the same subtree with WITH RECURSIVE, for comparison'
WITH RECURSIVE c(id, depth) AS (
  SELECT 1, 0
  UNION ALL
  SELECT f.id, c.depth + 1 FROM c JOIN folder f ON f.parent_id = c.id
)
SELECT id, depth FROM c ORDER BY depth, id;

-- The seeds' graph: a many-to-many through edge, with a cycle 1<->2.
CREATE TABLE node(id INTEGER PRIMARY KEY, label TEXT);
CREATE VIRTUAL TABLE node_higher_neighbors USING relationship(node, node,
  secondary=edge, source_column=lower_id, target_column=higher_id,
  backref=lower_neighbors);
INSERT INTO node(label) VALUES ('n1'), ('n2'), ('n3'), ('n4'), ('n5'), ('n6');
INSERT INTO edge VALUES (1, 2), (1, 5), (2, 3), (2, 4), (5, 6), (2, 1);

.print '-- everything reachable from n1, each node once, at its least depth'
SELECT c.id, c.depth, c.parent, n.label
FROM rel_closure('node_higher_neighbors', 1) AS c JOIN node AS n ON n.id = c.id;

.print '-- the nodes exactly two steps from n1'
SELECT id FROM rel_closure('node_higher_neighbors', 1) WHERE depth = 2;

.print '-- what reaches n6 (the reverse relationship walks edges backwards)'
SELECT id, depth, parent FROM rel_closure('node_lower_neighbors', 6);

.print '-- depth constraints are pushed down: no sort, no deeper reads'
EXPLAIN QUERY PLAN
SELECT * FROM rel_closure('node_higher_neighbors', 1)
WHERE depth <= 1 ORDER BY depth;
