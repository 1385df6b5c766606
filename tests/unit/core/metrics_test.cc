#include "pictor/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace pictor {
namespace {

TEST(Metrics, SameNameAndLabelsGiveTheSameCounter) {
  MetricsRegistry r;
  Counter& a = r.GetCounter("x_total", "help", {{"k", "v"}});
  Counter& b = r.GetCounter("x_total", "help", {{"k", "v"}});
  Counter& c = r.GetCounter("x_total", "help", {{"k", "w"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
}

TEST(Metrics, CountersAreExactUnderConcurrency) {
  MetricsRegistry r;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) r.GetCounter("hits_total", "Hits.").Increment();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(r.GetCounter("hits_total", "Hits.").Value(), 80000);
}

TEST(Metrics, RendersPrometheusTextFormat) {
  MetricsRegistry r;
  r.GetCounter("req_total", "Requests.", {{"route", "/jobs"}, {"status", "202"}}).Increment(3);
  r.GetGauge("depth", "Depth with \"quotes\".", {{"q", "a\"b\\c\nd"}}).Set(2.5);
  std::string text = r.RenderPrometheus();
  EXPECT_NE(text.find("# HELP req_total Requests.\n# TYPE req_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("req_total{route=\"/jobs\",status=\"202\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("depth{q=\"a\\\"b\\\\c\\nd\"} 2.5\n"), std::string::npos) << text;
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  MetricsRegistry r;
  Histogram& h = r.GetHistogram("lat_seconds", "Latency.", {}, {0.1, 1});
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(5);
  std::string text = r.RenderPrometheus();
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"0.1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"1\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_sum 5.55\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_count 3\n"), std::string::npos);
}

TEST(Metrics, CollectorsRunBeforeRendering) {
  MetricsRegistry r;
  Gauge& g = r.GetGauge("sampled", "Sampled.");
  int runs = 0;
  r.AddCollector([&] { g.Set(++runs); });
  EXPECT_NE(r.RenderPrometheus().find("sampled 1\n"), std::string::npos);
  EXPECT_NE(r.RenderPrometheus().find("sampled 2\n"), std::string::npos);
}

TEST(Metrics, TypeClashIsDetachedNotRendered) {
  MetricsRegistry r;
  r.GetCounter("thing", "A counter.").Increment();
  r.GetGauge("thing", "Now a gauge.").Set(99);
  std::string text = r.RenderPrometheus();
  EXPECT_EQ(text.find("99"), std::string::npos);
  EXPECT_NE(text.find("thing 1\n"), std::string::npos);
}

}  // namespace
}  // namespace pictor
