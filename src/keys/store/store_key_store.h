// The KeyStore kept in an ObjectStore: one small JSON object per key (key_record_json.h) at
// `<prefix>/keys/<name>.json`, in the directory or S3 bucket the images (or the job records) go
// to, so every process sharing that store, the Lambda functions included, shares the keys
// without a database.
//
// Create claims a name with ObjectStore::PutIfAbsent: of several processes creating one name at
// once exactly one succeeds, the others get AlreadyExists (this needs a store whose PutIfAbsent
// is atomic: the file store on a local filesystem, S3, or an S3-compatible server that honours
// "If-None-Match: *"). Update checks that the record exists, then replaces it: two updates of one
// key at once leave the last one written, as the store has no conditional replace. A revocation
// alone is final whatever the order: the revoke first claims `<prefix>/keys/revoked/<name>`
// (PutIfAbsent, holding its time), and Get and List apply that marker to a record that a racing
// rotate wrote over the revoke. Records and markers are never deleted, so a name once used
// stays taken.
//
// List pays one LIST page per 1000 keys, and a GET only for the records whose ETag changed since
// this object's previous List (ETags that are content hashes, as S3's and the file store's are;
// with any other tag, a GET per key): authenticators refresh the set every few seconds, and most
// refreshes then cost one LIST. At most kMaxStoreKeys objects (records and revocation markers)
// are read.
// An object under keys/ whose name is not `<valid key name>.json` is ignored (it cannot be a
// key); one that is but does not decode, or names another key, is DataLoss, for List as a whole
// too (an authenticator must not silently forget a revocation). The store's own errors pass
// through with the key named.
//
// Thread-safety: thread-safe; any number of key stores in any number of processes may share a
// store and prefix.
#ifndef PICTOR_KEYS_STORE_STORE_KEY_STORE_H_
#define PICTOR_KEYS_STORE_STORE_KEY_STORE_H_

#include <cstddef>
#include <memory>
#include <string>

#include "pictor/api_keys.h"
#include "pictor/object_store.h"
#include "pictor/status.h"

namespace pictor {

// More keys than this under one prefix makes List fail (ResourceExhausted) rather than hand an
// authenticator a partial set.
inline constexpr size_t kMaxStoreKeys = 10000;

// Opens the key store on `store` (borrowed: it must outlive the key store) with records under
// `<prefix>/keys/` ("" puts them under keys/; empty segments of the prefix are dropped).
// InvalidArgument when the prefix cannot begin an object key. No I/O happens here.
Result<std::unique_ptr<KeyStore>> OpenStoreKeyStore(ObjectStore& store, std::string prefix);

}  // namespace pictor

#endif  // PICTOR_KEYS_STORE_STORE_KEY_STORE_H_
