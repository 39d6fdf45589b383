// ApiClient: the daemon's HTTP API as the command line uses it (outage status, outages,
// tickets) and as a live drill drives it (events, the simulated clock): one request at a time on
// a fresh connection, with a timeout.
//
// The URL is http://HOST[:PORT] (https is not supported: the daemon listens on plain HTTP behind
// the utility's own TLS front).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "geo/error.h"

namespace outage {

struct ApiReply {
  int status = 0;
  std::string body;
};

class ApiClient {
 public:
  // invalid_input naming `--url` when the URL is not http://HOST[:PORT].
  static Result<ApiClient> connect_to(const std::string& url, std::string token,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // GET `target` (path and query, already encoded). unavailable when the daemon cannot be
  // reached or does not answer in time; any HTTP answer is a reply, whatever its status.
  Result<ApiReply> get(const std::string& target) const;

  // POST `body` to `target` with `content_type`. The same errors as get(): any HTTP answer is a
  // reply, whatever its status.
  Result<ApiReply> post(const std::string& target, const std::string& body,
                        std::string_view content_type = "application/json") const;

 private:
  ApiClient(std::string host, std::string port, std::string token, std::chrono::milliseconds timeout)
      : host_(std::move(host)), port_(std::move(port)), token_(std::move(token)), timeout_(timeout) {}
  Result<ApiReply> request(bool post, const std::string& target, const std::string* body, std::string_view content_type) const;
  std::string host_, port_, token_;
  std::chrono::milliseconds timeout_;
};

// `text` percent-encoded for a query value (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view text);

}  // namespace outage
