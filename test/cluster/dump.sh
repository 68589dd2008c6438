#!/bin/sh
# test/cluster/dump.sh DB: print the SQL that dumps the database file DB as
# text, one line per row, in a fixed order, the same in any SQLite shell:
# first every schema object (type, name, table, SQL), then every row of every
# ordinary table, by table name then rowid, each value as quote() gives it.
# The statements are one a line, each a SELECT of one text column, so that
# the dqlite shell (which prints values with Go's %v) and the sqlite3 shell
# print the same bytes. Virtual tables are not dumped: their rows are those
# of the base tables.
set -eu
db="$1"
echo "SELECT 'schema|' || type || '|' || name || '|' || tbl_name || '|' || quote(sql) FROM sqlite_schema ORDER BY name;"
sqlite3 -batch "$db" "
SELECT 'SELECT ' || quote(t.name || '|') || ' || quote(rowid) || '
       || (SELECT group_concat('''|'' || quote(' || quote_ident || ')', ' || ')
           FROM (SELECT '\"' || replace(c.name, '\"', '\"\"') || '\"' AS quote_ident
                 FROM pragma_table_info(t.name) AS c ORDER BY c.cid))
       || ' FROM \"' || replace(t.name, '\"', '\"\"') || '\" ORDER BY rowid;'
FROM sqlite_schema AS t
WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
  AND t.sql NOT LIKE 'CREATE VIRTUAL TABLE%'
ORDER BY t.name;"
