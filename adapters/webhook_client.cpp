#include <utility>  // before Asio/Beast: Boost 1.74 misses it in C++20 mode

#include "adapters/webhook_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace outage {

namespace asio = boost::asio;
namespace beast = boost::beast;

struct WebhookClient::Impl {
  std::string host, port, target;
  std::size_t max_queued = 0;
  mutable std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::string> queue;
  bool stopping = false;
  WebhookStats stats;
  std::thread thread;

  bool deliver(const std::string& body) {
    try {
      asio::io_context io;
      asio::ip::tcp::resolver resolver(io);
      beast::tcp_stream stream(io);
      stream.expires_after(std::chrono::seconds(5));
      stream.connect(resolver.resolve(host, port));
      beast::http::request<beast::http::string_body> req{beast::http::verb::post, target, 11};
      req.set(beast::http::field::host, host);
      req.set(beast::http::field::content_type, "application/json");
      req.body() = body;
      req.prepare_payload();
      beast::http::write(stream, req);
      beast::flat_buffer buffer;
      beast::http::response<beast::http::string_body> res;
      beast::http::read(stream, buffer, res);
      beast::error_code ec;
      stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
      return res.result_int() >= 200 && res.result_int() < 300;
    } catch (const std::exception& e) {
      spdlog::debug("event=webhook_error host={} reason=\"{}\"", host, e.what());
      return false;
    }
  }

  void run() {
    std::unique_lock lock(mutex);
    while (true) {
      wake.wait(lock, [&] { return stopping || !queue.empty(); });
      if (queue.empty()) return;
      std::string body = std::move(queue.front());
      queue.pop_front();
      bool last_chance = stopping;
      lock.unlock();
      bool ok = false;
      for (int attempt = 0; attempt < (last_chance ? 1 : 3) && !ok; ++attempt) {
        if (attempt > 0) std::this_thread::sleep_for(std::chrono::seconds(1));
        ok = deliver(body);
      }
      lock.lock();
      ok ? ++stats.delivered : ++stats.failed;
    }
  }
};

Result<std::unique_ptr<WebhookClient>> WebhookClient::start(const std::string& url, std::size_t max_queued) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind("https://", 0) == 0) {
    return invalid_input("ping.webhook_url: https is not supported; put a local TLS proxy in front and give its http:// URL");
  }
  if (url.rfind(kScheme, 0) != 0) return invalid_input(fmt::format("ping.webhook_url: expected http://host[:port][/path], got '{}'", url));
  std::string rest = url.substr(kScheme.size());
  std::size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  auto impl = std::make_unique<Impl>();
  impl->target = slash == std::string::npos ? "/" : rest.substr(slash);
  std::size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    impl->host = authority.substr(0, colon);
    impl->port = authority.substr(colon + 1);
  } else {
    impl->host = authority;
    impl->port = "80";
  }
  if (impl->host.empty() || impl->port.empty() || impl->port.find_first_not_of("0123456789") != std::string::npos) {
    return invalid_input(fmt::format("ping.webhook_url: expected http://host[:port][/path], got '{}'", url));
  }
  impl->max_queued = max_queued;
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->run(); });
  return std::unique_ptr<WebhookClient>(new WebhookClient(std::move(impl)));
}

WebhookClient::WebhookClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WebhookClient::~WebhookClient() { stop(); }

void WebhookClient::post(std::string json) {
  std::lock_guard lock(impl_->mutex);
  if (impl_->stopping || impl_->queue.size() >= impl_->max_queued) {
    ++impl_->stats.dropped;
    return;
  }
  impl_->queue.push_back(std::move(json));
  impl_->wake.notify_one();
}

void WebhookClient::stop() {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopping) return;
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

WebhookStats WebhookClient::stats() const {
  std::lock_guard lock(impl_->mutex);
  WebhookStats s = impl_->stats;
  s.queued = impl_->queue.size();
  return s;
}

}  // namespace outage
