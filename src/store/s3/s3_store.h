// The ObjectStore on Amazon S3 and S3-compatible servers (MinIO, Ceph, fauxqs): spec
// "s3://bucket[/prefix]".
//
// Keys. A store opened on "s3://bucket/some/prefix" keeps key K at "some/prefix/K"; without a
// prefix, at "K". This prefix is the store's own. The deployment variable KEY_PREFIX is applied
// by core to the keys it names before they reach any store, so it must not also be put in the
// spec: with BUCKET_NAME=b and KEY_PREFIX=images/ the object lands at "images/<name>" in b, never
// "images/images/<name>".
//
// Addressing. On AWS (no endpoint configured) requests go to the virtual-hosted
// https://<bucket>.s3.<region>.amazonaws.com/<key>, or to the path-style
// https://s3.<region>.amazonaws.com/<bucket>/<key> when the bucket name is not a plain DNS label
// (dots break the wildcard TLS certificate) or force_path_style is set. With a custom endpoint
// (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, or options.endpoint) requests are always path-style:
// <endpoint>/<bucket>/<key>. Keys are URI-encoded once, every byte but A-Z a-z 0-9 - . _ ~ and '/'.
//
// Integrity: every Put carries Content-MD5 (honoured by S3, MinIO and Ceph alike), and the signed
// x-amz-content-sha256 covers the body too.
//
// Errors: a bad key is InvalidArgument before any request. NoSuchKey / 404 is NotFound;
// NoSuchBucket is NotFound saying "S3 bucket '<name>' does not exist" (Head cannot tell the two
// apart: a HEAD reply has no body); AccessDenied / 403 is PermissionDenied; throttling and 5xx
// are retried (max_attempts, jittered backoff) and then ResourceExhausted / Unavailable; an
// unreadable listing is Internal. Messages never carry credentials.
//
// PutIfAbsent is PutObject with "If-None-Match: *" (S3 conditional writes; MinIO and Ceph
// honour it too): 412 PreconditionFailed is AlreadyExists; 409 ConditionalRequestConflict (a
// concurrent conditional write to the key) is retried like a 5xx and then Unavailable. A server
// that ignores the header would make PutIfAbsent a plain Put, so the ledger built on it needs
// one that honours it. Delete is DeleteObject: OK for a missing key, NotFound for a missing
// bucket.
//
// Thread-safety: the stores returned here are thread-safe.
#ifndef PICTOR_STORE_S3_S3_STORE_H_
#define PICTOR_STORE_S3_S3_STORE_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "net/http_client.h"
#include "pictor/object_store.h"
#include "pictor/status.h"

namespace pictor {

struct S3StoreOptions {
  std::string bucket;
  // The store's own key prefix, without leading or trailing '/'; keys are prefix + "/" + key
  // when it is set.
  std::string prefix;
  // "" = resolved when the store opens: AWS_REGION, AWS_DEFAULT_REGION, the profile's region,
  // else "us-east-1".
  std::string region;
  // "" = resolved when the store opens: AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else AWS
  // itself. A custom endpoint ("http://127.0.0.1:9000[/base]") means path-style addressing.
  std::string endpoint;
  bool force_path_style = false;
  // ListObjectsV2 max-keys per request, 1..1000 (S3 never returns more than 1000).
  size_t list_page_size = 1000;
  int max_attempts = 3;  // per call, with the AWS SDKs' standard-mode backoff (net/retry.h)
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds total_timeout{30000};
};

// Reads "s3://bucket" or "s3://bucket/some/prefix" (a trailing '/' is ignored). Region and
// endpoint stay empty. InvalidArgument, naming the expected form, for anything else.
Result<S3StoreOptions> ParseS3Spec(std::string_view spec);

// The original deployment's settings: BUCKET_NAME (a bucket name, or an "s3://..." spec). Does
// not read KEY_PREFIX (core applies it; see above). InvalidArgument when BUCKET_NAME is unset
// or not a bucket name.
Result<S3StoreOptions> S3OptionsFromEnvironment();

// Fills an empty region and endpoint from the environment as described on S3StoreOptions, and
// checks the rest (bucket name, page size, attempts). The store's factories call it.
Result<S3StoreOptions> ResolveS3Options(S3StoreOptions options);

// True when `bucket` can be the first label of a virtual-hosted TLS host name: 3..63 of
// a-z 0-9 '-', starting and ending with a letter or digit, no dots.
bool IsVirtualHostableBucket(std::string_view bucket);

// Where requests for a bucket go, for options already resolved (pure; no environment).
struct S3Address {
  std::string endpoint;     // base URL for the signed client: "https://b.s3.r.amazonaws.com"
  std::string bucket_path;  // prepended to every request path: "" or "/bucket"
};
S3Address S3AddressFor(const S3StoreOptions& resolved);

// The URL of the object at `full_key` (prefix included), without query: the bucket's address
// plus the URI-encoded key. Pure.
std::string S3ObjectUrl(const S3StoreOptions& resolved, std::string_view full_key);

// Opens a store that borrows `http` and `credentials`; both must outlive it. Thread-safe when
// they are (the library's are). No network I/O happens here: a missing bucket shows up as
// NotFound on the first call. Errors: InvalidArgument for bad options.
Result<std::unique_ptr<ObjectStore>> OpenS3Store(S3StoreOptions options, net::HttpClient& http,
                                                 aws::CredentialsProvider& credentials);

// Opens a store that owns an HTTP client (net::NewHttpClient) and the default credentials chain
// (environment, shared files, container, instance metadata).
Result<std::unique_ptr<ObjectStore>> OpenS3Store(S3StoreOptions options);

}  // namespace pictor

#endif  // PICTOR_STORE_S3_S3_STORE_H_
