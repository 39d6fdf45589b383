// Strong ids: dense indexes into the model's tables that the compiler will not let you mix up.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <limits>

namespace outage {

template <typename Tag>
class StrongId {
 public:
  using value_type = std::uint32_t;
  static constexpr value_type invalid_value = std::numeric_limits<value_type>::max();

  constexpr StrongId() = default;
  constexpr explicit StrongId(value_type v) : v_(v) {}
  constexpr value_type value() const { return v_; }
  constexpr bool valid() const { return v_ != invalid_value; }
  constexpr auto operator<=>(const StrongId&) const = default;

 private:
  value_type v_ = invalid_value;
};

struct BusTag {};
struct ElementTag {};
struct ServicePointTag {};
struct CustomerTag {};
struct FeederTag {};

using BusId = StrongId<BusTag>;
using ElementId = StrongId<ElementTag>;
using ServicePointId = StrongId<ServicePointTag>;
using CustomerId = StrongId<CustomerTag>;
using FeederId = StrongId<FeederTag>;

}  // namespace outage

template <typename Tag>
struct std::hash<outage::StrongId<Tag>> {
  std::size_t operator()(outage::StrongId<Tag> id) const noexcept { return std::hash<std::uint32_t>{}(id.value()); }
};
