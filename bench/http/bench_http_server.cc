// Serves GET /healthz ("ok") and POST /jobs (202, a small JSON body) with HttpServer, so the
// server's own overhead can be measured beside nginx. Prints "port N" once listening and runs
// until SIGINT or SIGTERM.
//
//   bench_http_server [--port N] [--io-threads N] [--tls-cert FILE --tls-key FILE]
//
// With a certificate and key it serves HTTPS, for the cost of TLS beside plain HTTP.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "http/server.h"
#include "http/tls_server_context.h"

namespace {

using pictor::http::HttpRequest;
using pictor::http::HttpResponse;
using pictor::http::PathParams;

HttpResponse Json(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.headers.Add("Content-Type", "application/json");
  response.body = std::move(body);
  return response;
}

// Thread-safe: stateless.
class BenchService : public pictor::http::HttpService {
 public:
  HttpResponse Handle(const HttpRequest& request) override {
    return routes_.Dispatch(request).response;
  }
  const pictor::http::RouteTable& routes() const override { return routes_; }

 private:
  const pictor::http::RouteTable routes_{
      {{"GET", "/healthz",
        [](const HttpRequest&, const PathParams&) {
          HttpResponse response;
          response.headers.Add("Content-Type", "text/plain");
          response.body = "ok";
          return response;
        }},
       {"POST", "/jobs", [](const HttpRequest&, const PathParams&) {
          return Json(202, R"({"id": "bench", "status": "queued"})");
        }}}};
};

}  // namespace

int main(int argc, char** argv) {
  pictor::http::ServerOptions options;
  options.port = 0;
  std::string tls_cert;
  std::string tls_key;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    int value = std::atoi(argv[i + 1]);
    if (flag == "--port") {
      options.port = static_cast<uint16_t>(value);
    } else if (flag == "--io-threads") {
      options.io_threads = value;
    } else if (flag == "--tls-cert") {
      tls_cert = argv[i + 1];
    } else if (flag == "--tls-key") {
      tls_key = argv[i + 1];
    } else {
      std::fprintf(stderr,
                   "usage: %s [--port N] [--io-threads N] [--tls-cert FILE --tls-key FILE]\n",
                   argv[0]);
      return 2;
    }
  }
  if (!tls_cert.empty() || !tls_key.empty()) {
    auto tls = pictor::http::TlsServerContext::Load(tls_cert, tls_key);
    if (!tls.ok()) {
      std::fprintf(stderr, "bench_http_server: %s\n", tls.status().message().c_str());
      return 2;
    }
    options.tls = std::move(tls).value();
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before the server starts its threads

  BenchService service;
  auto server = pictor::http::HttpServer::Start(options, service);
  if (!server.ok()) {
    std::fprintf(stderr, "bench_http_server: %s\n", server.status().ToString().c_str());
    return 1;
  }
  std::printf("port %u\n", static_cast<unsigned>((*server)->port()));
  std::fflush(stdout);

  int received = 0;
  sigwait(&signals, &received);
  (*server)->Stop(std::chrono::milliseconds(1000));
  return 0;
}
