#include "io/pipeline/daemon_backend.h"

#include <chrono>

#include "io/config/rules_loader.h"
#include "io/log/log.h"
#include "io/replay/customer_view.h"

namespace segd::io {
namespace {

using std::chrono::milliseconds;

// How long DELETE waits for Kafka to confirm an erasure event, from the request's arrival.
constexpr milliseconds kErasureConfirmTimeout{4000};
// How long an erasure or rule reload waits for the pipeline to take it (it runs commands between
// batches), from the request's arrival; then it fails with pipeline_busy and nothing is done.
constexpr milliseconds kCommandWait{10000};

// What is left of `limit` for a request that arrived at `arrived`, or admin_busy when nothing is:
// the request waited that long behind other commands, and nothing was done for it.
core::Result<milliseconds> time_left(milliseconds limit, RequestTime arrived) {
  const auto waited =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - arrived);
  if (waited >= limit) {
    return core::fail("admin_busy", "the request waited " + std::to_string(waited.count()) +
                                        " ms behind other erasures or reloads (limit " +
                                        std::to_string(limit.count()) +
                                        " ms); nothing was done, try again");
  }
  return limit - waited;
}

}  // namespace

DaemonBackend::DaemonBackend(Pipeline& pipeline,
                             RocksStore& store,
                             PipelineStats& stats,
                             std::string rules_file,
                             std::shared_ptr<const core::RuleSet> rules,
                             ErasureWriter* erasures)
    : pipeline_(pipeline),
      store_(store),
      stats_(stats),
      rules_file_(std::move(rules_file)),
      rules_(std::move(rules)),
      erasures_(erasures) {}

std::shared_ptr<const core::RuleSet> DaemonBackend::rules() const {
  std::lock_guard lock(mutex_);
  return rules_;
}

ModelInfo DaemonBackend::model() const {
  const PipelineSnapshot s = stats_.snapshot();
  return ModelInfo{s.model_version, s.last_refit_seconds};
}

bool DaemonBackend::ready() const {
  const PipelineSnapshot s = stats_.snapshot();
  return s.assigned && s.caught_up;
}

core::Result<std::optional<std::string>> DaemonBackend::customer_json(const std::string& id) {
  // Another instance's copy of a partition (from before a rebalance) would be stale.
  if (auto owned = check_owned(stats_.snapshot(), id); !owned) {
    return std::unexpected(owned.error());
  }
  auto view = CustomerView::create(store_, rules(), pipeline_.models());
  if (!view) {
    return std::unexpected(view.error());
  }
  return view->inspect(id);
}

core::Result<std::vector<SegmentSummary>> DaemonBackend::segments() {
  const PipelineSnapshot s = stats_.snapshot();
  std::vector<SegmentSummary> out;
  for (const core::SegmentDefinition& d : rules()->definitions()) {
    auto it = s.segment_members.find(d.name);
    out.push_back({d.name, d.enter, d.exit, it == s.segment_members.end() ? 0 : it->second});
  }
  return out;
}

core::Result<ErasureResult> DaemonBackend::erase_customer(const std::string& id,
                                                          RequestTime arrived) {
  const core::Result<milliseconds> left =
      time_left(erasures_ != nullptr ? kErasureConfirmTimeout : kCommandWait, arrived);
  if (!left) {
    log(LogLevel::kWarn, "audit",
        "erasure of customer '" + id + "' not started: " + left.error().message);
    return std::unexpected(left.error());
  }
  if (erasures_ != nullptr) {
    // An adapter may read the clock; the engine only sees the event.
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    auto written = erasures_->write(id, erasure_time_ms(stats_.snapshot(), id, now_ms), *left);
    if (!written) {
      log(LogLevel::kWarn, "audit",
          "erasure of customer '" + id + "' not confirmed: " + written.error().message);
      return std::unexpected(written.error());
    }
    log(LogLevel::kInfo, "audit",
        "erasure of customer '" + id + "' requested: event " + written->event_id + " at " +
            written->topic + "/" + std::to_string(written->partition) + " offset " +
            std::to_string(written->offset));
    return ErasureResult{.queued = std::move(*written)};
  }
  core::Result<std::optional<std::vector<std::string>>> erased =
      std::optional<std::vector<std::string>>{};
  if (auto ran = pipeline_.execute([&](Pipeline& p) { erased = p.erase(id); }, *left); !ran) {
    return std::unexpected(ran.error());
  }
  if (!erased) {
    return std::unexpected(erased.error());
  }
  ErasureResult result;
  result.existed = erased->has_value();
  if (result.existed) {
    result.exited_segments = **erased;
  }
  log(LogLevel::kInfo, "audit",
      "erased customer '" + id + "' (" + (result.existed ? "existed" : "unknown") + ", " +
          std::to_string(result.exited_segments.size()) + " segment exits)");
  return result;
}

core::Result<std::vector<SegmentSummary>> DaemonBackend::reload_rules(RequestTime arrived) {
  auto reloaded = apply_rules_file(arrived);
  // Counted for the metrics: a rejected reload is otherwise only a log line (and `systemctl
  // reload` reports success for it).
  stats_.update(
      [&](PipelineSnapshot& s) { ++(reloaded ? s.rule_reloads : s.rule_reloads_rejected); });
  return reloaded;
}

core::Result<std::vector<SegmentSummary>> DaemonBackend::apply_rules_file(RequestTime arrived) {
  const core::Result<milliseconds> left = time_left(kCommandWait, arrived);
  if (!left) {
    log(LogLevel::kWarn, "rules", "reload not started: " + left.error().message);
    return std::unexpected(left.error());
  }
  auto loaded = load_rule_set(rules_file_);
  if (!loaded) {
    log(LogLevel::kError, "rules",
        "reload rejected, keeping the current rules: " + loaded.error().message);
    return std::unexpected(loaded.error());
  }
  // The backend's copy changes on the pipeline thread, right after the pipeline's: two reloads
  // racing leave both with the same (the later) rules.
  core::Result<void> replaced;
  const auto replace = [&](Pipeline& p) {
    replaced = p.replace_rules(*loaded);
    if (replaced) {
      std::lock_guard lock(mutex_);
      rules_ = *loaded;
    }
  };
  if (auto ran = pipeline_.execute(replace, *left); !ran) {
    replaced = std::unexpected(ran.error());
  }
  if (!replaced) {
    log(LogLevel::kError, "rules",
        "reload not applied, keeping the current rules: " + replaced.error().code + ": " +
            replaced.error().message);
    return std::unexpected(replaced.error());
  }
  log(LogLevel::kInfo, "rules", "reloaded " + rules_file_);
  return segments();
}

}  // namespace segd::io
