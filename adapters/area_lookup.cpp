#include "adapters/area_lookup.h"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>

namespace outage {

struct AreaLookup::Impl {
  std::string dsn;
  std::mutex mutex;
  std::optional<pqxx::connection> connection;
};

AreaLookup::AreaLookup(std::string dsn) : impl_(std::make_unique<Impl>()) { impl_->dsn = std::move(dsn); }
AreaLookup::~AreaLookup() = default;

Result<std::vector<ServicePointId>> AreaLookup::service_points_in(const NetworkModel& model, std::string_view geojson) {
  std::lock_guard lock(impl_->mutex);
  try {
    if (!impl_->connection || !impl_->connection->is_open()) impl_->connection.emplace(impl_->dsn);
    pqxx::work tx(*impl_->connection);
    pqxx::result rows = tx.exec_params(
        "SELECT sp.id FROM outage.service_points sp "
        "LEFT JOIN outage.buses b ON b.model = sp.model AND b.id = sp.bus "
        "WHERE sp.model = $1 AND ST_Intersects(COALESCE(sp.geom, b.geom), "
        "ST_SetSRID(ST_GeomFromGeoJSON($2), $3))",
        model.name, std::string(geojson), model.crs.srid());
    tx.commit();
    std::vector<ServicePointId> out;
    out.reserve(rows.size());
    for (const auto& row : rows) {
      ServicePointId sp = model.find_service_point(row[0].c_str());
      if (sp.valid()) out.push_back(sp);
    }
    std::sort(out.begin(), out.end());
    return out;
  } catch (const pqxx::broken_connection& e) {
    impl_->connection.reset();
    return unavailable(fmt::format("area lookup: {}", e.what()));
  } catch (const pqxx::data_exception& e) {
    return invalid_input(fmt::format("field 'area': PostGIS cannot read it: {}", e.what()));
  } catch (const pqxx::sql_error& e) {
    return invalid_input(fmt::format("field 'area': PostGIS cannot read it: {}", e.what()));
  } catch (const std::exception& e) {
    impl_->connection.reset();
    return internal_error(fmt::format("area lookup: {}", e.what()));
  }
}

}  // namespace outage
