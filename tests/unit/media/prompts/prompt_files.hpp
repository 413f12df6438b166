#pragma once
// WAV files made in the tests, well-formed or not, and a scratch folder for prompt sets.

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "media/prompts/prompt_id.hpp"

namespace jigasi::test {

struct wav_spec {
    std::uint16_t format = 1;  ///< 1 PCM, 3 float, 6 A-law, 0xFFFE extensible
    std::uint16_t channels = 1;
    std::uint32_t rate = 16000;
    std::uint16_t bits = 16;
    int block_align = -1;          ///< -1: channels * bits / 8
    std::uint16_t sub_format = 1;  ///< for 0xFFFE
};

inline void put16(std::vector<std::uint8_t>& v, std::uint32_t x) {
    v.push_back(static_cast<std::uint8_t>(x));
    v.push_back(static_cast<std::uint8_t>(x >> 8));
}
inline void put32(std::vector<std::uint8_t>& v, std::uint32_t x) {
    put16(v, x & 0xFFFF);
    put16(v, x >> 16);
}
inline void put_chunk(std::vector<std::uint8_t>& v, const char* id,
                      const std::vector<std::uint8_t>& body) {
    v.insert(v.end(), id, id + 4);
    put32(v, static_cast<std::uint32_t>(body.size()));
    v.insert(v.end(), body.begin(), body.end());
    if (body.size() & 1) v.push_back(0);
}

inline std::vector<std::uint8_t> fmt_body(const wav_spec& s) {
    std::vector<std::uint8_t> f;
    const std::uint16_t align = s.block_align >= 0
                                    ? static_cast<std::uint16_t>(s.block_align)
                                    : static_cast<std::uint16_t>(s.channels * s.bits / 8);
    put16(f, s.format);
    put16(f, s.channels);
    put32(f, s.rate);
    put32(f, s.rate * align);
    put16(f, align);
    put16(f, s.bits);
    if (s.format == 0xFFFE) {
        put16(f, 22);                       // cbSize
        put16(f, s.bits);                   // valid bits
        put32(f, s.channels == 2 ? 3 : 4);  // channel mask
        put16(f, s.sub_format);
        for (std::uint8_t b :
             {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71})
            f.push_back(b);
    }
    return f;
}

/// A RIFF/WAVE file: fmt, the `extra` chunks, then data holding `samples` (interleaved).
inline std::vector<std::uint8_t> make_wav(const std::vector<std::int16_t>& samples,
                                          const wav_spec& s = {},
                                          const std::vector<std::uint8_t>& extra = {}) {
    std::vector<std::uint8_t> body{'W', 'A', 'V', 'E'};
    put_chunk(body, "fmt ", fmt_body(s));
    body.insert(body.end(), extra.begin(), extra.end());
    std::vector<std::uint8_t> data;
    for (auto x : samples) put16(data, static_cast<std::uint16_t>(x));
    put_chunk(body, "data", data);
    std::vector<std::uint8_t> file{'R', 'I', 'F', 'F'};
    put32(file, static_cast<std::uint32_t>(body.size()));
    file.insert(file.end(), body.begin(), body.end());
    return file;
}

inline void write_file(const std::filesystem::path& p, const std::vector<std::uint8_t>& bytes) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
}

/// A folder removed with its contents at the end of the test.
struct temp_folder {
    std::filesystem::path path;
    temp_folder() {
        static std::atomic<int> n{0};
        path = std::filesystem::temp_directory_path() /
               ("jigasi-prompts-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~temp_folder() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    temp_folder(const temp_folder&) = delete;
    temp_folder& operator=(const temp_folder&) = delete;
};

/// Writes every prompt of `lang` into `folder`, prompt i holding audio(i) at `rate`.
inline void write_prompt_set(const std::filesystem::path& folder, const std::string& lang,
                             std::uint32_t rate,
                             const std::function<std::vector<std::int16_t>(std::size_t)>& audio) {
    wav_spec spec;
    spec.rate = rate;
    for (std::size_t i = 0; i < media::prompts::prompt_count; ++i)
        write_file(folder / lang / (std::string(media::prompts::prompt_names[i]) + ".wav"),
                   make_wav(audio(i), spec));
}

}  // namespace jigasi::test
