-- sql/infer.sql: let the foreign keys declare the relationships
-- (SQLAlchemy's automap). Run: sqlite3 :memory: < sql/infer.sql
.bail on
.load ./build/relationship
.mode box
.headers on

CREATE TABLE author(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE book(id INTEGER PRIMARY KEY, title TEXT,
                  author_id INTEGER REFERENCES author(id));
CREATE TABLE tag(id INTEGER PRIMARY KEY, label TEXT);
-- an association table: two foreign keys and nothing else
CREATE TABLE book_tag(book_id INTEGER REFERENCES book(id),
                      tag_id INTEGER REFERENCES tag(id),
                      PRIMARY KEY(book_id, tag_id));

.print '-- what rel_infer() would declare (for a replica, run this text)'
.mode list
SELECT rel_infer_sql();
.mode box

.print '-- declare it: the names created (book_tag is taken by the'
.print '-- association table, so that side is book_tag_via_book_tag)'
SELECT value AS created FROM json_each(rel_infer());

INSERT INTO author(name) VALUES ('Ada');
INSERT INTO author_book(owner, title) VALUES (1, 'Notes');
INSERT INTO book_tag_via_book_tag(owner, label) VALUES (1, 'maths'), (1, 'history');

.print '-- author.books, book.author, book.tags, tag.books'
SELECT title FROM author_book(1);
SELECT name FROM book_author(1);
SELECT label FROM book_tag_via_book_tag(1);
SELECT title FROM tag_book(2);

.print '-- a second call finds nothing left to declare'
SELECT rel_infer() AS created;

.print '-- the declared relationships'
SELECT name, kind, foreign_key, secondary, reverse FROM rel_list;
