#include "adapters/binary_copy.h"

#include "adapters/pq_error.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <pqxx/pqxx>
#include <string>

#include <libpq-fe.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <pqxx/largeobject>
#include <pqxx/tablewriter>
#pragma GCC diagnostic pop

namespace outage {
namespace {

// The libpq connection under a libpqxx transaction: largeobject has the one accessor libpqxx
// 6.4 offers, for its subclasses.
struct RawConnection : pqxx::largeobject {
  static PGconn* of(const pqxx::dbtransaction& tx) { return raw_connection(tx); }
};

constexpr std::int64_t kPostgresEpochMs = 946'684'800'000;  // 2000-01-01 in Unix milliseconds

}  // namespace

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

// libpqxx's tablewriter has no COPY options: they ride in the table-name argument, which it
// pastes unquoted into "COPY <name> FROM STDIN"; the trailing "--" comments out that second
// FROM STDIN.
BinaryCopyWriter::BinaryCopyWriter(pqxx::dbtransaction& tx, std::string_view table, std::string_view columns,
                                   std::uint16_t fields, BinaryCopyOptions options)
    : writer_(std::make_unique<pqxx::tablewriter>(
          tx, fmt::format("{} ({}) FROM STDIN (FORMAT binary{}{}) --", table, columns, options.with.empty() ? "" : ", ",
                          options.with))),
      conn_(RawConnection::of(tx)),
      fields_(fields),
      options_(std::move(options)),
      buffer_(std::max<std::size_t>(options_.chunk_bytes, 64)) {
  static constexpr char kSignature[11] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', '\377', '\r', '\n', '\0'};
  char* out = reserve(sizeof kSignature + 8);
  out = std::copy(std::begin(kSignature), std::end(kSignature), out);
  out = be(out, 0, 4);                                                   // flags
  used_ = static_cast<std::size_t>(be(out, 0, 4) - buffer_.data());     // header extension length
}

BinaryCopyWriter::~BinaryCopyWriter() = default;

#pragma GCC diagnostic pop

void BinaryCopyWriter::text(std::string_view s) {
  char* out = field(s.size());
  used_ = static_cast<std::size_t>(std::copy(s.begin(), s.end(), out) - buffer_.data());
}

void BinaryCopyWriter::null() {
  char* out = reserve(2 + 4);
  used_ = static_cast<std::size_t>(be(row_start(out), 0xffffffffu, 4) - buffer_.data());
}

void BinaryCopyWriter::integer(std::int32_t v) {
  used_ = static_cast<std::size_t>(be(field(4), static_cast<std::uint32_t>(v), 4) - buffer_.data());
}

void BinaryCopyWriter::bigint(std::int64_t v) {
  used_ = static_cast<std::size_t>(be(field(8), static_cast<std::uint64_t>(v), 8) - buffer_.data());
}

void BinaryCopyWriter::real(float v) {
  used_ = static_cast<std::size_t>(be(field(4), std::bit_cast<std::uint32_t>(v), 4) - buffer_.data());
}

void BinaryCopyWriter::boolean(bool v) {
  char* out = field(1);
  *out++ = v ? 1 : 0;
  used_ = static_cast<std::size_t>(out - buffer_.data());
}

void BinaryCopyWriter::timestamp(Timestamp t) {
  bigint((t.time_since_epoch().count() - kPostgresEpochMs) * 1000);
}

void BinaryCopyWriter::complete() {
  char* out = reserve(2);
  used_ = static_cast<std::size_t>(be(out, 0xffff, 2) - buffer_.data());  // end of data
  flush();
  writer_->complete();
}

char* BinaryCopyWriter::reserve(std::size_t n) {
  if (used_ + n > buffer_.size()) {
    flush();
    if (n > buffer_.size()) buffer_.resize(n);
  }
  return buffer_.data() + used_;
}

void BinaryCopyWriter::flush() {
  if (options_.before_chunk) options_.before_chunk();
  if (used_ == 0) return;
  if (PQputCopyData(conn_, buffer_.data(), static_cast<int>(used_)) != 1) {
    std::string reason = trimmed(PQerrorMessage(conn_));
    writer_->complete();  // throws the server's error, if it has sent one
    throw pqxx::broken_connection(reason);
  }
  used_ = 0;
}

}  // namespace outage
