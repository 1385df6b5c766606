// The adapters of a port kept in SQLite or in an object store, as a contract suite opens them:
// the SQLite adapter on a file of its own, the store adapter on the file store, on S3 (a fauxqs
// bucket of its own) and on the in-memory store, and the in-memory fake. Each suite's
// <port>_adapters.cc names the port's Open functions; the set-up is written once here.
#ifndef PICTOR_TESTS_CONTRACT_PORT_UNDER_TEST_H_
#define PICTOR_TESTS_CONTRACT_PORT_UNDER_TEST_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "contract/fauxqs_bucket.h"
#include "contract/temp_dir.h"
#include "fakes/memory_store.h"
#include "pictor/object_store.h"
#include "pictor/status.h"
#include "store/file/file_store.h"

namespace pictor::testing {

// One adapter of `Port` under test, with whatever it keeps its state in.
template <class Port>
class PortUnderTest {
 public:
  virtual ~PortUnderTest() = default;
  virtual Port& port() = 0;
  // A second object on the same state, as another process (or this one after a restart) would
  // open one; for a fake that keeps its state in the object itself, a handle forwarding to it.
  virtual std::unique_ptr<Port> OpenAnother() = 0;
};

// The SQLite adapter: `kOpen(path)` on a database file in a directory of its own.
template <class Port, auto kOpen>
class SqliteUnderTest final : public PortUnderTest<Port> {
 public:
  static Result<std::unique_ptr<PortUnderTest<Port>>> Open() {
    auto self = std::unique_ptr<SqliteUnderTest>(new SqliteUnderTest);
    if (Status s = self->dir_.Make(); !s.ok()) return s;
    auto opened = kOpen(self->Path());
    if (!opened.ok()) return opened.status();
    self->port_ = std::move(opened).value();
    return std::unique_ptr<PortUnderTest<Port>>(std::move(self));
  }
  ~SqliteUnderTest() override { port_.reset(); }
  Port& port() override { return *port_; }
  std::unique_ptr<Port> OpenAnother() override {
    auto opened = kOpen(Path());
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

 private:
  SqliteUnderTest() = default;
  std::string Path() const { return (dir_.path() / "queue.ledger.db").string(); }
  TempDir dir_;
  std::unique_ptr<Port> port_;
};

// The store adapter: `kOpen(store, "images")` on one of three object stores. Every object it
// opens shares the one store object (S3 stores are stateless clients of the bucket).
template <class Port, auto kOpen>
class StoreUnderTest final : public PortUnderTest<Port> {
 public:
  static Result<std::unique_ptr<PortUnderTest<Port>>> OnFileStore() {
    auto self = std::unique_ptr<StoreUnderTest>(new StoreUnderTest);
    if (Status s = self->dir_.Make(); !s.ok()) return s;
    auto store = OpenFileStore(self->dir_.path().string());
    if (!store.ok()) return store.status();
    self->store_ = std::move(store).value();
    return Finish(std::move(self));
  }
  static Result<std::unique_ptr<PortUnderTest<Port>>> OnS3() {
    auto self = std::unique_ptr<StoreUnderTest>(new StoreUnderTest);
    auto bucket = FauxqsBucket::Start("contract");
    if (!bucket.ok()) return bucket.status();
    self->bucket_ = std::move(bucket).value();
    auto store = self->bucket_->OpenStore();
    if (!store.ok()) return store.status();
    self->store_ = std::move(store).value();
    return Finish(std::move(self));
  }
  static Result<std::unique_ptr<PortUnderTest<Port>>> OnMemoryStore() {
    auto self = std::unique_ptr<StoreUnderTest>(new StoreUnderTest);
    self->store_ = std::make_unique<MemoryStore>();
    return Finish(std::move(self));
  }
  Port& port() override { return *port_; }
  std::unique_ptr<Port> OpenAnother() override {
    auto opened = kOpen(*store_, "images");
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

 private:
  StoreUnderTest() = default;
  static Result<std::unique_ptr<PortUnderTest<Port>>> Finish(std::unique_ptr<StoreUnderTest> self) {
    auto opened = kOpen(*self->store_, "images");
    if (!opened.ok()) return opened.status();
    self->port_ = std::move(opened).value();
    return std::unique_ptr<PortUnderTest<Port>>(std::move(self));
  }

  TempDir dir_;
  std::unique_ptr<FauxqsBucket> bucket_;  // S3 only
  std::unique_ptr<ObjectStore> store_;    // after what it borrows: destroyed first
  std::unique_ptr<Port> port_;
};

// The in-memory fake `Fake`; another opening is a `Wrapper` forwarding to it.
template <class Port, class Fake, class Wrapper>
class FakeUnderTest final : public PortUnderTest<Port> {
 public:
  static Result<std::unique_ptr<PortUnderTest<Port>>> Open() {
    return std::unique_ptr<PortUnderTest<Port>>(new FakeUnderTest);
  }
  Port& port() override { return fake_; }
  std::unique_ptr<Port> OpenAnother() override { return std::make_unique<Wrapper>(fake_); }

 private:
  Fake fake_;
};

}  // namespace pictor::testing

#endif  // PICTOR_TESTS_CONTRACT_PORT_UNDER_TEST_H_
