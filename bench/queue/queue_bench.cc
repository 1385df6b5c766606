// Throughput of the SQLite job queue on a temporary file with the shipped durability settings
// (WAL, synchronous=NORMAL): send + receive + delete, one message at a time and in batches
// of ten. Items processed = messages that made the full trip.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "queue/sqlite/sqlite_queue.h"

namespace {

// A queue in a fresh temporary directory, removed afterwards.
class TempQueue {
 public:
  explicit TempQueue(bool sync_every_commit) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "pictor-queue-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) dir_ = pattern;
    pictor::SqliteQueueOptions options;
    options.path = (dir_ / "queue.db").string();
    options.sync_every_commit = sync_every_commit;
    auto queue = pictor::OpenSqliteQueue(options);
    if (queue.ok()) queue_ = std::move(*queue);
  }
  ~TempQueue() {
    queue_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  pictor::JobQueue* get() { return queue_.get(); }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<pictor::JobQueue> queue_;
};

const std::string kBody =
    R"({"prompt":"a lighthouse on a cliff at dusk, oil painting","seed":42,"width":512,)"
    R"("height":512})";

void RoundTrip(benchmark::State& state, int batch, bool sync_every_commit) {
  TempQueue temp(sync_every_commit);
  pictor::JobQueue* queue = temp.get();
  if (queue == nullptr) {
    state.SkipWithError("cannot open the queue");
    return;
  }
  std::vector<pictor::OutgoingMessage> messages(batch, pictor::OutgoingMessage{kBody, {}});
  pictor::ReceiveOptions options;
  options.max_messages = batch;
  for (auto _ : state) {
    if (batch == 1) {
      if (!queue->Send(messages.front()).ok()) state.SkipWithError("send failed");
    } else if (!queue->SendBatch(messages).ok()) {
      state.SkipWithError("send failed");
    }
    auto got = queue->Receive(options);
    if (!got.ok() || got->size() != static_cast<size_t>(batch)) {
      state.SkipWithError("receive failed");
      break;
    }
    for (const auto& m : *got) {
      if (!queue->Delete(m.receipt_handle).ok()) state.SkipWithError("delete failed");
    }
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

void BM_SendReceiveDeleteSingle(benchmark::State& state) { RoundTrip(state, 1, false); }
void BM_SendReceiveDeleteBatch10(benchmark::State& state) { RoundTrip(state, 10, false); }
void BM_SendReceiveDeleteSingleSyncFull(benchmark::State& state) { RoundTrip(state, 1, true); }
void BM_SendReceiveDeleteBatch10SyncFull(benchmark::State& state) { RoundTrip(state, 10, true); }

BENCHMARK(BM_SendReceiveDeleteSingle)->UseRealTime();
BENCHMARK(BM_SendReceiveDeleteBatch10)->UseRealTime();
BENCHMARK(BM_SendReceiveDeleteSingleSyncFull)->UseRealTime();
BENCHMARK(BM_SendReceiveDeleteBatch10SyncFull)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
