#pragma once
// The built-in conference mapper (issue 8 item 3, jitsi-protocol.md §6.3): a stable numeric
// meeting ID per conference, for Jitsi Meet's dial-in panel and for the IVR that turns a typed ID
// back into a room. IDs are random (not derived from the name, so they cannot be computed) and
// kept in dialin.ids_file, rewritten atomically (temporary file, fsync, rename) at each new one.
// Thread-safe: HTTP handlers and calls use it at once.
#include "core/log.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace jigasi::app {

class conference_mapper {
public:
    /// At most this many conferences are kept (each new one after that is refused).
    static constexpr std::size_t max_conferences = 100000;

    conference_mapper(std::string ids_file, const core::logger& logger);

    /// Reads ids_file; a missing file is an empty mapper, an unreadable one is logged and kept
    /// aside (renamed *.bad) so that it is never overwritten. Returns false on that error.
    bool load();

    /// The conference's ID, made on first use with `digits` digits. nullopt: the mapper is full.
    /// `conference` is "room@muc.domain", lower-cased by the caller.
    std::optional<std::uint64_t> id_for(const std::string& conference, unsigned digits);
    /// The conference an ID stands for; nullopt if none.
    std::optional<std::string> conference_of(std::uint64_t id) const;
    std::size_t size() const;

private:
    void save_locked();

    std::string file_;
    core::log_channel log_;
    mutable std::mutex mu_;
    std::map<std::string, std::uint64_t> ids_;
    std::map<std::uint64_t, std::string> conferences_;
    bool save_failed_ = false;
};

}  // namespace jigasi::app
