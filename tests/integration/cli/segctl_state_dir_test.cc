// segctl inspect, export and fit read an existing state dir and never create one; no command
// (nor segd) adopts a directory that is not a segd state dir, and a replay finishes the creation
// of one that a killed writer left incomplete.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <sys/mount.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <thread>
#include <tuple>

#include "integration/cli/cli_run.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace segd::test {
namespace {

// A RocksDB database of another program: the default column family only, holding k=v.
void make_foreign_db(const std::string& path) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, path, &raw).ok());
  const std::unique_ptr<rocksdb::DB> db(raw);
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "k", "v").ok());
  ASSERT_TRUE(db->Close().ok());
}

std::vector<std::string> families(const std::string& path) {
  std::vector<std::string> names;
  EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  return names;
}

// Whether the program still opens its database as it did (no other family) and finds k=v.
bool opens_as_before(const std::string& path) {
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(rocksdb::Options(), path, &raw).ok()) {
    return false;
  }
  const std::unique_ptr<rocksdb::DB> db(raw);
  std::string value;
  return db->Get(rocksdb::ReadOptions(), "k", &value).ok() && value == "v";
}

// Every file under `dir` with its size and modification time.
std::map<std::string, std::tuple<uintmax_t, std::filesystem::file_time_type>> listing(
    const std::string& dir) {
  std::map<std::string, std::tuple<uintmax_t, std::filesystem::file_time_type>> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    files[entry.path().filename().string()] = {entry.file_size(), entry.last_write_time()};
  }
  return files;
}

// inspect, export and fit on `state_dir`.
std::vector<std::vector<std::string>> read_commands(const std::string& state_dir) {
  return {{"inspect", "--state-dir", state_dir, "c1"},
          {"export", "--state-dir", state_dir},
          {"fit", "--state-dir", state_dir, "--as-of", "2026-01-01T00:00:00Z"}};
}

const std::string kEvent = R"({"event_id":"e1","type":"page_view","customer_id":"c1","ts":1})";
const std::string kNotSegd = "segctl: not_a_state_dir: not a segd state dir: ";
const std::string kMarker = "/SEGD_STATE_DIR";

// What segd or a replay killed during its first start leaves in `dir`: the marker it writes first,
// with RocksDB's LOCK and LOG (killed before CURRENT was written), and with a database of the
// default column family only (killed before creating segd's families).
std::vector<std::string> cut_short_state_dirs(const TempDir& dir) {
  const std::string early = dir.file("early");
  std::filesystem::create_directory(early);
  for (const char* name : {"LOCK", "LOG"}) {
    EXPECT_TRUE(write_text(early + "/" + name, "").has_value());
  }
  const std::string later = dir.file("later");
  make_foreign_db(later);
  for (const std::string& state : {early, later}) {
    EXPECT_TRUE(write_text(state + kMarker, "segd state dir\n").has_value());
  }
  return {early, later};
}

TEST(SegctlStateDirTest, MissingStateDirFailsWithoutCreatingIt) {
  const TempDir dir("cli-state");
  const std::string missing = dir.file("nope");
  for (const auto& args : read_commands(missing)) {
    const Ran ran = run("segctl", args);
    EXPECT_EQ(ran.code, 1) << args[0];
    EXPECT_NE(ran.err.find("segctl: not_found: state dir not found: " + missing), std::string::npos)
        << ran.err;
    EXPECT_EQ(ran.out, "") << args[0];
    EXPECT_FALSE(std::filesystem::exists(missing)) << args[0];
  }
}

// A replay into a symbolic link to a missing directory said the link was "a file".
TEST(SegctlStateDirTest, ReplayIntoADanglingSymlinkNamesItsTarget) {
  const TempDir dir("cli-state");
  const std::string link = dir.file("link");
  std::filesystem::create_symlink(dir.file("gone"), link);
  const Ran ran = run("segctl", {"replay", "--input", "-", "--state-dir", link}, kEvent);
  EXPECT_EQ(ran.code, 1);
  EXPECT_NE(ran.err.find("segctl: io_error: state dir " + link + ": a symbolic link to '" +
                         dir.file("gone") + "', which is not a directory"),
            std::string::npos)
      << ran.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("gone")));
}

TEST(SegctlStateDirTest, DirectoryWithoutAStoreIsNotOpened) {
  const TempDir dir("cli-state");
  const Ran ran = run("segctl", {"export", "--state-dir", dir.path().string()});
  EXPECT_EQ(ran.code, 1);
  EXPECT_NE(
      ran.err.find("state dir not found: " + dir.path().string() + " (no RocksDB database in it)"),
      std::string::npos)
      << ran.err;
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

// inspect and export added segd's five column families to the database, after which the program's
// own DB::Open (of the default family) failed.
TEST(SegctlStateDirTest, ReadCommandsLeaveAnotherProgramsRocksDBAlone) {
  const TempDir dir("cli-state");
  const std::string foreign = dir.file("foreign");
  make_foreign_db(foreign);
  for (const auto& args : read_commands(foreign)) {
    const Ran ran = run("segctl", args);
    EXPECT_EQ(ran.code, 1) << args[0];
    EXPECT_NE(ran.err.find(kNotSegd + foreign +
                           " (a RocksDB database without segd's column families customers, "
                           "timers, offsets, outbox, models)"),
              std::string::npos)
        << ran.err;
  }
  EXPECT_EQ(families(foreign), std::vector<std::string>{"default"});
  EXPECT_TRUE(opens_as_before(foreign));
}

// segctl replay adopted any directory: it added its column families to another program's
// database, and its files to a directory of other files.
TEST(SegctlStateDirTest, ReplayRefusesADirectoryThatIsNotAStateDir) {
  const TempDir dir("cli-state");
  const std::string foreign = dir.file("foreign");
  make_foreign_db(foreign);
  const Ran into_db = run("segctl", {"replay", "--input", "-", "--state-dir", foreign}, kEvent);
  EXPECT_EQ(into_db.code, 1);
  EXPECT_NE(into_db.err.find(kNotSegd + foreign + " (a RocksDB database without segd's"),
            std::string::npos)
      << into_db.err;
  EXPECT_EQ(families(foreign), std::vector<std::string>{"default"});
  EXPECT_TRUE(opens_as_before(foreign));
  EXPECT_FALSE(std::filesystem::exists(foreign + kMarker));

  const std::string other = dir.file("other");
  std::filesystem::create_directory(other);
  ASSERT_TRUE(write_text(other + "/notes.txt", "mine\n").has_value());
  const Ran into_dir = run("segctl", {"replay", "--input", "-", "--state-dir", other}, kEvent);
  EXPECT_EQ(into_dir.code, 1);
  EXPECT_NE(into_dir.err.find(kNotSegd + other + " (not empty, and no RocksDB database in it)"),
            std::string::npos)
      << into_dir.err;
  EXPECT_EQ(listing(other).size(), 1U);
}

TEST(SegctlStateDirTest, SegdRefusesADirectoryThatIsNotAStateDir) {
  const TempDir dir("cli-state");
  const std::string foreign = dir.file("foreign");
  make_foreign_db(foreign);
  const Ran ran = run("segd", {"--config", source_file("config/segd.yaml"),
                               "--state.dir=" + foreign, "--admin.listen=127.0.0.1:0",
                               "--rules.file=" + source_file("config/segments.yaml")});
  EXPECT_EQ(ran.code, 1);
  EXPECT_NE(ran.err.find("not a segd state dir: " + foreign), std::string::npos) << ran.err;
  EXPECT_EQ(families(foreign), std::vector<std::string>{"default"});
  EXPECT_FALSE(std::filesystem::exists(foreign + kMarker));
}

// segd opened (so created) its state dir before it loaded the rules.
TEST(SegctlStateDirTest, SegdWithAMissingRulesFileCreatesNoStateDir) {
  const TempDir dir("cli-state");
  const std::string state = dir.file("state");
  const std::string rules = dir.file("nope.yaml");
  const Ran ran = run("segd", {"--config", source_file("config/segd.yaml"), "--state.dir=" + state,
                               "--admin.listen=127.0.0.1:0", "--rules.file=" + rules});
  EXPECT_EQ(ran.code, 2);  // A config problem: rules.file does not open.
  EXPECT_NE(ran.err.find(rules), std::string::npos) << ran.err;
  EXPECT_FALSE(std::filesystem::exists(state));
}

// An empty directory (a fresh volume's lost+found counts as empty) becomes a state dir.
TEST(SegctlStateDirTest, ReplayCreatesAStateDirInAnEmptyDirectory) {
  const TempDir empty("cli-state");
  const TempDir dir("cli-state");
  const std::string volume = dir.file("volume");
  std::filesystem::create_directories(volume + "/lost+found");
  for (const std::string& state : {empty.path().string(), volume}) {
    const Ran ran = run("segctl", {"replay", "--input", "-", "--state-dir", state}, kEvent);
    EXPECT_EQ(ran.code, 0) << ran.err;
    EXPECT_EQ(run("segctl", {"export", "--state-dir", state}).code, 0) << state;
  }
}

// A replay killed during its first start left a directory the next one refused as "not a segd
// state dir", so that (as segd under a restarting pod) it could never start again.
TEST(SegctlStateDirTest, ReplayFinishesAStateDirWhoseCreationWasCutShort) {
  const TempDir dir("cli-state");
  for (const std::string& state : cut_short_state_dirs(dir)) {
    const Ran ran = run("segctl", {"replay", "--input", "-", "--state-dir", state}, kEvent);
    EXPECT_EQ(ran.code, 0) << state << ": " << ran.err;
    EXPECT_EQ(families(state).size(), 6U) << state;
    const Ran exported = run("segctl", {"export", "--state-dir", state});
    EXPECT_EQ(exported.code, 0) << exported.err;
    EXPECT_NE(exported.out.find("\"customer_id\":\"c1\""), std::string::npos) << exported.out;
  }
}

// inspect, export and fit create nothing, and tell how to finish the creation.
TEST(SegctlStateDirTest, ReadCommandsReportAStateDirWhoseCreationWasCutShort) {
  const TempDir dir("cli-state");
  for (const std::string& state : cut_short_state_dirs(dir)) {
    const auto before = listing(state);
    for (const auto& args : read_commands(state)) {
      const Ran ran = run("segctl", args);
      EXPECT_EQ(ran.code, 1) << args[0];
      EXPECT_EQ(ran.err, "segctl: state_dir_incomplete: state dir " + state +
                             " was not completely created; start segd or segctl replay on it to "
                             "finish\n");
    }
    EXPECT_EQ(listing(state), before) << state;
  }
}

// A state dir that lost its CURRENT was taken for a creation cut short: the next replay (or segd)
// had RocksDB create a new, empty database over it, deleting the old table files, and started
// again from the first line.
TEST(SegctlStateDirTest, AStateDirThatLostItsCurrentFileIsRefusedNotRecreated) {
  const TempDir dir("cli-state");
  const std::string state = dir.file("state");
  std::string events;
  for (int i = 0; i < 200; ++i) {
    events += R"({"event_id":"e)" + std::to_string(i) + R"(","type":"page_view","customer_id":"c)" +
              std::to_string(i % 20) + R"(","ts":)" + std::to_string(1000 + i) + "}\n";
  }
  ASSERT_EQ(run("segctl", {"replay", "--input", "-", "--state-dir", state, "--output", "/dev/null"},
                events)
                .code,
            0);
  std::filesystem::remove(state + "/CURRENT");
  const auto before = listing(state);
  std::vector<std::vector<std::string>> commands = read_commands(state);
  commands.push_back({"replay", "--input", "-", "--state-dir", state, "--output", "/dev/null"});
  for (const auto& args : commands) {
    const Ran ran = run("segctl", args, events);
    EXPECT_EQ(ran.code, 1) << args[0] << ": " << ran.err;
    EXPECT_TRUE(ran.err.starts_with("segctl: state_dir_damaged: state dir " + state +
                                    " holds RocksDB data ("))
        << ran.err;
    EXPECT_NE(ran.err.find(") but no CURRENT file: its database is damaged"), std::string::npos)
        << ran.err;
  }
  EXPECT_EQ(listing(state), before) << "nothing created or deleted";
}

// RocksDB's info log goes to the program's log, not to a LOG file in the state dir: on a full disk
// RocksDB's own LOG writer failed an assertion and aborted the replay (exit 134) instead of the
// write error being reported.
TEST(SegctlStateDirTest, AReplayedStateDirHasNoRocksDbLogFile) {
  const TempDir dir("cli-state");
  const std::string state = dir.file("state");
  ASSERT_EQ(run("segctl", {"replay", "--input", "-", "--state-dir", state}, kEvent).code, 0);
  EXPECT_FALSE(std::filesystem::exists(state + "/LOG"));
}

TEST(SegctlStateDirTest, AFullDiskEndsAReplayWithTheWriteError) {
  const TempDir dir("cli-state-full");
  const std::string events = dir.file("events.jsonl");
  ASSERT_EQ(run("segctl", {"gen", "--customers", "2000", "--events", "40000", "--seed", "2",
                           "--output", events})
                .code,
            0);
  const std::string small = dir.file("small");
  std::filesystem::create_directory(small);
  if (::mount("tmpfs", small.c_str(), "tmpfs", 0, "size=2m") != 0) {
    GTEST_SKIP() << "cannot mount a 2 MiB tmpfs here (" << std::strerror(errno) << "): needs root";
  }
  const Ran ran =
      run("segctl", {"replay", "--input", events, "--state-dir", small + "/state", "--output",
                     "/dev/null", "--rules", source_file("config/segments.yaml")});
  ::umount(small.c_str());
  EXPECT_EQ(ran.code, 1) << ran.err;
  EXPECT_NE(ran.err.find("segctl: storage_error: commit: IO error: No space left on device"),
            std::string::npos)
      << ran.err;
  EXPECT_EQ(ran.err.find("segd:"), std::string::npos) << "segctl's messages say segctl";
}

// segd and segctl replay keep their input positions differently (per topic partition, in input
// lines), so each started the other's state dir from the beginning of its input and applied the
// events a second time (refunds doubled). Each refuses the other's state dir now.
TEST(SegctlStateDirTest, SegdAndReplayRefuseEachOthersStateDir) {
  const TempDir dir("cli-state-writers");
  const std::string replayed = dir.file("replayed");
  ASSERT_EQ(run("segctl", {"replay", "--input", "-", "--state-dir", replayed}, kEvent).code, 0);
  const std::vector<std::string> segd_args = {"--kafka.brokers=127.0.0.1:1",
                                              "--rules.file=" + source_file("config/segments.yaml"),
                                              "--admin.listen=127.0.0.1:0"};
  std::vector<std::string> on_replayed = segd_args;
  on_replayed.push_back("--state.dir=" + replayed);
  const Ran segd = run("segd", on_replayed);
  EXPECT_EQ(segd.code, 1) << segd.err;
  EXPECT_NE(segd.err.find("other_writer: state dir " + replayed +
                          " was written by segctl replay: segd keeps its position per topic "
                          "partition"),
            std::string::npos)
      << segd.err;

  // A state dir segd started on (it cannot reach a broker; stopped by SIGTERM).
  const std::string live = dir.file("live");
  std::vector<std::string> argv = {SEGD_BIN_DIR "/segd", "--state.dir=" + live};
  argv.insert(argv.end(), segd_args.begin(), segd_args.end());
  auto daemon = Process::spawn({.argv = argv,
                                .stdout_mode = StdoutMode::kFile,
                                .stdout_path = dir.file("segd.out"),
                                .stderr_path = dir.file("segd.err")});
  ASSERT_TRUE(daemon.has_value()) << daemon.error().message;
  for (int i = 0;
       i < 200 && read_text(dir.file("segd.err")).find("consuming from") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  daemon->kill(SIGTERM);
  ASSERT_TRUE(daemon->wait(std::chrono::seconds(30)).has_value());
  const Ran replay = run("segctl", {"replay", "--input", "-", "--state-dir", live}, kEvent);
  EXPECT_EQ(replay.code, 1) << replay.err;
  EXPECT_EQ(replay.err, "segctl: other_writer: state dir " + live +
                            " was written by segd: segctl replay keeps its position in input "
                            "lines, and would replay its input from the first line over this "
                            "state, applying the events a second time; replay into a state dir "
                            "of its own\n");
  // Each still goes on with its own.
  EXPECT_EQ(run("segctl", {"replay", "--input", "-", "--state-dir", replayed}, kEvent).code, 0);
}

// A state dir created before the marker holds all of segd's families and no marker: it is still
// read and resumed, and the replay marks it.
TEST(SegctlStateDirTest, AStateDirWithoutTheMarkerIsResumedAndMarked) {
  const TempDir dir("cli-state");
  const std::string state = dir.file("state");
  ASSERT_EQ(run("segctl", {"replay", "--input", "-", "--state-dir", state}, kEvent).code, 0);
  std::filesystem::remove(state + kMarker);
  EXPECT_EQ(run("segctl", {"inspect", "--state-dir", state, "c1"}).code, 0);
  EXPECT_FALSE(std::filesystem::exists(state + kMarker));
  // The same input with one more line: the resume starts after the committed first one.
  const std::string more = R"({"event_id":"e2","type":"page_view","customer_id":"c2","ts":2})";
  const Ran ran =
      run("segctl", {"replay", "--input", "-", "--state-dir", state}, kEvent + "\n" + more);
  EXPECT_EQ(ran.code, 0) << ran.err;
  EXPECT_TRUE(std::filesystem::is_regular_file(state + kMarker));
  EXPECT_EQ(run("segctl", {"inspect", "--state-dir", state, "c2"}).code, 0);
}

// Read-only: no new MANIFEST, WAL, OPTIONS or info log, no flush on close.
TEST(SegctlStateDirTest, InspectAndExportChangeNothingInTheStateDir) {
  const TempDir dir("cli-state");
  const std::string state = dir.file("state");
  ASSERT_EQ(run("segctl", {"replay", "--input", "-", "--state-dir", state}, kEvent).code, 0);
  const auto before = listing(state);
  EXPECT_EQ(run("segctl", {"inspect", "--state-dir", state, "c1"}).code, 0);
  EXPECT_EQ(run("segctl", {"export", "--state-dir", state}).code, 0);
  EXPECT_EQ(listing(state), before);
}

// The read-only open must not read a database a writer has open (RocksDB leaves that undefined);
// a second writer is refused by RocksDB's lock, and says so in the same words, alone (RocksDB's
// own "While lock file" warning came first).
TEST(SegctlStateDirTest, EveryCommandWhileAWriterHasTheStateDirOpenFails) {
  const TempDir dir("cli-state");
  const std::string state = dir.file("state");
  ASSERT_EQ(run("segctl", {"replay", "--input", "-", "--state-dir", state}, kEvent).code, 0);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : families(state)) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), state, descriptors, &handles, &raw).ok());
  const std::unique_ptr<rocksdb::DB> writer(raw);
  const std::vector<std::vector<std::string>> commands = {
      {"inspect", "--state-dir", state, "c1"},
      {"export", "--state-dir", state},
      {"replay", "--input", "-", "--state-dir", state},
      {"fit", "--state-dir", state},
  };
  for (const std::vector<std::string>& command : commands) {
    const Ran ran = run("segctl", command, kEvent);
    EXPECT_EQ(ran.code, 1) << command[0];
    EXPECT_EQ(ran.err,
              "segctl: state_dir_busy: " + state + ": open in another process (segd or segctl)\n")
        << command[0];
  }
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    EXPECT_TRUE(writer->DestroyColumnFamilyHandle(handle).ok());
  }
}

// An unknown id was echoed whole, however long (100 KB on the terminal).
TEST(SegctlStateDirTest, InspectOfAnUnknownCustomerNamesTheIdCutToAReadableLength) {
  const TempDir dir("cli-state");
  const std::string state = dir.file("state");
  const Ran replay = run("segctl", {"replay", "--input", "-", "--state-dir", state}, kEvent + "\n");
  ASSERT_EQ(replay.code, 0) << replay.err;
  const Ran nobody = run("segctl", {"inspect", "--state-dir", state, "nobody"});
  EXPECT_EQ(nobody.code, 1);
  EXPECT_EQ(nobody.err, "segctl: not_found: no customer 'nobody'\n");
  EXPECT_EQ(nobody.out, "");
  const Ran long_id = run("segctl", {"inspect", "--state-dir", state, std::string(100000, 'x')});
  EXPECT_EQ(long_id.code, 1);
  EXPECT_EQ(long_id.err,
            "segctl: not_found: no customer '" + std::string(256, 'x') + "'... (100000 bytes)\n");
  // Control bytes went to the terminal as they were (escape sequences included).
  const Ran escape = run("segctl", {"inspect", "--state-dir", state, "c\x1b[31mX\x07"});
  EXPECT_EQ(escape.code, 1);
  EXPECT_EQ(escape.err, "segctl: not_found: no customer 'c\\x1b[31mX\\x07'\n");
}

TEST(SegctlStateDirTest, ExportReadsAReplayedStateDir) {
  const TempDir dir("cli-state");
  const std::string state = dir.file("state");
  const std::string events = R"({"event_id":"e1","type":"page_view","customer_id":"c1","ts":1})";
  const Ran replay = run("segctl", {"replay", "--input", "-", "--state-dir", state}, events + "\n");
  ASSERT_EQ(replay.code, 0) << replay.err;
  const Ran ran = run("segctl", {"export", "--state-dir", state});
  EXPECT_EQ(ran.code, 0) << ran.err;
  EXPECT_NE(ran.out.find("\"customer_id\":\"c1\""), std::string::npos) << ran.out;
}

}  // namespace
}  // namespace segd::test
