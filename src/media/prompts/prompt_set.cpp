#include "media/prompts/prompt_set.hpp"

#include <speex/speex_resampler.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "media/prompts/error.hpp"

namespace jigasi::media::prompts {
namespace fs = std::filesystem;

namespace {

core::error fail(errc e, std::string what) {
    return core::error{make_error_code(e), std::move(what)};
}

// The language becomes a path component: no separators, no "..".
bool valid_language(std::string_view s) {
    return !s.empty() && s.size() <= 32 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
    });
}

}  // namespace

core::result<pcm_audio> read_wav_file(const fs::path& file) {
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (ec) return fail(errc::read_failed, file.string() + ": " + ec.message());
    if (size > max_wav_bytes)
        return fail(errc::too_large, file.string() + ": " + std::to_string(size) +
                                         " bytes (at most " + std::to_string(max_wav_bytes) + ")");
    std::ifstream in(file, std::ios::binary);
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
    if (!in ||
        !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
        return fail(errc::read_failed, file.string() + ": read failed");
    auto audio = parse_wav(bytes);
    if (!audio)
        return core::error{audio.error().code, file.string() + ": " + audio.error().diagnostic};
    return audio;
}

std::vector<std::int16_t> resample_whole(std::span<const std::int16_t> in, std::uint32_t in_rate,
                                         std::uint32_t out_rate, int quality) {
    if (in_rate == out_rate) return {in.begin(), in.end()};
    int err = 0;
    std::unique_ptr<SpeexResamplerState, void (*)(SpeexResamplerState*)> st(
        speex_resampler_init(1, in_rate, out_rate, quality, &err), speex_resampler_destroy);
    // Only bad rates or no memory fail here, and the callers pass checked rates: a bug.
    if (!st)
        throw std::runtime_error(std::string("speex_resampler_init: ") +
                                 speex_resampler_strerror(err));
    // Drop the filter delay at the start; feeding as many zeros at the end pushes the tail out.
    speex_resampler_skip_zeros(st.get());
    std::vector<std::int16_t> out((in.size() * std::uint64_t{out_rate} + in_rate / 2) / in_rate);
    std::size_t produced = 0;
    auto run = [&](std::span<const std::int16_t> src) {
        while (!src.empty() && produced < out.size()) {
            spx_uint32_t in_len =
                static_cast<spx_uint32_t>(std::min<std::size_t>(src.size(), 1 << 20));
            spx_uint32_t out_len =
                static_cast<spx_uint32_t>(std::min<std::size_t>(out.size() - produced, 1 << 22));
            speex_resampler_process_int(st.get(), 0, src.data(), &in_len, out.data() + produced,
                                        &out_len);
            if (in_len == 0 && out_len == 0) break;
            src = src.subspan(in_len);
            produced += out_len;
        }
    };
    run(in);
    const std::vector<std::int16_t> zeros(
        static_cast<std::size_t>(speex_resampler_get_input_latency(st.get())) + 1);
    run(zeros);
    return out;  // any shortfall stays zero
}

bool prompt_set::supports(std::uint32_t rate) {
    return std::find(rates.begin(), rates.end(), rate) != rates.end();
}

core::result<std::shared_ptr<const prompt_set>> prompt_set::load(
    std::string_view language, std::span<const fs::path> folders) {
    if (!valid_language(language))
        return fail(errc::bad_parameter, "prompt language '" + std::string(language) +
                                             "' (need 1 to 32 of A-Z a-z 0-9 - _)");
    std::shared_ptr<prompt_set> set(new prompt_set());
    set->language_ = language;
    for (std::size_t i = 0; i < prompt_count; ++i) {
        const std::string file = std::string(prompt_names[i]) + ".wav";
        entry& e = set->entries_[i];
        for (const auto& folder : folders) {
            const fs::path candidate = folder / language / file;
            std::error_code ec;
            if (!fs::is_regular_file(candidate, ec)) continue;
            auto audio = read_wav_file(candidate);
            if (!audio) return audio.error();
            e.source = candidate;
            e.file = std::move(*audio);
            break;
        }
        if (e.source.empty()) {
            std::string where;
            for (const auto& folder : folders)
                where += (where.empty() ? "" : ", ") + (folder / language).string();
            return fail(errc::not_found,
                        "no '" + std::string(prompt_names[i]) + "' prompt for language '" +
                            std::string(language) + "': " + file +
                            " is in none of: " + (where.empty() ? "(no folders)" : where));
        }
    }
    return std::shared_ptr<const prompt_set>(std::move(set));
}

std::span<const std::int16_t> prompt_set::samples(prompt_id id, std::uint32_t rate) const {
    const auto slot = std::find(rates.begin(), rates.end(), rate);
    if (slot == rates.end()) return {};
    const entry& e = entries_[index(id)];
    if (rate == e.file.rate) return e.file.samples;
    at_rate& c = e.cache[static_cast<std::size_t>(slot - rates.begin())];
    std::call_once(c.once, [&] { c.pcm = resample_whole(e.file.samples, e.file.rate, rate); });
    return c.pcm;
}

void prompt_set::prepare(std::uint32_t rate) const {
    for (std::size_t i = 0; i < prompt_count; ++i) (void)samples(static_cast<prompt_id>(i), rate);
}

}  // namespace jigasi::media::prompts
