-- sql/diagram.sql: the seeds' three schemas (parent/child, left/right with
-- an association table, the node/edge graph) declared, then checked with
-- rel_check and drawn with rel_diagram. Run: sqlite3 :memory: < sql/diagram.sql
-- docs/diagram.png is the dot text below, drawn by Graphviz (make diagram).
.bail on
.load ./build/relationship
.mode list
.headers off

CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT,
                   parent_id INTEGER REFERENCES parent(id));
CREATE VIRTUAL TABLE parent_children USING relationship(parent, child,
  backref=parent);

CREATE TABLE "left"(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE "right"(id INTEGER PRIMARY KEY, name TEXT);
CREATE VIRTUAL TABLE left_children USING relationship("left", "right",
  secondary=association, back_populates=right_parents);
CREATE VIRTUAL TABLE right_parents USING relationship("right", "left",
  secondary=association, back_populates=left_children);

CREATE TABLE node(id INTEGER PRIMARY KEY, label TEXT);
CREATE VIRTUAL TABLE node_higher_neighbors USING relationship(node, node,
  secondary=edge, source_column=lower_id, target_column=higher_id,
  backref=lower_neighbors);

.print '-- integrity problems: none yet'
SELECT count(*) FROM rel_check;

-- With a rule's trigger dropped (as a careless migration might), a plain
-- DELETE leaves a child pointing at a parent that is not there:
DROP TRIGGER rel_child_parent_id_delete;
INSERT INTO parent VALUES (1, 'p1');
INSERT INTO child VALUES (1, 'c1', 1);
DELETE FROM parent WHERE id = 1;
.print '-- rel_check finds it'
SELECT relationship, problem, rowid, detail FROM rel_check;

.print '-- Mermaid (paste into Markdown in a ```mermaid block)'
SELECT rel_diagram();
.print '-- Graphviz: ... | dot -Tpng -o docs/diagram.png'
SELECT rel_diagram('dot');
