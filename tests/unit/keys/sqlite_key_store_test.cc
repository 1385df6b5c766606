#include "keys/sqlite/sqlite_key_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/api_key.h"
#include "fakes/job_records.h"
#include "ledger/sqlite/sqlite_ledger.h"
#include "unit/sqlite/file_size_limit.h"

namespace pictor {
namespace {

namespace fs = std::filesystem;

ApiKeyRecord Record(const std::string& name) {
  ApiKeyRecord r;
  r.name = name;
  r.hash = HashApiKey(name);
  r.budgets = {Budget{5, BudgetPeriod::kDay}};
  r.created_ms = 1700000000000;
  return r;
}

class SqliteKeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pictor-keys-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    path_ = (dir_ / "var" / "queue.jobs.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs SQL on the file with SQLite itself, as an operator with the sqlite3 shell would.
  void Exec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error != nullptr ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(SqliteKeyStoreTest, SharesTheJobLedgersFile) {
  auto ledger = OpenSqliteLedger(path_);
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  auto keys = OpenSqliteKeyStore(path_);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_TRUE((*ledger)->Put(testing::SampleJobRecord("0a")).ok());
  ASSERT_TRUE((*keys)->Create(Record("ci")).ok());
  EXPECT_TRUE((*ledger)->Get("0a").ok());
  EXPECT_TRUE((*keys)->Get("ci").ok());
}

TEST_F(SqliteKeyStoreTest, KeysSurviveReopening) {
  {
    auto keys = OpenSqliteKeyStore(path_);
    ASSERT_TRUE(keys.ok());
    ASSERT_TRUE((*keys)->Create(Record("ci")).ok());
  }
  auto again = OpenSqliteKeyStore(path_);
  ASSERT_TRUE(again.ok());
  auto got = (*again)->Get("ci");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, Record("ci"));
}

TEST_F(SqliteKeyStoreTest, ADamagedRowIsDataLossForGetAndForList) {
  {
    auto keys = OpenSqliteKeyStore(path_);
    ASSERT_TRUE(keys.ok());
    ASSERT_TRUE((*keys)->Create(Record("good")).ok());
    ASSERT_TRUE((*keys)->Create(Record("bad")).ok());
  }
  for (const std::string& damage :
       {std::string("UPDATE api_keys SET budgets = 'lots' WHERE name = 'bad'"),
        std::string("UPDATE api_keys SET hash = 'x' WHERE name = 'bad'"),
        std::string("UPDATE api_keys SET scopes = 99 WHERE name = 'bad'"),
        std::string("UPDATE api_keys SET name = 'Bad' WHERE name = 'bad'")}) {
    Exec("UPDATE api_keys SET name = 'bad', hash = '" + HashApiKey("bad") +
         "', scopes = 3, budgets = '' WHERE name IN ('bad', 'Bad')");
    Exec(damage);
    auto keys = OpenSqliteKeyStore(path_);
    ASSERT_TRUE(keys.ok());
    if (damage.find("'Bad'") == std::string::npos) {
      EXPECT_EQ((*keys)->Get("bad").status().code(), StatusCode::kDataLoss) << damage;
    }
    EXPECT_EQ((*keys)->List().status().code(), StatusCode::kDataLoss) << damage;
    EXPECT_TRUE((*keys)->Get("good").ok()) << damage;
  }
}

// Tests run as root, which no permission bit stops: a regular file where the directory should
// be makes the path unusable for anyone.
TEST_F(SqliteKeyStoreTest, AnUnusablePathIsAnErrorNamingIt) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "var") << "a file, not a directory";
  auto keys = OpenSqliteKeyStore(path_);
  ASSERT_FALSE(keys.ok());
  EXPECT_NE(keys.status().message().find((dir_ / "var").string()), std::string::npos)
      << keys.status().ToString();
}

// A file that may not grow (a full disk, a quota): creates fail with ResourceExhausted, and what
// was stored before stays readable. The child process opens its own store (fork needs a process
// with one thread: this store has no threads of its own).
TEST_F(SqliteKeyStoreTest, AFullDiskFailsCreatesAndKeepsEarlierKeys) {
  {
    auto keys = OpenSqliteKeyStore(path_);
    ASSERT_TRUE(keys.ok());
    ASSERT_TRUE((*keys)->Create(Record("before")).ok());
  }
  const std::string outcome =
      testing::FirstFailureWithFileSizeLimit(64 * 1024, [&]() -> std::optional<StatusCode> {
        auto keys = OpenSqliteKeyStore(path_);
        if (!keys.ok()) return keys.status().code();
        for (int i = 0; i < 200; ++i) {  // a commit appends at least a page to the log
          Status s = (*keys)->Create(Record("k" + std::to_string(i)));
          if (!s.ok()) return s.code();
        }
        return std::nullopt;
      });
  EXPECT_EQ(outcome, "resource_exhausted");
  auto keys = OpenSqliteKeyStore(path_);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  auto all = (*keys)->List();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_FALSE(all->empty());
  EXPECT_EQ(all->front().name, "before");
  EXPECT_LT(all->size(), 201u);
}

TEST_F(SqliteKeyStoreTest, AFileThatIsNotADatabaseIsRefused) {
  fs::create_directories(dir_ / "var");
  std::ofstream(path_) << std::string(4096, 'x');
  auto keys = OpenSqliteKeyStore(path_);
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.status().code(), StatusCode::kDataLoss) << keys.status().ToString();
}

}  // namespace
}  // namespace pictor
