#!/usr/bin/tclsh
# examples/tcl_host.tcl: the extension from Tcl's sqlite3 package.
#
#   tclsh examples/tcl_host.tcl [path/to/relationship]
#
# Debian: apt-get install tcl libsqlite3-tcl
package require sqlite3

set ext [expr {[llength $argv] ? [lindex $argv 0] : "./build/relationship"}]
sqlite3 db :memory:
db enable_load_extension 1
db eval { SELECT load_extension($ext) }
db enable_load_extension 0

db eval {
  CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);
  CREATE TABLE child(id INTEGER PRIMARY KEY, name TEXT,
                     parent_id INTEGER REFERENCES parent(id));
  CREATE VIRTUAL TABLE child_parent
    USING relationship(child, parent, backref=children);
  INSERT INTO parent(name) VALUES ('father'), ('mother');
}
foreach {owner name} {1 son 1 daughter 2 baby} {
  db eval { INSERT INTO parent_children(owner, name) VALUES ($owner, $name) }
}
puts "version [db one { SELECT rel_version() }]"
db eval { SELECT p.name AS p, c.name AS c
          FROM parent p JOIN parent_children(p.id) c ORDER BY p.id, c.id } {
  puts "$p: $c"
}
puts "parent of 3: [db one { SELECT name FROM child_parent(3) }]"
db close
