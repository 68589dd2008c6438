-- examples/shell.sql: the extension in the sqlite3 shell.
--   sqlite3 :memory: < examples/shell.sql       (from the project's root)
.bail on
.load ./build/relationship
CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT,
                   parent_id INTEGER REFERENCES parent(id));
CREATE VIRTUAL TABLE child_parent
  USING relationship(child, parent, backref=children);
INSERT INTO parent(name) VALUES ('father');
INSERT INTO parent_children(owner, name) VALUES (1, 'son'), (1, 'daughter');
SELECT 'version', rel_version();
SELECT p.name, c.name FROM parent p JOIN parent_children(p.id) c;
