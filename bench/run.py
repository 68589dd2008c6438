#!/usr/bin/python3
"""bench/run.py: run every comparison and print one line each,

    <name>  <ours>  <reference>  <ratio ours/reference>  <unit>

also written to build/bench.tsv. Usage: bench/run.py [--quick] [--only a,b]

SQL comparisons: instruction counts of bench/bench's measure() under
valgrind --tool=callgrind (repeatable on a busy machine). ORM comparisons:
CPU-time medians of alternating runs of bench/orm.py. Scale: bench/bench
in a file database of 10^4 .. 10^7 links.
"""
import os, re, subprocess, sys, statistics, tempfile
from concurrent.futures import ThreadPoolExecutor

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(TOP, "build")
EXT = os.path.join(BUILD, "relationship")
DRIVER = os.path.join(BUILD, "bench")
QUICK = "--quick" in sys.argv
ONLY = None
if "--only" in sys.argv:
    ONLY = set(sys.argv[sys.argv.index("--only") + 1].split(","))
SCALE = 1 if QUICK else 10
# callgrind runs count instructions, which other processes do not change:
# they run BENCH_JOBS at a time (default: one per core); the CPU-timed runs
# (closure CPU, ORM, scale) run after them, one at a time
JOBS = max(1, int(os.environ.get("BENCH_JOBS") or os.cpu_count() or 1))
rows = []


def emit(name, ours, ref, unit, note=""):
    if isinstance(ours, str) or isinstance(ref, str) or not ref:
        ratio = "n/a"
    else:
        ratio = "%.3f" % (ours / ref)
    fmt = lambda v: v if isinstance(v, str) else ("%.0f" % v if abs(v) >= 100 else "%.3g" % v)
    row = (name, fmt(ours), fmt(ref), ratio, unit)
    rows.append(row)
    print("%-26s %14s %14s %8s  %s%s" % (row + ("  " + note if note else "",)), flush=True)


def driver(work, variant, scale, dbfile=None, timeout=900):
    cmd = [DRIVER, EXT, work, variant, str(scale)] + ([dbfile] if dbfile else [])
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(cmd), out.stderr.strip()))
    return parse(out.stdout)


def parse(text):
    line = text.strip().splitlines()[-1]
    if line.startswith("n/a"):
        return {"na": line}
    return {k: float(v) for k, v in (kv.split("=") for kv in line.split())}


def callgrind(work, variant, scale=SCALE):
    """Instructions executed inside measure(), and the driver's result."""
    fd, out = tempfile.mkstemp(prefix="callgrind.", dir=BUILD)
    os.close(fd)
    cmd = ["valgrind", "--tool=callgrind", "--toggle-collect=measure",
           "--callgrind-out-file=" + out, DRIVER, EXT, work, variant, str(scale)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(cmd), p.stderr[-2000:]))
    res = parse(p.stdout)
    ir = None
    with open(out) as f:
        for line in f:
            if line.startswith("totals:") or line.startswith("summary:"):
                ir = int(line.split()[1])
    os.unlink(out)
    res["ir"] = ir
    return res


# write workloads whose driver hashes the tables after the writes (the
# statement counts differ: the hand-written side may run two a row)
STATE_CHECKED = ("o2m_link", "o2m_unlink", "cascade_delete", "set_null",
                 "subtree_delete")


def compare_ir(name, work, refvariant="ref", pending=None, note=""):
    """Emit one Ir comparison; pending: its two callgrind runs, started."""
    if ONLY and name not in ONLY:
        return None
    if pending:
        ours, ref = pending[0].result(), pending[1].result()
    else:
        ours, ref = callgrind(work, "ours"), None
    if "na" in ours:
        emit(name, "n/a", "n/a", "Ir", ours["na"])
        return None
    if ref is None:
        ref = callgrind(work, refvariant)
    if ours.get("check") != ref.get("check") or ours.get("rows") != ref.get("rows"):
        if work.startswith(("read", "closure", "json")):
            note = "RESULTS DIFFER (rows %d vs %d)" % (ours["rows"], ref["rows"])
    if work in STATE_CHECKED and ours.get("check") != ref.get("check"):
        note = "TABLES DIFFER AFTER THE WRITES"
    emit(name, ours["ir"], ref["ir"], "Ir", note)
    return ours, ref


def cpu_median(work, variant, runs=5):
    return statistics.median(driver(work, variant, SCALE)["cpu_ns"] for _ in range(runs))


FORWARD = ("a plain forwarding virtual table (bench/bench.c fwd: no checks) vs"
         " the same reference")
# (row name, workload, reference variant[, variant measured]) of every Ir
# comparison, in order; the measured variant is "ours" unless given
IR_ROWS = [
    ("read_lookup", "read_lookup", "ref"),
    ("read_join", "read_join", "ref"),
    ("read_m2m", "read_m2m", "ref"),
    ("read_scan", "read_scan", "ref"),
    ("link", "link", "ref"),
    ("unlink", "unlink", "ref"),
    ("create_link", "create_link", "ref"),
    ("cleanup_vs_handwritten", "cleanup", "ref"),
    ("cleanup_vs_fk", "cleanup", "fk"),
    # one-to-many and many-to-one, cascades: no budgets in the issue
    ("o2m_link", "o2m_link", "ref"),
    ("o2m_unlink", "o2m_unlink", "ref"),
    ("read_m2o", "read_m2o", "ref"),
    ("cascade_delete_vs_handwritten", "cascade_delete", "ref"),
    ("cascade_delete_vs_fk", "cascade_delete", "fk"),
    ("set_null_vs_handwritten", "set_null", "ref"),
    ("set_null_vs_fk", "set_null", "fk"),
    ("subtree_delete_vs_handwritten", "subtree_delete", "ref"),
    ("subtree_delete_vs_fk", "subtree_delete", "fk"),
    ("json_all_rows", "json_all_rows", "ref"),
    ("closure_join_ir", "closure_join", "ref"),
    ("closure_tree_ir", "closure_tree", "ref"),
    ("closure_graph_ir", "closure_graph", "ref"),
    # the plain forwarding virtual table the budgets (1 to 3) were set against
    ("read_lookup_forward", "read_lookup", "ref", "forward"),
    ("read_join_forward", "read_join", "ref", "forward"),
    ("read_m2m_forward", "read_m2m", "ref", "forward"),
    ("read_scan_forward", "read_scan", "ref", "forward"),
    ("link_forward", "link", "ref", "forward"),
    ("unlink_forward", "unlink", "ref", "forward"),
    ("create_link_forward", "create_link", "ref", "forward"),
    # ... with the owner checked before the new target row (as the contract
    # requires) as cheaply as SQLite can: an EXISTS in the target's INSERT
    ("create_link_forward_checked", "create_link", "ref", "forward_checked"),
]


# The reads' floor: what any virtual table that reads its rows through an
# SQLite statement at each call costs at least, the sum of two runs
# (bench/bench.c): "zero", the interface over rows already in memory, and
# "inner", the inner statement alone
FLOOR = ("the least a table reading through a statement can cost: the"
         " interface over rows in memory (zero) + the inner statement alone"
         " (inner) vs the same reference")
FLOOR_ROWS = [
    ("read_lookup_floor", "read_lookup"),
    ("read_join_floor", "read_join"),
    ("read_m2m_floor", "read_m2m"),
    ("read_scan_floor", "read_scan"),
]


def compare_floor(name, zero, inner, ref):
    """Emit one floor row from its three callgrind runs (futures)."""
    zero, inner, ref = zero.result(), inner.result(), ref.result()
    note = FLOOR
    if zero.get("check") != ref.get("check") or zero.get("rows") != ref.get("rows") \
            or inner.get("rows") != ref.get("rows"):
        note = "RESULTS DIFFER (rows %d, %d vs %d)" % (zero["rows"], inner["rows"], ref["rows"])
    emit(name, zero["ir"] + inner["ir"], ref["ir"], "Ir", note)


def sql_comparisons():
    # every callgrind run first, JOBS at a time (the "ours" run of a
    # workload is shared by the rows that compare it with two references)
    pool = ThreadPoolExecutor(max_workers=JOBS)
    runs = {}
    pending = {}
    for row in IR_ROWS:
        name, work, refv = row[:3]
        var = row[3] if len(row) > 3 else "ours"
        if ONLY and name not in ONLY:
            continue
        for v in (var, refv):
            if (work, v) not in runs:
                runs[(work, v)] = pool.submit(callgrind, work, v)
        pending[name] = (runs[(work, var)], runs[(work, refv)])
    for name, work in FLOOR_ROWS:
        if ONLY and name not in ONLY:
            continue
        for v in ("zero", "inner", "ref"):
            if (work, v) not in runs:
                runs[(work, v)] = pool.submit(callgrind, work, v)
    ir = {}
    for row in IR_ROWS:
        name, work, refv = row[:3]
        if name not in pending:
            continue
        note = (FORWARD + ", the owner checked in the target's INSERT"
                if len(row) > 3 and row[3] == "forward_checked"
                else FORWARD if len(row) > 3 else "")
        r = ir[name] = compare_ir(name, work, refv, pending[name], note)
        # overhead per call and per row, as the instructions over the
        # reference spread on calls (lookup) and rows (join: no per-call part)
        if r and name == "read_lookup":
            ours, ref = r
            emit("read_lookup_extra_per_call", (ours["ir"] - ref["ir"]) / (1000 * SCALE), 0, "Ir",
                 "(ours-ref)/calls, 10 rows a call")
        if r and name == "read_join":
            ours, ref = r
            emit("read_join_extra_per_row", (ours["ir"] - ref["ir"]) / ours["rows"], 0, "Ir",
                 "(ours-ref)/rows")
    for name, work in FLOOR_ROWS:
        if not (ONLY and name not in ONLY):
            compare_floor(name, runs[(work, "zero")], runs[(work, "inner")],
                          runs[(work, "ref")])
    pool.shutdown()
    # CPU time: alone, after the callgrind runs
    for shape in ("tree", "graph"):
        r = ir.get("closure_%s_ir" % shape)
        name = "closure_%s_cpu" % shape
        if ONLY and name not in ONLY:
            continue
        if r is None and not (ONLY and "closure_%s_ir" % shape not in ONLY):
            emit(name, "n/a", "n/a", "ns", "rel_closure is not in this build")
            continue
        o, f = [], []
        for _ in range(5):      # alternating runs
            o.append(driver("closure_" + shape, "ours", SCALE)["cpu_ns"])
            f.append(driver("closure_" + shape, "ref", SCALE)["cpu_ns"])
        emit(name, statistics.median(o), statistics.median(f), "ns")


ORM_FLOOR = ("the least a table reading through a statement can take for"
             " ours: the same Python over rows in memory (bench/floor.c zero)"
             " + the inner statement alone (bench_inner) vs the ORM")


def orm_comparisons():
    names = ["orm_lazy", "orm_selectin", "orm_selectin_floor", "orm_lazy_join", "orm_append", "orm_remove",
             "orm_delete"]
    if ONLY and not (ONLY & set(names)):
        return
    cmd = ["/usr/bin/python3", os.path.join(TOP, "bench", "orm.py"),
           EXT, os.path.join(BUILD, "benchfloor"), "--quick" if QUICK else "--full"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if p.returncode != 0:
        raise RuntimeError("orm.py: " + p.stderr[-3000:])
    hand = []
    for line in p.stdout.splitlines():
        name, ours, orm, sql = line.split()
        if ONLY and name not in ONLY:
            continue
        if name.endswith("_floor"):
            emit(name, float(ours), float(orm), "s CPU", ORM_FLOOR)
            continue
        emit(name, float(ours), float(orm), "s CPU")
        hand.append((name, float(sql), float(orm)))
    for name, sql, orm in hand:   # the ceiling: hand-written SQL from Python
        emit(name + "_sql_vs_orm", sql, orm, "s CPU", "hand-written SQL from Python vs the ORM")


def scale_comparisons():
    names = ["scale_rss_mib_1e7", "scale_time_per_row_growth"]
    if ONLY and not (ONLY & set(names)):
        return
    sizes = [10**3, 10**4, 10**5, 10**6] if QUICK else [10**4, 10**5, 10**6, 10**7]
    res = {}
    for n in sizes:
        db = os.path.join(BUILD, "bench-scale.db")
        if os.path.exists(db):
            os.unlink(db)
        driver("scale_gen", "ours", n, db, timeout=1200)
        read, scan, rread, rscan = [], [], [], []
        for _ in range(3):      # alternating runs, ours and the hand-written
            read.append(driver("scale_read", "ours", n, db))
            rread.append(driver("scale_read", "ref", n, db))
            scan.append(driver("scale_scan", "ours", n, db))
            rscan.append(driver("scale_scan", "ref", n, db))
        os.unlink(db)
        per = lambda runs: statistics.median(r["cpu_ns"] / r["rows"] for r in runs)
        res[n] = dict(read_ns=per(read), scan_ns=per(scan),
                      ref_read_ns=per(rread), ref_scan_ns=per(rscan),
                      rss=max(r["maxrss_kib"] for r in read + scan) / 1024.0)
        e = "%.0e" % n
        tag = e.replace("+0", "").replace("+", "")
        emit("scale_read_ns_per_row_" + tag, res[n]["read_ns"], res[n]["ref_read_ns"], "ns/row",
             "vs the hand-written JOIN by left_id")
        emit("scale_scan_ns_per_row_" + tag, res[n]["scan_ns"], res[n]["ref_scan_ns"], "ns/row",
             "vs the hand-written full JOIN")
        emit("scale_rss_mib_at_" + tag, res[n]["rss"], 32, "MiB", "budget 32")
    lo, hi = sizes[0], sizes[-1]
    if not QUICK:
        pass
    top = "%.0e" % hi
    top = top.replace("+0", "").replace("+", "")
    emit("scale_rss_mib_1e7",
         res[hi]["rss"], 32, "MiB", "peak RSS at %g links; budget 32" % hi)
    growth = max(res[hi]["read_ns"] / res[lo]["read_ns"], res[hi]["scan_ns"] / res[lo]["scan_ns"])
    which = "read" if res[hi]["read_ns"] / res[lo]["read_ns"] >= res[hi]["scan_ns"] / res[lo]["scan_ns"] else "scan"
    key = which + "_ns"
    emit("scale_time_per_row_growth", res[hi][key], res[lo][key], "ns/row",
         "worse of read/scan (%s), %g vs %g links; budget 1.5" % (which, hi, lo))
    emit("scale_time_per_row_growth_ref", res[hi]["ref_" + key], res[lo]["ref_" + key], "ns/row",
         "the same for the hand-written SQL: the B-tree's own growth")


def main():
    os.makedirs(BUILD, exist_ok=True)
    print("%-26s %14s %14s %8s  %s" % ("name", "ours", "reference", "ratio", "unit"))
    sql_comparisons()
    orm_comparisons()
    scale_comparisons()
    with open(os.path.join(BUILD, "bench.tsv"), "w") as f:
        for r in rows:
            f.write("\t".join(r) + "\n")
    print("wrote build/bench.tsv")


if __name__ == "__main__":
    main()
