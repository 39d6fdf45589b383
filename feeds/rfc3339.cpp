#include "feeds/rfc3339.h"

#include <chrono>

namespace outage {
namespace {

// The value of the two ASCII digits at p, or -1 when either is not a digit.
inline int two_digits(const char* p) {
  unsigned a = static_cast<unsigned char>(p[0]) - '0';
  unsigned b = static_cast<unsigned char>(p[1]) - '0';
  if (a > 9 || b > 9) return -1;
  return static_cast<int>(a * 10 + b);
}

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

inline void put_two(char* p, int v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

std::optional<Timestamp> parse_rfc3339(std::string_view text) {
  using namespace std::chrono;
  // "YYYY-MM-DDTHH:MM:SSZ" is the shortest form: 20 characters.
  const std::size_t n = text.size();
  if (n < 20) return std::nullopt;
  const char* p = text.data();

  const int century = two_digits(p), year_in_century = two_digits(p + 2);
  const int mon = two_digits(p + 5), mday = two_digits(p + 8);
  const int hour = two_digits(p + 11), minute = two_digits(p + 14), second = two_digits(p + 17);
  if ((century | year_in_century | mon | mday | hour | minute | second) < 0) return std::nullopt;
  if (p[4] != '-' || p[7] != '-' || p[13] != ':' || p[16] != ':') return std::nullopt;
  if (p[10] != 'T' && p[10] != 't' && p[10] != ' ') return std::nullopt;
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  const year_month_day date{year{century * 100 + year_in_century}, month{static_cast<unsigned>(mon)},
                            day{static_cast<unsigned>(mday)}};
  if (!date.ok()) return std::nullopt;  // month 0 or 13, day 0, Feb 30, Feb 29 of a common year

  std::size_t i = 19;
  int millis = 0;
  if (p[i] == '.') {
    ++i;
    const std::size_t first = i;
    while (i < n && is_digit(p[i])) {
      if (i - first < 3) millis = millis * 10 + (p[i] - '0');
      ++i;
    }
    const std::size_t digits = i - first;
    if (digits == 0) return std::nullopt;
    for (std::size_t d = digits; d < 3; ++d) millis *= 10;
  }
  if (i >= n) return std::nullopt;  // no zone

  int offset_minutes = 0;
  if (p[i] == 'Z' || p[i] == 'z') {
    if (i + 1 != n) return std::nullopt;
  } else if (p[i] == '+' || p[i] == '-') {
    if (i + 6 != n || p[i + 3] != ':') return std::nullopt;
    const int oh = two_digits(p + i + 1), om = two_digits(p + i + 4);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return std::nullopt;
    offset_minutes = oh * 60 + om;
    if (p[i] == '-') offset_minutes = -offset_minutes;
  } else {
    return std::nullopt;
  }

  const sys_days days_since_epoch{date};  // days_from_civil
  return Timestamp{days_since_epoch} + hours{hour} + minutes{minute - offset_minutes} + seconds{second} +
         milliseconds{millis};
}

std::string format_rfc3339(Timestamp t, int offset_minutes) {
  using namespace std::chrono;
  if (offset_minutes <= -24 * 60 || offset_minutes >= 24 * 60) offset_minutes = 0;
  const Timestamp local = t + minutes{offset_minutes};
  const sys_days date_days = floor<days>(local);
  const year_month_day date{date_days};
  const milliseconds in_day = local - date_days;
  const long long ms_of_day = in_day.count();
  const int hour = static_cast<int>(ms_of_day / 3'600'000);
  const int minute = static_cast<int>(ms_of_day / 60'000 % 60);
  const int second = static_cast<int>(ms_of_day / 1000 % 60);
  const int millis = static_cast<int>(ms_of_day % 1000);
  const int y = static_cast<int>(date.year());

  // "YYYY-MM-DDTHH:MM:SS.mmm+HH:MM" is at most 29 characters.
  char out[32];
  std::size_t n = 0;
  std::string year_text;
  if (y >= 0 && y <= 9999) {
    put_two(out, y / 100);
    put_two(out + 2, y % 100);
  } else {
    // Outside the precondition: the year in full, then the usual text; never an overrun.
    year_text = std::to_string(y);
  }
  out[4] = '-';
  put_two(out + 5, static_cast<int>(static_cast<unsigned>(date.month())));
  out[7] = '-';
  put_two(out + 8, static_cast<int>(static_cast<unsigned>(date.day())));
  out[10] = 'T';
  put_two(out + 11, hour);
  out[13] = ':';
  put_two(out + 14, minute);
  out[16] = ':';
  put_two(out + 17, second);
  n = 19;
  if (millis != 0) {
    out[n++] = '.';
    out[n++] = static_cast<char>('0' + millis / 100);
    out[n++] = static_cast<char>('0' + millis / 10 % 10);
    out[n++] = static_cast<char>('0' + millis % 10);
  }
  if (offset_minutes == 0) {
    out[n++] = 'Z';
  } else {
    const int magnitude = offset_minutes < 0 ? -offset_minutes : offset_minutes;
    out[n++] = offset_minutes < 0 ? '-' : '+';
    put_two(out + n, magnitude / 60);
    out[n + 2] = ':';
    put_two(out + n + 3, magnitude % 60);
    n += 5;
  }
  if (!year_text.empty()) return year_text + std::string(out + 4, n - 4);
  return std::string(out, n);
}

}  // namespace outage
