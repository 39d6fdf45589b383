// BinaryCopyWriter: rows into a PostgreSQL table by COPY ... FROM STDIN (FORMAT binary), the
// fastest way in (the server reads it about 30 % faster than text). Model saves and the event
// journal both write through it.
//
// The format (PostgreSQL manual, COPY, "Binary Format"): a header; each row as its number of
// fields (int16) and each field as its length in bytes (int32; -1 and no bytes for NULL) and the
// bytes of the type's binary form (the type's "receive" function reads them): integer, bigint
// and real big-endian, boolean one byte, timestamptz microseconds since 2000-01-01 as a bigint,
// text its UTF-8 bytes as they are (no escapes), geometry EWKB; then -1 (int16).
//
// libpqxx 6.4 cannot send such data: tablewriter's write_raw_line, its only way to send COPY
// data formatted by the caller, appends a newline to every chunk. The writer therefore starts
// and ends the COPY with a tablewriter (deprecated in 6.4, gone in libpqxx 7: this is the one
// place that uses it) and sends the data itself with libpq's PQputCopyData, on the connection
// libpqxx holds (the adapters link libpq directly for this).
//
// Rows are formatted into a buffer and sent a chunk at a time, so that the server works on one
// chunk while the next is formatted. Errors are thrown (pqxx exceptions, and whatever
// `before_chunk` throws); the caller's transaction is then to be abandoned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "feeds/clock.h"

struct pg_conn;
namespace pqxx {
class dbtransaction;
class tablewriter;
}  // namespace pqxx

namespace outage {

struct BinaryCopyOptions {
  std::string_view with;                 // more COPY options after FORMAT binary, e.g. "FREEZE"
  std::size_t chunk_bytes = 1 << 20;     // sent to the server a chunk at a time
  std::function<void()> before_chunk;    // called before each chunk is sent; may throw to stop
};

class BinaryCopyWriter {
 public:
  // Starts COPY `table` (`columns`: comma-separated, `fields` of them).
  BinaryCopyWriter(pqxx::dbtransaction& tx, std::string_view table, std::string_view columns, std::uint16_t fields,
                   BinaryCopyOptions options = {});
  ~BinaryCopyWriter();
  BinaryCopyWriter(const BinaryCopyWriter&) = delete;
  BinaryCopyWriter& operator=(const BinaryCopyWriter&) = delete;

  // A row's fields, in column order, then end_row().
  void text(std::string_view s);
  void text_or_null(std::string_view s) { s.empty() ? null() : text(s); }
  void null();
  void integer(std::int32_t v);
  void bigint(std::int64_t v);
  void real(float v);
  void boolean(bool v);
  void timestamp(Timestamp t);  // timestamptz
  // A field of at most `max_bytes` that `write(char* out)` writes, returning its end.
  template <typename Write>
  void raw(std::size_t max_bytes, Write&& write) {
    char* length = row_start(reserve(2 + 4 + max_bytes));
    char* end = write(length + 4);
    be(length, static_cast<std::uint64_t>(end - (length + 4)), 4);
    used_ = static_cast<std::size_t>(end - buffer_.data());
  }
  void end_row() { first_ = true; }

  // Sends the end of the data and ends the COPY: throws the server's error, if any (a unique
  // violation, for one).
  void complete();

 private:
  // Writes the low `n` bytes of `v` at `out`, most significant first; returns the end.
  static char* be(char* out, std::uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) *out++ = static_cast<char>(v >> (8 * i));
    return out;
  }
  // A pointer to `n` free bytes in the buffer (sending what it holds if they do not fit).
  char* reserve(std::size_t n);
  // Writes the row's field count before its first field.
  char* row_start(char* out) {
    if (!first_) return out;
    first_ = false;
    return be(out, fields_, 2);
  }
  // A pointer to `n` free bytes for a field's data, after its length.
  char* field(std::size_t n) { return be(row_start(reserve(2 + 4 + n)), n, 4); }
  void flush();

  std::unique_ptr<pqxx::tablewriter> writer_;
  pg_conn* conn_;
  std::uint16_t fields_;
  BinaryCopyOptions options_;
  std::vector<char> buffer_;
  std::size_t used_ = 0;
  bool first_ = true;
};

}  // namespace outage
