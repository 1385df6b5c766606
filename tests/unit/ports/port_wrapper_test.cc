// The forwarding bases of the ports (include/pictor/*_wrapper.h): a bare wrapper passes every
// call, with its arguments, to the wrapped object and its answer back. Each recorder below logs
// the calls that reach it and answers with something derived from the arguments, so a method the
// wrapper did not forward (or forwarded wrongly) shows as a missing or different log line.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "pictor/image_model_wrapper.h"
#include "pictor/job_ledger_wrapper.h"
#include "pictor/job_queue_wrapper.h"
#include "pictor/key_store_wrapper.h"
#include "pictor/notifier_wrapper.h"
#include "pictor/object_store_wrapper.h"
#include "pictor/spend_ledger_wrapper.h"
#include "pictor/webhook_outbox_wrapper.h"

namespace pictor {
namespace {

using std::chrono::seconds;
using Log = std::vector<std::string>;

class RecordingQueue final : public JobQueue {
 public:
  Result<SentMessage> Send(const OutgoingMessage& m) override {
    log.push_back("Send " + m.body);
    return SentMessage{"id-" + m.body, ""};
  }
  Result<std::vector<Result<SentMessage>>> SendBatch(std::span<const OutgoingMessage> m) override {
    log.push_back("SendBatch " + std::to_string(m.size()));
    return std::vector<Result<SentMessage>>(m.size(), Status::Unavailable("batch"));
  }
  Result<std::vector<ReceivedMessage>> Receive(const ReceiveOptions& o) override {
    log.push_back("Receive " + std::to_string(o.max_messages));
    return std::vector<ReceivedMessage>(o.max_messages);
  }
  Status Delete(std::string_view h) override {
    log.push_back("Delete " + std::string(h));
    return Status::FailedPrecondition("delete");
  }
  Status ChangeVisibility(std::string_view h, seconds t) override {
    log.push_back("ChangeVisibility " + std::string(h) + " " + std::to_string(t.count()));
    return Status::Aborted("visibility");
  }
  Status Defer(const ReceivedMessage& m, seconds d) override {
    log.push_back("Defer " + m.receipt_handle + " " + std::to_string(d.count()));
    return Status::ResourceExhausted("defer");
  }
  Status DeadLetter(std::string_view h, std::string_view reason) override {
    log.push_back("DeadLetter " + std::string(h) + " " + std::string(reason));
    return Status::DataLoss("dead letter");
  }
  Result<QueueAttributes> Attributes() override {
    log.push_back("Attributes");
    return QueueAttributes{.visible = 7};
  }
  std::string Name() const override { return "recorded-queue"; }
  Log log;
};

TEST(PortWrapperTest, QueueWrapperForwardsEveryMethod) {
  RecordingQueue inner;
  JobQueueWrapper wrapper(inner);
  EXPECT_EQ(&wrapper.target(), &inner);
  EXPECT_EQ(wrapper.Send({"a"})->message_id, "id-a");
  std::vector<OutgoingMessage> batch(3, OutgoingMessage{"b"});
  EXPECT_EQ(wrapper.SendBatch(batch)->size(), 3u);
  EXPECT_EQ(wrapper.Receive({.max_messages = 2})->size(), 2u);
  EXPECT_EQ(wrapper.Delete("h1").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(wrapper.ChangeVisibility("h2", seconds(9)).code(), StatusCode::kAborted);
  ReceivedMessage m;
  m.receipt_handle = "h3";
  EXPECT_EQ(wrapper.Defer(m, seconds(4)).code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(wrapper.DeadLetter("h4", "bad").code(), StatusCode::kDataLoss);
  EXPECT_EQ(wrapper.Attributes()->visible, 7);
  EXPECT_EQ(wrapper.Name(), "recorded-queue");
  EXPECT_EQ(inner.log,
            (Log{"Send a", "SendBatch 3", "Receive 2", "Delete h1", "ChangeVisibility h2 9",
                 "Defer h3 4", "DeadLetter h4 bad", "Attributes"}));
}

class RecordingLedger final : public JobLedger {
 public:
  Result<CreateResult> Create(const JobRecord& r) override {
    log.push_back("Create " + r.id);
    return CreateResult{r, false};
  }
  Result<JobRecord> Get(std::string_view id) override {
    log.push_back("Get " + std::string(id));
    return Status::NotFound("get");
  }
  Status Put(const JobRecord& r) override {
    log.push_back("Put " + r.id);
    return Status::Unavailable("put");
  }
  Status Remove(std::string_view id) override {
    log.push_back("Remove " + std::string(id));
    return Status::Aborted("remove");
  }
  Status MarkEnqueued(const JobRecord& r) override {
    log.push_back("MarkEnqueued " + r.id);
    return Status::DataLoss("mark");
  }
  Result<JobPage> List(const JobQuery& q) override {
    log.push_back("List " + q.owner + " " + std::to_string(q.limit) + " " + q.cursor);
    return Status::Unsupported("list");
  }
  Result<JobRecord> RequestCancel(std::string_view id) override {
    log.push_back("RequestCancel " + std::string(id));
    return Status::FailedPrecondition("cancel");
  }
  Status SetWebhookDelivery(std::string_view id, const WebhookDelivery& d) override {
    log.push_back("SetWebhookDelivery " + std::string(id) + " " + d.state);
    return Status::Internal("webhook");
  }
  Log log;
};

TEST(PortWrapperTest, LedgerWrapperForwardsEveryMethod) {
  RecordingLedger inner;
  JobLedgerWrapper wrapper(inner);
  EXPECT_EQ(&wrapper.target(), &inner);
  JobRecord record;
  record.id = "j1";
  auto created = wrapper.Create(record);
  ASSERT_TRUE(created.ok());
  EXPECT_FALSE(created->created);
  EXPECT_EQ(created->record.id, "j1");
  EXPECT_TRUE(wrapper.Get("j2").status().IsNotFound());
  record.id = "j3";
  EXPECT_EQ(wrapper.Put(record).code(), StatusCode::kUnavailable);
  EXPECT_EQ(wrapper.Remove("j4").code(), StatusCode::kAborted);
  record.id = "j5";
  EXPECT_EQ(wrapper.MarkEnqueued(record).code(), StatusCode::kDataLoss);
  JobQuery query;
  query.owner = "o";
  query.limit = 7;
  query.cursor = "c";
  EXPECT_EQ(wrapper.List(query).status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(wrapper.RequestCancel("j6").status().code(), StatusCode::kFailedPrecondition);
  WebhookDelivery delivery;
  delivery.state = "pending";
  EXPECT_EQ(wrapper.SetWebhookDelivery("j7", delivery).code(), StatusCode::kInternal);
  EXPECT_EQ(inner.log, (Log{"Create j1", "Get j2", "Put j3", "Remove j4", "MarkEnqueued j5",
                            "List o 7 c", "RequestCancel j6", "SetWebhookDelivery j7 pending"}));
}

class RecordingStore final : public ObjectStore {
 public:
  Status Put(std::string_view k, std::string_view d, std::string_view t) override {
    log.push_back("Put " + std::string(k) + " " + std::string(d) + " " + std::string(t));
    return Status::Unavailable("put");
  }
  Status PutIfAbsent(std::string_view k, std::string_view d, std::string_view t) override {
    log.push_back("PutIfAbsent " + std::string(k) + " " + std::string(d) + " " + std::string(t));
    return Status::AlreadyExists("put if absent");
  }
  Status Delete(std::string_view k) override {
    log.push_back("Delete " + std::string(k));
    return Status::Aborted("delete");
  }
  Result<StoredObject> Get(std::string_view k) override {
    log.push_back("Get " + std::string(k));
    StoredObject object;
    object.info.key = std::string(k);
    object.data = "data";
    return object;
  }
  Result<ObjectInfo> Head(std::string_view k) override {
    log.push_back("Head " + std::string(k));
    ObjectInfo info;
    info.key = std::string(k);
    info.size = 5;
    return info;
  }
  Result<std::vector<ObjectInfo>> List(std::string_view prefix, size_t max_keys) override {
    log.push_back("List " + std::string(prefix) + " " + std::to_string(max_keys));
    return std::vector<ObjectInfo>(max_keys);
  }
  Result<std::vector<ObjectInfo>> ListAfter(std::string_view prefix, std::string_view after,
                                            size_t max_keys) override {
    log.push_back("ListAfter " + std::string(prefix) + " " + std::string(after) + " " +
                  std::to_string(max_keys));
    return std::vector<ObjectInfo>(max_keys);
  }
  std::string Location(std::string_view k) const override { return "recorded:" + std::string(k); }
  std::optional<std::string> DirectUrl(std::string_view k, seconds ttl) override {
    log.push_back("DirectUrl " + std::string(k) + " " + std::to_string(ttl.count()));
    return "https://direct/" + std::string(k);
  }
  Log log;
};

class RecordingKeyStore final : public KeyStore {
 public:
  Status Create(const ApiKeyRecord& r) override {
    log.push_back("Create " + r.name);
    return Status::AlreadyExists("create");
  }
  Status Update(const ApiKeyRecord& r) override {
    log.push_back("Update " + r.name);
    return Status::NotFound("update");
  }
  Result<ApiKeyRecord> Get(std::string_view name) override {
    log.push_back("Get " + std::string(name));
    ApiKeyRecord r;
    r.name = "got-" + std::string(name);
    return r;
  }
  Result<std::vector<ApiKeyRecord>> List() override {
    log.push_back("List");
    return Status::DataLoss("list");
  }
  Log log;
};

TEST(PortWrapperTest, KeyStoreWrapperForwardsEveryMethod) {
  RecordingKeyStore inner;
  KeyStoreWrapper wrapper(inner);
  EXPECT_EQ(&wrapper.target(), &inner);
  ApiKeyRecord record;
  record.name = "k1";
  EXPECT_EQ(wrapper.Create(record).code(), StatusCode::kAlreadyExists);
  record.name = "k2";
  EXPECT_TRUE(wrapper.Update(record).IsNotFound());
  auto got = wrapper.Get("k3");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "got-k3");
  EXPECT_EQ(wrapper.List().status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(inner.log, (Log{"Create k1", "Update k2", "Get k3", "List"}));
}

struct RecordingSpendLedger final : SpendLedger {
  Status Charge(const SpendCharge& charge, const std::vector<BudgetScope>& budgets) override {
    log.push_back("Charge " + charge.id + " " + std::to_string(budgets.size()));
    return Status::QuotaExceeded("spent", "budget_exhausted", 7);
  }
  Status Check(const std::vector<BudgetScope>& budgets, double usd, int64_t now_ms) override {
    log.push_back("Check " + std::to_string(budgets.size()) + " " + std::to_string(usd) + " " +
                  std::to_string(now_ms));
    return Status::Ok();
  }
  Status Refund(std::string_view id) override {
    log.push_back("Refund " + std::string(id));
    return Status::Unavailable("refund");
  }
  Result<std::vector<SpendCharge>> Since(int64_t since_ms) override {
    log.push_back("Since " + std::to_string(since_ms));
    return std::vector<SpendCharge>{SpendCharge{"c1", "", "builtin", 1, since_ms}};
  }
  Log log;
};

TEST(PortWrapperTest, SpendLedgerWrapperForwardsEveryMethod) {
  RecordingSpendLedger inner;
  SpendLedgerWrapper wrapper(inner);
  EXPECT_EQ(&wrapper.target(), &inner);
  SpendCharge charge;
  charge.id = "c9";
  EXPECT_EQ(wrapper.Charge(charge, {BudgetScope{}}).retry_at_ms(), 7);
  EXPECT_TRUE(wrapper.Check({}, 2, 5).ok());
  EXPECT_EQ(wrapper.Refund("c9").code(), StatusCode::kUnavailable);
  auto since = wrapper.Since(3);
  ASSERT_TRUE(since.ok());
  EXPECT_EQ(since->at(0).at_ms, 3);
  EXPECT_EQ(inner.log, (Log{"Charge c9 1", "Check 0 2.000000 5", "Refund c9", "Since 3"}));
}

// Records every call to it and answers each with something of the arguments.
class RecordingWebhookOutbox final : public WebhookOutbox {
 public:
  Status Add(const WebhookMessage& m) override {
    log.push_back("Add " + m.id);
    return Status::Unavailable("add");
  }
  Result<std::vector<WebhookMessage>> Claim(int64_t now_ms, int64_t lease_ms, int max) override {
    log.push_back("Claim " + std::to_string(now_ms) + " " + std::to_string(lease_ms) + " " +
                  std::to_string(max));
    return std::vector<WebhookMessage>(static_cast<size_t>(max));
  }
  Status Reschedule(const WebhookMessage& m) override {
    log.push_back("Reschedule " + m.id + " " + std::to_string(m.attempts));
    return Status::Aborted("reschedule");
  }
  Status Remove(std::string_view id) override {
    log.push_back("Remove " + std::string(id));
    return Status::Ok();
  }
  Result<int64_t> Count() override {
    log.push_back("Count");
    return int64_t{42};
  }
  Log log;
};

TEST(PortWrapperTest, WebhookOutboxWrapperForwardsEveryMethod) {
  RecordingWebhookOutbox inner;
  WebhookOutboxWrapper wrapper(inner);
  EXPECT_EQ(&wrapper.target(), &inner);
  WebhookMessage m;
  m.id = "msg_1";
  m.attempts = 3;
  EXPECT_EQ(wrapper.Add(m).code(), StatusCode::kUnavailable);
  EXPECT_EQ(wrapper.Claim(5, 6, 2)->size(), 2u);
  EXPECT_EQ(wrapper.Reschedule(m).code(), StatusCode::kAborted);
  EXPECT_TRUE(wrapper.Remove("msg_1").ok());
  EXPECT_EQ(*wrapper.Count(), 42);
  EXPECT_EQ(inner.log,
            (Log{"Add msg_1", "Claim 5 6 2", "Reschedule msg_1 3", "Remove msg_1", "Count"}));
}

TEST(PortWrapperTest, StoreWrapperForwardsEveryMethodIncludingOnesWithADefault) {
  RecordingStore inner;
  ObjectStoreWrapper wrapper(inner);
  EXPECT_EQ(&wrapper.target(), &inner);
  EXPECT_EQ(wrapper.Put("k1", "d1", "t1").code(), StatusCode::kUnavailable);
  EXPECT_EQ(wrapper.PutIfAbsent("k2", "d2", "t2").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(wrapper.Delete("k3").code(), StatusCode::kAborted);
  EXPECT_EQ(wrapper.Get("k4")->info.key, "k4");
  EXPECT_EQ(wrapper.Head("k5")->size, 5u);
  EXPECT_EQ(wrapper.List("p/", 3)->size(), 3u);
  EXPECT_EQ(wrapper.ListAfter("p/", "p/a", 2)->size(), 2u);
  EXPECT_EQ(wrapper.Location("k6"), "recorded:k6");
  EXPECT_EQ(wrapper.DirectUrl("k7", seconds(60)), "https://direct/k7");
  EXPECT_EQ(inner.log, (Log{"Put k1 d1 t1", "PutIfAbsent k2 d2 t2", "Delete k3", "Get k4",
                            "Head k5", "List p/ 3", "ListAfter p/ p/a 2", "DirectUrl k7 60"}));
}

class RecordingModel final : public ImageModel {
 public:
  std::string Name() const override { return "recorded-model"; }
  Status Check(const GenerationRequest& r) const override {
    return Status::InvalidArgument("check " + r.prompt);
  }
  Result<GeneratedImage> Generate(const GenerationRequest& r) override {
    generated.push_back(r.prompt);
    GeneratedImage image;
    image.png = "png";
    image.seed = r.seed;
    return image;
  }
  double PriceUsd(const GenerationRequest& r) const override { return r.width / 1000.0; }
  Log generated;
};

TEST(PortWrapperTest, ModelWrapperForwardsEveryMethod) {
  RecordingModel inner;
  ImageModelWrapper wrapper(inner);
  EXPECT_EQ(&wrapper.target(), &inner);
  EXPECT_EQ(wrapper.Name(), "recorded-model");
  GenerationRequest request;
  request.prompt = "a fox";
  request.seed = 9;
  EXPECT_EQ(wrapper.Check(request).message(), "check a fox");
  auto image = wrapper.Generate(request);
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image->seed, 9u);
  EXPECT_EQ(inner.generated, Log{"a fox"});
  request.width = 1500;
  EXPECT_DOUBLE_EQ(wrapper.PriceUsd(request), 1.5);
}

class RecordingNotifier final : public Notifier {
 public:
  Status Notify(const AlarmEvent& e) override {
    alarms.push_back(e.alarm);
    return Status::DeadlineExceeded("notify");
  }
  std::string Describe() const override { return "recorded notifier"; }
  Log alarms;
};

TEST(PortWrapperTest, NotifierWrapperForwardsEveryMethod) {
  RecordingNotifier inner;
  NotifierWrapper wrapper(inner);
  EXPECT_EQ(&wrapper.target(), &inner);
  AlarmEvent event;
  event.alarm = "queue-age";
  EXPECT_EQ(wrapper.Notify(event).code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(wrapper.Describe(), "recorded notifier");
  EXPECT_EQ(inner.alarms, Log{"queue-age"});
}

}  // namespace
}  // namespace pictor
