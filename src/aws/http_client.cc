// HttpClient over libcurl: a pool of easy handles plus a share handle for connections and DNS.
#include "aws/http_client.h"

#include <curl/curl.h>

#include <array>
#include <cctype>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

namespace pictor::aws {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

const std::string* HttpReply::FindHeader(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return &value;
  }
  return nullptr;
}

std::string HttpReply::Header(std::string_view name) const {
  const std::string* value = FindHeader(name);
  return value ? *value : std::string();
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The URL without its query string, which may carry a presigned signature or session token.
std::string_view UrlForMessages(std::string_view url) { return url.substr(0, url.find('?')); }

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<std::vector<std::pair<std::string, std::string>>*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    headers->clear();  // a new response (after an interim 1xx): forget the previous headers
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    headers->emplace_back(std::string(Trim(line.substr(0, colon))),
                          std::string(Trim(line.substr(colon + 1))));
  }
  return size * count;
}

// Owns a curl_slist.
struct HeaderSlist {
  curl_slist* list = nullptr;
  ~HeaderSlist() { curl_slist_free_all(list); }
  void Append(const std::string& line) { list = curl_slist_append(list, line.c_str()); }
};

Status TransportError(CURLcode code, const char* detail, const HttpCall& call) {
  std::string message = call.method + " " + std::string(UrlForMessages(call.url)) + ": " +
                        (detail[0] ? detail : curl_easy_strerror(code));
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return Status::DeadlineExceeded(message);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Status::InvalidArgument(message);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
      return Status::Unavailable("TLS error: " + message);
    default:
      // Refused, reset, DNS failure, empty reply, proxy trouble: the peer may come back.
      return Status::Unavailable(message);
  }
}

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(size_t max_idle_handles) : max_idle_handles_(max_idle_handles) {
    InitCurlOnce();
    share_ = curl_share_init();
    curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &CurlHttpClient::Lock);
    curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &CurlHttpClient::Unlock);
    curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }

  ~CurlHttpClient() override {
    for (CURL* handle : idle_) curl_easy_cleanup(handle);
    curl_share_cleanup(share_);  // after every easy handle that used it
  }

  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  Result<HttpReply> Perform(const HttpCall& call) override {
    CURL* handle = Acquire();
    if (handle == nullptr) return Status::Internal("cannot create an HTTP handle");
    Result<HttpReply> result = PerformOn(handle, call);
    Release(handle);
    return result;
  }

 private:
  static void Lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<CurlHttpClient*>(user)->share_mutexes_[data % kLocks].lock();
  }
  static void Unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<CurlHttpClient*>(user)->share_mutexes_[data % kLocks].unlock();
  }

  CURL* Acquire() {
    {
      std::lock_guard<std::mutex> lock(idle_mutex_);
      if (!idle_.empty()) {
        CURL* handle = idle_.back();
        idle_.pop_back();
        return handle;
      }
    }
    return curl_easy_init();
  }

  void Release(CURL* handle) {
    curl_easy_reset(handle);  // keeps the handle's live connections and caches
    std::lock_guard<std::mutex> lock(idle_mutex_);
    if (idle_.size() < max_idle_handles_) {
      idle_.push_back(handle);
    } else {
      curl_easy_cleanup(handle);
    }
  }

  Result<HttpReply> PerformOn(CURL* handle, const HttpCall& call) {
    HttpReply reply;
    HeaderSlist headers;
    bool has_content_type = false;
    for (const auto& [name, value] : call.headers) {
      has_content_type |= EqualsIgnoreCase(name, "content-type");
      // "Name;" is libcurl's way to send a header with an empty value.
      headers.Append(value.empty() ? name + ";" : name + ": " + value);
    }
    headers.Append("Expect:");                               // no 100-continue round trip
    if (!has_content_type) headers.Append("Content-Type:");  // not libcurl's form default

    char error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(handle, CURLOPT_SHARE, share_);
    curl_easy_setopt(handle, CURLOPT_URL, call.url.c_str());
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    // Where the build machine's libcurl looks for CA certificates need not exist where Pictor
    // runs (Amazon Linux keeps them elsewhere): SSL_CERT_FILE, as OpenSSL names it, wins.
    if (const char* ca = std::getenv("SSL_CERT_FILE"); ca != nullptr && *ca != '\0') {
      curl_easy_setopt(handle, CURLOPT_CAINFO, ca);
    }
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(call.connect_timeout.count()));
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(call.total_timeout.count()));
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.list);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &reply.body);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &reply.headers);

    if (call.method == "GET") {
      curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
    } else if (call.method == "HEAD") {
      curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
    } else {
      curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, call.method.c_str());
      if (!call.body.empty() || call.method == "POST" || call.method == "PUT") {
        curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(call.body.size()));
        curl_easy_setopt(handle, CURLOPT_POSTFIELDS, call.body.data());
      }
    }

    CURLcode code = curl_easy_perform(handle);
    if (code != CURLE_OK) return TransportError(code, error, call);
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &reply.status);
    return reply;
  }

  static constexpr size_t kLocks = CURL_LOCK_DATA_LAST;

  const size_t max_idle_handles_;
  CURLSH* share_ = nullptr;
  std::array<std::mutex, kLocks> share_mutexes_;  // one per kind of shared data
  std::mutex idle_mutex_;                         // guards idle_
  std::vector<CURL*> idle_;
};

}  // namespace

std::unique_ptr<HttpClient> NewCurlHttpClient(size_t max_idle_handles) {
  return std::make_unique<CurlHttpClient>(max_idle_handles);
}

}  // namespace pictor::aws
