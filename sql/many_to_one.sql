-- sql/many_to_one.sql: SQLAlchemy's many-to-one, Parent.child with a
-- backref Child.parents. Run: sqlite3 :memory: < sql/many_to_one.sql
.bail on
.load ./build/relationship
.mode box
.headers on

CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT,
                    child_id INTEGER REFERENCES child(id));

-- Parent.child = relationship("Child", backref="parents")
CREATE VIRTUAL TABLE parent_child
  USING relationship(parent, child, backref=parents);

INSERT INTO parent(name) VALUES ('p1'), ('p2'), ('p3');

-- p1.child = Child(name='c1'): creates the child and assigns it
INSERT INTO parent_child(owner, name) VALUES (1, 'c1');
-- p2.child = p1.child: assigns an existing one
INSERT INTO parent_child(owner, id) VALUES (2, 1);

.print '-- p1.child'
SELECT * FROM parent_child(1);
.print '-- p3.child (none)'
SELECT count(*) AS rows FROM parent_child(3);
.print '-- c1.parents'
SELECT * FROM child_parents(1);

-- p2.child = None
DELETE FROM parent_child WHERE owner = 2;
.print '-- after p2.child = None'
SELECT * FROM parent;
