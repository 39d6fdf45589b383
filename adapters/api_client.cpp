#include <utility>  // before Asio: Boost 1.74 misses it in C++20 mode

#include "adapters/api_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

namespace outage {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

Result<ApiClient> ApiClient::connect_to(const std::string& url, std::string token, std::chrono::milliseconds timeout) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) {
    return invalid_input(fmt::format("--url: expected http://HOST[:PORT], got '{}'", url));
  }
  std::string rest = url.substr(kScheme.size());
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty() || rest.find('/') != std::string::npos) {
    return invalid_input(fmt::format("--url: expected http://HOST[:PORT] (no path), got '{}'", url));
  }
  std::string host = rest, port = "80";
  if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos) {
      return invalid_input(fmt::format("--url: '{}' is not a port", port));
    }
  }
  return ApiClient(std::move(host), std::move(port), std::move(token), timeout);
}

Result<ApiReply> ApiClient::get(const std::string& target) const { return request(false, target, nullptr, {}); }

Result<ApiReply> ApiClient::post(const std::string& target, const std::string& body, std::string_view content_type) const {
  return request(true, target, &body, content_type);
}

Result<ApiReply> ApiClient::request(bool post, const std::string& target, const std::string* body,
                                    std::string_view content_type) const {
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(timeout_);
    stream.connect(resolver.resolve(host_, port_));
    http::request<http::string_body> req{post ? http::verb::post : http::verb::get, target, 11};
    req.set(http::field::host, host_);
    if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
    if (post) {
      req.set(http::field::content_type, beast::string_view(content_type.data(), content_type.size()));
      req.body() = *body;
      req.prepare_payload();
    }
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{1} << 30);  // a large drill's outages and tickets exceed Beast's 8 MB default
    http::read(stream, buffer, parser);
    http::response<http::string_body> res = parser.release();
    beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    return ApiReply{static_cast<int>(res.result_int()), std::move(res.body())};
  } catch (const std::exception& e) {
    return unavailable(fmt::format("the daemon at http://{}:{} did not answer: {}", host_, port_, e.what()));
  }
}

std::string url_encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

}  // namespace outage
