// WebhookClient against a real HTTP server on loopback (the project's own HttpServer).
#include "adapters/webhook_client.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "adapters/http_server.h"

namespace outage {
namespace {

using namespace std::chrono_literals;

struct Receiver {
  std::mutex mutex;
  std::vector<std::string> bodies;
  std::vector<std::string> paths;
  int fail_first = 0;  // answer 500 to this many requests first
  std::unique_ptr<HttpServer> server;

  Receiver() {
    HttpServerOptions options;
    options.port = 0;
    server = std::make_unique<HttpServer>(options, [this](HttpRequest&& req, Responder res) {
      std::lock_guard lock(mutex);
      if (fail_first > 0) {
        --fail_first;
        return res.send(HttpResponse{500, "text/plain", "busy", {}});
      }
      bodies.push_back(req.body);
      paths.push_back(req.path);
      res.send(HttpResponse{204, "", "", {}});
    });
    EXPECT_TRUE(server->start().ok());
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return bodies.size();
  }
};

bool eventually(const std::function<bool()>& f) {
  for (int i = 0; i < 500; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

TEST(WebhookClient, PostsEachDocumentInOrderToTheUrlsPath) {
  Receiver receiver;
  auto client = WebhookClient::start(fmt::format("http://127.0.0.1:{}/ami/read", receiver.server->local_endpoint().port));
  ASSERT_TRUE(client.ok()) << client.error().message;
  for (int i = 0; i < 5; ++i) (*client)->post(fmt::format(R"({{"meter":"m{}"}})", i));
  ASSERT_TRUE(eventually([&] { return receiver.count() == 5; }));
  std::lock_guard lock(receiver.mutex);
  EXPECT_EQ(receiver.bodies[0], R"({"meter":"m0"})");
  EXPECT_EQ(receiver.bodies[4], R"({"meter":"m4"})");
  EXPECT_EQ(receiver.paths[0], "/ami/read");
}

TEST(WebhookClient, TriesAgainWhenTheServerFails) {
  Receiver receiver;
  receiver.fail_first = 2;
  auto client = WebhookClient::start(fmt::format("http://127.0.0.1:{}/", receiver.server->local_endpoint().port));
  ASSERT_TRUE(client.ok());
  (*client)->post(R"({"meter":"m1"})");
  ASSERT_TRUE(eventually([&] { return receiver.count() == 1; }));
  EXPECT_TRUE(eventually([&]() -> bool { return (*client)->stats().delivered == 1; }));
  EXPECT_EQ((*client)->stats().failed, 0u);
}

TEST(WebhookClient, RefusesUrlsItCannotServeWithTheReason) {
  EXPECT_EQ(WebhookClient::start("https://head-end/read").error().message,
            "ping.webhook_url: https is not supported; put a local TLS proxy in front and give its http:// URL");
  EXPECT_EQ(WebhookClient::start("ftp://x").error().code, ErrorCode::invalid_input);
  EXPECT_EQ(WebhookClient::start("http://host:port/").error().code, ErrorCode::invalid_input);
}

}  // namespace
}  // namespace outage
