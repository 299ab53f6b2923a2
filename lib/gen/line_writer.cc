#include "gen/line_writer.h"

#include <array>
#include <charconv>

#include "core/common/check.h"
#include "core/common/time.h"

namespace segd::gen {
namespace {

constexpr std::array<std::string_view, 5> kJunkTimestamps{
    "\"2026-13-45T25:61:00Z\"", "\"yesterday\"", "\"\"", "\"03/01/2026 10:00\"", "true"};
constexpr std::array<std::string_view, 4> kUnknownTypes{"hover", "wishlist_add", "PURCHASE",
                                                        "page-view"};
constexpr std::string_view kCurrency = "EUR";

}  // namespace

std::string format_customer_id(int64_t customer, int id_width) {
  std::array<char, 24> digits{};
  const auto res = std::to_chars(digits.data(), digits.data() + digits.size(), customer);
  const auto len = static_cast<int>(res.ptr - digits.data());
  std::string id = "c";
  if (len < id_width) {
    id.append(static_cast<size_t>(id_width - len), '0');
  }
  id.append(digits.data(), res.ptr);
  return id;
}

LineWriter::LineWriter(const Catalog& catalog, int id_width)
    : catalog_(catalog), id_width_(id_width) {
  buf_.reserve(1024);
}

std::string_view LineWriter::render(const GenEvent& event) {
  write(event, Options{});
  return buf_;
}

std::string_view LineWriter::render_bad(const GenEvent& event, BadKind kind, uint64_t variant) {
  Options options;
  switch (kind) {
    case BadKind::kInvalidJson:
      write(event, options);
      // Any proper prefix of a JSON object is incomplete, so this never parses. Keep >= 1 byte.
      buf_.resize(1 + variant % (buf_.size() - 2));
      buf_ += '\n';
      return buf_;
    case BadKind::kMissingCustomerId:
      options.with_customer = false;
      break;
    case BadKind::kBadTimestamp:
      options.raw_ts = kJunkTimestamps[variant % kJunkTimestamps.size()];
      break;
    case BadKind::kUnknownType:
      options.type = kUnknownTypes[variant % kUnknownTypes.size()];
      break;
    case BadKind::kNegativeAmount:
      // The customer already turned the event into a purchase with a negative amount.
      CHECK(event.kind == core::EventType::kPurchase && event.amount_cents < 0);
      break;
    case BadKind::kOversized:
      options.padding = kOversizeBytes + variant % 4096;
      break;
  }
  write(event, options);
  return buf_;
}

void LineWriter::write(const GenEvent& event, const Options& options) {
  buf_.clear();
  buf_ += '{';
  key("event_id");
  id_value('e', event.customer, event.event_no);
  if (event.resend > 0) {
    // A re-sent purchase: `e42-7r1`, a new event_id for the same order_id.
    buf_.pop_back();
    buf_ += 'r';
    int_value(event.resend);
    buf_ += '"';
  }
  key("type");
  string_value(options.type.empty() ? core::event_type_name(event.kind) : options.type);
  if (options.with_customer) {
    key("customer_id");
    string_value(format_customer_id(event.customer, id_width_));
  }
  key("ts");
  if (!options.raw_ts.empty()) {
    buf_ += options.raw_ts;
  } else if (event.ts_format == TsFormat::kEpochMs) {
    int_value(event.ts_ms);
  } else {
    string_value(core::format_rfc3339(core::TimestampMs{event.ts_ms}));
  }
  write_body(event);
  if (options.padding > 0) {
    key("note");
    buf_ += '"';
    buf_.append(options.padding, 'x');
    buf_ += '"';
  }
  buf_ += "}\n";
}

void LineWriter::write_body(const GenEvent& event) {
  key("session_id");
  id_value('s', event.customer, event.session_no);
  switch (event.kind) {
    case core::EventType::kPageView:
      return;
    case core::EventType::kSearch:
      key("category");
      string_value(category_name(event.category));
      key("query");
      string_value(event.query);
      return;
    case core::EventType::kProductView:
    case core::EventType::kAddToCart:
    case core::EventType::kRemoveFromCart:
      key("product_id");
      id_value('p', -1, event.product);
      key("category");
      string_value(category_name(Catalog::category_of(event.product)));
      key("price");
      cents_value(catalog_.price_cents(event.product));
      if (event.kind != core::EventType::kProductView) {
        key("quantity");
        int_value(event.quantity);
      }
      return;
    case core::EventType::kPurchase:
    case core::EventType::kRefund:
      key("order_id");
      id_value('o', event.customer, event.order_no);
      key("amount");
      cents_value(event.amount_cents);
      key("currency");
      string_value(kCurrency);
      write_items(event);
      return;
    case core::EventType::kErasure:  // The generator writes no erasures.
      return;
  }
}

void LineWriter::write_items(const GenEvent& event) {
  key("items");
  buf_ += '[';
  for (size_t i = 0; i < event.items.size(); ++i) {
    const GenItem& item = event.items[i];
    buf_ += i == 0 ? "{" : ",{";
    buf_ += "\"product_id\":";
    id_value('p', -1, item.product);
    key("category");
    string_value(category_name(Catalog::category_of(item.product)));
    key("quantity");
    int_value(item.quantity);
    key("price");
    cents_value(item.price_cents);
    buf_ += '}';
  }
  buf_ += ']';
}

void LineWriter::key(std::string_view name) {
  if (buf_.back() != '{') {
    buf_ += ',';
  }
  buf_ += '"';
  buf_ += name;
  buf_ += "\":";
}

void LineWriter::string_value(std::string_view value) {
  // Every generated string is plain ASCII without quotes or backslashes: no escaping needed.
  buf_ += '"';
  buf_ += value;
  buf_ += '"';
}

void LineWriter::int_value(int64_t value) {
  std::array<char, 24> digits{};
  const auto res = std::to_chars(digits.data(), digits.data() + digits.size(), value);
  buf_.append(digits.data(), res.ptr);
}

void LineWriter::cents_value(int64_t cents) {
  if (cents < 0) {
    buf_ += '-';
    cents = -cents;
  }
  int_value(cents / 100);
  const auto frac = static_cast<char>(cents % 100);
  buf_ += '.';
  buf_ += static_cast<char>('0' + frac / 10);
  buf_ += static_cast<char>('0' + frac % 10);
}

void LineWriter::id_value(char prefix, int64_t customer, int64_t number) {
  // Customer-scoped ids (`e42-7`) are unique without a global counter, so they do not depend
  // on how the customers' timelines interleave.
  buf_ += '"';
  buf_ += prefix;
  if (customer >= 0) {
    int_value(customer);
    buf_ += '-';
  }
  int_value(number);
  buf_ += '"';
}

}  // namespace segd::gen
