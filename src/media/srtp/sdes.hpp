#pragma once
// SDES keying (RFC 4568) for SIP peers on RTP/SAVP: the master key of an a=crypto line, and fresh
// keys for our own lines. The SDP text itself is parsed by sip/sdp into media::crypto_attr; this
// turns one into a master_key for srtp::session.

#include "core/result.hpp"
#include "media/description.hpp"
#include "media/srtp/error.hpp"
#include "media/srtp/profile.hpp"

#include <cstdint>
#include <span>

namespace jigasi::media::srtp {

/// The key of an a=crypto line: a supported suite, exactly one inline key (no MKI: we never use
/// more than one master key), a valid lifetime if present, and no session parameter but WSH
/// (RFC 4568 §6.3: a parameter we do not implement makes the line unusable). Errors:
/// unsupported_suite, bad_key_params (bad base64, wrong length, MKI), unsupported_param.
core::result<master_key> parse_sdes(const media::crypto_attr& attr);

/// A fresh master key and salt from the CSPRNG (RFC 4568 §6.1: "randomly generated").
core::result<master_key> generate_key(profile p);

/// Our a=crypto line for `key`: inline base64 key||salt, no lifetime, no MKI, no parameters.
media::crypto_attr make_crypto_attr(std::uint32_t tag, const master_key& key);

/// The first of the peer's lines (its preference order, RFC 4568 §7.1.1) that parse_sdes()
/// accepts and whose suite is in `allowed`; nullptr if none.
const media::crypto_attr* choose_crypto(std::span<const media::crypto_attr> offered,
                                        std::span<const profile> allowed);

}  // namespace jigasi::media::srtp
