-- sql/cascades.sql: cascade='all, delete-orphan', for every writer.
-- Run: sqlite3 :memory: < sql/cascades.sql
.bail on
.load ./build/relationship
.mode box
.headers on

CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT,
                   parent_id INTEGER NOT NULL REFERENCES parent(id));
CREATE VIRTUAL TABLE parent_children USING relationship(parent, child,
  cascade='all, delete-orphan');

INSERT INTO parent(name) VALUES ('p1'), ('p2');
INSERT INTO parent_children(owner, name) VALUES (1, 'a'), (1, 'b'), (2, 'c');

-- p1.children.remove(a): an orphan is deleted
DELETE FROM parent_children WHERE owner = 1 AND name = 'a';
-- session.delete(p2), from plain SQL: its children go with it
DELETE FROM parent WHERE id = 2;
.print '-- left: b, under p1'
SELECT * FROM child;

-- a folder tree: deleting a folder deletes its whole subtree
CREATE TABLE folder(id INTEGER PRIMARY KEY, name TEXT,
                    parent_id INTEGER REFERENCES folder(id));
CREATE VIRTUAL TABLE folder_children USING relationship(folder, folder,
  kind=one_to_many, cascade='all, delete-orphan');
INSERT INTO folder VALUES (1, '/', NULL), (2, 'usr', 1), (3, 'bin', 2),
                          (4, 'lib', 2), (5, 'etc', 1);
DELETE FROM folder WHERE id = 2;
.print '-- after deleting /usr'
SELECT * FROM folder;
