-- sql/json.sql: rel_json(), a row with its relationships embedded as JSON
-- (SQLAlchemy's eager loading in one call). Run: sqlite3 :memory: < sql/json.sql
.bail on
.load ./build/relationship

CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT,
                   parent_id INTEGER REFERENCES parent(id));
CREATE VIRTUAL TABLE parent_children USING relationship(parent, child,
  backref=parent, order_by='name DESC');

INSERT INTO parent VALUES (1, 'father');
INSERT INTO child VALUES (1, 'daughter', 1), (2, 'son', 1);

.print '-- the parent with its children (depth 1)'
SELECT rel_json('parent', 1);
.print '-- a child with its parent; depth 2 does not go back down to the children'
SELECT rel_json('child', 2, 2);
.print '-- it nests as JSON'
SELECT json_extract(rel_json('parent', 1), '$.children[0].name') AS first_child;
