/*
** relationship.h: the public interface of sqlite-relationship.
**
** A program that links the extension in (instead of loading it with
** load_extension) registers it for every connection it opens:
**
**     #include <sqlite3.h>
**     #include "relationship.h"
**     ...
**     sqlite3_auto_extension((void (*)(void))sqlite3_relationship_init);
**
** Compile the sources with -DSQLITE_CORE for that use.
*/
#ifndef SQLITE_RELATIONSHIP_H
#define SQLITE_RELATIONSHIP_H

#include <sqlite3.h>

#define SQLITE_RELATIONSHIP_VERSION        "0.1.0"
#define SQLITE_RELATIONSHIP_VERSION_MAJOR  0
#define SQLITE_RELATIONSHIP_VERSION_MINOR  1
#define SQLITE_RELATIONSHIP_VERSION_PATCH  0

#ifdef __cplusplus
extern "C" {
#endif

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_relationship_init(
  sqlite3 *db,
  char **pzErrMsg,
  const sqlite3_api_routines *pApi
);

#ifdef __cplusplus
}
#endif

#endif /* SQLITE_RELATIONSHIP_H */
