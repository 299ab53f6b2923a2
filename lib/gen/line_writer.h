#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gen/catalog.h"
#include "gen/gen_event.h"

namespace segd::gen {

/// Lines longer than this are "oversized" (64 KiB).
inline constexpr size_t kOversizeBytes = size_t{64} * 1024;

/// `c` + the customer number zero-padded to `id_width` digits (`c00042`), so that customer ids
/// sort like numbers.
[[nodiscard]] std::string format_customer_id(int64_t customer, int id_width);

/// Renders GenEvents as the JSON lines of DESIGN.md ("Input events"), with every number
/// formatted by std::to_chars and money printed from integer cents with exactly two decimals.
/// Owns one reusable buffer: each returned view is valid until the next render call.
/// Not thread-safe.
class LineWriter {
 public:
  /// `id_width` zero-pads customer numbers (`c00042`) so ids sort like numbers.
  LineWriter(const Catalog& catalog, int id_width);

  /// One valid JSON line (ending in '\n').
  [[nodiscard]] std::string_view render(const GenEvent& event);

  /// The event rendered as a bad line of `kind`; `variant` picks the truncation point, the
  /// junk timestamp, the unknown type name or the padding length.
  [[nodiscard]] std::string_view render_bad(const GenEvent& event, BadKind kind, uint64_t variant);

 private:
  struct Options {
    bool with_customer = true;
    std::string_view type;    // empty: the event's own type
    std::string_view raw_ts;  // empty: the event's ts; else raw JSON text
    size_t padding = 0;       // length of an extra "note" string field
  };

  void write(const GenEvent& event, const Options& options);
  void write_body(const GenEvent& event);
  void write_items(const GenEvent& event);
  void key(std::string_view name);
  void string_value(std::string_view value);
  void int_value(int64_t value);
  void cents_value(int64_t cents);
  void id_value(char prefix, int64_t customer, int64_t number);

  const Catalog& catalog_;
  int id_width_;
  std::string buf_;
};

}  // namespace segd::gen
