-- sql/many_to_many.sql: many-to-many through an association table, kept
-- for you. Run: sqlite3 :memory: < sql/many_to_many.sql
.bail on
.load ./build/relationship
.mode box
.headers on

CREATE TABLE "left"(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE "right"(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE association(left_id INTEGER REFERENCES "left"(id),
                         right_id INTEGER REFERENCES "right"(id));

-- Parent.children = relationship("Child", secondary=association,
--                                back_populates="parents"), both sides
CREATE VIRTUAL TABLE left_children USING relationship("left", "right",
  secondary=association, back_populates=right_parents);
CREATE VIRTUAL TABLE right_parents USING relationship("right", "left",
  secondary=association, back_populates=left_children);

INSERT INTO "left"(name) VALUES ('L1'), ('L2');

-- l1.children.append(Right(name='R1')): the row and the association row
INSERT INTO left_children(owner, name) VALUES (1, 'R1'), (1, 'R2');
-- l2.children.append(r1): links an existing row
INSERT INTO left_children(owner, id) VALUES (2, 1);

.print '-- the association table, maintained for you'
SELECT * FROM association;
.print '-- r1.parents'
SELECT * FROM right_parents(1);

-- l1.children.remove(r1): only the association row goes
DELETE FROM left_children WHERE owner = 1 AND id = 1;
-- session.delete(r2), from plain SQL: its association rows go too
DELETE FROM "right" WHERE id = 2;

.print '-- after the unlink and the delete'
SELECT owner AS left_id, id AS right_id, name FROM left_children;
SELECT * FROM association;
