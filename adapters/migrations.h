// Schema migrations for the PostGIS store, embedded in the binary (no file is read at run time).
//
// Each migration is one version of the schema: version numbers start at 1 and increase by one,
// in the order of this list. PostgisStore::migrate() applies the versions the database has not
// recorded in `outage.schema_migrations` yet, each in its own transaction, and records them.
// The list is append-only: a migration that has shipped is never edited or removed; a change
// to the schema is a new migration at the end (docs/database.md says how to write one).
//
// Pure data: no I/O, no library types. Thread-safe (the list is immutable).
#pragma once

#include <span>
#include <string_view>

namespace outage {

struct Migration {
  int version = 0;        // 1, 2, 3, ... in list order
  std::string_view name;  // short, snake_case: recorded in schema_migrations.name
  std::string_view sql;   // one or more statements, run in one transaction
};

// Every migration, in version order.
std::span<const Migration> migrations();

// The version a database has after migrate(): the last migration's version.
int latest_schema_version();

}  // namespace outage
