// The one SQLite layer's statements: binding, stepping, reading, the cache, and their errors.
#include "sqlite/statement.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "sqlite/connection.h"

namespace pictor::sqlite {
namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;

class StatementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "pictor-sqlite-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    ConnectionOptions options;
    options.name = "test database";
    auto db = Connection::Open((dir_ / "test.db").string(), options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    ASSERT_TRUE(db_->Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT UNIQUE, n INTEGER)").ok());
  }
  void TearDown() override {
    db_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  Status Insert(int64_t id, std::string_view v) {
    auto insert = db_->Prepare("INSERT INTO t(id, v) VALUES (?1, ?2)");
    if (!insert.ok()) return insert.status();
    return insert->Bind(1, id).Bind(2, v).Run();
  }

  fs::path dir_;
  std::unique_ptr<Connection> db_;
};

TEST_F(StatementTest, BindsAndReadsIntegersAndText) {
  ASSERT_TRUE(Insert(int64_t{1} << 40, "wörd").ok());
  auto select = db_->Prepare("SELECT id, v, n FROM t");
  ASSERT_TRUE(select.ok());
  ASSERT_TRUE(*select->Step());
  EXPECT_EQ(select->Int(0), int64_t{1} << 40);
  EXPECT_EQ(select->Text(1), "wörd");
  EXPECT_TRUE(select->IsNull(2));
  EXPECT_EQ(select->Text(2), "");
  EXPECT_FALSE(*select->Step());
}

TEST_F(StatementTest, TextKeepsEmbeddedNulsAndAnEmptyViewIsNotNull) {
  ASSERT_TRUE(Insert(1, "a\0b"s).ok());
  ASSERT_TRUE(Insert(2, std::string_view()).ok());
  auto select = db_->Prepare("SELECT v FROM t ORDER BY id");
  ASSERT_TRUE(*select->Step());
  EXPECT_EQ(select->Text(0), "a\0b"s);
  ASSERT_TRUE(*select->Step());
  EXPECT_FALSE(select->IsNull(0));
  EXPECT_EQ(select->Text(0), "");
}

TEST_F(StatementTest, BindNullStoresNull) {
  auto insert = db_->Prepare("INSERT INTO t(id, v) VALUES (1, ?1)");
  ASSERT_TRUE(insert->BindNull(1).Run().ok());
  auto select = db_->Prepare("SELECT v IS NULL FROM t");
  ASSERT_TRUE(*select->Step());
  EXPECT_EQ(select->Int(0), 1);
}

// The error comes from the connection with its extended code: a duplicate in a UNIQUE column
// is AlreadyExists (SQLITE_CONSTRAINT_UNIQUE), where the primary code alone would only say
// FailedPrecondition.
TEST_F(StatementTest, StepErrorIsTranslatedWithTheConnectionsExtendedCode) {
  ASSERT_TRUE(Insert(1, "same").ok());
  Status duplicate = Insert(2, "same");
  EXPECT_EQ(duplicate.code(), StatusCode::kAlreadyExists) << duplicate.ToString();
  EXPECT_EQ(duplicate.message(), "test database: UNIQUE constraint failed: t.v");
  auto not_null = db_->Exec("CREATE TABLE u(x NOT NULL); INSERT INTO u VALUES (NULL)");
  EXPECT_EQ(not_null.code(), StatusCode::kFailedPrecondition) << not_null.ToString();
}

TEST_F(StatementTest, FailedBindIsReportedByStepAndClearedByReset) {
  auto select = db_->Prepare("SELECT ?1");
  ASSERT_TRUE(select.ok());
  auto row = select->Bind(1, 5).Bind(3, 7).Step();  // there is no ?3
  ASSERT_FALSE(row.ok());
  EXPECT_EQ(row.status().code(), StatusCode::kInternal) << row.status().ToString();
  EXPECT_NE(row.status().message().find("binding parameter 3"), std::string::npos)
      << row.status().message();
  select->Reset();
  ASSERT_TRUE(*select->Bind(1, 9).Step());
  EXPECT_EQ(select->Int(0), 9);
}

TEST_F(StatementTest, SqlThatDoesNotCompileIsAnErrorNotAStatement) {
  auto bad = db_->Prepare("SELECT FROM WHERE");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInternal);
  EXPECT_NE(bad.status().message().find("preparing a statement"), std::string::npos)
      << bad.status().message();
}

// A handle gives its cached statement back rewound and unbound: the next user starts clean.
TEST_F(StatementTest, CachedStatementComesBackRewoundAndUnbound) {
  ASSERT_TRUE(Insert(1, "a").ok());
  ASSERT_TRUE(Insert(2, "b").ok());
  {
    auto select = db_->Prepare("SELECT v FROM t WHERE id >= ?1 ORDER BY id");
    ASSERT_TRUE(*select->Bind(1, 2).Step());
    EXPECT_EQ(select->Text(0), "b");
  }
  auto again = db_->Prepare("SELECT v FROM t WHERE id >= ?1 ORDER BY id");
  // Unbound, ?1 is NULL and nothing compares >= NULL; rebound, it starts from the first row.
  EXPECT_FALSE(*again->Step());
  again->Reset();
  ASSERT_TRUE(*again->Bind(1, 0).Step());
  EXPECT_EQ(again->Text(0), "a");
}

// An unfinished SELECT keeps its snapshot: ending the handle ends the read, so a write by
// another connection becomes visible to the next query.
TEST_F(StatementTest, EndingAHandleEndsItsRead) {
  ASSERT_TRUE(Insert(1, "a").ok());
  ASSERT_TRUE(Insert(2, "b").ok());
  auto other = Connection::Open(db_->path(), {});
  ASSERT_TRUE(other.ok());
  const char* kCount = "SELECT count(*) FROM t";
  {
    auto open_read = db_->Prepare("SELECT v FROM t");
    ASSERT_TRUE(*open_read->Step());  // a row pending: the read transaction stays open
    ASSERT_TRUE((*other)->Exec("INSERT INTO t(id, v) VALUES (3, 'c')").ok());
    auto count = db_->Prepare(kCount);
    ASSERT_TRUE(*count->Step());
    EXPECT_EQ(count->Int(0), 2);  // still the old snapshot
  }
  auto count = db_->Prepare(kCount);
  ASSERT_TRUE(*count->Step());
  EXPECT_EQ(count->Int(0), 3);
}

// Two live handles on the same SQL do not share one statement: each steps on its own.
TEST_F(StatementTest, NestedUseOfTheSameSqlGetsAStatementOfItsOwn) {
  ASSERT_TRUE(Insert(1, "a").ok());
  ASSERT_TRUE(Insert(2, "b").ok());
  const char* kAll = "SELECT v FROM t ORDER BY id";
  auto outer = db_->Prepare(kAll);
  ASSERT_TRUE(*outer->Step());
  EXPECT_EQ(outer->Text(0), "a");
  {
    auto inner = db_->Prepare(kAll);
    ASSERT_TRUE(inner.ok());
    ASSERT_TRUE(*inner->Step());
    EXPECT_EQ(inner->Text(0), "a");
  }
  ASSERT_TRUE(*outer->Step());
  EXPECT_EQ(outer->Text(0), "b");
}

TEST_F(StatementTest, MovedHandleKeepsTheStatement) {
  ASSERT_TRUE(Insert(1, "a").ok());
  auto select = db_->Prepare("SELECT v FROM t");
  Statement moved = std::move(select).value();
  ASSERT_TRUE(*moved.Step());
  EXPECT_EQ(moved.Text(0), "a");
}

}  // namespace
}  // namespace pictor::sqlite
