-- sql/one_to_one.sql: uselist=False, both ways.
-- Run: sqlite3 :memory: < sql/one_to_one.sql
.bail on
.load ./build/relationship
.mode box
.headers on

CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT,
                   parent_id INTEGER REFERENCES parent(id));

-- Parent.child = relationship("Child", uselist=False, backref="parent")
CREATE VIRTUAL TABLE parent_child USING relationship(parent, child,
  uselist=0, backref=parent);

INSERT INTO parent(name) VALUES ('p');
INSERT INTO parent_child(owner, name) VALUES (1, 'first');
.print '-- p.child'
SELECT * FROM parent_child(1);

-- p.child = Child(name='second'): the first one is let go
INSERT INTO parent_child(owner, name) VALUES (1, 'second');
.print '-- after assigning a second child'
SELECT * FROM child;

.print '-- a second child for the same parent is refused, from plain SQL too'
SELECT sql FROM sqlite_schema WHERE name = 'rel_child_parent_id_one_update';
