// `pictor keys create|list|revoke|rotate` run as the binary: where the keys land (the same flags
// and environment as serve), what goes to stdout and stderr, bad input (exit 2, nothing written),
// a taken name, a missing or unusable store, and creates racing from several processes.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "core/api_key.h"
#include "harness.h"
#include "keys/sqlite/sqlite_key_store.h"

namespace pictor::integration {
namespace {

namespace fs = std::filesystem;

bool IsKeyLine(const std::string& out) {
  static const std::regex kKey("pk_[A-Za-z0-9_-]{43}\n");
  return std::regex_match(out, kKey);
}

std::string Trimmed(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

class KeysCliTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set"; }

  // `pictor keys ARGS...` in the test directory, with the embedded defaults (keys in
  // ./var/queue.jobs.db).
  RunResult Keys(std::vector<std::string> args, const EnvChanges& env = {}) {
    args.insert(args.begin(), "keys");
    RunResult r = RunPictor(dir_, args, env, 60s);
    EXPECT_FALSE(r.timed_out);
    return r;
  }

  // Creates `name` with `extra` flags; the key, or "" after a test failure.
  std::string Create(const std::string& name, std::vector<std::string> extra = {},
                     const EnvChanges& env = {}) {
    std::vector<std::string> args = {"create", "--name", name};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = Keys(args, env);
    EXPECT_EQ(r.code(), 0) << r.err;
    EXPECT_TRUE(IsKeyLine(r.out)) << "stdout: " << r.out;
    return r.code() == 0 ? Trimmed(r.out) : "";
  }

  // The record of `name` in the default SQLite file, read through the adapter.
  Result<ApiKeyRecord> StoredRecord(const std::string& name) {
    auto keys = OpenSqliteKeyStore(dir_ / "var/queue.jobs.db");
    if (!keys.ok()) return keys.status();
    return (*keys)->Get(name);
  }

  TempDir dir_;
};

TEST_F(KeysCliTest, CreatePrintsTheKeyAloneOnStdoutAndKeepsOnlyItsHash) {
  RunResult r = Keys({"create", "--name", "ci", "--scope", "generate,admin", "--rate", "60/min",
                      "--budget", "5usd/day", "--budget", "50usd/month"});
  ASSERT_EQ(r.code(), 0) << r.err;
  ASSERT_TRUE(IsKeyLine(r.out)) << "stdout: " << r.out;
  const std::string key = Trimmed(r.out);
  EXPECT_TRUE(LooksLikeApiKey(key));
  EXPECT_NE(r.err.find("'ci'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("queue.jobs.db"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(key), std::string::npos) << "the key went to stderr too";

  auto record = StoredRecord("ci");
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->hash, HashApiKey(key));
  EXPECT_EQ(record->scopes, kScopeGenerate | kScopeAdmin);
  EXPECT_EQ(record->rate, (RateLimit{60, 60}));
  EXPECT_EQ(record->budgets,
            (std::vector<Budget>{{5, BudgetPeriod::kDay}, {50, BudgetPeriod::kMonth}}));
  EXPECT_GT(record->created_ms, 0);
  EXPECT_EQ(record->revoked_ms, 0);
  const std::string db = ReadFile(dir_ / "var/queue.jobs.db");
  EXPECT_EQ(db.find(key), std::string::npos) << "the key itself is in the file";
}

TEST_F(KeysCliTest, DefaultsAreGenerateAndReadUnlimitedWithoutBudgets) {
  ASSERT_FALSE(Create("plain").empty());
  auto record = StoredRecord("plain");
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->scopes, kScopeGenerate | kScopeRead);
  EXPECT_TRUE(record->rate.unlimited());
  EXPECT_TRUE(record->budgets.empty());
}

TEST_F(KeysCliTest, ListShowsEveryKeyButNeverAKeyOrItsHash) {
  const std::string a = Create("alpha", {"--rate", "10/s", "--budget", "0.5usd/day"});
  const std::string b = Create("beta", {"--scope", "read"});
  ASSERT_TRUE(Keys({"revoke", "--name", "beta"}).code() == 0);
  RunResult r = Keys({"list"});
  ASSERT_EQ(r.code(), 0) << r.err;
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[0].rfind("NAME", 0), 0u) << lines[0];
  EXPECT_EQ(lines[1].rfind("alpha ", 0), 0u) << lines[1];
  EXPECT_NE(lines[1].find("generate,read"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("10/s"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("0.5usd/day"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("active"), std::string::npos) << lines[1];
  EXPECT_EQ(lines[2].rfind("beta ", 0), 0u) << lines[2];
  EXPECT_NE(lines[2].find("revoked 20"), std::string::npos) << lines[2];
  for (const std::string& secret : {a, b, HashApiKey(a), HashApiKey(b)}) {
    EXPECT_EQ(r.out.find(secret), std::string::npos) << secret;
    EXPECT_EQ(r.err.find(secret), std::string::npos) << secret;
  }
}

TEST_F(KeysCliTest, KeysGoBesideTheJobLedgerServeWouldOpen) {
  // --jobs sqlite:PATH: the table in that file.
  ASSERT_FALSE(Create("in-sqlite", {"--jobs", "sqlite:" + (dir_ / "records/jobs.db")}).empty());
  auto there = OpenSqliteKeyStore(dir_ / "records/jobs.db");
  ASSERT_TRUE(there.ok());
  EXPECT_TRUE((*there)->Get("in-sqlite").ok());
  // --queue sqlite:PATH: beside the queue, as serve's default ledger.
  ASSERT_FALSE(Create("beside-queue", {"--queue", "sqlite:" + (dir_ / "q/main.db")}).empty());
  EXPECT_TRUE(fs::exists(dir_ / "q/main.jobs.db"));
  // --jobs store: in the image store, under <key prefix>/keys/.
  ASSERT_FALSE(Create("in-images", {"--jobs", "store", "--store", "file:" + (dir_ / "img"),
                                    "--key-prefix", "team"})
                   .empty());
  EXPECT_TRUE(fs::is_regular_file(dir_ / "img/team/keys/in-images.json"));
  // PICTOR_JOBS=file:DIR (environment, as serve reads it): that store, under keys/.
  ASSERT_FALSE(
      Create("in-own-store", {}, {{"PICTOR_JOBS", "file:" + (dir_ / "records2")}}).empty());
  EXPECT_TRUE(fs::is_regular_file(dir_ / "records2/keys/in-own-store.json"));
  // ... and list finds each where it went.
  RunResult r = Keys(
      {"list", "--jobs", "store", "--store", "file:" + (dir_ / "img"), "--key-prefix", "team"});
  ASSERT_EQ(r.code(), 0) << r.err;
  EXPECT_NE(r.out.find("in-images"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("in-sqlite"), std::string::npos) << r.out;
}

TEST_F(KeysCliTest, BadInputIsAUsageErrorAndWritesNothing) {
  const std::vector<std::vector<std::string>> cases = {
      {"create"},
      {"create", "--name", ""},
      {"create", "--name", "Upper"},
      {"create", "--name", "has space"},
      {"create", "--name", "../etc"},
      {"create", "--name", std::string(65, 'a')},
      {"create", "--name", "ok", "--scope", "root"},
      {"create", "--name", "ok", "--scope", ""},
      {"create", "--name", "ok", "--scope", "read,read"},
      {"create", "--name", "ok", "--rate", "fast"},
      {"create", "--name", "ok", "--rate", "0/min"},
      {"create", "--name", "ok", "--rate", "60/week"},
      {"create", "--name", "ok", "--budget", "5eur/day"},
      {"create", "--name", "ok", "--budget", "0usd/day"},
      {"create", "--name", "ok", "--budget", "1.23456usd/day"},
      {"create", "--name", "ok", "--jobs", "mysql:x"},
      {"create", "--name", "ok", "--queue", "kafka://x"},
      {"create", "--name", "ok", "--unknown-flag"},
      {"revoke"},
      {"revoke", "--name", "Bad!"},
      {"rotate", "--name", "ok", "--grace", "forever"},
      {"rotate", "--name", "ok", "--grace", "31d"},
      {"rotate", "--name", "ok", "--grace", "-1h"},
      {"rotate", "--name", "ok", "--grace", "1w"},
      {"rotate", "--name", "ok", "--grace", ""},
      {"destroy", "--name", "ok"},
      {},
  };
  for (const auto& args : cases) {
    RunResult r = Keys(args);
    std::string shown;
    for (const auto& a : args) shown += " '" + a + "'";
    EXPECT_EQ(r.code(), 2) << shown << "\nstdout: " << r.out << "\nstderr: " << r.err;
    EXPECT_TRUE(r.out.empty()) << shown << ": " << r.out;
    EXPECT_FALSE(r.err.empty()) << shown;
  }
  EXPECT_FALSE(fs::exists(dir_ / "var")) << "bad input created the store";
}

TEST_F(KeysCliTest, ErrorsSayWhatIsExpected) {
  RunResult r = Keys({"create", "--name", "ok", "--budget", "5eur/day"});
  EXPECT_NE(r.err.find("5usd/day"), std::string::npos) << r.err;
  r = Keys({"create", "--name", "Upper"});
  EXPECT_NE(r.err.find("a-z"), std::string::npos) << r.err;
  r = Keys({"rotate", "--name", "ok", "--grace", "31d"});
  EXPECT_NE(r.err.find("30d"), std::string::npos) << r.err;
}

TEST_F(KeysCliTest, ATakenNameFailsAndKeepsTheFirstKey) {
  const std::string first = Create("ci");
  RunResult again = Keys({"create", "--name", "ci"});
  EXPECT_EQ(again.code(), 1) << again.err;
  EXPECT_TRUE(again.out.empty()) << again.out;
  EXPECT_NE(again.err.find("exists"), std::string::npos) << again.err;
  auto record = StoredRecord("ci");
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->hash, HashApiKey(first));
}

TEST_F(KeysCliTest, RevokeMarksTheKeyAndItsNameStaysTaken) {
  ASSERT_FALSE(Create("ci").empty());
  RunResult r = Keys({"revoke", "--name", "ci"});
  ASSERT_EQ(r.code(), 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  auto record = StoredRecord("ci");
  ASSERT_TRUE(record.ok());
  EXPECT_GT(record->revoked_ms, 0);
  const int64_t revoked_at = record->revoked_ms;

  r = Keys({"revoke", "--name", "ci"});  // again: harmless, the first time is kept
  EXPECT_EQ(r.code(), 0) << r.err;
  EXPECT_NE(r.err.find("already revoked"), std::string::npos) << r.err;
  EXPECT_EQ(StoredRecord("ci")->revoked_ms, revoked_at);

  EXPECT_EQ(Keys({"create", "--name", "ci"}).code(), 1);
  r = Keys({"rotate", "--name", "ci"});
  EXPECT_EQ(r.code(), 1) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("revoked"), std::string::npos) << r.err;
}

TEST_F(KeysCliTest, RevokeEndsARotatedKeysGrace) {
  ASSERT_FALSE(Create("ci").empty());
  ASSERT_EQ(Keys({"rotate", "--name", "ci", "--grace", "1h"}).code(), 0);
  ASSERT_FALSE(StoredRecord("ci")->previous_hash.empty());
  ASSERT_EQ(Keys({"revoke", "--name", "ci"}).code(), 0);
  auto record = StoredRecord("ci");
  ASSERT_TRUE(record.ok());
  EXPECT_TRUE(record->previous_hash.empty());
  EXPECT_EQ(record->previous_expires_ms, 0);
}

TEST_F(KeysCliTest, RotateReplacesTheKeyAndKeepsThePreviousOneForTheGrace) {
  const std::string old_key = Create("ci", {"--rate", "5/min", "--budget", "1usd/day"});
  const ApiKeyRecord before = *StoredRecord("ci");
  RunResult r = Keys({"rotate", "--name", "ci", "--grace", "2h"});
  ASSERT_EQ(r.code(), 0) << r.err;
  ASSERT_TRUE(IsKeyLine(r.out)) << r.out;
  const std::string new_key = Trimmed(r.out);
  EXPECT_NE(new_key, old_key);
  EXPECT_NE(r.err.find("until"), std::string::npos) << r.err;
  auto after = StoredRecord("ci");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->hash, HashApiKey(new_key));
  EXPECT_EQ(after->previous_hash, HashApiKey(old_key));
  // Two hours from the rotation, which happened after the key was created.
  EXPECT_GE(after->previous_expires_ms, before.created_ms + 2 * 3600 * 1000);
  EXPECT_LE(after->previous_expires_ms, before.created_ms + 2 * 3600 * 1000 + 600 * 1000);
  // Everything else is as it was.
  EXPECT_EQ(after->rate, before.rate);
  EXPECT_EQ(after->budgets, before.budgets);
  EXPECT_EQ(after->scopes, before.scopes);
  EXPECT_EQ(after->created_ms, before.created_ms);

  // Without --grace the previous key goes at once.
  r = Keys({"rotate", "--name", "ci"});
  ASSERT_EQ(r.code(), 0) << r.err;
  auto last = StoredRecord("ci");
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->hash, HashApiKey(Trimmed(r.out)));
  EXPECT_TRUE(last->previous_hash.empty());
  EXPECT_EQ(last->previous_expires_ms, 0);
}

TEST_F(KeysCliTest, RevokingOrRotatingAnUnknownKeyFails) {
  ASSERT_FALSE(Create("present").empty());
  for (const char* command : {"revoke", "rotate"}) {
    RunResult r = Keys({command, "--name", "absent"});
    EXPECT_EQ(r.code(), 1) << command << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_NE(r.err.find("no key named 'absent'"), std::string::npos) << r.err;
  }
}

TEST_F(KeysCliTest, AMissingStoreIsReportedAndNotCreated) {
  RunResult r = Keys({"list"});
  EXPECT_EQ(r.code(), 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("no keys"), std::string::npos) << r.err;
  for (const char* command : {"revoke", "rotate"}) {
    r = Keys({command, "--name", "ci"});
    EXPECT_EQ(r.code(), 1) << command;
    EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
  }
  r = Keys({"list", "--jobs", "store", "--store", "file:" + (dir_ / "nowhere")});
  EXPECT_EQ(r.code(), 0) << r.err;
  EXPECT_NE(r.err.find("no keys"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "var"));
  EXPECT_FALSE(fs::exists(dir_ / "nowhere"));
}

// Tests run as root, which no permission bit stops: a regular file where the store's directory
// should be makes it unusable for anyone.
TEST_F(KeysCliTest, AnUnusableStoreFailsWithoutPrintingAKey) {
  std::ofstream(dir_ / "var") << "a file, not a directory";
  RunResult r = Keys({"create", "--name", "ci"});
  EXPECT_EQ(r.code(), 1) << r.err;
  EXPECT_TRUE(r.out.empty()) << "a key was printed that no store holds: " << r.out;
  EXPECT_NE(r.err.find("./var"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Not a directory"), std::string::npos) << r.err;
  for (const char* command : {"revoke", "rotate"}) {
    r = Keys({command, "--name", "ci"});
    EXPECT_EQ(r.code(), 1) << command;
    EXPECT_TRUE(r.out.empty()) << command << ": " << r.out;
  }
  std::ofstream(dir_ / "img") << "a file, not a directory";
  r = Keys({"create", "--name", "ci", "--jobs", "store", "--store", "file:" + (dir_ / "img")});
  EXPECT_EQ(r.code(), 1) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

// stdout on a full device: the key cannot be shown, which the command must say rather than exit
// 0 with a stored key nobody has.
TEST_F(KeysCliTest, AKeyThatCannotBePrintedIsReportedWithTheWayOut) {
  ASSERT_TRUE(fs::exists("/dev/full")) << "the test needs /dev/full";
  for (const std::string command : {"create", "rotate"}) {
    RunResult r = RunCommand(
        dir_,
        {"/bin/sh", "-c", "exec \"$0\" keys " + command + " --name ci >/dev/full", PictorBinary()},
        {}, 60s);
    EXPECT_EQ(r.code(), 1) << command << ": " << r.err;
    EXPECT_NE(r.err.find("could not be written to stdout"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("pictor keys rotate --name ci"), std::string::npos) << r.err;
  }
  auto record = StoredRecord("ci");
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->revoked_ms, 0);
}

// Several processes create keys at once: one name has exactly one winner, and distinct names
// all land, in the SQLite file and in a file store alike.
class KeysRaceTest : public KeysCliTest, public testing::WithParamInterface<bool> {
 protected:
  std::vector<std::string> StoreFlags() {
    if (GetParam()) return {"--jobs", "store", "--store", "file:" + (dir_ / "img")};
    return {};
  }
  std::vector<std::unique_ptr<Process>> SpawnCreates(const std::vector<std::string>& names) {
    std::vector<std::unique_ptr<Process>> out;
    for (size_t i = 0; i < names.size(); ++i) {
      std::vector<std::string> argv = {PictorBinary(), "keys", "create", "--name", names[i]};
      for (const std::string& flag : StoreFlags()) argv.push_back(flag);
      const fs::path logs = dir_.path() / ("logs" + std::to_string(i));
      fs::create_directories(logs);
      std::string error;
      out.push_back(Process::Spawn(argv, {}, dir_.path(), logs, &error));
      EXPECT_NE(out.back(), nullptr) << error;
    }
    return out;
  }
};

TEST_P(KeysRaceTest, OneNameCreatedByFourProcessesAtOnceHasOneWinner) {
  auto processes = SpawnCreates({"same", "same", "same", "same"});
  int winners = 0;
  std::string winning_key;
  for (auto& p : processes) {
    ASSERT_NE(p, nullptr);
    auto status = p->Wait(60s);
    ASSERT_TRUE(status.has_value()) << "a create did not finish";
    if (status->exited && status->code == 0) {
      ++winners;
      EXPECT_TRUE(IsKeyLine(p->Stdout())) << p->Stdout();
      winning_key = Trimmed(p->Stdout());
    } else {
      EXPECT_TRUE(status->exited && status->code == 1) << p->Stderr();
      EXPECT_TRUE(p->Stdout().empty()) << p->Stdout();
      EXPECT_NE(p->Stderr().find("exists"), std::string::npos) << p->Stderr();
    }
  }
  EXPECT_EQ(winners, 1);
  std::vector<std::string> list = {"list"};
  for (const std::string& flag : StoreFlags()) list.push_back(flag);
  RunResult r = Keys(list);
  ASSERT_EQ(r.code(), 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2) << r.out;
  if (!GetParam()) {
    auto record = StoredRecord("same");
    ASSERT_TRUE(record.ok());
    EXPECT_EQ(record->hash, HashApiKey(winning_key));
  }
}

TEST_P(KeysRaceTest, DistinctNamesCreatedByFourProcessesAtOnceAllLand) {
  auto processes = SpawnCreates({"k1", "k2", "k3", "k4"});
  for (auto& p : processes) {
    ASSERT_NE(p, nullptr);
    auto status = p->Wait(60s);
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(status->exited && status->code == 0) << p->Stderr();
  }
  std::vector<std::string> list = {"list"};
  for (const std::string& flag : StoreFlags()) list.push_back(flag);
  RunResult r = Keys(list);
  ASSERT_EQ(r.code(), 0) << r.err;
  for (const char* name : {"k1", "k2", "k3", "k4"}) {
    EXPECT_NE(r.out.find(std::string("\n") + name + " "), std::string::npos) << r.out;
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, KeysRaceTest, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& info) {
                           return info.param ? "FileStore" : "Sqlite";
                         });

}  // namespace
}  // namespace pictor::integration
