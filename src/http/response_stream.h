// A response whose body is not known when its handler returns: the server sends the header at
// once and then whatever the stream writes, as it comes, until the stream ends it or the client
// goes away (Server-Sent Events, GET /jobs/{id}/events). Transport-free like HttpResponse: the
// HTTP server drives a ResponseStream from its event loop, without a thread per open stream.
#ifndef PICTOR_HTTP_RESPONSE_STREAM_H_
#define PICTOR_HTTP_RESPONSE_STREAM_H_

#include <chrono>
#include <memory>
#include <string>

namespace pictor::http {

// Where a stream writes: the open connection. Thread-safety: thread-safe; Write may be called
// from any thread, never blocks and never calls back into the stream.
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  // Queues `bytes` of the body, in order. `last`: the body ends after them, and later writes
  // are ignored. Writes to a connection that has closed are dropped.
  virtual void Write(std::string bytes, bool last) = 0;
};

// Implemented by what produces the body (the job event hub). Thread-safety: Start and Stop are
// called by the server, once each at most, from its event loop; they must return quickly.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // The header is on its way: from now on the stream writes its body to `sink` (which it may
  // keep until Stop), starting with what it has already.
  virtual void Start(std::shared_ptr<ResponseSink> sink) = 0;
  // The connection closed (the client went away, the server stops) or the request was HEAD:
  // the stream writes no more and lets go of the sink. Called also when Start never was.
  virtual void Stop() = 0;
  // Bytes the server writes when the body has been quiet for keepalive_interval(), so that
  // proxies and clients know the connection lives (an SSE comment line).
  virtual std::string keepalive() const = 0;
  virtual std::chrono::milliseconds keepalive_interval() const = 0;
};

}  // namespace pictor::http

#endif  // PICTOR_HTTP_RESPONSE_STREAM_H_
