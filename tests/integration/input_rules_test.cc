// The input rules through the binary: numbers on the command line, in the environment and in the
// alarm's TOML (finite and in range, else exit 2 naming the flag or key); prompts with control or
// only invisible characters; JSON objects that name a key twice, in HTTP bodies (400 naming the
// key) and in queue messages (dead-lettered at once with the reason).
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "harness.h"
#include "serve_fixture.h"

namespace pictor::integration {
namespace {

// Each numeric flag of each subcommand, read from the subcommand's --help (so a flag added later
// is covered too), with the arguments the subcommand needs to get past parsing.
struct NumericFlag {
  std::vector<std::string> command;  // subcommand and required arguments
  std::string flag;
};

std::vector<NumericFlag> NumericFlags(const TempDir& dir) {
  const std::string store = StoreSpec(dir), queue = QueueSpec(dir);
  const std::vector<std::vector<std::string>> commands = {
      {"generate", "a cat", "-o", dir / "x.png"},
      {"send", "a cat", "--queue", queue},
      {"serve", "--listen", "127.0.0.1:0", "--store", store, "--queue", queue},
      {"worker", "--store", store, "--queue", queue},
      {"alarm", "--queue", queue},
      {"lambda", "--store", store},
  };
  // "  --period INT:INT in [1 - 86400]", "  -c,--concurrency INT", "  --threshold FLOAT:..."
  static const std::regex kNumeric(R"(^\s+(?:-\w,)?(--[a-z0-9-]+)\s+(?:INT|UINT|FLOAT|NUMBER)\b)");
  std::vector<NumericFlag> flags;
  for (const auto& command : commands) {
    RunResult help = RunPictor(dir, {command[0], "--help"});
    EXPECT_EQ(help.code(), 0) << command[0] << " --help: " << help.err;
    std::istringstream lines(help.out);
    std::string line;
    int found = 0;
    while (std::getline(lines, line)) {
      std::smatch m;
      if (std::regex_search(line, m, kNumeric)) {
        flags.push_back({command, m[1]});
        ++found;
      }
    }
    EXPECT_GT(found, 0) << command[0] << " --help lists no numeric flag:\n" << help.out;
  }
  return flags;
}

// What a refused number's message says (the validators' words, not "was not expected").
bool NamesTheProblem(const std::string& err) {
  for (const char* words :
       {"is not an integer", "is not a finite number", "is out of range", "is not a decimal"}) {
    if (err.find(words) != std::string::npos) return true;
  }
  return false;
}

class InputRulesCliTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set"; }

  // Exit 2 with `expected` in stderr. A value that is wrongly accepted starts a long-running
  // command (alarm, serve, worker): it is stopped after 15 s and reported.
  // Returns stderr.
  std::string ExpectUsageError(const std::vector<std::string>& args, const std::string& expected,
                               const EnvChanges& env = {}) {
    RunResult r = RunPictor(dir_, args, env, 15s);
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    EXPECT_FALSE(r.timed_out) << shown << "was accepted and kept running";
    EXPECT_EQ(r.code(), 2) << shown << "\nstderr: " << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << shown << "\nstderr: " << r.err;
    return r.err;
  }

  TempDir dir_;
};

TEST_F(InputRulesCliTest, NonFiniteNumbersAreUsageErrorsInEveryNumericFlag) {
  for (const NumericFlag& f : NumericFlags(dir_)) {
    for (const char* value : {"nan", "inf", "-inf", "1e400", "infinity"}) {
      std::vector<std::string> args = f.command;
      args.insert(args.end(), {f.flag, value});
      std::string err = ExpectUsageError(args, f.flag);
      EXPECT_TRUE(NamesTheProblem(err))
          << f.command[0] << " " << f.flag << " " << value << ": " << err;
    }
  }
}

TEST_F(InputRulesCliTest, OutOfRangeAndNonDecimalNumbersAreUsageErrors) {
  for (const NumericFlag& f : NumericFlags(dir_)) {
    for (const char* value : {"99999999999999999999999", "0x10", "1e16", "5s"}) {
      std::vector<std::string> args = f.command;
      args.insert(args.end(), {f.flag, value});
      std::string err = ExpectUsageError(args, f.flag);
      EXPECT_TRUE(NamesTheProblem(err))
          << f.command[0] << " " << f.flag << " " << value << ": " << err;
    }
  }
}

TEST_F(InputRulesCliTest, AlarmThresholdNanNamesTheProblem) {
  ExpectUsageError({"alarm", "--queue", QueueSpec(dir_), "--threshold", "nan"},
                   "is not a finite number");
  ExpectUsageError({"alarm", "--queue", QueueSpec(dir_), "--threshold", "1e400"}, "out of range");
}

TEST_F(InputRulesCliTest, NumbersFromTheEnvironmentFollowTheSameRules) {
  for (const char* value : {"nan", "inf", "1e400", "0x10", "99999999999"}) {
    ExpectUsageError({"lambda", "--store", StoreSpec(dir_)}, "--concurrency",
                     {{"PICTOR_LAMBDA_CONCURRENCY", value}});
    ExpectUsageError({"lambda", "--store", StoreSpec(dir_)}, "--deadline-margin-ms",
                     {{"PICTOR_LAMBDA_DEADLINE_MARGIN_MS", value}});
  }
}

TEST_F(InputRulesCliTest, NonFiniteOrOutOfRangeTomlValuesAreUsageErrorsNamingTheKey) {
  const std::string config = dir_ / "alarm.toml";
  const std::vector<std::pair<std::string, std::string>> lines = {
      {"age_threshold = nan", "age_threshold"},
      {"threshold = inf", "threshold"},
      {"threshold = -inf", "threshold"},
      {"age_threshold = 1e300", "age_threshold"},
      {"period = 4294967356", "period"},
      {"evaluation_periods = 0", "evaluation_periods"},
      {"datapoints_to_alarm = 101", "datapoints_to_alarm"},
  };
  for (const auto& [line, key] : lines) {
    std::ofstream(config) << line << "\n";
    ExpectUsageError({"alarm", "--queue", QueueSpec(dir_), "--alarm-config", config}, key);
  }
}

TEST_F(InputRulesCliTest, SendRefusesInvisibleOnlyAndC1Prompts) {
  ExpectUsageError({"send", "\u200B\uFEFF\u2060", "--queue", QueueSpec(dir_)},
                   "prompt is required");
  ExpectUsageError({"send", "a cat\u0085", "--queue", QueueSpec(dir_)}, "U+0085");
  ExpectUsageError({"generate", "\u00AD\u200D", "-o", dir_ / "x.png"}, "prompt is required");
}

TEST_F(ServeTest, DuplicateJsonKeyIsA400NamingTheKey) {
  for (const std::string path : {"/generate-image", "/jobs"}) {
    HttpResult r =
        Post(path, R"({"prompt": "a cat", "width": 64, "height": 64, "prompt": "a dog"})");
    EXPECT_EQ(r.status, 400) << path << ": " << r.body;
    Json j = ParseJson(r);
    EXPECT_EQ(j["error"], "duplicate_key") << r.body;
    EXPECT_NE(j.dump().find("prompt"), std::string::npos) << r.body;
  }
  auto q = QueueState(QueuePath(dir_));
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->visible + q->in_flight + q->delayed, 0) << "a refused job was queued";
}

TEST_F(ServeTest, InvisibleOnlyPromptIsPromptRequiredAndC1IsInvalidPrompt) {
  HttpResult empty = Post("/generate-image", "{\"prompt\": \"\u200B\u2066\u2069\uFE0F\"}");
  EXPECT_EQ(empty.status, 400) << empty.body;
  EXPECT_EQ(ParseJson(empty)["error"], "prompt_required") << empty.body;
  HttpResult c1 = Post("/jobs", R"({"prompt": "a cat\u0085"})");
  EXPECT_EQ(c1.status, 400) << c1.body;
  EXPECT_EQ(ParseJson(c1)["error"], "invalid_prompt") << c1.body;
}

TEST(InputRulesWorkerTest, QueueMessageWithADuplicateKeyIsDeadLetteredWithTheReason) {
  ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set";
  TempDir dir;
  auto ids = SendToQueue(QueuePath(dir), {R"({"prompt": "a cat", "seed": 1, "seed": 2})",
                                          R"({"prompt": "a dog", "width": 64, "height": 64})"});
  ASSERT_EQ(ids.size(), 2u);
  std::unique_ptr<Process> worker;
  ASSERT_TRUE(StartWorker(dir, &worker, {"--concurrency", "1"}));
  EXPECT_TRUE(WaitUntil(
      [&] {
        auto q = QueueState(QueuePath(dir));
        return q && q->visible == 0 && q->in_flight == 0 && q->delayed == 0;
      },
      60s));
  auto dead = DeadLetters(QueuePath(dir));
  ASSERT_EQ(dead.size(), 1u) << worker->Stderr();
  EXPECT_EQ(dead[0].message_id, ids[0]);
  EXPECT_EQ(dead[0].receive_count, 1);
  EXPECT_NE(dead[0].reason.find("duplicate key \"seed\""), std::string::npos) << dead[0].reason;
  EXPECT_EQ(PngFilesUnder(dir.path() / "images").size(), 1u);
  worker->Signal(SIGTERM);
  EXPECT_TRUE(worker->Wait(20s).has_value());
}

}  // namespace
}  // namespace pictor::integration
