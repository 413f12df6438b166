#pragma once
// XEP-0114 §3 component handshake: after the server's stream header, the component sends
// <handshake>hex(SHA-1(stream id + secret))</handshake> and the server answers with an empty
// <handshake/> (or a stream error, not-authorized). Sans-io: the stream code moves the text.

#include <string>
#include <string_view>

namespace jigasi::xmpp {

/// The text of <handshake/>: lowercase hex SHA-1 of `stream_id` followed by `secret`. The stream
/// id is the id attribute's value after XML unescaping; both are used as UTF-8 bytes.
std::string component_handshake(std::string_view stream_id, std::string_view secret);

/// Server side (test fakes): true if `received` is the right handshake. Hex case is ignored, as
/// some components send upper case; the comparison is constant-time.
bool verify_component_handshake(std::string_view stream_id, std::string_view secret,
                                std::string_view received);

}  // namespace jigasi::xmpp
