#!/usr/bin/python3
# examples/python_sqlite3.py: the extension from Python's sqlite3 module.
#
#   /usr/bin/python3 examples/python_sqlite3.py [path/to/relationship]
#
# Needs a Python built with --enable-loadable-sqlite-extensions (Debian's
# /usr/bin/python3 is; pyenv's default build is not, and has no
# enable_load_extension).
import sqlite3
import sys

ext = sys.argv[1] if len(sys.argv) > 1 else "./build/relationship"
con = sqlite3.connect(":memory:")
con.enable_load_extension(True)
con.load_extension(ext)
con.enable_load_extension(False)

con.executescript("""
    CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);
    CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT,
                       parent_id INTEGER REFERENCES parent(id));
    CREATE VIRTUAL TABLE child_parent
      USING relationship(child, parent, backref=children);
    INSERT INTO parent(name) VALUES ('father'), ('mother');
""")
# p.children.append(Child(name=...)), with parameters
con.executemany("INSERT INTO parent_children(owner, name) VALUES (?, ?)",
                [(1, "son"), (1, "daughter"), (2, "baby")])
con.commit()

print("version", con.execute("SELECT rel_version()").fetchone()[0])
for row in con.execute("SELECT id, name FROM parent_children(?)", (1,)):
    print("children of 1:", row)
for row in con.execute("""SELECT p.name, c.name FROM parent p
                          JOIN parent_children(p.id) c ORDER BY p.id, c.id"""):
    print("join:", row)
print("parent of 3:", con.execute("SELECT name FROM child_parent(3)").fetchone())
con.execute("DELETE FROM parent WHERE id = 2")   # children's parent_id set NULL
print("after delete:", con.execute("SELECT id, parent_id FROM child ORDER BY id").fetchall())
con.close()
