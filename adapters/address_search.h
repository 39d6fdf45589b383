// AddressSearch: the customers whose address is like what a caller said, misspellings and all,
// by trigram similarity in PostGIS (pg_trgm; migration 4 indexes outage.customers.address).
//
// Thread-safe: one connection behind a mutex. Errors: unavailable when the server cannot be
// reached (the next call reconnects), internal for anything else.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "geo/error.h"
#include "geo/network_model.h"

namespace outage {

struct AddressMatch {
  CustomerId customer;
  double similarity = 0;  // 0..1, 1 the same trigrams
};

class AddressSearch {
 public:
  explicit AddressSearch(std::string dsn);
  ~AddressSearch();
  AddressSearch(const AddressSearch&) = delete;
  AddressSearch& operator=(const AddressSearch&) = delete;

  // Up to `limit` customers of `model` (stored under model.name), the most similar first (ties
  // by customer id); none when no address shares enough trigrams (similarity under 0.2).
  Result<std::vector<AddressMatch>> find(const NetworkModel& model, std::string_view address, int limit = 10);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace outage
