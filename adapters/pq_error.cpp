#include "adapters/pq_error.h"

#include <fmt/format.h>

#include <exception>
#include <pqxx/pqxx>

namespace outage {

std::string trimmed(const char* what) {
  std::string s(what);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

bool means_unavailable(const std::string& state) {
  return state.starts_with("08") ||  // connection exception
         state.starts_with("53") ||  // insufficient resources (disk full, out of memory)
         state.starts_with("57") ||  // operator intervention (shutdown, cancel, crash)
         state.starts_with("40") ||  // transaction rollback (deadlock, serialization)
         state == "55P03";           // lock not available
}

PqFailure current_pq_failure(const std::string& what, bool connection_open) {
  try {
    throw;
  } catch (const Aborted& a) {
    return {a.error, false};
  } catch (const pqxx::broken_connection& e) {
    return {unavailable(fmt::format("{}: database connection: {}", what, trimmed(e.what()))), true};
  } catch (const pqxx::in_doubt_error& e) {
    return {unavailable(fmt::format("{}: commit outcome unknown: {}", what, trimmed(e.what()))), true};
  } catch (const pqxx::sql_error& e) {
    const std::string state = e.sqlstate();
    std::string message = fmt::format("{}: {} (SQLSTATE {})", what, trimmed(e.what()), state);
    if (means_unavailable(state) || !connection_open) return {unavailable(std::move(message)), !connection_open};
    if (state.starts_with("22")) return {invalid_input(std::move(message)), false};  // data exception
    if (state == "42P01" || state == "3F000")                                         // no table / schema
      return {internal_error(message + "; has migrate() been run?"), false};
    return {internal_error(std::move(message)), false};
  } catch (const std::exception& e) {
    if (!connection_open) return {unavailable(fmt::format("{}: database connection: {}", what, trimmed(e.what()))), true};
    return {internal_error(fmt::format("{}: {}", what, trimmed(e.what()))), false};
  } catch (...) {
    return {internal_error(fmt::format("{}: unknown exception", what)), !connection_open};
  }
}

}  // namespace outage
