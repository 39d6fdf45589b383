#include "adapters/daemon_state.h"

#include <fmt/format.h>

#include <mutex>
#include <pqxx/pqxx>

namespace outage {

struct DaemonState::Impl {
  std::string dsn;
  std::mutex mutex;
  std::optional<pqxx::connection> connection;

  template <typename F>
  auto run(F&& f) -> decltype(f(std::declval<pqxx::connection&>())) {
    std::lock_guard lock(mutex);
    try {
      if (!connection || !connection->is_open()) connection.emplace(dsn);
      return f(*connection);
    } catch (const pqxx::broken_connection& e) {
      connection.reset();
      return unavailable(fmt::format("daemon state: {}", e.what()));
    } catch (const std::exception& e) {
      connection.reset();
      return internal_error(fmt::format("daemon state: {}", e.what()));
    }
  }
};

DaemonState::DaemonState(std::string dsn) : impl_(std::make_unique<Impl>()) { impl_->dsn = std::move(dsn); }
DaemonState::~DaemonState() = default;

Result<std::optional<std::string>> DaemonState::get(std::string_view key) {
  return impl_->run([&](pqxx::connection& c) -> Result<std::optional<std::string>> {
    pqxx::nontransaction tx(c);
    pqxx::result r = tx.exec_params("SELECT value FROM outage.daemon_state WHERE key = $1", std::string(key));
    if (r.empty()) return std::optional<std::string>();
    return std::optional<std::string>(r[0][0].c_str());
  });
}

Status DaemonState::put(std::string_view key, std::string_view value) {
  return impl_->run([&](pqxx::connection& c) -> Status {
    pqxx::work tx(c);
    tx.exec_params(
        "INSERT INTO outage.daemon_state (key, value) VALUES ($1, $2) "
        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
        std::string(key), std::string(value));
    tx.commit();
    return {};
  });
}

}  // namespace outage
