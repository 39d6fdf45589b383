// `outage status`, `outage outages`, `outage tickets`: the hotline's and the dispatcher's views of
// a running daemon, as readable cards and tables (or the API's JSON with --json).
//
// The daemon is --url (default $OUTAGE_URL, then http://127.0.0.1:8080); the token is --token
// (default $OUTAGE_TOKEN, then $OUTAGE_ADMIN_TOKEN).
#include "adapters/cli_hotline.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>

#include "adapters/api_client.h"
#include "geo/error.h"
#include "feeds/rfc3339.h"

namespace outage::cli {
namespace {

using Json = nlohmann::json;

struct ApiArgs {
  std::string url;
  std::string token;
  bool json = false;

  void add_to(CLI::App* cmd) {
    cmd->add_option("--url", url, "the daemon (default: $OUTAGE_URL, then http://127.0.0.1:8080)");
    cmd->add_option("--token", token, "bearer token (default: $OUTAGE_TOKEN, then $OUTAGE_ADMIN_TOKEN)");
    cmd->add_flag("--json", json, "print the API's JSON");
  }
};

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

// GETs `target`; prints the error and returns nullopt (with the exit code set) on failure.
std::optional<Json> fetch(const ApiArgs& args, const std::string& target, int& code) {
  std::string url = args.url.empty() ? env_or("OUTAGE_URL", "http://127.0.0.1:8080") : args.url;
  std::string token = args.token.empty() ? env_or("OUTAGE_TOKEN", env_or("OUTAGE_ADMIN_TOKEN", "")) : args.token;
  auto client = ApiClient::connect_to(url, token);
  if (!client) {
    std::cerr << "error: " << client.error().message << "\n";
    code = exit_code(client.error().code);
    return std::nullopt;
  }
  auto reply = client->get(target);
  if (!reply) {
    std::cerr << "error: " << reply.error().message << "\n";
    code = exit_code(reply.error().code);
    return std::nullopt;
  }
  Json body = Json::parse(reply->body, nullptr, false);
  if (reply->status == 300 && body.is_object()) {
    std::cerr << "error: " << body.value("error", std::string("ambiguous")) << "\n";
    for (const Json& c : body["candidates"]) {
      std::cerr << fmt::format("  {:<16} {:<24} {}\n", c.value("customer", ""), c.value("name", ""), c.value("address", ""));
    }
    code = exit_code(ErrorCode::conflict);
    return std::nullopt;
  }
  if (reply->status != 200 || body.is_discarded()) {
    std::string why = body.is_object() && body.contains("error") ? body["error"].get<std::string>() : reply->body;
    std::cerr << fmt::format("error: HTTP {}: {}\n", reply->status, why);
    code = exit_code(reply->status == 404   ? ErrorCode::not_found
                              : reply->status == 400 ? ErrorCode::invalid_input
                                                     : ErrorCode::unavailable);
    return std::nullopt;
  }
  return body;
}

std::string text(const Json& j, const char* key, const char* none = "-") {
  if (!j.contains(key) || j[key].is_null()) return none;
  if (j[key].is_string()) return j[key].get<std::string>();
  return j[key].dump();
}

// An RFC 3339 time as local "YYYY-MM-DD HH:MM" (the time's own offset is lost in the API's UTC).
std::string when(const Json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_string()) return "-";
  auto t = parse_rfc3339(j[key].get<std::string>());
  if (!t) return j[key].get<std::string>();
  std::string s = format_rfc3339(*t, 8 * 60);  // China Standard Time, as the hotline speaks
  return s.substr(0, 10) + " " + s.substr(11, 5);
}

void print_status_card(const Json& a) {
  fmt::print("customer  {}   meter {}\n", text(a, "customer"), text(a, "meter"));
  fmt::print("power     {}   cause {}\n", text(a, "power"), text(a, "cause"));
  if (!a["reason"].is_null()) fmt::print("reason    {}\n", text(a, "reason"));
  if (!a["record"].is_null()) fmt::print("record    {}\n", text(a, "record"));
  if (!a["outage"].is_null()) fmt::print("outage    {}   customers out {}\n", text(a, "outage"), text(a, "customers_out"));
  if (!a["since"].is_null()) fmt::print("since     {}\n", when(a, "since"));
  if (!a["etr"].is_null()) {
    fmt::print("ETR       {} (p90 {}, {}, confidence {:.1f})\n", when(a["etr"], "p50"), when(a["etr"], "p90"),
               text(a["etr"], "basis"), a["etr"].value("confidence", 0.0));
  }
  if (!a["ticket"].is_null()) fmt::print("ticket    {}\n", text(a, "ticket"));
  if (!a["crew"].is_null()) {
    fmt::print("crew      {} {} (eta {})\n", text(a["crew"], "id"), text(a["crew"], "status"), when(a["crew"], "eta"));
  }
  fmt::print("\n{}\n", text(a, "message", ""));
}

int run_status(const ApiArgs& args, const std::string& key, const std::string& value) {
  int code = 0;
  auto a = fetch(args, "/v1/status?" + key + "=" + url_encode(value), code);
  if (!a) return code;
  if (args.json) {
    fmt::print("{}\n", a->dump(2));
  } else {
    print_status_card(*a);
  }
  return 0;
}

int run_outages(const ApiArgs& args, const std::string& state) {
  int code = 0;
  auto c = fetch(args, "/v1/outages?state=" + url_encode(state), code);
  if (!c) return code;
  if (args.json) {
    fmt::print("{}\n", c->dump(2));
    return 0;
  }
  fmt::print("{:>6}  {:<12} {:<24} {:<12} {:>9}  {:<16} {:<16} {:>6}  {}\n", "id", "level", "device", "state", "customers",
             "start", "ETR", "ticket", "crew");
  for (const Json& f : (*c)["features"]) {
    const Json& p = f["properties"];
    std::string device = p["device"].is_null() ? "premise " + text(p, "service_point") : text(p, "device");
    fmt::print("{:>6}  {:<12} {:<24} {:<12} {:>9}  {:<16} {:<16} {:>6}  {}\n", f["id"].dump(), text(p, "level"), device,
               text(p, "state"), text(p, "customers_out"), when(p, "start"),
               p["etr"].is_null() ? std::string("-") : when(p["etr"], "p50"), text(p, "ticket"), text(p, "crew"));
  }
  fmt::print("{} outages\n", (*c)["features"].size());
  return 0;
}

int run_tickets(const ApiArgs& args, const std::string& state) {
  int code = 0;
  auto c = fetch(args, "/v1/tickets?state=" + url_encode(state), code);
  if (!c) return code;
  if (args.json) {
    fmt::print("{}\n", c->dump(2));
    return 0;
  }
  fmt::print("{:>6}  {:<10} {:<10} {:<9} {:<16} {:<22} {:>6} {:<8} {:<12} {}\n", "id", "kind", "state", "priority",
             "accepted", "about", "calls", "crew", "route", "arrival");
  auto limit = [](const Json& l) -> std::string {
    if (l.is_null()) return "-";
    if (!l["met"].is_null()) return l["breached"].get<bool>() ? "met late" : "met";
    if (l["breached"].get<bool>()) return "BREACHED";
    if (l["at_risk"].get<bool>()) return "at risk";
    return "due " + when(l, "due").substr(11);
  };
  for (const Json& t : (*c)["tickets"]) {
    std::string kind = text(t, "kind") + (t["emergency"].get<bool>() ? "!" : "");
    std::string about = !t["device"].is_null() ? text(t, "device") : (!t["customer"].is_null() ? text(t, "customer") : text(t, "place"));
    fmt::print("{:>6}  {:<10} {:<10} {:<9} {:<16} {:<22} {:>6} {:<8} {:<12} {}\n", t["id"].dump(), kind, text(t, "state"),
               text(t, "priority"), when(t["clocks"], "accepted"), about, t["calls"].dump(), text(t, "crew"),
               limit(t["limits"]["route"]), limit(t["limits"]["arrival"]));
  }
  fmt::print("{} tickets\n", (*c)["tickets"].size());
  return 0;
}

}  // namespace

void register_hotline_commands(CLI::App& app, int& result) {
  {
    auto* cmd = app.add_subcommand("status", "ask a running daemon why a customer's power is out and when it returns");
    auto args = std::make_shared<ApiArgs>();
    auto customer = std::make_shared<std::string>(), meter = std::make_shared<std::string>(),
         phone = std::make_shared<std::string>(), address = std::make_shared<std::string>();
    args->add_to(cmd);
    auto* group = cmd->add_option_group("subject", "who is asking (exactly one)");
    group->add_option("--customer", *customer, "customer id");
    group->add_option("--meter", *meter, "meter id");
    group->add_option("--phone", *phone, "phone number");
    group->add_option("--address", *address, "address (spelling need not be exact)");
    group->require_option(1);
    cmd->callback([=, &result] {
      if (!customer->empty()) result = run_status(*args, "customer", *customer);
      else if (!meter->empty()) result = run_status(*args, "meter", *meter);
      else if (!phone->empty()) result = run_status(*args, "phone", *phone);
      else result = run_status(*args, "address", *address);
    });
  }
  {
    auto* cmd = app.add_subcommand("outages", "list a running daemon's outages");
    auto args = std::make_shared<ApiArgs>();
    auto state = std::make_shared<std::string>("active");
    args->add_to(cmd);
    cmd->add_option("--state", *state, "active (default), all, or one state");
    cmd->callback([=, &result] { result = run_outages(*args, *state); });
  }
  {
    auto* cmd = app.add_subcommand("tickets", "list a running daemon's tickets, in the order they are to be served");
    auto args = std::make_shared<ApiArgs>();
    auto state = std::make_shared<std::string>("open");
    args->add_to(cmd);
    cmd->add_option("--state", *state, "open (default) or all");
    cmd->callback([=, &result] { result = run_tickets(*args, *state); });
  }
}

}  // namespace outage::cli
