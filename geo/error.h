// Errors as values for the pure core.
//
// The core never throws across its API: functions that can fail return Result<T> (or Status,
// Result<void>). The set of codes is closed and small; each maps to one HTTP status and one
// process exit code (docs/api.md lists the mapping). Adapters catch library exceptions (pqxx,
// GDAL, Beast) and turn them into these values.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace outage {

enum class ErrorCode {
  invalid_input,  // the caller's data is malformed or inconsistent (HTTP 400, exit 2)
  not_found,      // a named thing does not exist (HTTP 404, exit 3)
  conflict,       // the request contradicts the current state (HTTP 409, exit 4)
  unavailable,    // a dependency (database, broker) cannot be reached (HTTP 503, exit 5)
  internal,       // a bug or an unexpected library failure (HTTP 500, exit 1)
};

std::string_view to_string(ErrorCode code);
int exit_code(ErrorCode code);
int http_status(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;  // names the field / file / line and the reason
};

inline Error invalid_input(std::string message) { return {ErrorCode::invalid_input, std::move(message)}; }
inline Error not_found(std::string message) { return {ErrorCode::not_found, std::move(message)}; }
inline Error unavailable(std::string message) { return {ErrorCode::unavailable, std::move(message)}; }
inline Error internal_error(std::string message) { return {ErrorCode::internal, std::move(message)}; }

// Either a value or an Error. Check with ok() (or bool), then read value() or error().
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace outage
