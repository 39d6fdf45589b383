#include "dispatch/status_answer.h"

#include <fmt/format.h>

#include <chrono>

namespace outage {

std::string_view to_string(PowerState p) {
  switch (p) {
    case PowerState::on: return "on";
    case PowerState::off: return "off";
    case PowerState::unknown: return "unknown";
  }
  return "unknown";
}

std::string_view to_string(AnswerCause c) {
  switch (c) {
    case AnswerCause::none: return "none";
    case AnswerCause::planned: return "planned";
    case AnswerCause::temporary: return "temporary";
    case AnswerCause::fault: return "fault";
    case AnswerCause::load_shedding: return "load_shedding";
    case AnswerCause::disconnection: return "disconnection";
    case AnswerCause::unknown: return "unknown";
  }
  return "unknown";
}

std::string spoken_time(Timestamp t, const AnswerStyle& style) {
  using namespace std::chrono;
  if (t == kNoTime) return "";
  const Timestamp local = t + minutes(style.utc_offset_minutes);
  const sys_days day = floor<days>(local);
  const year_month_day date(day);
  const hh_mm_ss<milliseconds> time(local - day);
  const unsigned month = static_cast<unsigned>(date.month()), mday = static_cast<unsigned>(date.day());
  if (style.language == Language::zh) {
    return fmt::format("{}月{}日 {:02}:{:02}", month, mday, time.hours().count(), time.minutes().count());
  }
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  return fmt::format("{} {} {:02}:{:02}", mday, kMonths[(month + 11) % 12], time.hours().count(), time.minutes().count());
}

namespace {

AnswerCause cause_of(RecordKind k) {
  switch (k) {
    case RecordKind::planned: return AnswerCause::planned;
    case RecordKind::temporary: return AnswerCause::temporary;
    case RecordKind::load_shedding: return AnswerCause::load_shedding;
    case RecordKind::disconnection: return AnswerCause::disconnection;
  }
  return AnswerCause::unknown;
}

// The words of mission.md's table, "Words the system speaks to customers".
std::string message(const StatusAnswer& a, const AnswerStyle& s) {
  const bool zh = s.language == Language::zh;
  const std::string since = spoken_time(a.since, s);
  const std::string etr = spoken_time(a.etr.p50, s);
  const std::string reason = a.reason.empty() ? "" : (zh ? "（" + a.reason + "）" : " (" + a.reason + ")");
  auto etr_part = [&] {
    if (!a.etr.known()) return std::string();
    return zh ? fmt::format("预计恢复送电时间{}。", etr) : fmt::format(" Estimated restoration time: {}.", etr);
  };
  switch (a.cause) {
    case AnswerCause::planned:
      return zh ? fmt::format("您所在区域因计划停电{}自{}起停电。{}", reason, since, etr_part())
                : fmt::format("Power is off for a planned outage for scheduled work{} since {}.{}", reason, since, etr_part());
    case AnswerCause::temporary:
      return zh ? fmt::format("您所在区域因临时停电{}自{}起停电。{}", reason, since, etr_part())
                : fmt::format("Power is off for a temporary outage for urgent work{} since {}.{}", reason, since, etr_part());
    case AnswerCause::load_shedding:
      return zh ? fmt::format("您所在区域正在执行有序用电（错峰限电）{}，自{}起停电。{}", reason, since, etr_part())
                : fmt::format("Power is off for rotating load shedding{} since {}.{}", reason, since, etr_part());
    case AnswerCause::disconnection:
      return zh ? fmt::format("您的用电因欠费或违约用电已停止{}。请缴清欠费或到营业厅办理相关手续后申请复电，此情况无需派员抢修。", reason)
                : fmt::format("The supply is disconnected for arrears or a supply-contract violation{}. Pay the arrears "
                              "or settle at a service counter, then ask for reconnection; no repair crew is sent.",
                              reason);
    case AnswerCause::fault: {
      std::string crew;
      if (a.crew_status == "on_site") crew = zh ? "抢修人员已到达现场。" : " A repair crew is on site.";
      else if (!a.crew.empty()) crew = zh ? "抢修人员正在赶往现场。" : " A repair crew is on its way.";
      else if (a.ticket.valid()) crew = zh ? "已安排抢修。" : " A repair is being arranged.";
      return zh ? fmt::format("您所在区域因故障停电，自{}起停电。{}{}", since, crew, etr_part())
                : fmt::format("Power is off because of a fault since {}.{}{}", since, crew, etr_part());
    }
    case AnswerCause::unknown:
      return zh ? "您所在位置可能已停电，原因正在核查。如客户确认无电，请登记抢修工单。"
                : "Power appears to be off here; the cause is not known yet. If the customer has no power, open a "
                  "repair ticket.";
    case AnswerCause::none:
      return zh ? "目前未发现您所在区域停电，供电正常。如家中无电，可能是户内故障，请先检查家中总开关。"
                : "No outage is known here; the supply is normal. If the customer has no power, the fault may be "
                  "inside the premises: check the main switch first.";
  }
  return "";
}

}  // namespace

StatusAnswer answer_status(const ControlRoom& room, ServicePointId sp, Timestamp now, const AnswerStyle& style) {
  const OutageEngine& engine = room.engine();
  const TicketDesk& desk = room.desk();
  StatusAnswer a;
  const ServicePointStatus status = engine.status_of(sp);

  // A record: the one explaining its darkness, else one in force now.
  const Record* record = status.record.valid() ? &engine.records().record(status.record) : nullptr;
  if (!record) record = engine.records().covering(sp, now, Duration::zero(), Duration::zero());
  if (record && !record->cancelled) {
    a.power = PowerState::off;
    a.cause = cause_of(record->kind);
    a.record = record->id;
    a.record_name = record->name;
    a.reason = record->reason;
    a.since = status.dark && status.out_since != kNoTime ? std::min(status.out_since, record->start) : record->start;
    if (a.cause != AnswerCause::disconnection) a.etr = desk.etr_model().record(record->end, now);
  } else if (status.outage.valid()) {
    const Outage& o = *engine.outage(status.outage);
    a.power = PowerState::off;
    a.cause = o.cause == OutageCause::switching ? AnswerCause::temporary : AnswerCause::fault;
    a.outage = o.id;
    a.since = o.start;
    a.customers_out = o.customers_out;
    a.etr = desk.etr(engine, o.id, now);
    a.ticket = desk.ticket_of(o.id);
    if (const Ticket* t = desk.ticket(a.ticket); t && !t->crew.empty()) {
      a.crew = t->crew;
      if (const Crew* c = desk.crews().find(t->crew)) a.crew_status = std::string(to_string(c->status));
      a.crew_eta = desk.crew_eta(a.ticket, now);
    }
  } else if (status.dark || status.dead) {
    a.power = PowerState::off;
    a.cause = AnswerCause::unknown;
    a.since = status.out_since;
  } else {
    a.power = PowerState::on;
    a.cause = AnswerCause::none;
  }
  a.message = message(a, style);
  return a;
}

}  // namespace outage
