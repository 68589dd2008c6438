#!/usr/bin/python3
"""bench/orm.py EXT --full|--quick: the seeds' workloads, ours (Python's
sqlite3 module with the extension loaded) against SQLAlchemy's ORM, on the
same SQLite file layout. Prints one line per workload:

    <name> <ours CPU seconds> <ORM CPU seconds> <hand-written SQL CPU seconds>

(the last: the same workload as plain SQL through the same sqlite3 module,
the floor any SQL-level implementation pays from Python)

and orm_selectin_floor, whose first column is the least any virtual table
that reads its rows through an SQLite statement can take for ours_lazy
(bench/floor.c, given as FLOOR_EXT: the same Python over rows held in
memory, plus the inner statement's own time).

each the median of alternating runs, each run on a fresh copy of the
database (seeded, the same every run).
"""
import os, shutil, sqlite3, statistics, sys, time
from collections import defaultdict

from sqlalchemy import (Column, ForeignKey, Integer, String, Table,
                        create_engine)
from sqlalchemy.orm import (declarative_base, relationship, selectinload,
                            Session)

EXT = sys.argv[1]
FLOOR_EXT = sys.argv[2] if len(sys.argv) > 2 and not sys.argv[2].startswith("--") else None
QUICK = "--quick" in sys.argv
K = 1 if QUICK else 10
BUILD = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "build")
TEMPLATE = os.path.join(BUILD, "bench-orm-template.db")
WORK = os.path.join(BUILD, "bench-orm.db")
RUNS = 5

N_PARENT = 1000 * K          # x 10 children
N_LEFT = N_RIGHT = 1000 * K  # m2m ends
N_APPEND = 10000 * K         # links appended
N_REMOVE = 1000 * K          # links removed
N_DELETE = 1000 * K          # right rows deleted (10 links each)

Base = declarative_base()
association = Table(
    "association", Base.metadata,
    Column("left_id", ForeignKey("left.id"), primary_key=True),
    Column("right_id", ForeignKey("right.id"), primary_key=True))


class Parent(Base):
    __tablename__ = "parent"
    id = Column(Integer, primary_key=True)
    name = Column(String)
    children = relationship("Child")


class Child(Base):
    __tablename__ = "child"
    id = Column(Integer, primary_key=True)
    name = Column(String)
    parent_id = Column(ForeignKey("parent.id"), index=True)


class Left(Base):
    __tablename__ = "left"
    id = Column(Integer, primary_key=True)
    name = Column(String)
    children = relationship("Right", secondary=association,
                            back_populates="parents")


class Right(Base):
    __tablename__ = "right"
    id = Column(Integer, primary_key=True)
    name = Column(String)
    parents = relationship("Left", secondary=association,
                           back_populates="children")


def pairs(n, k0):
    """n (left, right) pairs, the k0-th.. link of each left, distinct."""
    out = []
    k = k0
    while len(out) < n:
        for l in range(1, N_LEFT + 1):
            out.append((l, (l * 37 + k * 1009) % N_RIGHT + 1))
            if len(out) == n:
                break
        k += 1
    return out


def make_template():
    """The schema (SQLAlchemy's create_all) and the data: parents with 10
    children each; left/right with 5 links each (k = 0..4); appends use
    k = 5.., removes and deletes the existing links."""
    if os.path.exists(TEMPLATE):
        os.unlink(TEMPLATE)
    engine = create_engine("sqlite:///" + TEMPLATE)
    Base.metadata.create_all(engine)
    engine.dispose()
    con = sqlite3.connect(TEMPLATE)
    con.execute("CREATE INDEX association_right ON association(right_id, left_id)")
    con.executemany("INSERT INTO parent VALUES (?, ?)",
                    ((i, "parent %d" % i) for i in range(1, N_PARENT + 1)))
    con.executemany("INSERT INTO child VALUES (?, ?, ?)",
                    ((i + 1, "child %d" % i, (i * 7919) % N_PARENT + 1)
                     for i in range(N_PARENT * 10)))
    con.executemany('INSERT INTO "left" VALUES (?, ?)',
                    ((i, "left %d" % i) for i in range(1, N_LEFT + 1)))
    con.executemany('INSERT INTO "right" VALUES (?, ?)',
                    ((i, "right %d" % i) for i in range(1, N_RIGHT + 1)))
    con.executemany("INSERT INTO association VALUES (?, ?)", pairs(5 * N_LEFT, 0))
    con.commit()
    con.close()


def ours_connect():
    con = sqlite3.connect(WORK)
    con.enable_load_extension(True)
    con.load_extension(EXT)
    con.enable_load_extension(False)
    return con


def declare(con):
    """Our declarations (done on the copy, outside the measured part)."""
    con.execute("CREATE VIRTUAL TABLE parent_children USING relationship(parent, child)")
    con.execute('CREATE VIRTUAL TABLE left_children USING relationship("left", "right",'
                ' secondary=association, backref=parents)')
    con.commit()


# ---- the workloads: (ours, orm), each given a fresh database --------------

def ours_lazy(con):
    """Every parent and every link of parent_children, read in one scan
    (the relationship table's full read, as SQLite plans the hand-written
    JOIN: a scan of child), each child grouped under its parent."""
    parents = con.execute("SELECT id, name FROM parent").fetchall()
    kids = defaultdict(list)
    for row in con.execute("SELECT id, name, parent_id FROM parent_children").fetchall():
        kids[row[2]].append(row)
    return sum(len(kids.get(p[0], ())) for p in parents)


def ours_lazy_join(con):
    """The same through the table-valued join, parent p JOIN
    parent_children(p.id): SQLite keeps parent outside, so this is one
    collection read per parent (orm_lazy_join, for comparison)."""
    parents = con.execute("SELECT id, name FROM parent").fetchall()
    kids = defaultdict(list)
    for row in con.execute("SELECT c.id, c.name, c.parent_id FROM parent p"
                           " JOIN parent_children(p.id) c").fetchall():
        kids[row[2]].append(row)
    return sum(len(kids.get(p[0], ())) for p in parents)


INNER_SQL = "SELECT id, name, parent_id FROM child WHERE parent_id IS NOT NULL"


def floor_lazy(con):
    """ours_lazy over "zero" (bench/floor.c): the relationship table's
    rows already in memory, the interface alone; run_floor adds the inner
    statement's time."""
    parents = con.execute("SELECT id, name FROM parent").fetchall()
    kids = defaultdict(list)
    for row in con.execute("SELECT id, name, parent_id FROM zero").fetchall():
        kids[row[2]].append(row)
    return sum(len(kids.get(p[0], ())) for p in parents)


def hand_lazy(con):
    parents = con.execute("SELECT id, name FROM parent").fetchall()
    kids = defaultdict(list)
    for row in con.execute("SELECT id, name, parent_id FROM child"
                           " WHERE parent_id IS NOT NULL").fetchall():
        kids[row[2]].append(row)
    return sum(len(kids.get(p[0], ())) for p in parents)


def hand_append(con):
    con.executemany("INSERT INTO association(left_id, right_id) VALUES (?, ?)",
                    pairs(N_APPEND, 5))
    con.commit()


def hand_remove(con):
    con.executemany("DELETE FROM association WHERE left_id = ? AND right_id = ?",
                    pairs(N_REMOVE, 0))
    con.commit()


def hand_delete(con):
    for i in range(1, N_DELETE + 1):
        con.execute("DELETE FROM association WHERE right_id = ?", (i,))
        con.execute('DELETE FROM "right" WHERE id = ?', (i,))
    con.commit()


def orm_lazy(s):
    n = 0
    for p in s.query(Parent):
        n += len([c.name for c in p.children])
    return n


def orm_selectin(s):
    n = 0
    for p in s.query(Parent).options(selectinload(Parent.children)):
        n += len([c.name for c in p.children])
    return n


def ours_append(con):
    con.executemany("INSERT INTO left_children(owner, id) VALUES (?, ?)",
                    pairs(N_APPEND, 5))
    con.commit()


def orm_append(s):
    lefts = {l.id: l for l in s.query(Left)}
    rights = {r.id: r for r in s.query(Right)}
    for l, r in pairs(N_APPEND, 5):
        lefts[l].children.append(rights[r])
    s.commit()


def ours_remove(con):
    con.executemany("DELETE FROM left_children WHERE owner = ? AND id = ?",
                    pairs(N_REMOVE, 0))
    con.commit()


def orm_remove(s):
    lefts = {l.id: l for l in s.query(Left)}
    rights = {r.id: r for r in s.query(Right)}
    for l, r in pairs(N_REMOVE, 0):
        lefts[l].children.remove(rights[r])
    s.commit()


def ours_delete(con):
    con.executemany('DELETE FROM "right" WHERE id = ?',
                    ((i,) for i in range(1, N_DELETE + 1)))
    con.commit()


def orm_delete(s):
    for r in s.query(Right).filter(Right.id <= N_DELETE):
        s.delete(r)
    s.commit()


def fresh():
    shutil.copyfile(TEMPLATE, WORK)


def run_ours(fn):
    fresh()
    con = ours_connect()
    declare(con)
    t = time.process_time()
    res = fn(con)
    t = time.process_time() - t
    con.close()
    return t, res


def run_floor(fn):
    """The floor of a relationship table's read: fn's Python time over
    "zero" plus the inner statement stepped alone in C (bench_inner)."""
    fresh()
    con = sqlite3.connect(WORK)
    con.enable_load_extension(True)
    con.load_extension(FLOOR_EXT)
    con.enable_load_extension(False)
    con.execute("CREATE VIRTUAL TABLE temp.zero USING zero(child, id, name, parent_id)")
    inner = con.execute("SELECT bench_inner(?)", (INNER_SQL,)).fetchone()[0] / 1e9
    t = time.process_time()
    res = fn(con)
    t = time.process_time() - t
    con.close()
    return t + inner, res


def run_hand(fn):
    fresh()                       # plain SQL, no extension, no triggers
    con = sqlite3.connect(WORK)
    t = time.process_time()
    res = fn(con)
    t = time.process_time() - t
    con.close()
    return t, res


def run_orm(fn):
    fresh()                       # the same file, without our triggers
    engine = create_engine("sqlite:///" + WORK)
    with Session(engine) as s:
        t = time.process_time()
        res = fn(s)
        t = time.process_time() - t
    engine.dispose()
    return t, res


def count_links():
    con = sqlite3.connect(WORK)
    n = con.execute("SELECT count(*) FROM association").fetchone()[0]
    con.close()
    return n


def compare(name, ours, orm, hand, runner=run_ours):
    o, f, h = [], [], []
    for _ in range(RUNS):
        t, r1 = runner(ours)
        n1 = count_links()
        o.append(t)
        t, r2 = run_orm(orm)
        n2 = count_links()
        f.append(t)
        t, r3 = run_hand(hand)
        n3 = count_links()
        h.append(t)
        if not (r1 == r2 == r3 and n1 == n2 == n3):
            sys.exit("orm.py: %s: results differ (%r/%d, %r/%d, %r/%d)"
                     % (name, r1, n1, r2, n2, r3, n3))
    print(name, "%.6f" % statistics.median(o), "%.6f" % statistics.median(f),
          "%.6f" % statistics.median(h), flush=True)


def main():
    os.makedirs(BUILD, exist_ok=True)
    make_template()
    compare("orm_lazy", ours_lazy, orm_lazy, hand_lazy)
    compare("orm_selectin", ours_lazy, orm_selectin, hand_lazy)
    if FLOOR_EXT:
        compare("orm_selectin_floor", floor_lazy, orm_selectin, hand_lazy, run_floor)
    compare("orm_lazy_join", ours_lazy_join, orm_lazy, hand_lazy)
    compare("orm_append", ours_append, orm_append, hand_append)
    compare("orm_remove", ours_remove, orm_remove, hand_remove)
    compare("orm_delete", ours_delete, orm_delete, hand_delete)
    for f in (TEMPLATE, WORK):
        if os.path.exists(f):
            os.unlink(f)


if __name__ == "__main__":
    main()
