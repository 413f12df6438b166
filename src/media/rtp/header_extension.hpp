#pragma once
// RTP header extensions (RFC 8285) and the two we use toward the bridge: the client-to-mixer audio
// level (RFC 6464), which the bridge reads for dominant speaker and silence discard, and the BUNDLE
// mid ("sdes:mid", RFC 9143). jitsi-protocol.md §4.1: the ids come from the offer, never fixed.

#include "media/description.hpp"
#include "media/rtp/packet.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace jigasi::media::rtp {

inline constexpr std::string_view audio_level_uri = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
inline constexpr std::string_view mid_uri = "urn:ietf:params:rtp-hdrext:sdes:mid";

/// The local ids negotiated for the extensions we know; 0 when not negotiated.
struct extension_ids {
    std::uint8_t audio_level = 0;
    std::uint8_t mid = 0;
};
extension_ids find_extension_ids(std::span<const media::header_extension> negotiated);

/// Walks the elements of a packet's extension block. Unknown profiles yield nothing (RFC 8285 §4:
/// an extension we do not understand is ignored, not an error).
class extension_reader {
public:
    explicit extension_reader(const packet_view& p);
    /// The next element; false at the end, or when the block is malformed (see malformed()).
    bool next(extension_element& out);
    bool malformed() const { return malformed_; }

private:
    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 0;
    bool two_byte_ = false;
    bool malformed_ = false;
};

/// The sdes:mid element of an outgoing packet (RFC 9143): the mid's bytes, 1..16 in the one-byte
/// form. `mid` must outlive the write.
inline extension_element mid_element(std::uint8_t id, std::string_view mid) {
    return {id, {reinterpret_cast<const std::uint8_t*>(mid.data()), mid.size()}};
}

/// The data of the first element with local id `id`.
std::optional<std::span<const std::uint8_t>> find_extension(const packet_view& p, std::uint8_t id);

/// The bytes an extension block of these elements takes (4-byte header, elements, padding to 32
/// bits), 0 for none; bad_extension when an element does not fit the form.
result<std::size_t> extension_block_size(std::span<const extension_element> elements,
                                         extension_form form);
/// Write the block at out[0..]; `out` must hold extension_block_size() bytes.
result<std::size_t> write_extension_block(std::span<const extension_element> elements,
                                          extension_form form, std::span<std::uint8_t> out);

// --- RFC 6464 audio level ---

/// RFC 6464 §3: V (the sender's voice activity flag) and the level in -dBov, 0 (loudest) .. 127
/// (silence or quieter).
struct audio_level {
    bool voice = false;
    std::uint8_t level = 127;
    friend bool operator==(const audio_level&, const audio_level&) = default;
};

inline constexpr std::uint8_t silence_level = 127;

/// The level element's data (1 byte in either form); nullopt when empty.
std::optional<audio_level> read_audio_level(std::span<const std::uint8_t> data);
/// The one data byte of the element; level clamped to 127.
std::uint8_t encode_audio_level(audio_level a);

/// The level of one PCM frame as RFC 6464 wants it, computed as libwebrtc's RmsLevel does: RMS
/// relative to full scale (32768), in dB, negated and rounded; digital silence is 127. A full-scale
/// sine is -3 dBov, so 3.
std::uint8_t compute_audio_level(std::span<const std::int16_t> pcm);

}  // namespace jigasi::media::rtp
