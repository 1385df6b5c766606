// The command line of the pictor binary: help and version, argument errors (exit 2 with a
// message on stderr), `send`, `generate`, and the environment variables the subcommands read.
#include <gtest/gtest.h>
#include <signal.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "harness.h"

namespace pictor::integration {
namespace {

constexpr const char* kUnicodePrompt = "En katt og en hund som utforsker verdensrommet sammen ✨";

bool IsUuid(const std::string& text) {
  static const std::regex kUuid("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n?");
  return std::regex_match(text, kUuid);
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// Receives every visible message of the queue at `path` (hiding them for a minute).
std::vector<ReceivedMessage> ReceiveAll(const std::string& path) {
  SqliteQueueOptions options;
  options.path = path;
  auto queue = OpenSqliteQueue(options);
  EXPECT_TRUE(queue.ok()) << queue.status().ToString();
  if (!queue.ok()) return {};
  std::vector<ReceivedMessage> all;
  while (true) {
    auto got = (*queue)->Receive(ReceiveOptions{kMaxBatch, std::chrono::seconds(60), {}});
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok() || got->empty()) return all;
    all.insert(all.end(), got->begin(), got->end());
  }
}

class CliTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(PictorBinary().empty()) << "PICTOR_BIN is not set"; }

  // Expects exit code 2 and a non-empty message on stderr; returns stderr.
  std::string ExpectUsageError(const std::vector<std::string>& args, const EnvChanges& env = {}) {
    RunResult r = RunPictor(dir_, args, env, 30s);
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.code(), 2) << "stdout: " << r.out << "\nstderr: " << r.err;
    EXPECT_FALSE(r.err.empty());
    return r.err;
  }

  TempDir dir_;
};

TEST_F(CliTest, VersionPrintsVersionAndExitsZero) {
  RunResult r = RunPictor(dir_, {"--version"});
  EXPECT_EQ(r.code(), 0) << r.err;
  EXPECT_NE(r.out.find("pictor " PICTOR_VERSION), std::string::npos) << r.out;
}

TEST_F(CliTest, EveryHelpExitsZeroAndNamesTheCommand) {
  const std::vector<std::vector<std::string>> helps = {{"--help"},
                                                       {"generate", "--help"},
                                                       {"serve", "--help"},
                                                       {"worker", "--help"},
                                                       {"send", "--help"}};
  for (const auto& args : helps) {
    RunResult r = RunPictor(dir_, args);
    EXPECT_EQ(r.code(), 0) << args[0] << ": " << r.err;
    EXPECT_NE(r.out.find(args.size() == 1 ? "generate" : args[0]), std::string::npos)
        << args[0] << " help: " << r.out;
  }
}

TEST_F(CliTest, UnknownFlagIsAUsageError) {
  ExpectUsageError({"generate", "a cat", "--no-such-flag"});
}

TEST_F(CliTest, UnknownSubcommandIsAUsageError) { ExpectUsageError({"paint", "a cat"}); }

TEST_F(CliTest, MissingPromptIsAUsageError) {
  ExpectUsageError({"generate"});
  ExpectUsageError({"send", "--queue", QueueSpec(dir_)});
}

TEST_F(CliTest, SizeWithoutHeightIsAUsageError) {
  std::string err = ExpectUsageError({"generate", "a cat", "--size", "12", "-o", dir_ / "x.png"});
  EXPECT_NE(err.find("size"), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "x.png"));
}

TEST_F(CliTest, SizeOutOfRangeIsAUsageError) {
  ExpectUsageError({"generate", "a cat", "--size", "32x32", "-o", dir_ / "x.png"});
  ExpectUsageError({"generate", "a cat", "--size", "4096x512", "-o", dir_ / "x.png"});
}

TEST_F(CliTest, NegativeSeedIsAUsageError) {
  ExpectUsageError({"generate", "a cat", "--seed", "-1", "-o", dir_ / "x.png"});
  ExpectUsageError({"send", "a cat", "--seed", "-1", "--queue", QueueSpec(dir_)});
}

TEST_F(CliTest, SeedAboveMaximumIsAUsageError) {
  ExpectUsageError({"generate", "a cat", "--seed", "2147483647", "-o", dir_ / "x.png"});
}

TEST_F(CliTest, WorkerOptionsOutOfRangeAreUsageErrors) {
  const std::vector<std::string> store_and_queue = {"--store", StoreSpec(dir_), "--queue",
                                                    QueueSpec(dir_)};
  auto worker = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "worker");
    args.insert(args.end(), store_and_queue.begin(), store_and_queue.end());
    return args;
  };
  ExpectUsageError(worker({"--concurrency", "0"}));
  ExpectUsageError(worker({"--visibility-timeout", "4"}));
  ExpectUsageError(worker({"--max-receive-count", "0"}));
  ExpectUsageError(worker({"--log-level", "chatty"}));
}

TEST_F(CliTest, UnknownStoreSchemeNamesTheAcceptedSchemes) {
  std::string err = ExpectUsageError({"worker", "--store", "s4://x", "--queue", QueueSpec(dir_)});
  EXPECT_NE(err.find("s4://x"), std::string::npos) << err;
  EXPECT_NE(err.find("file:"), std::string::npos) << err;
}

TEST_F(CliTest, UnknownQueueSchemeNamesTheAcceptedSchemes) {
  std::string err = ExpectUsageError({"send", "a cat", "--queue", "redis://x"});
  EXPECT_NE(err.find("redis://x"), std::string::npos) << err;
  EXPECT_NE(err.find("sqlite:"), std::string::npos) << err;
}

TEST_F(CliTest, UnknownJobLedgerNamesTheAcceptedSpecs) {
  std::string err = ExpectUsageError(
      {"worker", "--store", StoreSpec(dir_), "--queue", QueueSpec(dir_), "--jobs", "mysql://x"});
  EXPECT_NE(err.find("mysql://x"), std::string::npos) << err;
  for (const char* spec : {"sqlite:", "store", "s3://", "none"}) {
    EXPECT_NE(err.find(spec), std::string::npos) << spec << " in " << err;
  }
}

TEST_F(CliTest, SqliteJobLedgerWithoutAFileIsAUsageError) {
  std::string err = ExpectUsageError(
      {"worker", "--store", StoreSpec(dir_), "--queue", QueueSpec(dir_), "--jobs", "sqlite:"});
  EXPECT_NE(err.find("sqlite:PATH"), std::string::npos) << err;
}

TEST_F(CliTest, UnknownModelIsAUsageError) {
  std::string err = ExpectUsageError({"generate", "a cat", "--model", "dall-e", "-o", dir_ / "x"});
  EXPECT_NE(err.find("builtin"), std::string::npos) << err;
}

TEST_F(CliTest, SendPrintsAUuidAndQueuesTheBodyUnchanged) {
  RunResult r = RunPictor(dir_, {"send", kUnicodePrompt, "--queue", QueueSpec(dir_)});
  ASSERT_EQ(r.code(), 0) << r.err;
  ASSERT_TRUE(IsUuid(r.out)) << "'" << r.out << "'";
  auto messages = ReceiveAll(QueuePath(dir_));
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].message_id, Trimmed(r.out));
  EXPECT_EQ(messages[0].body, kUnicodePrompt);
}

TEST_F(CliTest, SendWithSizeQueuesAJsonJob) {
  RunResult r = RunPictor(
      dir_, {"send", "a red fox", "--size", "64x96", "--seed", "7", "--queue", QueueSpec(dir_)});
  ASSERT_EQ(r.code(), 0) << r.err;
  auto messages = ReceiveAll(QueuePath(dir_));
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].body, R"({"height":96,"prompt":"a red fox","seed":7,"width":64})");
}

TEST_F(CliTest, SendEmptyPromptIsAUsageErrorAndQueuesNothing) {
  ExpectUsageError({"send", "", "--queue", QueueSpec(dir_)});
  ExpectUsageError({"send", "   ", "--queue", QueueSpec(dir_)});
  EXPECT_TRUE(ReceiveAll(QueuePath(dir_)).empty());
}

TEST_F(CliTest, SendTooLongPromptIsAUsageError) {
  ExpectUsageError({"send", std::string(513, 'a'), "--queue", QueueSpec(dir_)});
}

TEST_F(CliTest, SendToAQueueThatCannotBeCreatedFailsWithAMessage) {
  RunResult r = RunPictor(dir_, {"send", "a cat", "--queue", "sqlite:/proc/pictor-no/dir/q.db"});
  EXPECT_FALSE(r.timed_out);
  EXPECT_TRUE(r.code() == 1 || r.code() == 2) << "exit " << r.code() << ": " << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("/proc/pictor-no"), std::string::npos) << r.err;
}

TEST_F(CliTest, GenerateWritesAPngOfTheRequestedSize) {
  RunResult r =
      RunPictor(dir_, {"generate", "a lighthouse", "-o", dir_ / "a.png", "--size", "160x96"});
  ASSERT_EQ(r.code(), 0) << r.err;
  EXPECT_EQ(Trimmed(r.out), dir_ / "a.png");
  auto png = DecodePng(ReadFile(dir_ / "a.png"));
  ASSERT_TRUE(png.has_value());
  EXPECT_EQ(png->width, 160u);
  EXPECT_EQ(png->height, 96u);
}

TEST_F(CliTest, GenerateWithTheSameSeedWritesIdenticalFiles) {
  for (const char* name : {"a.png", "b.png", "c.png"}) {
    std::string seed = std::string(name) == "c.png" ? "43" : "42";
    RunResult r = RunPictor(dir_, {"generate", "a cat and a dog in space", "-o", dir_ / name,
                                   "--seed", seed, "--size", "256x256"});
    ASSERT_EQ(r.code(), 0) << r.err;
  }
  std::string a = ReadFile(dir_ / "a.png");
  ASSERT_TRUE(DecodePng(a).has_value());
  EXPECT_EQ(a, ReadFile(dir_ / "b.png"));
  EXPECT_NE(a, ReadFile(dir_ / "c.png"));
}

// `generate -o PATH` replaces a regular file only, and writes through nothing planted.
class GenerateOutputTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    victim_ = dir_ / "victim.txt";
    std::ofstream(victim_) << "precious";
  }
  RunResult Generate(const std::string& out) {
    return RunPictor(dir_, {"generate", "a cat", "-o", out, "--size", "64x64"}, {}, 30s);
  }
  // Expects the refusal (exit 2) with a message naming the path and what is there.
  void ExpectRefused(const RunResult& r, const std::string& out, const std::string& kind) {
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.code(), 2) << r.err;
    EXPECT_NE(r.err.find(out), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(kind), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(ReadFile(victim_), "precious");
    ExpectNoTemporaryFile();
  }
  // No temporary file is left in the test directory.
  void ExpectNoTemporaryFile() {
    for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
      EXPECT_NE(e.path().filename().string().rfind(".pictor-tmp-", 0), 0u) << e.path();
      EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
    }
  }
  std::string victim_;
};

TEST_F(GenerateOutputTest, ReplacesARegularFileAndLeavesNoTemporaryFile) {
  const std::string out = dir_ / "out.png";
  std::ofstream(out) << "old";
  RunResult r = Generate(out);
  ASSERT_EQ(r.code(), 0) << r.err;
  EXPECT_TRUE(DecodePng(ReadFile(out)).has_value());
  ExpectNoTemporaryFile();
}

TEST_F(GenerateOutputTest, RefusesASymlinkAtThePath) {
  const std::string out = dir_ / "out.png";
  std::filesystem::create_symlink(victim_, out);
  ExpectRefused(Generate(out), out, "symbolic link");
  EXPECT_TRUE(std::filesystem::is_symlink(out));
}

TEST_F(GenerateOutputTest, RefusesAFifoWithoutBlocking) {
  const std::string out = dir_ / "out.png";
  ASSERT_EQ(::mkfifo(out.c_str(), 0644), 0);
  ExpectRefused(Generate(out), out, "FIFO");
  EXPECT_TRUE(std::filesystem::is_fifo(out));
}

TEST_F(GenerateOutputTest, RefusesADirectory) {
  const std::string out = dir_ / "out.png";
  std::filesystem::create_directory(out);
  ExpectRefused(Generate(out), out, "directory");
  EXPECT_TRUE(std::filesystem::is_directory(out));
  EXPECT_TRUE(std::filesystem::is_empty(out));
}

// A link planted at the temporary name an older version chose (PATH.tmp-<pid>), by a shell that
// then becomes pictor (exec keeps its pid): it is neither followed nor replaced.
TEST_F(GenerateOutputTest, NeverWritesThroughALinkAtAPredictableTemporaryName) {
  const std::string out = dir_ / "out.png";
  const std::string script =
      "ln -s \"$1\" \"$2.tmp-$$\" && exec \"$3\" generate 'a cat' -o \"$2\" --size 64x64";
  RunResult r =
      RunCommand(dir_, {"/bin/sh", "-c", script, "sh", victim_, out, PictorBinary()}, {}, 30s);
  ASSERT_EQ(r.code(), 0) << r.err;
  EXPECT_EQ(ReadFile(victim_), "precious");
  EXPECT_TRUE(DecodePng(ReadFile(out)).has_value());
}

TEST_F(CliTest, AnAlarmStateDirectoryThatCannotBeCreatedIsNamed) {
  std::ofstream(dir_ / "afile") << "a file, not a directory";
  RunResult r = RunPictor(
      dir_, {"alarm", "--queue", QueueSpec(dir_), "--alarm-state", dir_ / "afile/alarm.db"}, {},
      30s);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.code(), 1) << r.err;
  EXPECT_NE(r.err.find("cannot create " + dir_ / "afile" + " for the alarm state"),
            std::string::npos)
      << r.err;
}

TEST_F(CliTest, PictorQueueEnvironmentVariableIsHonoured) {
  const std::string path = dir_ / "env-queue.db";
  RunResult r =
      RunPictor(dir_, {"send", "from the environment"}, {{"PICTOR_QUEUE", "sqlite:" + path}});
  ASSERT_EQ(r.code(), 0) << r.err;
  auto messages = ReceiveAll(path);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].body, "from the environment");
}

TEST_F(CliTest, SqsQueueUrlEnvironmentVariableIsHonoured) {
  const std::string path = dir_ / "sqs-env-queue.db";
  RunResult r =
      RunPictor(dir_, {"send", "via SQS_QUEUE_URL"}, {{"SQS_QUEUE_URL", "sqlite:" + path}});
  ASSERT_EQ(r.code(), 0) << r.err;
  auto messages = ReceiveAll(path);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].body, "via SQS_QUEUE_URL");
}

TEST_F(CliTest, QueueFlagOverridesTheEnvironment) {
  const std::string env_path = dir_ / "env-queue.db";
  RunResult r = RunPictor(dir_, {"send", "flag wins", "--queue", QueueSpec(dir_)},
                          {{"PICTOR_QUEUE", "sqlite:" + env_path}});
  ASSERT_EQ(r.code(), 0) << r.err;
  EXPECT_EQ(ReceiveAll(QueuePath(dir_)).size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(env_path));
}

// Runs a worker configured only through `env` until one PNG appears under `expected_dir`, then
// stops it with SIGTERM.
void ExpectWorkerStoresUnder(const TempDir& dir, const EnvChanges& env,
                             const std::filesystem::path& expected_dir) {
  RunResult sent = RunPictor(dir, {"send", "a small boat", "--size", "64x64"}, env);
  ASSERT_EQ(sent.code(), 0) << sent.err;
  std::vector<std::string> argv = {PictorBinary(), "worker", "--concurrency", "1"};
  std::string error;
  auto worker = Process::Spawn(argv, env, dir.path(), dir.path(), &error);
  ASSERT_TRUE(worker) << error;
  bool stored = WaitUntil([&] { return !PngFilesUnder(expected_dir).empty(); }, 60s);
  worker->Signal(SIGTERM);
  auto exit = worker->Wait(20s);
  ASSERT_TRUE(stored) << "no image under " << expected_dir << "; worker stderr:\n"
                      << worker->Stderr();
  auto files = PngFilesUnder(expected_dir);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NE(files[0].filename().string().find(Trimmed(sent.out)), std::string::npos)
      << files[0] << " does not carry message id " << sent.out;
  ASSERT_TRUE(exit.has_value());
  EXPECT_TRUE(exit->exited && exit->code == 0) << worker->Stderr();
}

TEST_F(CliTest, WorkerHonoursStoreQueueAndKeyPrefixFromTheEnvironment) {
  EnvChanges env = {{"PICTOR_STORE", "file:" + (dir_ / "env-images")},
                    {"PICTOR_QUEUE", "sqlite:" + (dir_ / "env-queue.db")},
                    {"KEY_PREFIX", "cand"}};
  ExpectWorkerStoresUnder(dir_, env, dir_ / "env-images/cand/generated_images/from_queue");
}

TEST_F(CliTest, WorkerHonoursCandidatePrefix) {
  EnvChanges env = {{"PICTOR_STORE", "file:" + (dir_ / "env-images")},
                    {"PICTOR_QUEUE", "sqlite:" + (dir_ / "env-queue.db")},
                    {"CANDIDATE_PREFIX", "candidate-7"}};
  ExpectWorkerStoresUnder(dir_, env, dir_ / "env-images/candidate-7/generated_images/from_queue");
}

TEST_F(CliTest, DefaultsLiveUnderTheWorkingDirectory) {
  ExpectWorkerStoresUnder(dir_, {}, dir_ / "var/images/generated_images/from_queue");
  EXPECT_TRUE(std::filesystem::exists(dir_ / "var/queue.db"));
}

}  // namespace
}  // namespace pictor::integration
