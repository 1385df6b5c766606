// The S3 adapter: PutObject (plain and conditional), GetObject, HeadObject, DeleteObject and
// ListObjectsV2 over the signed AWS client.
#include "store/s3/s3_store.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <thread>
#include <utility>

#include "aws/aws_client.h"
#include "core/base64.h"
#include "core/content_type.h"
#include "core/digest.h"
#include "core/ids.h"
#include "core/percent_encoding.h"
#include "net/retry.h"
#include "store/s3/s3_listing.h"

namespace pictor {
namespace {

// The object's metadata from GetObject / HeadObject reply headers.
ObjectInfo InfoFromHeaders(std::string key, const net::HttpReply& reply, uint64_t body_size,
                           bool has_body) {
  ObjectInfo info;
  info.key = std::move(key);
  info.size = body_size;
  if (!has_body) {
    std::string length = reply.Header("Content-Length");
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), value);
    if (ec == std::errc() && end == length.data() + length.size()) info.size = value;
  }
  info.content_type = reply.Header("Content-Type");
  info.etag = reply.Header("ETag");
  if (std::optional<int64_t> ms = s3::ParseHttpDateMs(reply.Header("Last-Modified"))) {
    info.last_modified_ms = *ms;
  }
  return info;
}

// Thread-safe: holds only immutable settings and the thread-safe AwsClient. Owns the HTTP
// client and credentials provider when opened without borrowed ones (declared first, so they
// outlive the AwsClient that refers to them).
class S3Store final : public ObjectStore {
 public:
  S3Store(S3StoreOptions options, std::unique_ptr<net::HttpClient> owned_http,
          std::unique_ptr<aws::CredentialsProvider> owned_credentials, net::HttpClient& http,
          aws::CredentialsProvider& credentials)
      : owned_http_(std::move(owned_http)),
        owned_credentials_(std::move(owned_credentials)),
        options_(std::move(options)),
        address_(S3AddressFor(options_)),
        client_(ClientOptions(options_, address_), http, credentials) {}

  Status Put(std::string_view key, std::string_view data, std::string_view content_type) override {
    if (Status s = ValidateObjectKey(key); !s.ok()) return s;
    Result<net::HttpReply> reply = client_.Send(PutRequest(key, data, content_type));
    if (!reply.ok()) return Translate(reply.status(), "storing", key);
    return Status::Ok();
  }

  // PutObject with "If-None-Match: *" (S3's conditional write; MinIO and Ceph have it too).
  // S3 answers 412 PreconditionFailed when the key exists, and 409 ConditionalRequestConflict
  // when another conditional write to the key is in flight: the AWS documentation says to retry
  // that one, and the AwsClient never retries a 4xx, so it is retried here, with the same bound
  // and jittered backoff as everything else.
  Status PutIfAbsent(std::string_view key, std::string_view data,
                     std::string_view content_type) override {
    if (Status s = ValidateObjectKey(key); !s.ok()) return s;
    aws::AwsRequest request = PutRequest(key, data, content_type);
    request.headers.emplace_back("If-None-Match", "*");
    for (int attempt = 1;; ++attempt) {
      Result<net::HttpReply> reply = client_.Send(request);
      if (reply.ok()) return Status::Ok();
      const Status status = reply.status();
      // Decided on the HTTP status S3 answered, whatever its code: a server may send a
      // body-less reply, or a code of its own.
      if (status.peer_http_status() == 412) {
        return Status::AlreadyExists("an object exists at " + Location(key) + " (" +
                                     status.message() + ")")
            .WithPeer(status.peer());
      }
      if (status.peer_http_status() != 409) return Translate(status, "storing", key);
      if (attempt >= options_.max_attempts) {
        return Status::Unavailable(status.message())
            .WithPeer(status.peer())
            .WithContext("storing " + Location(key));
      }
      std::this_thread::sleep_for(ConflictBackoff(attempt));
    }
  }

  Status Delete(std::string_view key) override {
    if (Status s = ValidateObjectKey(key); !s.ok()) return s;
    aws::AwsRequest request;
    request.method = "DELETE";
    request.path = ObjectPath(key);
    Result<net::HttpReply> reply = client_.Send(request);
    if (reply.ok()) return Status::Ok();
    Status status = Translate(reply.status(), "deleting", key);
    // S3 answers 204 for a missing key; a server that says NoSuchKey means the same thing. A
    // missing bucket stays an error.
    if (status.IsNotFound() && status.peer_code() != "NoSuchBucket") return Status::Ok();
    return status;
  }

  Result<StoredObject> Get(std::string_view key) override {
    if (Status s = ValidateObjectKey(key); !s.ok()) return s;
    aws::AwsRequest request;
    request.path = ObjectPath(key);
    Result<net::HttpReply> reply = client_.Send(request);
    if (!reply.ok()) return Translate(reply.status(), "reading", key);
    StoredObject object;
    object.info = InfoFromHeaders(std::string(key), *reply, reply->body.size(), true);
    object.data = std::move(reply->body);
    return object;
  }

  Result<ObjectInfo> Head(std::string_view key) override {
    if (Status s = ValidateObjectKey(key); !s.ok()) return s;
    aws::AwsRequest request;
    request.method = "HEAD";
    request.path = ObjectPath(key);
    Result<net::HttpReply> reply = client_.Send(request);
    // A HEAD reply has no body, so a missing bucket reads as a missing key here.
    if (!reply.ok()) return Translate(reply.status(), "reading", key);
    return InfoFromHeaders(std::string(key), *reply, 0, false);
  }

  Result<std::vector<ObjectInfo>> List(std::string_view prefix, size_t max_keys) override {
    return ListAfter(prefix, "", max_keys);
  }

  Result<std::vector<ObjectInfo>> ListAfter(std::string_view prefix, std::string_view start_after,
                                            size_t max_keys) override {
    std::vector<ObjectInfo> out;
    const std::string full_prefix = FullKey(prefix);
    const std::string store_prefix = options_.prefix.empty() ? "" : options_.prefix + "/";
    std::string token;
    while (out.size() < max_keys) {
      aws::AwsRequest request;
      request.path = address_.bucket_path.empty() ? "/" : address_.bucket_path;
      size_t page_size = std::min(options_.list_page_size, max_keys - out.size());
      request.query = {{"list-type", "2"}, {"max-keys", std::to_string(page_size)}};
      if (!full_prefix.empty()) request.query.emplace_back("prefix", full_prefix);
      if (!token.empty()) {
        request.query.emplace_back("continuation-token", token);
      } else if (!start_after.empty()) {
        // Only on the first page: the continuation token carries the position afterwards.
        request.query.emplace_back("start-after", FullKey(start_after));
      }
      Result<net::HttpReply> reply = client_.Send(request);
      if (!reply.ok()) return Translate(reply.status(), "listing", prefix);
      Result<s3::ListPage> page = s3::ParseListObjectsV2(reply->body);
      if (!page.ok()) return page.status();
      for (ObjectInfo& info : page->objects) {
        // S3 only returns keys under the prefix asked for; a server that does not is ignored.
        if (!info.key.starts_with(store_prefix) || out.size() >= max_keys) continue;
        info.key.erase(0, store_prefix.size());
        out.push_back(std::move(info));
      }
      if (!page->truncated) break;
      if (page->next_token == token) {
        return Status::Internal("S3 listing repeated its continuation token");
      }
      token = std::move(page->next_token);
    }
    return out;
  }

  std::string Location(std::string_view key) const override {
    return "s3://" + options_.bucket + "/" + FullKey(key);
  }

  // A presigned GET (UNSIGNED-PAYLOAD) valid for `ttl`, clamped to S3's 1 s .. 7 days. nullopt
  // for a bad key or when no credentials can be had, so the API serves the bytes itself.
  std::optional<std::string> DirectUrl(std::string_view key, std::chrono::seconds ttl) override {
    if (!ValidateObjectKey(key).ok()) return std::nullopt;
    ttl = std::clamp(ttl, std::chrono::seconds(1), std::chrono::seconds(7 * 24 * 3600));
    Result<std::string> url = client_.PresignGet(ObjectPath(key), {}, ttl);
    if (!url.ok()) return std::nullopt;
    return std::move(url).value();
  }

 private:
  static aws::AwsClientOptions ClientOptions(const S3StoreOptions& options,
                                             const S3Address& address) {
    aws::AwsClientOptions client;
    client.service = "s3";
    client.region = options.region;
    client.endpoint = address.endpoint;
    client.s3_mode = true;
    client.retry.max_attempts = options.max_attempts;
    // Standard unless AWS_RETRY_MODE=adaptive, as in the SDKs (a bad value fails the model's
    // open, or is read as standard here).
    Result<aws::RetryMode> mode = aws::RetryModeFromEnv(aws::RetryMode::kStandard);
    if (mode.ok() && *mode == aws::RetryMode::kAdaptive) {
      client.retry.limiter = net::SharedRateLimiter("s3 " + address.endpoint);
    }
    client.connect_timeout = options.connect_timeout;
    client.total_timeout = options.total_timeout;
    return client;
  }

  aws::AwsRequest PutRequest(std::string_view key, std::string_view data,
                             std::string_view content_type) const {
    aws::AwsRequest request;
    request.method = "PUT";
    request.path = ObjectPath(key);
    request.headers = {
        {"Content-Type", std::string(content_type.empty() ? ContentTypeForKey(key) : content_type)},
        // Content-MD5: the integrity check every S3-compatible server honours
        // (x-amz-checksum-* are newer and not everywhere). The signed x-amz-content-sha256
        // covers the body as well.
        {"Content-MD5", Base64Encode(Md5(data))},
    };
    request.body = std::string(data);
    return request;
  }

  // Full jitter, as net/retry.h does for transient errors: uniform in
  // [0, min(max_backoff, base * 2^(attempt-1))].
  std::chrono::milliseconds ConflictBackoff(int attempt) const {
    const net::RetryPolicy policy;
    int64_t cap = policy.base_delay.count() << std::min(attempt - 1, 16);
    cap = std::min<int64_t>(cap, policy.max_backoff.count());
    return std::chrono::milliseconds(static_cast<int64_t>(RandomUpTo(static_cast<uint64_t>(cap))));
  }

  std::string FullKey(std::string_view key) const {
    if (options_.prefix.empty()) return std::string(key);
    std::string full = options_.prefix;
    full += '/';
    full.append(key);
    return full;
  }

  // The request path: the bucket (path style) and the key encoded once.
  std::string ObjectPath(std::string_view key) const {
    std::string path = address_.bucket_path;
    path += '/';
    path += PercentEncode(FullKey(key), /*keep_slash=*/true);
    return path;
  }

  // The client's Status, with the object named. A missing bucket (S3's code NoSuchBucket) is
  // said plainly: it is a deployment mistake, not a missing image.
  Status Translate(const Status& status, std::string_view doing, std::string_view key) const {
    if (status.IsNotFound() && status.peer_code() == "NoSuchBucket") {
      return Status::NotFound("S3 bucket '" + options_.bucket + "' does not exist (" +
                              status.message() + ")")
          .WithPeer(status.peer());
    }
    return status.WithContext(std::string(doing) + " " + Location(key));
  }

  const std::unique_ptr<net::HttpClient> owned_http_;
  const std::unique_ptr<aws::CredentialsProvider> owned_credentials_;
  const S3StoreOptions options_;
  const S3Address address_;
  aws::AwsClient client_;
};

}  // namespace

Result<std::unique_ptr<ObjectStore>> OpenS3Store(S3StoreOptions options, net::HttpClient& http,
                                                 aws::CredentialsProvider& credentials) {
  Result<S3StoreOptions> resolved = ResolveS3Options(std::move(options));
  if (!resolved.ok()) return resolved.status();
  return std::unique_ptr<ObjectStore>(
      std::make_unique<S3Store>(std::move(resolved).value(), nullptr, nullptr, http, credentials));
}

Result<std::unique_ptr<ObjectStore>> OpenS3Store(S3StoreOptions options) {
  Result<S3StoreOptions> resolved = ResolveS3Options(std::move(options));
  if (!resolved.ok()) return resolved.status();
  std::unique_ptr<net::HttpClient> http = net::NewHttpClient();
  std::unique_ptr<aws::CredentialsProvider> credentials =
      aws::CredentialsProvider::FromChain(aws::CredentialsChainOptions{}, *http);
  net::HttpClient& http_ref = *http;
  aws::CredentialsProvider& credentials_ref = *credentials;
  return std::unique_ptr<ObjectStore>(
      std::make_unique<S3Store>(std::move(resolved).value(), std::move(http),
                                std::move(credentials), http_ref, credentials_ref));
}

}  // namespace pictor
