#pragma once
// SIP INFO bodies jigasi-ng understands, without I/O: DTMF as application/dtmf-relay (Signal=,
// Duration=) and application/dtmf (one key), and Jigasi's JSON control messages
// (jitsi-protocol.md 5.7: numbered {"i","t","d"} and typed {"type","id","data","status"}).
// Network input: never throws; anything unreadable is an error with a reason.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace jigasi::sip::info {

struct dtmf {
    char key = 0;                        ///< '0'-'9', '*', '#', 'A'-'D'
    std::optional<unsigned> duration_ms;
    friend bool operator==(const dtmf&, const dtmf&) = default;
};

/// {"i": seq, "t": type, "d": data} (d kept as JSON text; empty if absent).
struct numbered {
    std::optional<std::int64_t> seq;
    std::int64_t type = 0;
    std::string data_json;
};

/// {"type": "muteRequest", "id": "...", "data": {...}, "status": "OK"}.
struct typed {
    std::string type;
    std::string id;
    std::string status;
    std::string data_json;
    std::optional<bool> audio;           ///< data.audio, as mute requests carry it
};

using message = std::variant<dtmf, numbered, typed>;

struct parsed {
    std::optional<message> value;
    std::string error;                   ///< why nothing was parsed, when value is empty
};

/// `content_type` as "type/subtype" (parameters ignored, case-insensitive).
parsed parse(std::string_view content_type, std::string_view body);

/// RFC 4733 event code -> key ('0'..'9' = 0..9, '*' = 10, '#' = 11, 'A'..'D' = 12..15); 0 if none.
char key_of_event(unsigned event);

}  // namespace jigasi::sip::info
