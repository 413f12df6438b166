#include "media/prompts/wav.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <string>

#include "media/prompts/error.hpp"

namespace jigasi::media::prompts {
namespace {

constexpr std::uint16_t format_pcm = 1, format_extensible = 0xFFFE;
// KSDATAFORMAT_SUBTYPE_PCM after its first two bytes (the format tag).
constexpr std::array<std::uint8_t, 14> pcm_guid_tail = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
                                                        0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};
constexpr std::uint32_t size_unknown = 0xFFFFFFFF;

std::uint16_t le16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>(p[0] | p[1] << 8);
}
std::uint32_t le32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
           std::uint32_t{p[3]} << 24;
}
bool tag_is(const std::uint8_t* p, const char (&tag)[5]) {
    return std::memcmp(p, tag, 4) == 0;
}

core::error fail(errc e, std::string what) {
    return core::error{make_error_code(e), std::move(what)};
}

struct wav_format {
    std::uint16_t tag = 0, channels = 0, block_align = 0, bits = 0;
    std::uint32_t rate = 0;
};

// fmt chunk: WAVEFORMAT (16 bytes), WAVEFORMATEX (18) or WAVEFORMATEXTENSIBLE (40).
core::result<wav_format> read_fmt(std::span<const std::uint8_t> c) {
    if (c.size() < 16)
        return fail(errc::not_wav, "fmt chunk of " + std::to_string(c.size()) + " bytes (need 16)");
    wav_format f{le16(&c[0]), le16(&c[2]), le16(&c[12]), le16(&c[14]), le32(&c[4])};
    if (f.tag == format_extensible) {
        if (c.size() < 40)
            return fail(errc::not_wav, "WAVE_FORMAT_EXTENSIBLE fmt chunk shorter than 40 bytes");
        if (le16(&c[24]) != format_pcm ||
            !std::equal(pcm_guid_tail.begin(), pcm_guid_tail.end(), &c[26]))
            return fail(errc::unsupported,
                        "WAVE_FORMAT_EXTENSIBLE with a sub-format other than PCM");
        f.tag = format_pcm;
    }
    if (f.tag != format_pcm)
        return fail(errc::unsupported,
                    "format " + std::to_string(f.tag) + " (need 1, integer PCM)");
    if (f.bits != 16)
        return fail(errc::unsupported, std::to_string(f.bits) + "-bit samples (need 16-bit)");
    if (f.channels != 1 && f.channels != 2)
        return fail(errc::unsupported, std::to_string(f.channels) + " channels (need 1 or 2)");
    if (f.block_align != f.channels * 2)
        return fail(errc::unsupported, "block align " + std::to_string(f.block_align) + " for " +
                                           std::to_string(f.channels) + " channels of 16 bits");
    if (f.rate < min_wav_rate || f.rate > max_wav_rate)
        return fail(errc::unsupported,
                    "rate " + std::to_string(f.rate) + " Hz (need 8000 to 96000)");
    return f;
}

}  // namespace

core::result<pcm_audio> parse_wav(std::span<const std::uint8_t> file) {
    if (file.size() > max_wav_bytes)
        return fail(errc::too_large, std::to_string(file.size()) + " bytes");
    if (file.size() < 12 || !tag_is(&file[0], "RIFF") || !tag_is(&file[8], "WAVE"))
        return fail(errc::not_wav, "no RIFF/WAVE header");
    // The RIFF size is ignored: writers often get it wrong, and the chunks say it all.
    std::optional<wav_format> fmt;
    std::span<const std::uint8_t> data;
    bool have_data = false;
    std::size_t at = 12;
    while (!have_data && file.size() - at >= 8) {
        const std::uint8_t* head = &file[at];
        const std::uint64_t declared = le32(head + 4);
        const std::size_t left = file.size() - at - 8;
        std::size_t size = static_cast<std::size_t>(std::min<std::uint64_t>(declared, left));
        if (tag_is(head, "data")) {
            if (!fmt) return fail(errc::not_wav, "data chunk before the fmt chunk");
            if (declared > left && declared != size_unknown)
                return fail(errc::truncated, "data chunk declares " + std::to_string(declared) +
                                                 " bytes, " + std::to_string(left) + " present");
            data = file.subspan(at + 8, size);
            have_data = true;
        } else if (declared > left) {
            return fail(errc::truncated, "'" + std::string(reinterpret_cast<const char*>(head), 4) +
                                             "' chunk declares " + std::to_string(declared) +
                                             " bytes, " + std::to_string(left) + " present");
        } else if (tag_is(head, "fmt ")) {
            if (fmt) return fail(errc::not_wav, "two fmt chunks");
            auto f = read_fmt(file.subspan(at + 8, size));
            if (!f) return f.error();
            fmt = *f;
        }
        // Chunks are padded to even sizes (RIFF); a missing pad byte at the very end is harmless.
        at += 8 + size + (size & 1);
        at = std::min(at, file.size());
    }
    if (!fmt) return fail(errc::not_wav, "no fmt chunk");
    if (!have_data) return fail(errc::no_audio, "no data chunk");
    // A trailing partial frame (an odd byte) is dropped, not refused.
    const std::size_t frames = data.size() / fmt->block_align;
    if (frames == 0) return fail(errc::no_audio, "empty data chunk");
    pcm_audio out{fmt->rate, std::vector<std::int16_t>(frames)};
    const std::uint8_t* p = data.data();
    for (std::size_t i = 0; i < frames; ++i, p += fmt->block_align) {
        const auto left = static_cast<std::int16_t>(le16(p));
        if (fmt->channels == 1) {
            out.samples[i] = left;
        } else {
            const auto right = static_cast<std::int16_t>(le16(p + 2));
            out.samples[i] = static_cast<std::int16_t>((left + right) / 2);
        }
    }
    return out;
}

}  // namespace jigasi::media::prompts
