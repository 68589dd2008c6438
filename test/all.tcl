# test/all.tcl: run every test/*.test in its own tclsh and add up.
#
# A file that crashes, or exits without its "N passed, N failed" line,
# counts as one failure. The last line is the total, and the exit status
# is non-zero when anything failed.

set testdir [file normalize [file dirname [info script]]]
set tclsh [info nameofexecutable]
set nPass 0
set nFail 0
set bad [list]

set files [lsort [glob -nocomplain [file join $testdir *.test]]]
if {[llength $argv] > 0} {
  set files [list]
  foreach a $argv { lappend files [file normalize $a] }
}
foreach f $files {
  set name [file tail $f]
  set rc [catch {exec $tclsh $f 2>@1} out opts]
  set counted 0
  foreach line [split $out "\n"] {
    if {[regexp {^(\d+) passed, (\d+) failed$} $line -> p n]} {
      incr nPass $p
      incr nFail $n
      set counted 1
      if {$n > 0} { lappend bad $name }
    } else {
      puts $line
    }
  }
  if {!$counted || ($rc && [lindex [dict get $opts -errorcode] 0] ne "CHILDSTATUS") } {
    puts "! $name did not finish: [lindex [split $out \n] end]"
    incr nFail
    lappend bad $name
  } elseif {$rc && !$counted} {
    incr nFail
  }
  puts [format "%-28s %s" $name [expr {[lsearch $bad $name] >= 0 ? "FAILED" : "ok"}]]
}
if {[llength $files] == 0} {
  puts "! no test files found"
  incr nFail
}
puts "$nPass passed, $nFail failed"
exit [expr {$nFail > 0}]
