#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/models/beta_expectation.h"
#include "core/models/bgnbd.h"
#include "core/models/clv.h"
#include "core/models/gamma_gamma.h"

namespace segd::core::models {
namespace {

// The fit of the reviewer's 15,000-event segctl gen sample (seed 11): a and b huge, p ~ 0.0625.
constexpr BgNbdParams kDegenerate{3.580105358106763, 31.73964226404101, 56586.54813841483,
                                  847607.2088345101};
constexpr GammaGammaParams kDegenerateSpend{2.7157437298961096, 2.0374037214146634,
                                            37.791402549463754};

// The bracket is E_p[(1 - (1 + p u)^-(r+x)) / p] with p ~ Beta(a, b+x) and u = t / (alpha+T), so
// E[Y] lies between P(alive) (1 - (1+u)^-(r+x)) and P(alive) (r+x) u.
bool within_model_bounds(const BgNbdParams& p, double t, double x, double t_x, double T, double e) {
  const double u = t / (p.alpha + T);
  const double alive = p_alive(p, x, t_x, T);
  const double lower = -std::expm1(-(p.r + x) * std::log1p(u)) * alive;
  const double upper = (p.r + x) * u * alive;
  return e >= lower * (1.0 - 1e-6) && e <= upper * (1.0 + 1e-6);
}

TEST(BgNbdExpectationTest, DegenerateFitWithHugeAAndBMatchesHighPrecisionReference) {
  // Reference: mpmath (40 digits), FHL eq. 10 as printed and as E_p over Beta(a, b+x) (agree).
  EXPECT_NEAR(expected_purchases(kDegenerate, 90.0, 3.0, 44.0, 59.0) / 4.2878850634780056186, 1.0,
              1e-12);
}

TEST(BgNbdExpectationTest, DegenerateFitNeedsFewSeriesTerms) {
  // The Euler form summed ~56,000 terms (up to 1M) here and returned NaN.
  const ExpectedPurchases e = expected_purchases_counted(kDegenerate, 90.0, 3.0, 44.0, 59.0);
  EXPECT_TRUE(std::isfinite(e.value));
  EXPECT_LE(e.series_terms, 200);
}

TEST(BgNbdExpectationTest, ClvOfTheDegenerateFitIsFinite) {
  const double discount = std::expm1(std::log1p(0.10) / 365.0);
  for (double T : {0.0, 1.0, 10.0, 59.0, 89.0}) {
    const double v = clv(kDegenerate, kDegenerateSpend, RfmSummary{3.0, std::min(44.0, T), T},
                         SpendSummary{3.0, 50.0}, 365.0, discount, 12);
    EXPECT_TRUE(std::isfinite(v)) << T;
    EXPECT_GT(v, 0.0) << T;
  }
}

// Fits drifting to a, b -> infinity (p a point mass) at many scales and horizons.
struct DegenerateCase {
  BgNbdParams params;
  double t, x, t_x, T;
};

std::vector<DegenerateCase> degenerate_sweep() {
  std::vector<DegenerateCase> cases;
  for (double a : {1e2, 1e4, 1e6}) {
    for (double b_over_a : {0.1, 1.0, 15.0}) {
      for (double r : {0.5, 5.0}) {
        for (double alpha : {1.0, 30.0}) {
          for (double t : {30.0, 365.0}) {
            for (double T : {1.0, 59.0}) {
              for (double x : {0.0, 3.0}) {
                const double b = std::min(1e6, a * b_over_a);
                cases.push_back({{r, alpha, a, b}, t, x, x > 0.0 ? T / 2.0 : 0.0, T});
              }
            }
          }
        }
      }
    }
  }
  return cases;
}

TEST(BgNbdExpectationTest, DegenerateFitsAcrossTheBoundsAreFiniteAndWithinTheModelBounds) {
  for (const DegenerateCase& c : degenerate_sweep()) {
    const double e = expected_purchases(c.params, c.t, c.x, c.t_x, c.T);
    EXPECT_TRUE(within_model_bounds(c.params, c.t, c.x, c.t_x, c.T, e))
        << e << " a=" << c.params.a << " b=" << c.params.b << " r=" << c.params.r
        << " alpha=" << c.params.alpha << " t=" << c.t << " x=" << c.x << " T=" << c.T;
  }
}

TEST(BgNbdExpectationTest, DegenerateFitsTakeBoundedSeriesTerms) {
  // The scaled series are capped at 50,000 terms each, the Euler form at 20,000 per 2F1 series
  // (up to four with the connection formula): 180,000 at most. The worst case here (b = 15 a,
  // z near 1) takes about 64,000; most take < 200. Before, the Euler series ran to ~a terms (up
  // to its 1M cap) and gave NaN.
  for (const DegenerateCase& c : degenerate_sweep()) {
    const ExpectedPurchases e = expected_purchases_counted(c.params, c.t, c.x, c.t_x, c.T);
    EXPECT_LE(e.series_terms, 180'000) << "a=" << c.params.a << " b=" << c.params.b;
  }
}

TEST(BgNbdExpectationTest, ACancelledConnectionFormulaIsNotReturned) {
  // a small and b large, z = 0.97: the Euler form's connection formula cancelled 12 digits and
  // gave -4561.6. Reference: mpmath, FHL eq. 10 as printed.
  const BgNbdParams p{1.0, 10.0, 0.001, 1000.0};
  EXPECT_NEAR(expected_purchases(p, 365.0, 1.0, 1.0, 1.0) / 66.360405233226346339, 1.0, 1e-10);
}

TEST(BgNbdExpectationTest, LargeRWithSmallAIsIntegratedWhereEverySeriesCancels) {
  // The fit of a review's two-week segctl gen sample: every series form's terms cancelled (A of
  // the Euler series about -79, the Pfaff form off below a = 1.5) and half the buyers' clv_365d
  // was null. Reference: mpmath at 50 digits, FHL eq. 10 as printed (and its integral form).
  const BgNbdParams p{84.19, 140.81, 0.3063, 5.566};
  EXPECT_NEAR(expected_purchases(p, 182.5, 1.0, 2.0, 13.0) / 1.76698165193532, 1.0, 1e-9);
  EXPECT_NEAR(expected_purchases(p, 365.0, 1.0, 2.0, 13.0) / 2.96314328478154, 1.0, 1e-9);
}

// t / (alpha + T) beyond ~1e16 rounds z = t / (alpha + T + t) to 1: the series' precondition
// aborted the process (a review; segd's own scores never get there: t >= 30 days, alpha >= 1e-6).
TEST(BgNbdExpectationTest, HorizonsFarBeyondAlphaPlusTDoNotAbort) {
  for (const double t : {1e5, 1e20, 1e300}) {
    const BgNbdParams p{0.5, 1e-12, 0.8, 2.0};
    const double e = expected_purchases(p, t, 0.0, 0.0, 0.0);
    EXPECT_TRUE(std::isnan(e) || within_model_bounds(p, t, 0.0, 0.0, 0.0, e)) << t << " " << e;
  }
  const BgNbdParams cdnow{0.243, 4.414, 0.793, 2.426};
  const double e = expected_purchases(cdnow, 1e18, 2.0, 30.43, 38.86);
  EXPECT_TRUE(std::isnan(e) || within_model_bounds(cdnow, 1e18, 2.0, 30.43, 38.86, e)) << e;
}

TEST(BgNbdExpectationTest, TheQuadratureAgreesWithTheSeriesOnOrdinaryParameters) {
  // The bracket E_p[(1 - (1 + p u)^-(r+x)) / p], p ~ Beta(a, b+x), is what expected_purchases
  // multiplies by P(alive); CDNOW's published fit and a few others, across a = 1.
  for (const BgNbdParams& p : {BgNbdParams{0.243, 4.414, 0.793, 2.426},
                               BgNbdParams{2.0, 30.0, 3.5, 8.0}, BgNbdParams{0.5, 2.0, 1.2, 0.7}}) {
    for (const double x : {0.0, 2.0, 15.0}) {
      const double T = 40.0;
      const double t = 39.0;
      const double alive = p_alive(p, x, 0.75 * T, T);
      const double integral = beta_bracket_by_quadrature(p.a, p.b + x, p.r + x, t / (p.alpha + T));
      EXPECT_NEAR(integral * alive / expected_purchases(p, t, x, 0.75 * T, T), 1.0, 1e-9)
          << "a=" << p.a << " x=" << x;
    }
  }
  // CDNOW's worked example: 1.226 purchases in the next 39 weeks.
  EXPECT_NEAR(beta_bracket_by_quadrature(0.793, 2.426 + 2.0, 0.243 + 2.0, 39.0 / (4.414 + 38.86)) *
                  p_alive(BgNbdParams{0.243, 4.414, 0.793, 2.426}, 2.0, 30.43, 38.86),
              1.22602817476714, 1e-9);
}

// A fit of `segctl gen` data (200 customers, first 1500 events) put a and b at about 1e-6: the
// Beta(a, b) mass crowds into p ~ 0 and p ~ 1, mostly below the quadrature's reach, so the
// integral failed its mass check and every one-time buyer's E[Y] (and clv_365d) was NaN for t past
// 180 days, at ~25 ms each. As a, b -> 0 the bracket tends to its two-point limit: the integrand's
// value at p = 0 with weight b / (a + b) and at p = 1 with weight a / (a + b).
TEST(BgNbdExpectationTest, TinyAAndBGiveTheTwoPointLimit) {
  const BgNbdParams p{76526.69, 999443.35, 1.286e-06, 4.572e-06};
  for (const double t : {30.0, 180.0, 240.0, 304.0, 365.0, 1000.0}) {
    const double T = 20.0;
    const double k = p.r;
    const double u = t / (p.alpha + T);
    const double limit =
        p.b / (p.a + p.b) * k * u + p.a / (p.a + p.b) * -std::expm1(-k * std::log1p(u));
    const double e = expected_purchases(p, t, 0.0, 0.0, T);
    ASSERT_FALSE(std::isnan(e)) << t;
    EXPECT_NEAR(e / limit, 1.0, 1e-4) << t << " " << e << " " << limit;
    EXPECT_TRUE(within_model_bounds(p, t, 0.0, 0.0, T, e)) << t;
  }
}

// Another refit of that data (a = 1.8e-4, b = 70659) made every series long: the Euler form
// through its connection formula and then the Pfaff forms summed 40086 terms per evaluation, and a
// 5000-event replay with a `clv_365d > 200` rule took 5.5 s. The integral now takes over once a
// series runs past a few thousand terms, with the same value to 1e-9 (its own accuracy is 1e-10).
TEST(BgNbdExpectationTest, LongSeriesGiveWayToTheQuadrature) {
  const BgNbdParams p{5.2808654657114973, 85.194404081995302, 0.00017657277265043688,
                      70658.8944829916};
  for (const double t : {273.75, 365.0}) {
    const ExpectedPurchases e = expected_purchases_counted(p, t, 2.0, 3.0, 4.0);
    EXPECT_LE(e.series_terms, 5000) << t;
    const double integral =
        beta_bracket_by_quadrature(p.a, p.b + 2.0, p.r + 2.0, t / (p.alpha + 4.0));
    EXPECT_NEAR(e.value / (integral * p_alive(p, 2.0, 3.0, 4.0)), 1.0, 1e-9) << t;
  }
  // What the 40086-term series gave.
  EXPECT_NEAR(expected_purchases(p, 273.75, 2.0, 3.0, 4.0) / 22.3459854131055, 1.0, 1e-9);
}

TEST(BgNbdExpectationTest, EveryResultAcrossTheOptimizerBoundsIsWithinTheModelBoundsOrNaN) {
  // Where no series form converges within its cap (e.g. r = 1e6, or b = 1e6 with a tiny alpha
  // against t) the quadrature takes over, and where that fails too the result is NaN, never a
  // wrong number; before, some were negative.
  int finite = 0;
  for (double r : {1e-6, 1.0, 1e6}) {
    for (double alpha : {1e-6, 1.0, 1e6}) {
      for (double a : {1e-6, 1.0, 1e6}) {
        for (double b : {1e-6, 1.0, 1e6}) {
          const BgNbdParams p{r, alpha, a, b};
          for (const DegenerateCase& c : {DegenerateCase{p, 365.0, 1.0, 1.0, 1.0},
                                          DegenerateCase{p, 90.0, 3.0, 44.0, 59.0}}) {
            const ExpectedPurchases e = expected_purchases_counted(p, c.t, c.x, c.t_x, c.T);
            EXPECT_TRUE(std::isnan(e.value) ||
                        within_model_bounds(p, c.t, c.x, c.t_x, c.T, e.value))
                << e.value << " r=" << r << " alpha=" << alpha << " a=" << a << " b=" << b
                << " t=" << c.t;
            EXPECT_LE(e.series_terms, 400'000);
            finite += std::isfinite(e.value) ? 1 : 0;
          }
        }
      }
    }
  }
  EXPECT_GE(finite, 100);  // Of 162.
}

// Values of the implementation before this change (the Euler form through hyp2f1), which agree
// with mpmath to 3e-10; ordinary parameters must keep them.
struct Pinned {
  int params;
  double t, x, t_x, T, want;
};

TEST(BgNbdExpectationTest, OrdinaryParametersKeepTheirValues) {
  const BgNbdParams params[] = {{0.243, 4.414, 0.793, 2.426},
                                {1.7, 30.0, 2.5, 0.8},
                                {0.5, 20.0, 1.5, 4.0},
                                {1.2, 40.0, 0.3, 10.0}};
  const std::vector<Pinned> pinned{
      {0, 1, 0, 0, 0, 0.053267891171657304},        {0, 1, 0, 0, 40, 0.0054525206466049967},
      {0, 1, 2, 20, 40, 0.026631168299210421},      {0, 1, 10, 35, 40, 0.18520876065861802},
      {0, 1, 50, 30, 40, 0.00019748321319147953},   {0, 30, 0, 0, 0, 0.99916790118646048},
      {0, 30, 0, 0, 40, 0.1500082152100089},        {0, 30, 2, 20, 40, 0.69733549595018984},
      {0, 30, 10, 35, 40, 4.6400801762657702},      {0, 30, 50, 30, 40, 0.0048501534413584527},
      {0, 90, 0, 0, 0, 2.0255821264760456},         {0, 90, 0, 0, 40, 0.39433210646105121},
      {0, 90, 2, 20, 40, 1.7161189197581517},       {0, 90, 10, 35, 40, 10.867429594630323},
      {0, 90, 50, 30, 40, 0.011145111081225212},    {0, 365, 0, 0, 0, 4.2289012143013709},
      {0, 365, 0, 0, 40, 1.139429266156607},        {0, 365, 2, 20, 40, 4.3341003294404681},
      {0, 365, 10, 35, 40, 25.409388458312534},     {0, 365, 50, 30, 40, 0.025425277877435787},
      {0, 10000, 0, 0, 0, 15.067913315055179},      {0, 10000, 0, 0, 40, 6.563733613100001},
      {0, 10000, 2, 20, 40, 17.832098032280456},    {0, 10000, 10, 35, 40, 93.525340977854469},
      {0, 10000, 50, 30, 40, 0.090921630380345897}, {1, 1, 0, 0, 0, 0.054797411338621003},
      {1, 1, 0, 0, 40, 0.023935907590079946},       {1, 1, 2, 20, 40, 0.0089352874267431513},
      {1, 1, 10, 35, 40, 0.10225596076389883},      {1, 1, 50, 30, 40, 0.0049652542724260623},
      {1, 30, 0, 0, 0, 0.83433204382409765},        {1, 30, 0, 0, 40, 0.50544650858997509},
      {1, 30, 2, 20, 40, 0.18346049070242848},      {1, 30, 10, 35, 40, 2.0453151081654877},
      {1, 30, 50, 30, 40, 0.098108515456932721},    {1, 90, 0, 0, 0, 1.2254121883993527},
      {1, 90, 0, 0, 40, 0.93486570935673241},       {1, 90, 2, 20, 40, 0.32806065845403448},
      {1, 90, 10, 35, 40, 3.5591615088907513},      {1, 90, 50, 30, 40, 0.16883190322177374},
      {1, 365, 0, 0, 0, 1.4635682126150684},        {1, 365, 0, 0, 40, 1.3536002109114806},
      {1, 365, 2, 20, 40, 0.45169884119213494},     {1, 365, 10, 35, 40, 4.7495617504169818},
      {1, 365, 50, 30, 40, 0.22291607718780243},    {1, 10000, 0, 0, 0, 1.5324641017389784},
      {1, 10000, 0, 0, 40, 1.5305046918023903},     {1, 10000, 2, 20, 40, 0.49188202007406445},
      {1, 10000, 10, 35, 40, 5.0990804740737561},   {1, 10000, 50, 30, 40, 0.2384037065396076},
      {2, 1, 0, 0, 0, 0.024748333931862376},        {2, 1, 0, 0, 40, 0.008305074975721638},
      {2, 1, 2, 20, 40, 0.022677681121313124},      {2, 1, 10, 35, 40, 0.13465479489181684},
      {2, 1, 50, 30, 40, 0.0029385513317353252},    {2, 30, 0, 0, 0, 0.59018468208908104},
      {2, 30, 0, 0, 40, 0.22785080644730016},       {2, 30, 2, 20, 40, 0.58570596349401105},
      {2, 30, 10, 35, 40, 3.2112355224321205},      {2, 30, 50, 30, 40, 0.066708281330158145},
      {2, 90, 0, 0, 0, 1.3147512673279991},         {2, 90, 0, 0, 40, 0.59018468208908104},
      {2, 90, 2, 20, 40, 1.3883659248702362},       {2, 90, 10, 35, 40, 6.887848271940527},
      {2, 90, 50, 30, 40, 0.13590132773860736},     {2, 365, 0, 0, 0, 2.7809020805161691},
      {2, 365, 0, 0, 40, 1.5855491007992857},       {2, 365, 2, 20, 40, 3.0516323540324333},
      {2, 365, 10, 35, 40, 12.769106585778321},     {2, 365, 50, 30, 40, 0.23547516004749761},
      {2, 10000, 0, 0, 0, 6.4528957161486193},      {2, 10000, 0, 0, 40, 5.4054418059881657},
      {2, 10000, 2, 20, 40, 6.1357704399074624},    {2, 10000, 10, 35, 40, 20.458375601610573},
      {2, 10000, 50, 30, 40, 0.35407057663139496},  {3, 1, 0, 0, 0, 0.029976044231932217},
      {3, 1, 0, 0, 40, 0.014994001910612859},       {3, 1, 2, 20, 40, 0.037412612785696207},
      {3, 1, 10, 35, 40, 0.13543695080977189},      {3, 1, 50, 30, 40, 0.1113861748633939},
      {3, 30, 0, 0, 0, 0.88011730921020825},        {3, 30, 0, 0, 40, 0.4448255154367991},
      {3, 30, 2, 20, 40, 1.1027798312700805},       {3, 30, 10, 35, 40, 3.9423745905236096},
      {3, 30, 50, 30, 40, 3.203441988884594},       {3, 90, 0, 0, 0, 2.5436781234167278},
      {3, 90, 0, 0, 40, 1.3068970246003659},        {3, 90, 2, 20, 40, 3.2043738661596475},
      {3, 90, 10, 35, 40, 11.234322993329529},      {3, 90, 50, 30, 40, 8.9796131812664139},
      {3, 365, 0, 0, 0, 9.2072207070396601},        {3, 365, 0, 0, 40, 4.927166366054645},
      {3, 365, 2, 20, 40, 11.709365641420172},      {3, 365, 10, 35, 40, 39.228486327375968},
      {3, 365, 50, 30, 40, 30.397026082440288},     {3, 10000, 0, 0, 0, 131.49698606591801},
      {3, 10000, 0, 0, 40, 78.131464017115817},     {3, 10000, 2, 20, 40, 167.98660692570829},
      {3, 10000, 10, 35, 40, 512.15457812584134},   {3, 10000, 50, 30, 40, 378.947948309217},
  };
  for (const Pinned& c : pinned) {
    const double got = expected_purchases(params[c.params], c.t, c.x, c.t_x, c.T);
    EXPECT_NEAR(got / c.want, 1.0, 1e-12) << c.params << " t=" << c.t << " x=" << c.x;
  }
}

}  // namespace
}  // namespace segd::core::models
