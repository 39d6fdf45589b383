// VrptwInstance: a vehicle routing problem with time windows in Solomon's format (1987), the
// planner's external reference (../shared/data/solomon): a depot and customers with positions,
// demands, time windows and service times; identical vehicles of one capacity. Distances are
// Euclidean and one unit of distance takes one unit of time.
//
// The text format: the instance's name; a VEHICLE block (NUMBER, CAPACITY); a CUSTOMER block
// whose rows are `number x y demand ready due service`, row 0 the depot (its due date the
// planning horizon). Columns are split on white space (their alignment differs between files);
// header lines are recognised by their words, so CRLF or LF, and blank lines, are all the same.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "geo/error.h"

namespace outage {

struct VrptwSite {
  int number = 0;  // 0: the depot; customers by their number in the file
  double x = 0;
  double y = 0;
  double demand = 0;
  double ready = 0;    // earliest start of service
  double due = 0;      // latest start of service (the depot: the horizon)
  double service = 0;  // time on site
};

struct VrptwInstance {
  std::string name;
  int vehicles = 0;  // the fleet's upper bound
  double capacity = 0;
  std::vector<VrptwSite> sites;  // sites[0] is the depot; sites[i].number == i

  double distance(int a, int b) const;  // Euclidean, full precision
  int customers() const { return static_cast<int>(sites.size()) - 1; }
};

// invalid_input naming `origin`, the line and the reason: a missing block, a row with a field
// that is not a number or with too few fields, numbers out of order, a negative demand or a
// time window that closes before it opens.
Result<VrptwInstance> parse_solomon(std::string_view text, std::string_view origin);

}  // namespace outage
