// The rules file reader: what it accepts, the errors it names, and mangled files, which must be
// rejected with a `rules_file` error, never an exception (segd re-reads the file on SIGHUP).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/segments/rule_set.h"
#include "io/config/rules_loader.h"
#include "support/mutator.h"

namespace segd::io {
namespace {

constexpr std::string_view kRules = R"(# comment
segments:
  - name: lapsed
    enter: "orders_total >= 1 && days_since_last_purchase > 30"
    exit: "days_since_last_purchase <= 30"
  - name: big_spender
    enter: 'monetary_365d >= 1000'
)";

std::string error_of(std::string_view text) {
  const auto r = parse_rules_yaml(text, "rules.yaml");
  if (r) {
    return "accepted";
  }
  EXPECT_EQ(r.error().code, "rules_file");
  return r.error().message;
}

TEST(RulesYamlTest, ReadsSegmentsInOrder) {
  const auto defs = parse_rules_yaml(kRules, "rules.yaml");
  ASSERT_TRUE(defs.has_value()) << defs.error().message;
  ASSERT_EQ(defs->size(), 2u);
  EXPECT_EQ((*defs)[0].name, "lapsed");
  EXPECT_EQ((*defs)[0].enter, "orders_total >= 1 && days_since_last_purchase > 30");
  EXPECT_EQ((*defs)[0].exit, "days_since_last_purchase <= 30");
  EXPECT_EQ((*defs)[1].name, "big_spender");
  EXPECT_EQ((*defs)[1].exit, "");
}

TEST(RulesYamlTest, ErrorsNameTheFileTheEntryAndTheProblem) {
  EXPECT_NE(error_of("segments: [\n").find("rules.yaml: invalid YAML"), std::string::npos);
  EXPECT_EQ(error_of(""), "rules.yaml: expected a 'segments' list");
  EXPECT_EQ(error_of("segments: 3"), "rules.yaml: expected a 'segments' list");
  EXPECT_EQ(error_of("segments:\n  - 3"),
            "rules.yaml: segments[0]: expected a map with name, enter, exit");
  EXPECT_EQ(error_of("segments:\n  - enter: x"), "rules.yaml: segments[0]: missing 'name'");
  EXPECT_EQ(error_of("segments:\n  - name: a"), "rules.yaml: segments[0] (a): missing 'enter'");
  EXPECT_EQ(error_of("segments:\n  - name: a\n    enter: [1]"),
            "rules.yaml: segments[0] (a): 'enter' must be a string");
}

TEST(RulesYamlTest, UnknownKeysAreErrors) {
  // A misspelt 'exit' was ignored: the segment ran with the default exit (negated enter).
  EXPECT_EQ(error_of("segments:\n  - name: a\n    enter: x > 1\n    exitt: x < 1"),
            "rules.yaml: segments[0] (a): unknown key 'exitt' (expected name, enter, exit)");
  EXPECT_EQ(error_of("segments:\n  - name: a\n    enter: x > 1\nsegmentz: []"),
            "rules.yaml: unknown key 'segmentz' (expected segments)");
  EXPECT_EQ(error_of("segmentz:\n  - name: a\n    enter: x > 1"),
            "rules.yaml: unknown key 'segmentz' (expected segments)");
  // These read "unknown key ''", as if the key were an empty string.
  EXPECT_EQ(error_of("segments:\n  - name: a\n    enter: x > 1\n    ~: x < 1"),
            "rules.yaml: segments[0] (a): a null key (expected name, enter, exit)");
  EXPECT_EQ(error_of("segments: []\n? [a, b]\n: 1"),
            "rules.yaml: a list as a key (expected segments)");
  EXPECT_EQ(error_of("segments: []\n? {a: b}\n: 1"),
            "rules.yaml: a map as a key (expected segments)");
  EXPECT_EQ(error_of("segments: []\n'': 1"), "rules.yaml: unknown key '' (expected segments)");
}

TEST(RulesYamlTest, DuplicateKeysAreErrors) {
  // yaml-cpp keeps both copies and a lookup sees the first: the second 'enter' was ignored.
  EXPECT_EQ(error_of("segments:\n  - name: a\n    enter: x > 1\n    enter: x > 2"),
            "rules.yaml: segments[0] (a): duplicate key 'enter'");
  EXPECT_EQ(error_of("segments:\n  - name: a\n    enter: x > 1\nsegments: []"),
            "rules.yaml: duplicate key 'segments'");
}

TEST(RulesYamlTest, SeveralDocumentsAreAnError) {
  // Only the first document was read: the segment after --- was dropped without a word.
  EXPECT_EQ(error_of("segments:\n  - {name: a, enter: x > 1}\n---\nsegments:\n"
                     "  - {name: b, enter: x > 2}\n"),
            "rules.yaml: the rules file has 2 YAML documents (separated by ---); segd reads one");
  EXPECT_EQ(error_of("---\nsegments:\n  - {name: a, enter: x > 1}\n"), "accepted");
}

TEST(RulesYamlTest, AnUnterminatedQuoteIsAnError) {
  // yaml-cpp ended the quoted scalar at the end of the file: the second segment became part of
  // the first one's enter rule.
  EXPECT_EQ(error_of("segments:\n  - name: a\n    enter: \"x > 1\n  - name: b\n    enter: x > 2\n"),
            "rules.yaml: invalid YAML: yaml-cpp: error at line 6, column 1: unterminated quoted "
            "string starting at line 3, column 12");
  EXPECT_EQ(error_of("segments:\n  - {name: a, enter: 'x > 1'}\n  - name: b\n    enter: 'x''\n"),
            "rules.yaml: invalid YAML: yaml-cpp: error at line 5, column 1: unterminated quoted "
            "string starting at line 4, column 12");
}

TEST(RulesYamlTest, TopLevelThatIsNotAMappingIsAnError) {
  // A scalar document made yaml-cpp throw on the lookup of 'segments' (segctl aborted; segd
  // would have aborted on a SIGHUP reload of such a file).
  for (const std::string_view text : {"hello", "segments", "42", "- a\n- b", "\"quoted\""}) {
    EXPECT_EQ(error_of(text), "rules.yaml: expected a mapping with a 'segments' list") << text;
  }
}

TEST(RulesYamlTest, MangledFilesAreRejectedOrCompile) {
  const std::vector<std::string> seeds = {std::string(kRules)};
  segd::testing::Mutator mutator(5);
  int rejected = 0;
  int compiled = 0;
  for (int i = 0; i < 10000 && !HasFailure(); ++i) {
    const std::string text = mutator.next(seeds);
    // What load_rule_set does with a file's text, minus the read.
    try {
      const auto defs = parse_rules_yaml(text, "rules.yaml");
      if (!defs) {
        ++rejected;
        EXPECT_EQ(defs.error().code, "rules_file");
        EXPECT_TRUE(defs.error().message.starts_with("rules.yaml: ")) << defs.error().message;
        continue;
      }
      const auto rules = core::RuleSet::compile(*defs);
      if (rules) {
        ++compiled;
      } else {
        EXPECT_FALSE(rules.error().code.empty() || rules.error().message.empty());
      }
    } catch (const std::exception& e) {
      ADD_FAILURE() << "threw " << e.what() << " on " << segd::testing::hex(text);
    }
  }
  EXPECT_GT(rejected, 100);
  EXPECT_GT(compiled, 100);
}

}  // namespace
}  // namespace segd::io
