#include "media/rtp/header_extension.hpp"

#include "media/rtp/bytes.hpp"

#include <algorithm>
#include <cmath>

namespace jigasi::media::rtp {

namespace {

constexpr std::uint16_t one_byte_profile = 0xBEDE;    // RFC 8285 §4.2
constexpr std::uint16_t two_byte_profile = 0x1000;    // RFC 8285 §4.3, low 4 bits "appbits"

bool fits_one_byte(const extension_element& e) {
    return e.id >= 1 && e.id <= 14 && !e.data.empty() && e.data.size() <= 16;
}

bool fits_two_byte(const extension_element& e) { return e.id >= 1 && e.data.size() <= 255; }

/// The form to write, or nullopt when some element fits neither the asked nor any form.
std::optional<extension_form> pick_form(std::span<const extension_element> elements,
                                        extension_form asked) {
    const bool one = std::all_of(elements.begin(), elements.end(), fits_one_byte);
    const bool two = std::all_of(elements.begin(), elements.end(), fits_two_byte);
    switch (asked) {
    case extension_form::one_byte: return one ? std::optional(asked) : std::nullopt;
    case extension_form::two_byte: return two ? std::optional(asked) : std::nullopt;
    case extension_form::automatic: break;
    }
    if (one) return extension_form::one_byte;
    if (two) return extension_form::two_byte;
    return std::nullopt;
}

}  // namespace

extension_ids find_extension_ids(std::span<const media::header_extension> negotiated) {
    extension_ids ids;
    for (const auto& e : negotiated) {
        if (e.id == 0 || e.id > 255) continue;  // RFC 8285 §5: 1..14 or 1..255 (256.. are not ids)
        const auto id = static_cast<std::uint8_t>(e.id);
        if (e.uri == audio_level_uri && ids.audio_level == 0) ids.audio_level = id;
        if (e.uri == mid_uri && ids.mid == 0) ids.mid = id;
    }
    return ids;
}

extension_reader::extension_reader(const packet_view& p) {
    if (!p.has_extension) return;
    if (p.extension_profile == one_byte_profile) {
        data_ = p.extension_data;
    } else if ((p.extension_profile & 0xfff0) == two_byte_profile) {
        data_ = p.extension_data;
        two_byte_ = true;
    }
}

bool extension_reader::next(extension_element& out) {
    while (pos_ < data_.size()) {
        const std::uint8_t b = data_[pos_];
        if (b == 0) {  // RFC 8285 §4.2/§4.3: a zero byte between elements is padding
            ++pos_;
            continue;
        }
        std::size_t len = 0;
        std::uint8_t id = 0;
        if (two_byte_) {
            if (data_.size() - pos_ < 2) break;
            id = b;
            len = data_[pos_ + 1];
            pos_ += 2;
        } else {
            id = b >> 4;
            // RFC 8285 §4.2: id 15 is reserved; processing of the whole block stops there.
            if (id == 15) {
                pos_ = data_.size();
                return false;
            }
            len = (b & 0x0f) + 1u;
            pos_ += 1;
        }
        if (data_.size() - pos_ < len) break;
        out.id = id;
        out.data = data_.subspan(pos_, len);
        pos_ += len;
        return true;
    }
    if (pos_ < data_.size()) {
        malformed_ = true;
        pos_ = data_.size();
    }
    return false;
}

std::optional<std::span<const std::uint8_t>> find_extension(const packet_view& p, std::uint8_t id) {
    extension_reader r(p);
    extension_element e;
    while (r.next(e))
        if (e.id == id) return e.data;
    return std::nullopt;
}

result<std::size_t> extension_block_size(std::span<const extension_element> elements,
                                         extension_form form) {
    if (elements.empty()) return std::size_t{0};
    const auto f = pick_form(elements, form);
    if (!f) return fail(errc::bad_extension);
    std::size_t n = 0;
    for (const auto& e : elements) n += (*f == extension_form::one_byte ? 1 : 2) + e.data.size();
    return 4 + (n + 3) / 4 * 4;
}

result<std::size_t> write_extension_block(std::span<const extension_element> elements,
                                          extension_form form, std::span<std::uint8_t> out) {
    const auto size = extension_block_size(elements, form);
    if (!size || *size == 0) return size;
    if (out.size() < *size) return fail(errc::buffer_too_small);
    const bool one = *pick_form(elements, form) == extension_form::one_byte;
    detail::put16(out, 0, one ? one_byte_profile : two_byte_profile);
    detail::put16(out, 2, static_cast<std::uint16_t>((*size - 4) / 4));
    std::size_t at = 4;
    for (const auto& e : elements) {
        if (one) {
            out[at++] = static_cast<std::uint8_t>((e.id << 4) | (e.data.size() - 1));
        } else {
            out[at++] = e.id;
            out[at++] = static_cast<std::uint8_t>(e.data.size());
        }
        std::copy(e.data.begin(), e.data.end(), out.begin() + static_cast<std::ptrdiff_t>(at));
        at += e.data.size();
    }
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(at),
              out.begin() + static_cast<std::ptrdiff_t>(*size), std::uint8_t{0});
    return *size;
}

std::optional<audio_level> read_audio_level(std::span<const std::uint8_t> data) {
    if (data.empty()) return std::nullopt;
    return audio_level{(data[0] & 0x80) != 0, static_cast<std::uint8_t>(data[0] & 0x7f)};
}

std::uint8_t encode_audio_level(audio_level a) {
    return static_cast<std::uint8_t>((a.voice ? 0x80 : 0) | std::min<std::uint8_t>(a.level, 127));
}

std::uint8_t compute_audio_level(std::span<const std::int16_t> pcm) {
    if (pcm.empty()) return silence_level;
    // 64-bit sum: 960 samples of 32768^2 are 2^40.
    std::uint64_t sum = 0;
    for (const auto s : pcm) sum += static_cast<std::uint64_t>(std::int64_t{s} * s);
    const double mean_square = static_cast<double>(sum) / static_cast<double>(pcm.size());
    constexpr double full_scale_square = 32768.0 * 32768.0;
    // libwebrtc RmsLevel: below -127 dBov (10^-12.7 of full scale power) the level is 127.
    if (mean_square <= full_scale_square * 1.995262314968883e-13) return silence_level;
    const double dbov = 10.0 * std::log10(mean_square / full_scale_square);
    const double level = std::clamp(-dbov + 0.5, 0.0, 127.0);
    return static_cast<std::uint8_t>(level);
}

}  // namespace jigasi::media::rtp
