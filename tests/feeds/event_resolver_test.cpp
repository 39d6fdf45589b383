// EventResolver: names on the wire to ids in the model, and the reasons it refuses.
#include "feeds/event_resolver.h"

#include <gtest/gtest.h>

namespace outage {
namespace {

// Two meters on two buses 100 m apart; two customers, one phone number written two ways.
NetworkModel small_model() {
  NetworkModel m;
  BusId a = m.add_bus_or_get("a"), b = m.add_bus_or_get("b");
  m.bus(a).position = {0, 0};
  m.bus(a).has_position = true;
  m.bus(b).position = {100, 0};
  m.bus(b).has_position = true;
  (void)m.add_element("src", ElementKind::source, a, {}).value();
  (void)m.add_element("line.ab", ElementKind::line, a, b).value();
  ServicePointId ma = m.add_service_point("ma", a).value();
  ServicePointId mb = m.add_service_point("mb", b).value();
  CustomerId ca = m.add_customer("ca", ma).value();
  CustomerId cb = m.add_customer("cb", mb).value();
  m.customer(ca).phone = m.store("+86 138-0000-1111");
  m.customer(cb).phone = m.store("(021) 5555 0000");
  return m;
}

Event event(EventPayload payload) {
  Event e;
  e.source = "s";
  e.id = "1";
  e.time = Timestamp(Duration(0));
  e.payload = std::move(payload);
  return e;
}

TEST(EventResolver, FindsMetersDevicesAndCallersByTheirNames) {
  NetworkModel m = small_model();
  EventResolver r(m, nullptr);
  EXPECT_EQ(r.resolve(event(MeterPowerOff{"MB"}))->service_point, m.find_service_point("mb"));
  CallReport by_phone;
  by_phone.phone = "86-13800001111";  // the same digits as "+86 138-0000-1111"
  auto called = r.resolve(event(by_phone));
  ASSERT_TRUE(called.ok());
  EXPECT_EQ(called->customer, m.find_customer("ca"));
  EXPECT_EQ(called->service_point, m.find_service_point("ma"));
  CallReport by_position;
  by_position.position = Position{70, 5, false};  // nearer b (30 m) than a (70 m)
  EXPECT_EQ(r.resolve(event(by_position))->service_point, m.find_service_point("mb"));
  CallReport by_address;
  by_address.address = "1 Main Street";
  auto unplaced = r.resolve(event(by_address));
  ASSERT_TRUE(unplaced.ok());
  EXPECT_FALSE(unplaced->located);
}

TEST(EventResolver, RefusesUnknownNamesNamingTheField) {
  NetworkModel m = small_model();
  EventResolver r(m, nullptr);
  EXPECT_EQ(r.resolve(event(MeterPowerOn{"m9"})).error().message, "field 'meter': unknown meter 'm9'");
  EXPECT_EQ(r.resolve(event(ScadaSwitch{"brk.9", SwitchState::open, SwitchCause::trip})).error().message,
            "field 'device': unknown device 'brk.9'");
  EXPECT_EQ(r.resolve(event(ScadaSwitch{"line.ab", SwitchState::open, SwitchCause::trip})).error().message,
            "field 'device': 'line.ab' is a line, not a switching device");
  CallReport call;
  call.phone = "999";
  EXPECT_EQ(r.resolve(event(call)).error().message, "field 'phone': unknown phone number '999'");
  IotAlarm alarm;
  alarm.gateway = "gw";
  EXPECT_EQ(r.resolve(event(alarm)).error().message, "field 'gateway': unknown gateway 'gw'");
  OutageRecord record;
  record.customers = {"ca", "zz"};
  EXPECT_EQ(r.resolve(event(record)).error().message, "field 'customers': unknown customer 'zz'");
  EXPECT_EQ(r.resolve(event(OutageConfirm{"7x", Confirmer::crew})).error().message,
            "field 'outage': expected an outage id (a number), got '7x'");
}

}  // namespace
}  // namespace outage
