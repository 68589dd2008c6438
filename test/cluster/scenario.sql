-- test/cluster/scenario.sql: the seeds' scenarios, run unchanged on a dqlite
-- cluster (through the leader, with the dqlite shell) and on plain SQLite
-- files (with the sqlite3 shell, after .load); test/cluster/run.sh and
-- test/replication.test compare what they leave in every table.
-- One statement per line: the dqlite shell runs each line as one statement.
-- Writes only, but for one SELECT rel_declare(): the tables are compared,
-- and that one result (the same text in both shells).
--
-- one-to-many with a backref: declare, link (new and existing rows), move,
-- unlink, delete the parent from plain SQL
CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT, parent_id INTEGER REFERENCES parent(id));
CREATE VIRTUAL TABLE child_parent USING relationship(child, parent, backref=children);
INSERT INTO parent(name) VALUES ('father'), ('mother'), ('aunt');
INSERT INTO parent_children(owner, name) VALUES (1, 'son'), (1, 'daughter'), (2, 'niece');
INSERT INTO child(name) VALUES ('stray');
INSERT INTO parent_children(owner, id) VALUES (3, 4);
INSERT INTO child_parent(owner, id) VALUES (2, 2);
DELETE FROM parent_children WHERE owner = 1 AND id = 1;
UPDATE parent_children SET name = 'nephew' WHERE owner = 2 AND id = 3;
DELETE FROM parent WHERE id = 2;
-- many-to-many declared from both sides over an existing association table
CREATE TABLE "left"(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE "right"(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE association(left_id INTEGER REFERENCES "left"(id), right_id INTEGER REFERENCES "right"(id));
CREATE VIRTUAL TABLE left_children USING relationship("left", "right", secondary=association, back_populates=right_parents);
CREATE VIRTUAL TABLE right_parents USING relationship("right", "left", secondary=association, back_populates=left_children);
INSERT INTO "left"(name) VALUES ('L1'), ('L2'), ('L3');
INSERT INTO left_children(owner, name) VALUES (1, 'R1'), (1, 'R2'), (1, 'R3');
INSERT INTO left_children(owner, id) VALUES (2, 1), (2, 2), (3, 1);
INSERT INTO right_parents(owner, id) VALUES (3, 3);
DELETE FROM left_children WHERE owner = 1 AND id = 1;
DELETE FROM "right" WHERE id = 2;
DELETE FROM "left" WHERE id = 3;
-- many-to-many whose association table the declaration creates, with data
-- of its own (an association object)
CREATE TABLE post(id INTEGER PRIMARY KEY, title TEXT);
CREATE TABLE tag(id INTEGER PRIMARY KEY, label TEXT);
CREATE VIRTUAL TABLE post_tags USING relationship(post, tag, secondary=post_tag, backref=posts);
ALTER TABLE post_tag ADD COLUMN note TEXT;
INSERT INTO post(title) VALUES ('a'), ('b');
INSERT INTO post_tags(owner, label, note) VALUES (1, 'sql', 'first'), (1, 'c', NULL), (2, 'go', 'x');
INSERT INTO tag_posts(owner, id) VALUES (1, 2);
UPDATE post_tags SET note = 'changed' WHERE owner = 1 AND id = 2;
DELETE FROM post WHERE id = 2;
-- the self-referential graph: edge(lower_id, higher_id) created by the
-- declaration; deleting a node removes its edges both ways
CREATE TABLE node(id INTEGER PRIMARY KEY, label TEXT);
CREATE VIRTUAL TABLE node_higher_neighbors USING relationship(node, node, secondary=edge, source_column=lower_id, target_column=higher_id, backref=lower_neighbors);
INSERT INTO node(label) VALUES ('n1'), ('n2'), ('n3'), ('n4'), ('n5'), ('n6');
INSERT INTO node_higher_neighbors(owner, id) VALUES (1, 2), (1, 5), (2, 3), (2, 4), (5, 6), (2, 1);
DELETE FROM node WHERE id = 2;
-- one-to-one: assigning a second child lets the first go
CREATE TABLE person(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE passport(id INTEGER PRIMARY KEY, number TEXT, person_id INTEGER REFERENCES person(id));
CREATE VIRTUAL TABLE person_passport USING relationship(person, passport, uselist=0, backref=person);
INSERT INTO person(name) VALUES ('ann');
INSERT INTO person_passport(owner, number) VALUES (1, 'P-1');
INSERT INTO person_passport(owner, number) VALUES (1, 'P-2');
-- cascade='all, delete-orphan': an unlinked child is deleted, a deleted
-- parent takes its children along
CREATE TABLE album(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE track(id INTEGER PRIMARY KEY, name TEXT, album_id INTEGER NOT NULL REFERENCES album(id));
CREATE VIRTUAL TABLE album_tracks USING relationship(album, track, cascade='all, delete-orphan');
INSERT INTO album(name) VALUES ('a1'), ('a2');
INSERT INTO album_tracks(owner, name) VALUES (1, 't1'), (1, 't2'), (2, 't3'), (2, 't4');
DELETE FROM album_tracks WHERE owner = 1 AND name = 't1';
DELETE FROM album WHERE id = 2;
-- a self-referential tree: deleting a folder deletes its whole subtree
CREATE TABLE folder(id INTEGER PRIMARY KEY, name TEXT, parent_id INTEGER REFERENCES folder(id));
CREATE VIRTUAL TABLE folder_children USING relationship(folder, folder, kind=one_to_many, cascade='all, delete-orphan');
INSERT INTO folder VALUES (1, '/', NULL), (2, 'usr', 1), (3, 'bin', 2), (4, 'lib', 2), (5, 'etc', 1), (6, 'local', 2), (7, 'share', 6);
DELETE FROM folder WHERE id = 2;
-- declared with rel_declare(): a write inside a SELECT
CREATE TABLE author(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE book(id INTEGER PRIMARY KEY, title TEXT, author_id INTEGER REFERENCES author(id));
SELECT rel_declare('book_author', 'book', 'author', 'backref=books');
INSERT INTO author(name) VALUES ('ann'), ('bob');
INSERT INTO author_books(owner, title) VALUES (1, 'x'), (1, 'y'), (2, 'z');
-- a key change is carried to the referring rows (stray moves to 30)
UPDATE parent SET id = 30 WHERE id = 3;
