#!/usr/bin/python3
# examples/sqlalchemy_models.py: SQLAlchemy ORM models next to the
# relationship tables, on one engine that loads the extension on connect.
#
#   /usr/bin/python3 examples/sqlalchemy_models.py [path/to/relationship]
#
# Tested with Debian 12's python3-sqlalchemy (1.4.46). The ORM and the
# relationship tables see the same rows: what one writes, the other reads.
import sys

from sqlalchemy import (Column, ForeignKey, Integer, String, create_engine,
                        event, text)
from sqlalchemy.orm import Session, declarative_base, relationship

ext = sys.argv[1] if len(sys.argv) > 1 else "./build/relationship"
engine = create_engine("sqlite://")


@event.listens_for(engine, "connect")
def load_relationship(dbapi_con, _record):
    dbapi_con.enable_load_extension(True)
    dbapi_con.load_extension(ext)
    dbapi_con.enable_load_extension(False)


Base = declarative_base()


class Parent(Base):
    __tablename__ = "parent"
    id = Column(Integer, primary_key=True)
    name = Column(String)
    children = relationship("Child", back_populates="parent",
                            order_by="Child.id")


class Child(Base):
    __tablename__ = "child"
    id = Column(Integer, primary_key=True)
    name = Column(String)
    parent_id = Column(Integer, ForeignKey("parent.id"))
    parent = relationship("Parent", back_populates="children")


Base.metadata.create_all(engine)

with engine.begin() as con:
    # The same relationship, declared in the database for every other writer.
    print("declared:", con.execute(text(
        "SELECT rel_declare('child_parent', 'child', 'parent', 'backref=children')"
    )).scalar())

with Session(engine) as session:
    session.add(Parent(name="father",
                       children=[Child(name="son"), Child(name="daughter")]))
    session.commit()

with engine.begin() as con:
    # Written through the relationship table, in SQL ...
    con.execute(text("INSERT INTO parent_children(owner, name) VALUES (:p, :n)"),
                {"p": 1, "n": "baby"})
    for row in con.execute(text(
            "SELECT p.name, c.name FROM parent p JOIN parent_children(p.id) c")):
        print("sql:", tuple(row))
    print("kind:", con.execute(text(
        "SELECT name, kind, reverse FROM rel_list ORDER BY name")).all())

with Session(engine) as session:
    # ... and read back by the ORM.
    father = session.get(Parent, 1)
    print("orm:", father.name, [c.name for c in father.children])
    print("orm:", session.get(Child, 3).parent.name)
