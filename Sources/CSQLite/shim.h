#ifndef PHASECAST_CSQLITE_SHIM_H
#define PHASECAST_CSQLITE_SHIM_H
#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro casting -1 to a function pointer, which Swift cannot import.
static inline sqlite3_destructor_type phasecast_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}
/// sqlite3_config is variadic, which Swift cannot call. Turning memory statistics off, before
/// SQLite initializes, spares a global mutex on every allocation.
static inline int phasecast_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
#endif
