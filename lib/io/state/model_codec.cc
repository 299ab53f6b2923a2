#include "io/state/model_codec.h"

#include "core/common/check.h"
#include "io/state/proto_bytes.h"
#include "io/state/state_codec.h"
#include "segd/v1/models.pb.h"

namespace segd::io {
namespace {

namespace models = core::models;

constexpr uint32_t kFormat = 1;

template <typename Repeated>
void put_cuts(const models::QuintileCuts& cuts, Repeated* out) {
  for (const double c : cuts) {
    out->Add(c);
  }
}

template <typename Repeated>
core::Result<models::QuintileCuts> get_cuts(const Repeated& in, const char* what) {
  models::QuintileCuts cuts{};
  if (in.size() != static_cast<int>(cuts.size())) {
    return core::fail("corrupt_state", std::string("model payload: ") + what + " needs 4 cuts");
  }
  for (size_t i = 0; i < cuts.size(); ++i) {
    cuts[i] = in.Get(static_cast<int>(i));
  }
  return cuts;
}

v1::ModelPayload to_payload(const models::ModelSnapshot& s) {
  v1::ModelPayload p;
  p.set_format(kFormat);
  p.set_time_unit(s.time_unit == models::TimeUnit::kWeek ? v1::MODEL_TIME_UNIT_WEEK
                                                         : v1::MODEL_TIME_UNIT_DAY);
  auto* bg = p.mutable_bgnbd();
  bg->set_r(s.bgnbd.r);
  bg->set_alpha(s.bgnbd.alpha);
  bg->set_a(s.bgnbd.a);
  bg->set_b(s.bgnbd.b);
  auto* gg = p.mutable_gamma_gamma();
  gg->set_p(s.gamma_gamma.p);
  gg->set_q(s.gamma_gamma.q);
  gg->set_v(s.gamma_gamma.v);
  const size_t d = s.standardizer.mean.size();
  p.mutable_standardizer_mean()->Add(s.standardizer.mean.begin(), s.standardizer.mean.end());
  p.mutable_standardizer_scale()->Add(s.standardizer.scale.begin(), s.standardizer.scale.end());
  p.set_dimension(static_cast<uint32_t>(d));
  for (const models::Point& c : s.centroids) {
    CHECK(c.size() == d);
    p.mutable_centroids()->Add(c.begin(), c.end());
  }
  p.mutable_centroid_weights()->Add(s.centroid_weights.begin(), s.centroid_weights.end());
  put_cuts(s.rfm.recency, p.mutable_rfm_recency());
  put_cuts(s.rfm.frequency, p.mutable_rfm_frequency());
  put_cuts(s.rfm.monetary, p.mutable_rfm_monetary());
  p.set_bgnbd_log_likelihood(s.diagnostics.bgnbd_log_likelihood);
  p.set_bgnbd_n(s.diagnostics.bgnbd_n);
  p.set_gamma_gamma_n(s.diagnostics.gamma_gamma_n);
  return p;
}

core::Result<void> read_clusters(const v1::ModelPayload& p, models::ModelSnapshot& s) {
  const auto d = static_cast<int>(p.dimension());
  if (d == 0 || p.standardizer_mean_size() != d || p.standardizer_scale_size() != d ||
      p.centroids_size() % d != 0 || p.centroids_size() / d != p.centroid_weights_size()) {
    return core::fail("corrupt_state", "model payload: cluster sizes do not fit the dimension");
  }
  s.standardizer.mean.assign(p.standardizer_mean().begin(), p.standardizer_mean().end());
  s.standardizer.scale.assign(p.standardizer_scale().begin(), p.standardizer_scale().end());
  for (int j = 0; j < p.centroid_weights_size(); ++j) {
    const auto first = p.centroids().begin() + static_cast<std::ptrdiff_t>(j) * d;
    s.centroids.emplace_back(first, first + d);
  }
  s.centroid_weights.assign(p.centroid_weights().begin(), p.centroid_weights().end());
  return {};
}

core::Result<models::ModelSnapshot> from_payload(const v1::ModelPayload& p) {
  if (p.format() != kFormat) {
    return core::fail("corrupt_state",
                      "model payload: unknown format " + std::to_string(p.format()));
  }
  models::ModelSnapshot s;
  switch (p.time_unit()) {
    case v1::MODEL_TIME_UNIT_DAY:
      s.time_unit = models::TimeUnit::kDay;
      break;
    case v1::MODEL_TIME_UNIT_WEEK:
      s.time_unit = models::TimeUnit::kWeek;
      break;
    default:
      return core::fail("corrupt_state", "model payload: unknown time unit");
  }
  s.bgnbd = {p.bgnbd().r(), p.bgnbd().alpha(), p.bgnbd().a(), p.bgnbd().b()};
  s.gamma_gamma = {p.gamma_gamma().p(), p.gamma_gamma().q(), p.gamma_gamma().v()};
  if (auto ok = read_clusters(p, s); !ok) {
    return std::unexpected(ok.error());
  }
  auto recency = get_cuts(p.rfm_recency(), "rfm_recency");
  auto frequency = get_cuts(p.rfm_frequency(), "rfm_frequency");
  auto monetary = get_cuts(p.rfm_monetary(), "rfm_monetary");
  for (const auto* r : {&recency, &frequency, &monetary}) {
    if (!*r) {
      return std::unexpected(r->error());
    }
  }
  s.rfm = {*recency, *frequency, *monetary};
  s.diagnostics = {p.bgnbd_log_likelihood(), p.bgnbd_n(), p.gamma_gamma_n()};
  return s;
}

}  // namespace

std::string encode_model_snapshot(const models::ModelSnapshot& snapshot) {
  return encode_model(ModelRecord{snapshot.version, snapshot.active_from_ms,
                                  serialize_deterministic(to_payload(snapshot)),
                                  snapshot.trained_as_of_ms});
}

core::Result<models::ModelSnapshot> decode_model_snapshot(std::string_view bytes) {
  auto record = decode_model(bytes);
  if (!record) {
    return std::unexpected(record.error());
  }
  v1::ModelPayload payload;
  if (!parse_bytes(record->payload, payload)) {
    return core::fail("corrupt_state", "model payload: not a segd.v1.ModelPayload");
  }
  auto snapshot = from_payload(payload);
  if (!snapshot) {
    return snapshot;
  }
  snapshot->version = record->version;
  snapshot->active_from_ms = record->active_from_ms;
  snapshot->trained_as_of_ms = record->trained_as_of_ms;
  if (auto ok = core::models::validate_snapshot(*snapshot); !ok) {
    return std::unexpected(ok.error());
  }
  return snapshot;
}

}  // namespace segd::io
