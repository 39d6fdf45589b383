// PostgisStore: keeps network models in PostgreSQL + PostGIS, in the schema `outage`
// (docs/database.md describes the tables, the migrations and the SRID rule).
//
// A model is saved whole and replaced whole. save_model bulk-loads (COPY) fresh per-model
// partitions of the buses, elements, service_points and customers tables and builds their
// indexes after the load, on two connections at once: the elements (half of the work) on a
// second connection that the save opens for its duration, committed there under a name no
// reader looks up, the other tables in the save's own transaction. That transaction then drops
// the partitions of the model it replaces, attaches the new ones and commits: readers see the
// new model whole or not at all. A failure at any point (connection lost, data rejected, a
// SaveOptions::after_step error) leaves the previous model of that name as it was, and the save
// drops the tables it made; tables left by a save whose process died are not attached (no
// reader sees them) and the next save, or migrate(), drops them. When save_model returns ok,
// the model is committed, in logged tables. load_model rebuilds the very model that was saved:
// same ids in the same order, same fields, positions (where has_position is set), intermediate
// vertices, customers and coordinate system (the ImportReport is not stored: it describes an
// import, not the network).
//
// Concurrency: several processes may share a database. Saves serialize on `outage.models`.
// A load reads the last committed version of a model, whole: a save under way is invisible
// until it commits, and loads do not wait for its COPYs and index builds (only, at most, for
// its final swap). A save that replaces a model waits, before it commits, for the loads still
// reading the old version.
//
// Errors are values: every libpqxx and std exception is caught in here. Codes:
//   unavailable   the server cannot be reached, the connection was lost, or the server is
//                 shutting down / out of resources / in a deadlock (retrying may help);
//   invalid_input the server rejected the data (e.g. text that is not valid UTF-8), or an
//                 empty model name;
//   not_found     load_model of a name that is not stored;
//   conflict      the database's schema is newer than this program (migrate);
//   internal      anything else, including a schema that migrate() has not created.
//
// Thread-safety: a PostgisStore is one connection; use it from one thread at a time. save_model
// also opens a second connection, used by a thread of its own, and closes it and joins the
// thread before it returns. After the connection is lost, a call fails (unavailable) and the
// next one connects again.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "geo/error.h"
#include "geo/network_model.h"

namespace outage {

struct SaveOptions {
  // Called, in the thread that called save_model, after each step of a save, in order: "buses",
  // "service_points", "customers", "elements" (the table's rows loaded and indexed; the
  // elements are loaded on the second connection from the start, and are done last), then
  // "replace" (old partitions dropped, new ones attached; only the commit is left). Returning an
  // error aborts the save, which is rolled back and returns that error. For progress reports;
  // tests use it to inject a failure.
  std::function<Status(std::string_view step)> after_step;
};

class PostgisStore {
 public:
  // Connects to `dsn` (a libpq connection string or URI; empty: libpq's defaults, i.e. the
  // PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD environment variables). unavailable with
  // libpq's reason when the server cannot be reached or refuses the login.
  static Result<PostgisStore> connect(const std::string& dsn);

  PostgisStore(PostgisStore&&) noexcept;
  PostgisStore& operator=(PostgisStore&&) noexcept;
  ~PostgisStore();

  // Brings the schema to latest_schema_version() (adapters/migrations.h): creates the schema
  // `outage` and `outage.schema_migrations` if absent, then applies each pending migration in
  // its own transaction and records it. Idempotent, and safe when several processes migrate at
  // once (an advisory lock serializes them). Then drops the tables that crashed saves left
  // behind, unless a save is under way (the next save does it then). Run it at start-up,
  // before any other call. conflict when the database records a version newer than this
  // program knows.
  Status migrate();

  // The highest version recorded in outage.schema_migrations; 0 for a database never migrated.
  Result<int> schema_version();

  // Stores `model` under `name`, replacing any model of that name; atomic (see above).
  // invalid_input for an empty name or data the server rejects.
  Status save_model(const NetworkModel& model, const std::string& name, const SaveOptions& options = {});

  // The model stored under `name` (its `name` field set to `name`); not_found when absent.
  Result<NetworkModel> load_model(const std::string& name);

  // The names of the stored models, sorted (byte order).
  Result<std::vector<std::string>> list_models();

 private:
  struct Impl;
  explicit PostgisStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace outage
