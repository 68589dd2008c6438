# test/tester.tcl: a small test harness in the shape of SQLite's own.
#
#   source [file join [file dirname [info script]] tester.tcl]
#   set testprefix rel_core
#   do_execsql_test 1.0 { SELECT 1 } {1}
#   do_catchsql_test 1.1 { SELECT nosuch() } {1 {no such function: nosuch}}
#   do_test 1.2 { expr 1+1 } 2
#   reset_db
#   finish_test
#
# The extension is the file named by the environment variable REL_EXT
# (without its suffix), default build/relationship. Each test file runs
# in its own tclsh (test/all.tcl), against its own database file.

package require sqlite3

set ::testdir [file normalize [file dirname [info script]]]
set ::topdir [file dirname $::testdir]
if {[info exists ::env(REL_EXT)]} {
  set ::relext $::env(REL_EXT)
} else {
  set ::relext [file join $::topdir build relationship]
}
set ::dbdir [file join $::topdir build testdb]
file mkdir $::dbdir
set ::dbfile [file join $::dbdir \
  "[file rootname [file tail [info script]]]-[pid].db"]
if {[info exists ::argv0]} {
  set ::dbfile [file join $::dbdir \
    "[file rootname [file tail $::argv0]]-[pid].db"]
}
set ::testprefix ""
set ::nPass 0
set ::nFail 0
set ::failed [list]

# Open connection $name on $file (default: the test database), with the
# extension loaded (unless -noext).
proc open_db {name {file ""} {loadext 1}} {
  if {$file eq ""} { set file $::dbfile }
  sqlite3 $name $file
  $name enable_load_extension 1
  if {$loadext} {
    $name eval { SELECT load_extension($::relext) }
  }
  return $name
}

proc delete_db_files {file} {
  foreach suffix {"" -journal -wal -shm} {
    file delete -force "$file$suffix"
  }
}

# Close db, delete the database file, open a fresh one with the extension.
proc reset_db {} {
  catch { db close }
  delete_db_files $::dbfile
  open_db db
}

proc test_name {name} {
  if {$::testprefix ne ""} { return "$::testprefix-$name" }
  return $name
}

proc report {name ok got expected} {
  set name [test_name $name]
  if {$ok} {
    incr ::nPass
  } else {
    incr ::nFail
    lappend ::failed $name
    puts "! $name failed"
    puts "    expected: \[$expected\]"
    puts "    got:      \[$got\]"
  }
}

# Compare two results as lists (so whitespace in the expectation is free).
proc same_result {got expected} {
  if {[catch {llength $got}] || [catch {llength $expected}]} {
    return [expr {$got eq $expected}]
  }
  if {[llength $got] != [llength $expected]} { return 0 }
  foreach a $got b $expected {
    if {$a ne $b} { return 0 }
  }
  return 1
}

proc do_test {name script expected} {
  set rc [catch {uplevel 1 $script} got]
  if {$rc == 1} {
    report $name 0 "error: $got" $expected
    return
  }
  report $name [same_result $got $expected] $got $expected
}

# Is a transaction open? (BEGIN fails inside one)
proc in_txn {} {
  if {[catch { execsql BEGIN }]} { return 1 }
  execsql COMMIT
  return 0
}

proc execsql {sql {dbh db}} {
  uplevel 1 [list $dbh eval $sql]
}

proc catchsql {sql {dbh db}} {
  set rc [catch {uplevel 1 [list $dbh eval $sql]} msg]
  if {$rc} { return [list 1 $msg] }
  return [list 0 $msg]
}

proc do_execsql_test {name sql expected} {
  set rc [catch {uplevel 1 [list db eval $sql]} got]
  if {$rc} {
    report $name 0 "error: $got" $expected
    return
  }
  report $name [same_result $got $expected] $got $expected
}

proc do_catchsql_test {name sql expected} {
  set got [uplevel 1 [list catchsql $sql]]
  report $name [same_result $got $expected] $got $expected
}

# EXPLAIN QUERY PLAN details, one list element per row.
proc query_plan {sql} {
  set res [list]
  db eval "EXPLAIN QUERY PLAN $sql" { lappend res $detail }
  return $res
}

proc do_eqp_test {name sql expected} {
  set got [uplevel 1 [list query_plan $sql]]
  report $name [same_result $got $expected] $got $expected
}

proc finish_test {} {
  catch { db close }
  foreach f [glob -nocomplain "$::dbfile*"] { file delete -force $f }
  puts "$::nPass passed, $::nFail failed"
  exit [expr {$::nFail > 0}]
}

reset_db
