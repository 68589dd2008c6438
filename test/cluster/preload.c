/*
** test/cluster/preload.c: register sqlite-relationship in a program that
** cannot load extensions, such as a dqlite node.
**
** dqlite refuses load_extension(), but it opens its databases with the
** system SQLite's sqlite3_open_v2(). Built together with the ext/ sources
** compiled with -DSQLITE_CORE (the static embedding) and started with
**
**     LD_PRELOAD=build/cluster/librelationship_preload.so dqlite-demo ...
**
** this library interposes sqlite3_open_v2(): the first call registers
** sqlite3_relationship_init() with sqlite3_auto_extension(), once, and every
** call is forwarded to the real sqlite3_open_v2(), which then runs the entry
** point on the new connection. So every connection the node opens, the
** replicated database's included, has the module and the functions.
**
** HOW IT WORKS: the registration is not done in a constructor. A
** constructor runs before the Go runtime of go-dqlite has started, and
** calling into SQLite that early makes the node's start fail; the first
** sqlite3_open_v2() is late enough. pthread_once() makes the registration
** happen exactly once when several threads open connections at the same
** time. The real sqlite3_open_v2() is found with dlsym(RTLD_NEXT, ...), the
** next definition after this library's in the lookup order (libsqlite3's).
**
** Set REL_PRELOAD_TRACE in the environment to have the registration
** reported on standard error.
*/
#ifndef _GNU_SOURCE
# define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sqlite3.h>
#include "../../ext/relationship.h"

typedef int (*OpenV2Fn)(const char*, sqlite3**, int, const char*);

static pthread_once_t preloadOnce = PTHREAD_ONCE_INIT;
static OpenV2Fn realOpenV2 = 0;
static int preloadRc = SQLITE_OK;

/*
** Find the real sqlite3_open_v2() and register the extension for every
** connection opened from now on. Runs once, under pthread_once(). On
** failure realOpenV2 stays NULL or preloadRc holds the error code.
*/
static void preloadInit(void){
  realOpenV2 = (OpenV2Fn)dlsym(RTLD_NEXT, "sqlite3_open_v2");
  if( realOpenV2==0 ){
    fprintf(stderr, "relationship preload: sqlite3_open_v2 not found: %s\n",
            dlerror());
    return;
  }
  preloadRc = sqlite3_auto_extension((void(*)(void))sqlite3_relationship_init);
  if( preloadRc!=SQLITE_OK ){
    fprintf(stderr, "relationship preload: sqlite3_auto_extension: %s\n",
            sqlite3_errstr(preloadRc));
  }else if( getenv("REL_PRELOAD_TRACE") ){
    fprintf(stderr, "relationship preload: registered (SQLite %s)\n",
            sqlite3_libversion());
  }
}

/*
** The interposed sqlite3_open_v2(): register once, then forward. When the
** real function cannot be found, the open fails with SQLITE_ERROR (and
** *ppDb is NULL), rather than silently running without the extension.
*/
int sqlite3_open_v2(
  const char *zFilename,
  sqlite3 **ppDb,
  int flags,
  const char *zVfs
){
  pthread_once(&preloadOnce, preloadInit);
  if( realOpenV2==0 || preloadRc!=SQLITE_OK ){
    if( ppDb ) *ppDb = 0;
    return SQLITE_ERROR;
  }
  return realOpenV2(zFilename, ppDb, flags, zVfs);
}
