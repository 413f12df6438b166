// The WAV reader: good files at the common rates, stereo, extensible and streamed forms; and
// every way a user's file can be wrong, which must give a clear error and never a crash.

#include <catch2/catch.hpp>
#include <random>

#include "media/prompts/error.hpp"
#include "media/prompts/wav.hpp"
#include "prompt_files.hpp"

using namespace jigasi::media::prompts;
using jigasi::test::make_wav;
using jigasi::test::put32;
using jigasi::test::wav_spec;

namespace {

std::vector<std::int16_t> ramp(std::size_t n) {
    std::vector<std::int16_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::int16_t>(i * 37 % 65536 - 32768);
    return v;
}

errc code_of(const std::vector<std::uint8_t>& file) {
    auto r = parse_wav(file);
    REQUIRE_FALSE(r);
    CHECK(r.error().code.category() == category());
    CHECK_FALSE(r.error().diagnostic.empty());
    return static_cast<errc>(r.error().code.value());
}

wav_spec spec_with(void (*edit)(wav_spec&)) {
    wav_spec s;
    edit(s);
    return s;
}

}  // namespace

TEST_CASE("wav: mono 16-bit PCM at the common rates", "[prompts][wav]") {
    for (std::uint32_t rate : {8000u, 11025u, 16000u, 22050u, 32000u, 44100u, 48000u, 96000u}) {
        wav_spec s;
        s.rate = rate;
        const auto pcm = ramp(rate / 10);
        auto r = parse_wav(make_wav(pcm, s));
        REQUIRE(r);
        CHECK(r->rate == rate);
        CHECK(r->samples == pcm);
    }
}

TEST_CASE("wav: stereo is mixed down to mono", "[prompts][wav]") {
    wav_spec s;
    s.channels = 2;
    s.rate = 44100;
    auto r = parse_wav(make_wav({1000, -200, 32767, 32767, -32768, -32768, 5, 6}, s));
    REQUIRE(r);
    CHECK(r->samples == std::vector<std::int16_t>{400, 32767, -32768, 5});
}

TEST_CASE("wav: extensible PCM, other chunks, streamed sizes, odd bytes", "[prompts][wav]") {
    const auto pcm = ramp(100);
    wav_spec ext;
    ext.format = 0xFFFE;
    auto r = parse_wav(make_wav(pcm, ext));
    REQUIRE(r);
    CHECK(r->samples == pcm);
    ext.sub_format = 3;  // float inside the extensible wrapper
    CHECK(code_of(make_wav(pcm, ext)) == errc::unsupported);

    // A LIST chunk of odd size (so padded) and a fact chunk between fmt and data are skipped.
    std::vector<std::uint8_t> extra;
    jigasi::test::put_chunk(extra, "LIST", {'I', 'N', 'F', 'O', 'x'});
    jigasi::test::put_chunk(extra, "fact", {1, 0, 0, 0});
    r = parse_wav(make_wav(pcm, {}, extra));
    REQUIRE(r);
    CHECK(r->samples == pcm);

    // Streaming writers leave 0xFFFFFFFF in the sizes: the data runs to the end of the file.
    auto streamed = make_wav(pcm);
    streamed[4] = streamed[5] = streamed[6] = streamed[7] = 0xFF;
    const std::size_t data_size_at = streamed.size() - pcm.size() * 2 - 4;
    for (int i = 0; i < 4; ++i) streamed[data_size_at + i] = 0xFF;
    r = parse_wav(streamed);
    REQUIRE(r);
    CHECK(r->samples == pcm);

    // A wrong RIFF size is ignored; a trailing odd byte (half a sample) is dropped.
    auto odd = make_wav(pcm);
    odd[4] = 3;
    odd.push_back(0x7F);
    odd[data_size_at] += 1;
    r = parse_wav(odd);
    REQUIRE(r);
    CHECK(r->samples == pcm);
}

TEST_CASE("wav: formats we do not play are refused by name", "[prompts][wav]") {
    const auto pcm = ramp(64);
    CHECK(code_of(make_wav(pcm, spec_with([](wav_spec& s) { s.bits = 8; }))) == errc::unsupported);
    CHECK(code_of(make_wav(pcm, spec_with([](wav_spec& s) { s.bits = 24; }))) == errc::unsupported);
    CHECK(code_of(make_wav(pcm, spec_with([](wav_spec& s) {
                               s.format = 3;
                               s.bits = 32;
                           }))) == errc::unsupported);
    CHECK(code_of(make_wav(pcm, spec_with([](wav_spec& s) {
                               s.format = 6;
                               s.bits = 8;
                           }))) == errc::unsupported);
    CHECK(code_of(make_wav(pcm, spec_with([](wav_spec& s) { s.channels = 3; }))) ==
          errc::unsupported);
    CHECK(code_of(make_wav(pcm, spec_with([](wav_spec& s) { s.channels = 0; }))) ==
          errc::unsupported);
    CHECK(code_of(make_wav(pcm, spec_with([](wav_spec& s) { s.rate = 0; }))) == errc::unsupported);
    CHECK(code_of(make_wav(pcm, spec_with([](wav_spec& s) { s.rate = 4000; }))) ==
          errc::unsupported);
    CHECK(code_of(make_wav(pcm, spec_with([](wav_spec& s) { s.rate = 200000; }))) ==
          errc::unsupported);
    CHECK(code_of(make_wav(pcm, spec_with([](wav_spec& s) { s.block_align = 4; }))) ==
          errc::unsupported);

    auto r = parse_wav(make_wav(pcm, spec_with([](wav_spec& s) { s.bits = 24; })));
    CHECK(r.error().diagnostic == "24-bit samples (need 16-bit)");
}

TEST_CASE("wav: not a WAV, no fmt, no data, empty data", "[prompts][wav]") {
    CHECK(code_of({}) == errc::not_wav);
    CHECK(code_of({'R', 'I', 'F', 'F', 0, 0, 0, 0, 'A', 'V', 'I', ' '}) == errc::not_wav);
    auto good = make_wav(ramp(10));
    auto rifx = good;
    rifx[3] = 'X';
    CHECK(code_of(rifx) == errc::not_wav);

    // data before fmt
    std::vector<std::uint8_t> f{'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E'};
    jigasi::test::put_chunk(f, "data", {1, 2, 3, 4});
    CHECK(code_of(f) == errc::not_wav);
    // fmt only
    f.resize(12);
    jigasi::test::put_chunk(f, "fmt ", jigasi::test::fmt_body({}));
    CHECK(code_of(f) == errc::no_audio);
    // a short fmt
    f.resize(12);
    jigasi::test::put_chunk(f, "fmt ", {1, 0, 1, 0});
    CHECK(code_of(f) == errc::not_wav);
    // data without a whole sample
    CHECK(code_of(make_wav({})) == errc::no_audio);
}

TEST_CASE("wav: every truncation of a good file is refused", "[prompts][wav]") {
    const auto good = make_wav(ramp(200), {}, {'L', 'I', 'S', 'T', 2, 0, 0, 0, 'a', 'b'});
    REQUIRE(parse_wav(good));
    for (std::size_t n = 0; n < good.size(); ++n) {
        INFO(n << " bytes");
        const std::vector<std::uint8_t> cut(good.begin(),
                                            good.begin() + static_cast<std::ptrdiff_t>(n));
        const auto e = code_of(cut);
        CHECK((e == errc::not_wav || e == errc::truncated || e == errc::no_audio));
    }
    const std::vector<std::uint8_t> cut(good.begin(), good.end() - 10);
    auto r = parse_wav(cut);
    CHECK(r.error().diagnostic == "data chunk declares 400 bytes, 390 present");
}

TEST_CASE("wav: huge declared sizes", "[prompts][wav]") {
    const auto pcm = ramp(50);
    // a data chunk claiming nearly 4 GiB
    auto f = make_wav(pcm);
    const std::size_t data_size_at = f.size() - pcm.size() * 2 - 4;
    f[data_size_at] = 0xF0, f[data_size_at + 1] = f[data_size_at + 2] = f[data_size_at + 3] = 0xFF;
    CHECK(code_of(f) == errc::truncated);
    // a fmt chunk claiming 4 GiB
    f = make_wav(pcm);
    f[16] = f[17] = f[18] = f[19] = 0xFF;
    CHECK(code_of(f) == errc::truncated);
    // an unknown chunk claiming 2 GiB before the data
    std::vector<std::uint8_t> extra{'j', 'u', 'n', 'k'};
    put32(extra, 0x7FFFFFFF);
    CHECK(code_of(make_wav(pcm, {}, extra)) == errc::truncated);
    // more bytes than we read at all
    std::vector<std::uint8_t> big(max_wav_bytes + 1, 0);
    CHECK(code_of(big) == errc::too_large);
}

TEST_CASE("wav: garbage and mutated files never crash", "[prompts][wav]") {
    std::mt19937 rng(20240611);
    const auto good = make_wav(ramp(300), spec_with([](wav_spec& s) { s.channels = 2; }));
    std::size_t accepted = 0;
    for (int i = 0; i < 20000; ++i) {
        std::vector<std::uint8_t> f;
        if (i % 4 == 0) {
            f.resize(rng() % 200);
            for (auto& b : f) b = static_cast<std::uint8_t>(rng());
            if (i % 8 == 0 && f.size() >= 12) std::copy_n("RIFF\0\0\0\0WAVE", 12, f.begin());
        } else {
            f = good;
            for (int k = 0, n = 1 + static_cast<int>(rng() % 4); k < n; ++k)
                f[rng() % f.size()] = static_cast<std::uint8_t>(rng());
            if (i % 3 == 0) f.resize(rng() % f.size());
        }
        auto r = parse_wav(f);
        if (r) {
            ++accepted;
            CHECK(!r->samples.empty());
            CHECK(r->rate >= min_wav_rate);
            CHECK(r->rate <= max_wav_rate);
            CHECK(r->samples.size() * 2 <= f.size());
        } else {
            CHECK_FALSE(r.error().diagnostic.empty());
        }
    }
    CHECK(accepted > 0);  // mutations inside the samples leave a valid file
}
