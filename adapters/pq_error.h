// What a failed libpqxx call means, as an Error: how the store (adapters/postgis_store.h) and
// the journal (adapters/journal.h) report database failures.
//
//   unavailable     the server cannot serve us now (connection lost or refused, shutdown, disk
//                   full, deadlock, lock not available, a commit whose outcome is unknown): retry
//   invalid_input   the server refuses the data (SQLSTATE class 22, data exception)
//   internal        anything else (a missing table says "has migrate() been run?")
#pragma once

#include <string>

#include "geo/error.h"

namespace outage {

// Thrown inside a transaction to leave it (rolled back) with this error.
struct Aborted {
  Error error;
};

// `what` without the trailing newlines and spaces libpq leaves on its messages.
std::string trimmed(const char* what);

// SQLSTATE classes (PostgreSQL manual, appendix A) that mean "the server cannot serve us now".
bool means_unavailable(const std::string& sqlstate);

struct PqFailure {
  Error error;                     // starts with `what`
  bool connection_broken = false;  // the connection cannot be used again
};

// The exception being handled (call it from a catch block) as an error. `connection_open`:
// whether the connection still is; when it is not, every failure is unavailable.
PqFailure current_pq_failure(const std::string& what, bool connection_open = true);

}  // namespace outage
