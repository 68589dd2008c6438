-- sql/migrate.sql: change a base table's schema the way ALTER TABLE
-- cannot (the 12 steps of "Making Other Kinds Of Table Schema Changes"),
-- then rel_repair(). Run: sqlite3 :memory: < sql/migrate.sql
.bail on
.load ./build/relationship
.mode box
.headers on

CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT,
                   parent_id INTEGER REFERENCES parent(id));
CREATE VIRTUAL TABLE parent_children USING relationship(parent, child,
    cascade='all, delete-orphan');
INSERT INTO parent VALUES (1, 'father');
INSERT INTO parent_children(owner, name) VALUES (1, 'son'), (1, 'daughter');

-- ADD COLUMN (RENAME COLUMN, DROP COLUMN too) just works
ALTER TABLE child ADD COLUMN age INTEGER;
SELECT * FROM parent_children(1);

.print '-- child rebuilt: name NOT NULL. The RENAME needs legacy_alter_table=ON'
.print '-- (else: error in trigger rel_child_parent_id_delete: no such table:'
.print '-- main.child); DROP TABLE child took its triggers and index with it'
PRAGMA legacy_alter_table = ON;
BEGIN;
CREATE TABLE child_new(id INTEGER PRIMARY KEY, name TEXT NOT NULL,
                       parent_id INTEGER REFERENCES parent(id), age INTEGER);
INSERT INTO child_new SELECT id, name, parent_id, age FROM child;
DROP TABLE child;
ALTER TABLE child_new RENAME TO child;
SELECT problem, detail FROM rel_check;

.print '-- installed again'
SELECT rel_repair() AS repaired;
COMMIT;
PRAGMA legacy_alter_table = OFF;
SELECT count(*) AS problems FROM rel_check;

.print '-- the rules hold: an unlinked child is deleted (delete-orphan)'
UPDATE child SET parent_id = NULL WHERE name = 'son';
SELECT * FROM child;
