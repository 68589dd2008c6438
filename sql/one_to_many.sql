-- sql/one_to_many.sql: SQLAlchemy's Parent.children / Child.parent, in SQL.
-- Run from the project's root:  sqlite3 :memory: < sql/one_to_many.sql
.bail on
.load ./build/relationship
.mode box
.headers on

CREATE TABLE parent_table(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE child_table(id INTEGER PRIMARY KEY, name TEXT,
                         parent_id INTEGER REFERENCES parent_table(id));

-- Child.parent = relationship("Parent", backref="children")
CREATE VIRTUAL TABLE child_table_parent
  USING relationship(child_table, parent_table, backref=children);

INSERT INTO parent_table(name) VALUES ('father'), ('mother');

-- p.children.append(Child(name='son')): creates the child and links it
INSERT INTO parent_table_children(owner, name) VALUES (1, 'son');
INSERT INTO parent_table_children(owner, name) VALUES (1, 'daughter');

.print '-- p.children (parent 1)'
SELECT * FROM parent_table_children(1);

.print '-- c.parent (child 1)'
SELECT * FROM child_table_parent(1);

.print '-- every parent with its children, as one set-based join'
SELECT p.name AS parent, c.name AS child
FROM parent_table AS p JOIN parent_table_children(p.id) AS c;

-- c.parent = mother: assign through the scalar side
INSERT INTO child_table_parent(owner, id) VALUES (2, 2);
.print '-- the daughter moved to the mother; both sides agree at once'
SELECT owner, * FROM parent_table_children ORDER BY owner, id;

-- p.children.remove(son): unlink (the row stays, its parent_id is NULL)
DELETE FROM parent_table_children WHERE owner = 1 AND id = 1;
.print '-- after unlinking the son'
SELECT * FROM child_table;

-- session.delete(mother), even from plain SQL: children set free
DELETE FROM parent_table WHERE id = 2;
.print '-- after deleting the mother (save-update: parent_id set NULL)'
SELECT * FROM child_table;

.print '-- the declared relationships'
SELECT name, kind, foreign_key, reverse FROM rel_list;

.print '-- how parent_children(1) is read (an index search, no scan)'
EXPLAIN QUERY PLAN SELECT * FROM parent_table_children(1);
