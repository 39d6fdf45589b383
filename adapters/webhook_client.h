// WebhookClient: POSTs JSON documents to one plain-HTTP URL, in order, from a thread of its own
// (outbound meter read requests to an AMI head-end's webhook).
//
// post() never blocks: it queues (at most max_queued; beyond that the document is dropped and
// counted). A document the server does not answer with 2xx is tried again up to three times,
// a second apart, then dropped and counted. https is not supported: put a local TLS proxy in
// front (start() refuses an https URL with the reason).
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "geo/error.h"

namespace outage {

struct WebhookStats {
  std::uint64_t delivered = 0;
  std::uint64_t failed = 0;   // dropped after the retries
  std::uint64_t dropped = 0;  // the queue was full
  std::size_t queued = 0;
};

class WebhookClient {
 public:
  // invalid_input naming ping.webhook_url when the URL is not http://host[:port][/path].
  static Result<std::unique_ptr<WebhookClient>> start(const std::string& url, std::size_t max_queued = 10000);
  ~WebhookClient();  // stop()
  WebhookClient(const WebhookClient&) = delete;
  WebhookClient& operator=(const WebhookClient&) = delete;

  void post(std::string json);
  // Delivers what is queued (one try each), then stops the thread.
  void stop();
  WebhookStats stats() const;

  struct Impl;

 private:
  explicit WebhookClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace outage
