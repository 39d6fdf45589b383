#include "adapters/address_search.h"

#include <fmt/format.h>

#include <mutex>
#include <optional>
#include <pqxx/pqxx>

#include "adapters/pq_error.h"

namespace outage {

struct AddressSearch::Impl {
  std::string dsn;
  std::mutex mutex;
  std::optional<pqxx::connection> connection;
};

AddressSearch::AddressSearch(std::string dsn) : impl_(std::make_unique<Impl>()) { impl_->dsn = std::move(dsn); }
AddressSearch::~AddressSearch() = default;

Result<std::vector<AddressMatch>> AddressSearch::find(const NetworkModel& model, std::string_view address, int limit) {
  std::lock_guard lock(impl_->mutex);
  try {
    if (!impl_->connection || !impl_->connection->is_open()) impl_->connection.emplace(impl_->dsn);
    pqxx::work tx(*impl_->connection);
    // `%` (similar enough) can use the trigram index; the threshold is lowered from 0.3 so that
    // a short address with a wrong character or two still finds its customer.
    tx.exec("SET LOCAL pg_trgm.similarity_threshold = 0.2");
    pqxx::result rows = tx.exec_params(
        "SELECT id, similarity(address, $2) AS s FROM outage.customers "
        "WHERE model = $1 AND address % $2 ORDER BY s DESC, id LIMIT $3",
        model.name, std::string(address), limit);
    tx.commit();
    std::vector<AddressMatch> out;
    for (const auto& row : rows) {
      CustomerId c = model.find_customer(row[0].c_str());
      if (c.valid()) out.push_back({c, row[1].as<double>()});
    }
    return out;
  } catch (...) {
    const bool open = impl_->connection && impl_->connection->is_open();
    PqFailure failure = current_pq_failure("address search", open);
    if (failure.connection_broken || !open) impl_->connection.reset();
    return failure.error;
  }
}

}  // namespace outage
