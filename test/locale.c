/*
** test/locale.c: keys given as text read the same whatever the program's
** locale (test/locale.test). A program that calls setlocale(LC_ALL, "")
** in a German locale has a comma as its decimal point, and strtod() then
** reads "1.5" as 1: a text key '1.5' compared equal to the integer 1.
**
** Usage: locale LOCALE
** Prints the locale's decimal point, then what the extension makes of
** number texts (relNumericText(), the values in SQLite's printf, which
** ignores the locale, to 15 digits: the last of 17 differs between
** SQLite releases), then whether 100,000 random number texts read
** bit for bit as strtod() reads them in the "C" locale, then the rows of
** a few statements. Built with the extension compiled in (-DSQLITE_CORE).
*/
#include "relationship_int.h"
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sqlite3_relationship_init(sqlite3*, char**, const sqlite3_api_routines*);

#define N_RANDOM 100000

/* A random number text: [sign] digits [. digits] [e [sign] digits]. */
static void randomNumber(unsigned *pSeed, char *z){
  int n = 0, i, nInt, nFrac;
  unsigned s = *pSeed;
#define NEXT (s = s*1103515245u + 12345u, (s >> 16) & 0x7fff)
  if( NEXT % 4==0 ) z[n++] = '-';
  nInt = NEXT % 20;
  nFrac = NEXT % 20;
  if( nInt+nFrac==0 ) nInt = 1;
  for(i=0; i<nInt; i++) z[n++] = (char)('0' + NEXT % 10);
  if( nFrac || NEXT % 2 ){
    z[n++] = '.';
    for(i=0; i<nFrac; i++) z[n++] = (char)('0' + NEXT % 10);
  }
  if( NEXT % 3==0 ){
    z[n++] = 'e';
    if( NEXT % 2 ) z[n++] = '-';
    n += sprintf(&z[n], "%d", (int)(NEXT % 300));
  }
  z[n] = 0;
#undef NEXT
  *pSeed = s;
}

/* The value relNumericText() gives z, as a double (0 and *pbNum 0: text). */
static double numberOf(const char *z, int *pbNum){
  int eType = 0;
  i64 iKey = 0;
  double r;
  *pbNum = relNumericText(z, &eType, &iKey);
  if( !*pbNum ) return 0.0;
  if( eType==SQLITE_INTEGER ) return (double)iKey;
  memcpy(&r, &iKey, sizeof(r));
  return r;
}

static void rows(sqlite3 *db, const char *zSql){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  if( rc==SQLITE_OK ){
    while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
      int i;
      for(i=0; i<sqlite3_column_count(pStmt); i++){
        printf("%s%s", i ? "|" : "", (const char*)sqlite3_column_text(pStmt, i));
      }
      printf("\n");
    }
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  }
  if( rc!=SQLITE_OK ) printf("error: %s\n", sqlite3_errmsg(db));
  sqlite3_finalize(pStmt);
}

int main(int argc, char **argv){
  static const char *azCase[] = {
    "1.5", " 2.0 ", "7", "-0.25e1", "1e3", "12.5e-1", "0.1", ".5", "5.",
    "00012.500", "-0", "1x", "1,5", "9223372036854775807", "1e400",
    "123456789012345678901234567890123456789012345678901234567890.5",
  };
  static double aC[N_RANDOM];
  static int abNum[N_RANDOM];
  char zNum[64];
  unsigned seed = 1;
  int i, nSame = 0;
  sqlite3 *db;

  if( argc!=2 ){
    fprintf(stderr, "usage: %s LOCALE\n", argv[0]);
    return 2;
  }
  /* what strtod() reads in the "C" locale, before the locale is set */
  for(i=0; i<N_RANDOM; i++){
    randomNumber(&seed, zNum);
    aC[i] = strtod(zNum, 0);
  }
  if( setlocale(LC_ALL, argv[1])==0 ){
    printf("no locale %s\n", argv[1]);
    return 1;
  }
  printf("decimal point %s\n", localeconv()->decimal_point);

  for(i=0; i<(int)(sizeof(azCase)/sizeof(azCase[0])); i++){
    int bNum;
    double r = numberOf(azCase[i], &bNum);
    char *z = bNum ? sqlite3_mprintf("%!.15g", r) : sqlite3_mprintf("text");
    printf("'%s' %s\n", azCase[i], z ? z : "out of memory");
    sqlite3_free(z);
  }

  seed = 1;
  for(i=0; i<N_RANDOM; i++){
    double r;
    randomNumber(&seed, zNum);
    r = numberOf(zNum, &abNum[i]);
    /* bit for bit, but -0.0 is the integer 0, as in SQLite */
    if( abNum[i] && (memcmp(&r, &aC[i], sizeof(r))==0 || (r==0.0 && aC[i]==0.0)) ){
      nSame++;
    }
  }
  printf("%d of %d random numbers read as in the C locale\n", nSame, N_RANDOM);

  sqlite3_initialize();
  sqlite3_auto_extension((void(*)(void))sqlite3_relationship_init);
  if( sqlite3_open(":memory:", &db)!=SQLITE_OK ) return 1;
  sqlite3_exec(db,
    "CREATE TABLE node(id REAL PRIMARY KEY, parent_id REAL REFERENCES node(id));"
    "INSERT INTO node VALUES (1, NULL), (1.5, NULL), (2, 1), (3, 1.5);"
    "CREATE VIRTUAL TABLE node_children USING relationship(node, node,"
    "  kind=one_to_many, foreign_key=parent_id)", 0, 0, 0);
  rows(db, "SELECT id, depth FROM rel_closure('node_children', '1.5')");
  rows(db, "SELECT id, depth FROM rel_closure('node_children', ' 1.0 ')");
  rows(db, "INSERT INTO node_children(owner, parent_id, id) VALUES ('1.5', 1, 4)");
  rows(db, "INSERT INTO node_children(owner, parent_id, id) VALUES ('1.5', 1.5, 5)");
  rows(db, "SELECT id, parent_id FROM node ORDER BY id");
  sqlite3_close(db);
  return 0;
}
