-- sql/association_object.sql: the association object pattern: the link
-- carries data of its own. Run: sqlite3 :memory: < sql/association_object.sql
.bail on
.load ./build/relationship
.mode box
.headers on

CREATE TABLE "left"(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE "right"(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE association(
  left_id INTEGER NOT NULL REFERENCES "left"(id),
  right_id INTEGER NOT NULL REFERENCES "right"(id),
  extra_data TEXT,
  PRIMARY KEY(left_id, right_id));

CREATE VIRTUAL TABLE left_children USING relationship("left", "right",
  secondary=association, backref=parents);

INSERT INTO "left"(name) VALUES ('p');
-- a = Association(extra_data="some data"); a.child = Child(); p.children.append(a)
INSERT INTO left_children(owner, name, extra_data) VALUES (1, 'c', 'some data');

.print '-- the association columns follow the target columns'
SELECT * FROM left_children(1);

UPDATE left_children SET extra_data = 'more data' WHERE owner = 1 AND id = 1;
.print '-- seen from the other side, with the same data'
SELECT * FROM right_parents(1);
