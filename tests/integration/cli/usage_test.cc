// Help texts and stray arguments of segctl's commands and segd.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>

#include "integration/cli/cli_run.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace segd::test {
namespace {

TEST(UsageTest, SegdHelpListsExitAtEndOnce) {
  const Ran ran = run("segd", {"--help"});
  EXPECT_EQ(ran.code, 0);
  // Once among the flags, after the usage line (which shows it too).
  const size_t flags = ran.out.find("\n\n");
  const size_t first = ran.out.find("--exit-at-end", flags);
  EXPECT_NE(first, std::string::npos) << ran.out;
  EXPECT_EQ(ran.out.find("--exit-at-end", first + 1), std::string::npos) << ran.out;
}

TEST(UsageTest, ShortHelpFlagShowsHelp) {
  for (const char* command : {"replay", "inspect", "export", "gen", "produce", "fit"}) {
    const Ran ran = run("segctl", {command, "-h"});
    EXPECT_EQ(ran.code, 0) << command << ": " << ran.err;
    EXPECT_TRUE(ran.out.starts_with(std::string("usage: segctl ") + command)) << ran.out;
  }
}

TEST(UsageTest, UsageLinesShowEveryFlagAndWhatIsOptional) {
  const Ran replay = run("segctl", {"replay", "--help"});
  EXPECT_LT(replay.out.find("[--refit-every DURATION]"), replay.out.find("\n\n")) << replay.out;
  const Ran produce = run("segctl", {"produce", "--help"});
  EXPECT_TRUE(
      produce.out.starts_with("usage: segctl produce --brokers HOST:PORT --topic T [--input FILE]"))
      << produce.out;
}

TEST(UsageTest, StrayArgumentsAreUsageErrors) {
  const TempDir dir("cli-usage");
  const std::string state = dir.file("state");
  const std::vector<std::vector<std::string>> commands = {
      {"replay", "--input", "-", "--state-dir", state, "b.jsonl"},
      {"gen", "--customers", "5", "--events", "10", "--seed", "1", "b.jsonl"},
      {"export", "--state-dir", state, "b.jsonl"},
      {"fit", "--state-dir", state, "b.jsonl"},
      {"produce", "--brokers", "127.0.0.1:1", "--topic", "t", "b.jsonl"},
      {"inspect", "--state-dir", state, "c1", "b.jsonl"}};
  for (const auto& args : commands) {
    const Ran ran = run("segctl", args);
    EXPECT_EQ(ran.code, 2) << args[0];
    EXPECT_TRUE(
        ran.err.starts_with("segctl: unexpected argument 'b.jsonl'\nusage: segctl " + args[0]))
        << ran.err;
    EXPECT_EQ(ran.out, "") << args[0];
  }
  EXPECT_FALSE(std::filesystem::exists(state));
}

// `inspect --state-dir S -x` looked up customer "-x", and `gen -customers 5` said "unexpected
// argument": a single-dash word is an unknown flag, as an unknown --flag is.
TEST(UsageTest, SingleDashWordsAreUnknownFlags) {
  const TempDir dir("cli-single-dash");
  const std::string state = dir.file("state");
  const std::vector<std::vector<std::string>> commands = {
      {"inspect", "--state-dir", state, "-x"},
      {"inspect", "--state-dir", state, "-x", "c0001"},
      {"gen", "-customers", "5", "--events", "10", "--seed", "1"}};
  for (const auto& args : commands) {
    const Ran ran = run("segctl", args);
    EXPECT_EQ(ran.code, 2) << args[0];
    const std::string word = args[0] == "gen" ? "-customers" : "-x";
    EXPECT_TRUE(ran.err.starts_with("segctl: unknown flag '" + word +
                                    "' (flags start with --; put an argument that starts with "
                                    "'-' after --)\nusage: segctl " +
                                    args[0]))
        << ran.err;
  }
  EXPECT_FALSE(std::filesystem::exists(state));
}

TEST(UsageTest, ArgumentsAfterADoubleDashAreNotFlags) {
  // A customer id such as "-h" or "--help" printed the help: `--` was "unexpected argument".
  const TempDir dir("cli-double-dash");
  const std::string state = dir.file("state");
  const std::string events =
      R"({"event_id":"e1","type":"page_view","customer_id":"-h","ts":"2026-01-01T00:00:00Z"})"
      "\n"
      R"({"event_id":"e2","type":"page_view","customer_id":"--help","ts":"2026-01-01T00:00:01Z"})"
      "\n";
  ASSERT_EQ(run("segctl", {"replay", "--input", "-", "--state-dir", state}, events).code, 0);
  for (const std::string id : {"-h", "--help"}) {
    const Ran ran = run("segctl", {"inspect", "--state-dir", state, "--", id});
    EXPECT_EQ(ran.code, 0) << ran.err;
    EXPECT_EQ(ran.out.rfind("{\"customer_id\":\"" + id + "\"", 0), 0u) << ran.out;
  }
  EXPECT_EQ(run("segctl", {"inspect", "--state-dir", state, "-h"}).out.rfind("usage:", 0), 0u);
}

TEST(UsageTest, AMissingRulesFileIsExitOneForEveryCommand) {
  // inspect and export said 2 (usage), replay 1.
  const TempDir dir("cli-rules-missing");
  const std::string state = dir.file("state");
  const std::string missing = dir.file("nope.yaml");
  ASSERT_EQ(run("segctl", {"replay", "--input", "-", "--state-dir", state}).code, 0);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"replay", "--input", "-", "--state-dir", state, "--rules",
                                 missing},
        std::vector<std::string>{"inspect", "--state-dir", state, "--rules", missing, "c1"},
        std::vector<std::string>{"export", "--state-dir", state, "--rules", missing}}) {
    const Ran ran = run("segctl", args);
    EXPECT_EQ(ran.code, 1) << args[0];
    EXPECT_NE(ran.err.find(missing + ": cannot open"), std::string::npos) << ran.err;
  }
}

TEST(UsageTest, InspectWithRulesExplainsACustomerInNoSegment) {
  // `explain` was left out when there was nothing to explain, where --rules promises the object.
  const TempDir dir("cli-explain");
  const std::string state = dir.file("state");
  const std::string rules = source_file("config/segments.yaml");
  const std::string event =
      R"({"event_id":"e1","type":"page_view","customer_id":"c1","ts":"2026-01-01T00:00:00Z"})"
      "\n";
  ASSERT_EQ(
      run("segctl", {"replay", "--input", "-", "--state-dir", state, "--rules", rules}, event).code,
      0);
  const Ran with_rules = run("segctl", {"inspect", "--state-dir", state, "--rules", rules, "c1"});
  EXPECT_EQ(with_rules.code, 0) << with_rules.err;
  EXPECT_NE(with_rules.out.find("\"segments\":[]"), std::string::npos) << with_rules.out;
  EXPECT_NE(with_rules.out.find(",\"explain\":{}}"), std::string::npos) << with_rules.out;
  const Ran without = run("segctl", {"inspect", "--state-dir", state, "c1"});
  EXPECT_EQ(without.out.find("explain"), std::string::npos) << without.out;
}

// replay --rules "" ran with no segments, --dead-letter "" wrote none, and inspect's error named
// a config field ("rules_file: : cannot open").
TEST(UsageTest, EmptyPathFlagsAreUsageErrors) {
  const TempDir dir("cli-usage");
  const std::string state = dir.file("state");
  for (const std::string flag : {"--rules", "--output", "--dead-letter"}) {
    const Ran ran = run("segctl", {"replay", "--input", "-", "--state-dir", state, flag, ""});
    EXPECT_EQ(ran.code, 2) << flag;
    EXPECT_EQ(ran.err, "segctl: bad_flag: " + flag + ": must not be empty\n");
  }
  EXPECT_FALSE(std::filesystem::exists(state));
  const std::vector<std::vector<std::string>> commands = {
      {"inspect", "--state-dir", state, "--rules", "", "c1"},
      {"export", "--state-dir", state, "--rules", ""}};
  for (const auto& args : commands) {
    const Ran ran = run("segctl", args);
    EXPECT_EQ(ran.code, 2) << args[0];
    EXPECT_EQ(ran.err, "segctl: bad_flag: --rules: must not be empty\n");
  }
  // An empty --input was "--input: : cannot open", exit 1; produce's empty --brokers or --topic
  // said they were required.
  const std::vector<std::pair<std::vector<std::string>, std::string>> empty_values = {
      {{"replay", "--input", "", "--state-dir", state}, "--input: must not be empty"},
      {{"produce", "--brokers", "127.0.0.1:1", "--topic", "t", "--input", ""},
       "--input: must not be empty"},
      {{"produce", "--brokers", "", "--topic", "t"}, "--brokers: must not be empty"},
      {{"produce", "--brokers", "127.0.0.1:1", "--topic", ""}, "--topic: must not be empty"},
      {{"produce", "--brokers", "127.0.0.1:1"}, "--topic: required"}};
  for (const auto& [args, message] : empty_values) {
    const Ran ran = run("segctl", args);
    EXPECT_EQ(ran.code, 2) << message;
    EXPECT_EQ(ran.err, "segctl: bad_flag: " + message + "\n");
  }
  // An empty --state-dir was "not_found: state dir not found: ", exit 1, but for replay.
  const std::vector<std::vector<std::string>> empty_state_dir = {
      {"replay", "--input", "-", "--state-dir", ""},
      {"inspect", "--state-dir", "", "c1"},
      {"export", "--state-dir", ""},
      {"fit", "--state-dir", ""}};
  for (const auto& args : empty_state_dir) {
    const Ran ran = run("segctl", args);
    EXPECT_EQ(ran.code, 2) << args[0];
    EXPECT_EQ(ran.err, "segctl: bad_flag: --state-dir: must not be empty\n") << args[0];
  }
  // gen's were io_error, exit 1 ("--output: : cannot open").
  for (const std::string flag : {"--output", "--truth"}) {
    const Ran ran =
        run("segctl", {"gen", "--customers", "2", "--events", "2", "--seed", "1", flag, ""});
    EXPECT_EQ(ran.code, 2) << flag;
    EXPECT_EQ(ran.err, "segctl: bad_flag: " + flag + ": must not be empty\n");
  }
  // Events and CSV mixed on standard output.
  const Ran both =
      run("segctl", {"gen", "--customers", "2", "--events", "2", "--seed", "1", "--truth", "-"});
  EXPECT_EQ(both.code, 2);
  EXPECT_EQ(both.err,
            "segctl: bad_option: --truth: '-' (standard output) is the same file as --output '-' "
            "(standard output)\n");
  EXPECT_EQ(both.out, "");
}

TEST(UsageTest, GenBoundsNameTheFlag) {
  // The first ended in std::bad_alloc; the second was cast to an int of 1 day.
  const Ran customers =
      run("segctl", {"gen", "--customers", "99999999999999", "--events", "10", "--seed", "1"});
  EXPECT_EQ(customers.code, 2);
  EXPECT_EQ(customers.err,
            "segctl: bad_flag: --customers: must be an integer from 1 to 100000000, got "
            "'99999999999999'\n");
  const Ran days = run("segctl", {"gen", "--customers", "5", "--events", "10", "--seed", "1",
                                  "--days", "4294967297"});
  EXPECT_EQ(days.code, 2);
  EXPECT_EQ(days.err,
            "segctl: bad_flag: --days: must be an integer from 1 to 36500, got '4294967297'\n");
  EXPECT_EQ(days.out, "");
}

// The largest --customers needs about 38 GB: gen emptied --output, then ended in std::bad_alloc.
TEST(UsageTest, GenRefusesMoreCustomersThanFitInMemory) {
  const int64_t memory = int64_t{::sysconf(_SC_PHYS_PAGES)} * ::sysconf(_SC_PAGESIZE);
  if (memory >= int64_t{100'000'000} * 400) {
    GTEST_SKIP() << "this machine has the memory for 100000000 customers";
  }
  const TempDir dir("cli-usage");
  const std::string output = dir.file("keep.jsonl");
  ASSERT_TRUE(write_text(output, "precious\n").has_value());
  const Ran ran = run("segctl", {"gen", "--customers", "100000000", "--events", "10", "--seed", "1",
                                 "--output", output});
  EXPECT_EQ(ran.code, 2);
  EXPECT_EQ(ran.err.rfind("segctl: bad_flag: --customers: 100000000 customers need about 38147 "
                          "MiB of memory, more than this machine's ",
                          0),
            0u)
      << ran.err;
  EXPECT_EQ(read_text(output), "precious\n");
}

// Under a memory limit of the process (ulimit -v; a container's cgroup limit likewise) the check
// against the machine's memory passed, and gen aborted on bad_alloc (exit 134).
TEST(UsageTest, GenRefusesMoreCustomersThanTheProcessMayAllocate) {
#ifdef __SANITIZE_ADDRESS__
  GTEST_SKIP() << "AddressSanitizer maps terabytes of shadow memory: no ulimit -v leaves it room";
#endif
  const TempDir dir("cli-usage");
  const std::string output = dir.file("keep.jsonl");
  ASSERT_TRUE(write_text(output, "precious\n").has_value());
  const std::string err = dir.file("err");
  auto gen =
      Process::spawn({.argv = {"bash", "-c",
                               "ulimit -v 1500000 && exec " SEGD_BIN_DIR
                               "/segctl gen --customers 20000000 --events 10 --seed 1 --output " +
                                   output},
                      .stderr_path = err});
  ASSERT_TRUE(gen.has_value()) << gen.error().message;
  const auto code = gen->wait(std::chrono::seconds(60));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 2);
  EXPECT_EQ(read_text(err).rfind("segctl: bad_flag: --customers: 20000000 customers need about "
                                 "7629 MiB of memory, more than the address space left under "
                                 "this process's limit (ulimit -v), ",
                                 0),
            0u)
      << read_text(err);
  EXPECT_EQ(read_text(output), "precious\n");
}

TEST(UsageTest, TimeFlagsRefuseWhatTheEventValidatorRejects) {
  // segd dead-lettered every event gen wrote from these starts, and fit stored a model active
  // from year 9999.
  const std::string accepted = "[1970-01-01T00:00:00Z, 2200-01-01T00:00:00Z)";
  for (const std::string start : {"0000-01-01T00:00:00Z", "9999-01-01T00:00:00Z",
                                  "1969-12-31T23:59:59Z", "2200-01-01T00:00:00Z"}) {
    const Ran ran = run(
        "segctl", {"gen", "--customers", "5", "--events", "10", "--seed", "1", "--start", start});
    EXPECT_EQ(ran.code, 2) << start;
    EXPECT_EQ(ran.err, "segctl: bad_flag: --start: must be in " + accepted +
                           ", the event times segd accepts, got '" + start + "'\n");
    EXPECT_EQ(ran.out, "") << start;
  }
  const Ran past_the_end = run("segctl", {"gen", "--customers", "5", "--events", "10", "--seed",
                                          "1", "--start", "2199-12-01T00:00:00Z", "--days", "90"});
  EXPECT_EQ(past_the_end.code, 2);
  EXPECT_EQ(past_the_end.err,
            "segctl: bad_flag: --days: 90 days from 2199-12-01T00:00:00Z run past "
            "2200-01-01T00:00:00Z, where the event times segd accepts end\n");
  const Ran last_days = run("segctl", {"gen", "--customers", "5", "--events", "10", "--seed", "1",
                                       "--start", "2199-12-02T00:00:00Z", "--days", "30"});
  EXPECT_EQ(last_days.code, 0) << last_days.err;

  const TempDir dir("cli-usage");
  const std::string state = dir.file("state");
  const std::string event = R"({"event_id":"e1","type":"page_view","customer_id":"c1","ts":1})";
  ASSERT_EQ(run("segctl", {"replay", "--input", "-", "--state-dir", state}, event + "\n").code, 0);
  for (const std::string as_of : {"0000-01-01T00:00:00Z", "9999-01-01T00:00:00Z"}) {
    const Ran ran = run("segctl", {"fit", "--state-dir", state, "--as-of", as_of});
    EXPECT_EQ(ran.code, 2) << as_of;
    EXPECT_EQ(ran.err, "segctl: bad_flag: --as-of: must be in " + accepted +
                           ", the event times segd accepts, got '" + as_of + "'\n");
    EXPECT_EQ(ran.out, "") << as_of;
  }
}

// 2000 generated events of 50 customers (in 2026) replayed into `state`.
bool replay_generated_events(const TempDir& dir, const std::string& state) {
  const std::string events = dir.file("ev.jsonl");
  return run("segctl",
             {"gen", "--customers", "50", "--events", "2000", "--seed", "1", "--output", events})
                 .code == 0 &&
         run("segctl", {"replay", "--input", events, "--state-dir", state}).code == 0;
}

TEST(UsageTest, FitRefusesATimeBeforeTheStoredStreamTime) {
  // --as-of 1970 on 2026 data took each customer at its own last event and stored a degenerate
  // model version, active at once.
  const TempDir dir("cli-fit-as-of");
  const std::string state = dir.file("state");
  ASSERT_TRUE(replay_generated_events(dir, state));
  const Ran early = run("segctl", {"fit", "--state-dir", state, "--as-of", "1970-01-01T00:00:00Z"});
  EXPECT_EQ(early.code, 2);
  EXPECT_EQ(early.err.rfind("segctl: bad_flag: --as-of: 1970-01-01T00:00:00Z is before the state "
                            "dir's stream time 2026-",
                            0),
            0u)
      << early.err;
  const Ran fitted = run("segctl", {"fit", "--state-dir", state});
  EXPECT_EQ(fitted.code, 0) << fitted.err;
  EXPECT_EQ(fitted.out.rfind("{\"version\":1,", 0), 0u) << fitted.out;  // None was stored before.
}

TEST(UsageTest, InspectAndExportScoreWithTheVersionActiveAtTheStreamTime) {
  // A version fitted for later (--as-of past the stream time) scored every customer at once in
  // inspect and export, while replay's engine would not use it before its time.
  const TempDir dir("cli-fit-later");
  const std::string state = dir.file("state");
  ASSERT_TRUE(replay_generated_events(dir, state));
  const auto scored_customers = [&state] {
    const Ran exported = run("segctl", {"export", "--state-dir", state});
    EXPECT_EQ(exported.code, 0) << exported.err;
    int scored = 0;
    std::istringstream lines(exported.out);
    for (std::string line; std::getline(lines, line);) {
      scored += line.find("\"p_alive\":null") == std::string::npos ? 1 : 0;
    }
    return scored;
  };
  const Ran later = run("segctl", {"fit", "--state-dir", state, "--as-of", "2027-06-01T00:00:00Z"});
  ASSERT_EQ(later.code, 0) << later.err;
  EXPECT_EQ(scored_customers(), 0);
  const Ran inspected = run("segctl", {"inspect", "--state-dir", state, "c01"});
  ASSERT_EQ(inspected.code, 0) << inspected.err;
  EXPECT_NE(inspected.out.find("\"scores\":{\"p_alive\":null,"), std::string::npos)
      << inspected.out;
  const Ran now = run("segctl", {"fit", "--state-dir", state});  // Active from the stream time.
  ASSERT_EQ(now.code, 0) << now.err;
  EXPECT_GT(scored_customers(), 0);
}

TEST(UsageTest, ProduceRefusesPropertiesThatUndoItsKeyingOrItsBrokers) {
  // Each was applied over segctl's own setting: another partitioner put a customer's events
  // where segd does not look for them, and other brokers made --brokers a dead letter.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"partitioner=random",
       "partitioner: cannot be overridden: messages are placed by murmur2 of their "
       "customer_id (murmur2_random, the Java client's default), where segd looks for a "
       "customer's events"},
      {"bootstrap.servers=127.0.0.1:2", "bootstrap.servers: cannot be overridden: use --brokers"},
      {"metadata.broker.list=127.0.0.1:2",
       "metadata.broker.list: cannot be overridden: use --brokers"},
      // What librdkafka refuses was exit 1, reported without naming --property.
      {"no.such.prop=1", "no.such.prop: No such configuration property: \"no.such.prop\""},
      {"linger.ms=abc",
       "linger.ms: Invalid value for configuration property \"queue.buffering.max.ms\""},
      // Against produce's own idempotence: librdkafka refuses the client; that was exit 1.
      {"acks=0", "`acks` must be set to `all` when `enable.idempotence` is true"}};
  for (const auto& [property, message] : cases) {
    const Ran ran = run("segctl", {"produce", "--brokers", "127.0.0.1:1", "--topic", "t",
                                   "--property", "linger.ms=1", "--property", property});
    EXPECT_EQ(ran.code, 2) << property;
    EXPECT_EQ(ran.err, "segctl: bad_flag: --property " + message + "\n");
  }
}

TEST(UsageTest, ReplayRefusesACacheOutsideItsRange) {
  const TempDir dir("cli-cache");
  const std::string state = dir.file("state");
  for (const char* value : {"0", "100000001", "x"}) {
    const Ran ran =
        run("segctl", {"replay", "--input", "-", "--state-dir", state, "--cache-customers", value});
    EXPECT_EQ(ran.code, 2) << value;
    EXPECT_EQ(ran.err,
              "segctl: bad_flag: --cache-customers: must be an integer from 1 to 100000000\n");
    EXPECT_FALSE(std::filesystem::exists(state)) << value;
  }
}

TEST(UsageTest, RangeErrorsNameTheFlagNotTheField) {
  // These named gen's config fields (bad_rate, events) or the trainer's (k), not the flags.
  const std::vector<std::pair<std::vector<std::string>, std::string>> gen_cases = {
      {{"--customers", "5", "--events", "10", "--bad-rate", "2"},
       "--bad-rate: must be in [0, 1], got '2'"},
      {{"--customers", "5", "--events", "10", "--bad-rate", "nan"},
       "--bad-rate: must be in [0, 1], got 'nan'"},
      // A number too small for a double was "not a number".
      {{"--customers", "5", "--events", "10", "--bad-rate", "1e-400"},
       "--bad-rate: out of the range of a double: '1e-400'"},
      {{"--customers", "5", "--events", "-1"},
       "--events: must be a non-negative integer, got '-1'"},
      {{"--customers", "1", "--days", "1", "--events", "50000000"},
       "--events: too many events per customer for the period (a customer's events are at least "
       "3 s apart, within its active days); give more --customers or --days"},
      // 500000 events a customer in a day fit a millisecond each, and most were packed into the
      // day's last hour.
      {{"--customers", "2", "--days", "1", "--events", "1000000"},
       "--events: too many events per customer for the period (a customer's events are at least "
       "3 s apart, within its active days); give more --customers or --days"}};
  for (const auto& [flags, message] : gen_cases) {
    std::vector<std::string> args = {"gen", "--seed", "1"};
    args.insert(args.end(), flags.begin(), flags.end());
    const Ran ran = run("segctl", args);
    EXPECT_EQ(ran.code, 2) << message;
    EXPECT_EQ(ran.err, "segctl: bad_flag: " + message + "\n");
    EXPECT_EQ(ran.out, "");
  }
  const TempDir dir("cli-usage");
  const std::string state = dir.file("state");
  const std::string event = R"({"event_id":"e1","type":"page_view","customer_id":"c1","ts":1})";
  ASSERT_EQ(run("segctl", {"replay", "--input", "-", "--state-dir", state}, event + "\n").code, 0);
  const Ran fit = run("segctl", {"fit", "--state-dir", state, "--k", "2"});
  EXPECT_EQ(fit.code, 1);
  EXPECT_EQ(fit.err,
            "segctl: too_few_customers: --k: need at least 2 customers, one per cluster, have 1\n");
}

// An empty state dir was told to "pass --as-of", which only led to another error; a state dir
// of browsers got "fit_bgnbd needs at least one customer".
TEST(UsageTest, FitSaysWhatTheStateDirLacks) {
  const TempDir dir("cli-usage");
  const std::string empty = dir.file("empty");
  ASSERT_EQ(run("segctl", {"replay", "--input", "-", "--state-dir", empty}).code, 0);
  const Ran nothing = run("segctl", {"fit", "--state-dir", empty});
  EXPECT_EQ(nothing.code, 1);
  EXPECT_EQ(nothing.err,
            "segctl: no_stream_time: no event has been processed into the state dir yet, so it "
            "has no stream time to fit at (replay or consume events first, or pass --as-of)\n");
  const std::string browsers = dir.file("browsers");
  std::string events;
  for (int i = 0; i < 3; ++i) {
    events += R"({"event_id":"e)" + std::to_string(i) + R"(","type":"page_view","customer_id":"c)" +
              std::to_string(i) + R"(","ts":)" + std::to_string(1000 * (i + 1)) + "}\n";
  }
  ASSERT_EQ(run("segctl", {"replay", "--input", "-", "--state-dir", browsers}, events).code, 0);
  const Ran no_buyers = run("segctl", {"fit", "--state-dir", browsers, "--k", "2"});
  EXPECT_EQ(no_buyers.code, 1);
  EXPECT_EQ(no_buyers.err,
            "segctl: no_buyers: no customer has bought before the fit day: the purchase model "
            "(BG/NBD) needs buyers, and none of the 3 customers is one\n");
}

}  // namespace
}  // namespace segd::test
