// The SQS message attributes Pictor writes and reads: wire names, shared by the SQS queue
// adapter (which writes them on a deferred copy and asks for them on receive) and the Lambda
// runtime (which reads them from the SQS events Lambda delivers). Here, in the AWS library both
// may include, because neither may include the other: an adapter is included only by app.
#ifndef PICTOR_AWS_SQS_ATTRIBUTES_H_
#define PICTOR_AWS_SQS_ATTRIBUTES_H_

#include <string_view>

namespace pictor::aws {

// The message attributes a deferred copy carries (JobQueue::Defer): the number of deferrals so
// far, and the id of the message first sent. String attributes holding a decimal count and a
// message id. Renaming either strands the deferral state of messages already in a queue.
inline constexpr std::string_view kSqsDeferralsAttribute = "pictor.deferrals";
inline constexpr std::string_view kSqsOriginAttribute = "pictor.origin_message_id";

}  // namespace pictor::aws

#endif  // PICTOR_AWS_SQS_ATTRIBUTES_H_
