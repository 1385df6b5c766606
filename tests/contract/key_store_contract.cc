#include "contract/key_store_contract.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "core/api_key.h"

namespace pictor::testing {

void KeyStoreContract::SetUp() {
  auto opened = GetParam().open();
  ASSERT_TRUE(opened.ok()) << GetParam().name << ": " << opened.status().ToString();
  under_test_ = std::move(opened).value();
}

namespace {

ApiKeyRecord Record(const std::string& name, const std::string& secret = "secret") {
  ApiKeyRecord r;
  r.name = name;
  r.hash = HashApiKey(name + "/" + secret);
  r.created_ms = 1700000000000;
  return r;
}

std::vector<std::string> Names(const std::vector<ApiKeyRecord>& records) {
  std::vector<std::string> out;
  for (const ApiKeyRecord& r : records) out.push_back(r.name);
  return out;
}

}  // namespace

TEST_P(KeyStoreContract, CreateThenGetRoundTripsEveryField) {
  ApiKeyRecord r = Record("ci.deploy_1");
  r.scopes = kScopeGenerate | kScopeAdmin;
  r.rate = RateLimit{60, 60};
  r.budgets = {Budget{5, BudgetPeriod::kDay}, Budget{49.1234, BudgetPeriod::kMonth}};
  r.revoked_ms = 1700000005000;
  r.previous_hash = HashApiKey("older");
  r.previous_expires_ms = 1700000009000;
  ASSERT_TRUE(keys().Create(r).ok());
  auto got = keys().Get("ci.deploy_1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, r);
}

TEST_P(KeyStoreContract, DefaultsRoundTrip) {
  const ApiKeyRecord r = Record("plain");
  ASSERT_TRUE(keys().Create(r).ok());
  auto got = keys().Get("plain");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, r);
  EXPECT_TRUE(got->rate.unlimited());
  EXPECT_TRUE(got->budgets.empty());
}

TEST_P(KeyStoreContract, MissingNamesAreNotFound) {
  ASSERT_TRUE(keys().Create(Record("present")).ok());
  for (const char* name : {"absent", "", "../present", "keys/present", "PRESENT", "present.json"}) {
    auto got = keys().Get(name);
    EXPECT_TRUE(got.status().IsNotFound()) << "'" << name << "': " << got.status().ToString();
  }
}

TEST_P(KeyStoreContract, CreatingATakenNameIsAlreadyExistsAndKeepsTheFirst) {
  const ApiKeyRecord first = Record("ci", "one");
  ASSERT_TRUE(keys().Create(first).ok());
  Status again = keys().Create(Record("ci", "two"));
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists) << again.ToString();
  auto got = keys().Get("ci");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->hash, first.hash);
}

TEST_P(KeyStoreContract, ARevokedKeysNameStaysTaken) {
  ApiKeyRecord r = Record("old");
  ASSERT_TRUE(keys().Create(r).ok());
  r.revoked_ms = 1700000001000;
  ASSERT_TRUE(keys().Update(r).ok());
  EXPECT_EQ(keys().Create(Record("old", "new")).code(), StatusCode::kAlreadyExists);
  auto got = keys().Get("old");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->revoked_ms, 1700000001000);
}

TEST_P(KeyStoreContract, UpdateReplacesEveryField) {
  ApiKeyRecord r = Record("rotating");
  ASSERT_TRUE(keys().Create(r).ok());
  r.previous_hash = r.hash;
  r.previous_expires_ms = 1700000060000;
  r.hash = HashApiKey("rotated");
  r.scopes = kScopeRead;
  r.rate = RateLimit{10, 1};
  r.budgets = {Budget{0.5, BudgetPeriod::kMonth}};
  ASSERT_TRUE(keys().Update(r).ok());
  auto got = keys().Get("rotating");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, r);
}

// `keys rotate` read the key, `keys revoke` revoked it, then the rotate wrote what it read with
// a new hash and the old one kept for a grace period: the key stays revoked, at the revoke's
// time, and neither hash is accepted (no previous key), for this handle and for another
// process's.
TEST_P(KeyStoreContract, ARevocationIsFinalUnderARotateThatReadTheKeyBeforeIt) {
  ASSERT_TRUE(keys().Create(Record("racing")).ok());
  auto read_by_rotate = keys().Get("racing");
  ASSERT_TRUE(read_by_rotate.ok()) << read_by_rotate.status().ToString();
  ApiKeyRecord revoke = *read_by_rotate;
  revoke.revoked_ms = 1700000002000;
  ASSERT_TRUE(keys().Update(revoke).ok());
  ApiKeyRecord rotate = *read_by_rotate;
  rotate.previous_hash = rotate.hash;
  rotate.previous_expires_ms = 1700000090000;
  rotate.hash = HashApiKey("rotated");
  ASSERT_TRUE(keys().Update(rotate).ok());

  std::unique_ptr<KeyStore> another = under_test_->OpenAnother();
  for (KeyStore* k : {&keys(), another.get()}) {
    auto got = k->Get("racing");
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->revoked_ms, 1700000002000);
    EXPECT_EQ(got->previous_hash, "");
    EXPECT_EQ(got->previous_expires_ms, 0);
    auto all = k->List();
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ(all->front(), *got);
  }
}

TEST_P(KeyStoreContract, UpdatingAMissingNameIsNotFoundAndCreatesNothing) {
  Status s = keys().Update(Record("ghost"));
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_TRUE(keys().Get("ghost").status().IsNotFound());
  auto all = keys().List();
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
}

TEST_P(KeyStoreContract, AnEmptyStoreListsNothing) {
  auto all = keys().List();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_TRUE(all->empty());
}

// Names whose object keys sort otherwise ("a-b.json" < "a.json" < "a.b.json") still list in
// name order; revoked keys are listed too.
TEST_P(KeyStoreContract, ListHasEveryRecordInNameOrder) {
  for (const char* name : {"b", "a.b", "a", "a-b", "a_b", "0"}) {
    ASSERT_TRUE(keys().Create(Record(name)).ok()) << name;
  }
  ApiKeyRecord revoked = Record("b");
  revoked.revoked_ms = 1700000001000;
  ASSERT_TRUE(keys().Update(revoked).ok());
  auto all = keys().List();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(Names(*all), (std::vector<std::string>{"0", "a", "a-b", "a.b", "a_b", "b"}));
  EXPECT_EQ(all->back(), revoked);
}

TEST_P(KeyStoreContract, InvalidRecordsAreRefusedAndNothingIsWritten) {
  std::vector<ApiKeyRecord> bad;
  bad.push_back(Record("Upper"));
  bad.push_back(Record("../escape"));
  bad.push_back(Record(std::string(65, 'a')));
  ApiKeyRecord r = Record("x");
  r.hash = "ABC";
  bad.push_back(r);
  r = Record("x");
  r.hash = std::string(64, 'G');
  bad.push_back(r);
  r = Record("x");
  r.previous_hash = "short";
  bad.push_back(r);
  r = Record("x");
  r.scopes = 0;
  bad.push_back(r);
  r = Record("x");
  r.scopes = 8;
  bad.push_back(r);
  r = Record("x");
  r.rate = RateLimit{-1, 60};
  bad.push_back(r);
  r = Record("x");
  r.rate = RateLimit{10, 0};
  bad.push_back(r);
  r = Record("x");
  r.budgets = {Budget{0.123456, BudgetPeriod::kDay}};  // no text form reads back as this
  bad.push_back(r);
  r = Record("x");
  r.budgets = {Budget{0, BudgetPeriod::kDay}};
  bad.push_back(r);
  r = Record("x");
  r.created_ms = -1;
  bad.push_back(r);
  for (const ApiKeyRecord& record : bad) {
    Status s = keys().Create(record);
    EXPECT_TRUE(s.IsInvalidArgument()) << record.name << ": " << s.ToString();
  }
  auto all = keys().List();
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty()) << all->size();

  ASSERT_TRUE(keys().Create(Record("x")).ok());
  for (const ApiKeyRecord& record : bad) {
    if (record.name != "x") continue;
    Status s = keys().Update(record);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  }
  auto got = keys().Get("x");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, Record("x"));
}

TEST_P(KeyStoreContract, AnotherStoreObjectSeesCreatesAndUpdatesAtOnce) {
  std::unique_ptr<KeyStore> other = under_test_->OpenAnother();
  ASSERT_NE(other, nullptr);
  ApiKeyRecord r = Record("shared");
  ASSERT_TRUE(keys().Create(r).ok());
  auto seen = other->Get("shared");
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_EQ(*seen, r);
  r.revoked_ms = 1700000002000;
  ASSERT_TRUE(other->Update(r).ok());
  auto listed = keys().List();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().revoked_ms, 1700000002000);
}

// An authenticator lists every few seconds from one object while another process revokes and
// rotates: each List shows the latest records, however it avoids rereading unchanged ones.
TEST_P(KeyStoreContract, EveryListShowsAnotherObjectsLatestUpdates) {
  std::unique_ptr<KeyStore> other = under_test_->OpenAnother();
  ASSERT_NE(other, nullptr);
  ApiKeyRecord a = Record("a");
  ApiKeyRecord b = Record("b");
  ASSERT_TRUE(keys().Create(a).ok());
  ASSERT_TRUE(keys().Create(b).ok());
  ASSERT_TRUE(keys().List().ok());
  // A rotation changes the hash and nothing else: a record of the same size.
  b.hash = HashApiKey("b/rotated");
  ASSERT_TRUE(other->Update(b).ok());
  auto listed = keys().List();
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0], a);
  EXPECT_EQ((*listed)[1], b);
  a.revoked_ms = 1700000003000;
  ASSERT_TRUE(other->Update(a).ok());
  ASSERT_TRUE(other->Create(Record("c")).ok());
  listed = keys().List();
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0], a);
  EXPECT_EQ((*listed)[1], b);
  EXPECT_EQ((*listed)[2], Record("c"));
}

// Several store objects (as several processes) create one name at once: exactly one wins, and
// the record kept is the winner's.
TEST_P(KeyStoreContract, ConcurrentCreatesOfOneNameHaveExactlyOneWinner) {
  constexpr int kRacers = 6;
  std::vector<std::unique_ptr<KeyStore>> stores;
  for (int i = 0; i < kRacers; ++i) {
    stores.push_back(under_test_->OpenAnother());
    ASSERT_NE(stores.back(), nullptr);
  }
  std::vector<Status> results(kRacers);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kRacers; ++i) {
    threads.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < kRacers) std::this_thread::yield();
      results[i] = stores[i]->Create(Record("contested", std::to_string(i)));
    });
  }
  for (std::thread& t : threads) t.join();
  int winner = -1;
  for (int i = 0; i < kRacers; ++i) {
    if (results[i].ok()) {
      EXPECT_EQ(winner, -1) << "two winners: " << winner << " and " << i;
      winner = i;
    } else {
      EXPECT_EQ(results[i].code(), StatusCode::kAlreadyExists) << results[i].ToString();
    }
  }
  ASSERT_NE(winner, -1);
  auto got = keys().Get("contested");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->hash, Record("contested", std::to_string(winner)).hash);
}

TEST_P(KeyStoreContract, ConcurrentCreatesOfDistinctNamesAllLand) {
  constexpr int kWriters = 4;
  constexpr int kEach = 5;
  std::vector<std::unique_ptr<KeyStore>> stores;
  for (int i = 0; i < kWriters; ++i) stores.push_back(under_test_->OpenAnother());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < kEach; ++j) {
        if (!stores[i]->Create(Record("w" + std::to_string(i) + "-" + std::to_string(j))).ok()) {
          failures.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto all = keys().List();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->size(), static_cast<size_t>(kWriters * kEach));
}

}  // namespace pictor::testing
