-- test/cluster/after.sql: writes through the relationship tables after the
-- leader was killed (run on the new leader, and on the single-node
-- reference, then compared like scenario.sql). One statement per line.
INSERT INTO parent_children(owner, name) VALUES (30, 'cousin');
INSERT INTO parent_children(owner, id) VALUES (30, 1);
DELETE FROM parent_children WHERE owner = 30 AND id = 4;
INSERT INTO left_children(owner, id) VALUES (1, 1);
INSERT INTO right_parents(owner, name) VALUES (3, 'L4');
DELETE FROM "left" WHERE id = 2;
INSERT INTO node_lower_neighbors(owner, id) VALUES (6, 1);
INSERT INTO album_tracks(owner, name) VALUES (1, 't5');
DELETE FROM album_tracks WHERE owner = 1 AND name = 't2';
INSERT INTO folder_children(owner, name) VALUES (5, 'ssl');
DELETE FROM folder WHERE id = 1;
INSERT INTO book_author(owner, id) VALUES (1, 2);
DELETE FROM author WHERE id = 1;
