-- sql/graph.sql: a self-referential many-to-many (the seeds' node/edge
-- graph). Run: sqlite3 :memory: < sql/graph.sql
.bail on
.load ./build/relationship
.mode box
.headers on

CREATE TABLE node(id INTEGER PRIMARY KEY, label TEXT);
-- edge(lower_id, higher_id) is created by the declaration
CREATE VIRTUAL TABLE node_higher_neighbors USING relationship(node, node,
  secondary=edge, source_column=lower_id, target_column=higher_id,
  backref=lower_neighbors);

INSERT INTO node(label) VALUES ('n1'), ('n2'), ('n3'), ('n4'), ('n5'), ('n6');
INSERT INTO node_higher_neighbors(owner, id)
  VALUES (1, 2), (1, 5), (2, 3), (2, 4), (5, 6), (2, 1);

.print '-- n2.higher_neighbors'
SELECT * FROM node_higher_neighbors(2);
.print '-- n2.lower_neighbors'
SELECT * FROM node_lower_neighbors(2);

DELETE FROM node WHERE id = 2;
.print '-- after deleting n2, its edges are gone too'
SELECT * FROM edge;
