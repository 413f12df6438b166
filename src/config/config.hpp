#pragma once
// The configuration model: plain aggregates whose in-class initialisers are the documented defaults.
// The same model is read from the JSON file, overridden by flags, served and edited by the admin API,
// and compared on reload (config/diff.hpp) to tell what changed live and what needs a restart.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace jigasi::config {

/// Syslog severities (RFC 5424 6.2.1); the numeric value is the journald `<N>` prefix.
enum class log_level : std::uint8_t {
    emerg = 0, alert = 1, crit = 2, error = 3, warning = 4, notice = 5, info = 6, debug = 7
};

struct log_config {
    log_level level = log_level::info;                  ///< default for every subsystem
    std::map<std::string, log_level> subsystems;        ///< per-subsystem override, e.g. {"http": debug}
    bool timestamps = false;                            ///< journald stamps lines itself
    friend bool operator==(const log_config&, const log_config&) = default;
};

struct server_config {
    unsigned threads = 0;                  ///< io_context threads; 0 = one per core
    unsigned drain_timeout_s = 60;         ///< SIGTERM / POST /about/shutdown: wait for calls up to this
    std::string region;                    ///< brewery stat `region`, empty = not published
    unsigned conferences_threshold = 100;  ///< stress_level = conferences / threshold (Jigasi)
    friend bool operator==(const server_config&, const server_config&) = default;
};

struct http_config {
    std::string address = "127.0.0.1";     ///< Jigasi's REST default
    std::uint16_t port = 8788;
    std::size_t max_header_bytes = 8192;
    std::size_t max_body_bytes = 1 << 20;
    unsigned read_timeout_s = 10;          ///< whole request must arrive within this
    unsigned idle_timeout_s = 60;          ///< keep-alive connection closed after this idle time
    unsigned max_connections = 256;
    bool shutdown_enabled = true;          ///< POST /about/shutdown allowed
    /// Bearer token of the REST API (/api/v1/...); empty: the API answers 403. Not logged.
    std::string api_token;
    friend bool operator==(const http_config&, const http_config&) = default;
};

enum class xmpp_tls : std::uint8_t { starttls, required, direct, none };

/// The control account of a deployment (modern mode, jitsi-protocol.md §1.1).
struct xmpp_control_config {
    bool enabled = false;
    std::string username = "jigasi";
    std::string auth_domain;               ///< default: "auth." + domain
    std::string password;                  ///< required when enabled
    std::string brewery;                   ///< default: "jigasibrewery@internal-muc." + domain
    std::string allowed_jid;               ///< bare JID allowed to send Rayo; default: brewery
    friend bool operator==(const xmpp_control_config&, const xmpp_control_config&) = default;
};

/// How each call's own connection logs in (jitsi-protocol.md §3.1).
struct xmpp_call_login_config {
    std::string username;                  ///< empty: SASL ANONYMOUS on the domain (Jigasi's default)
    std::string auth_domain;               ///< default: "auth." + domain
    std::string password;                  ///< required with a username
    friend bool operator==(const xmpp_call_login_config&, const xmpp_call_login_config&) = default;
};

/// One Jitsi Meet deployment reached over XMPP.
struct xmpp_server_config {
    std::string id;                        ///< unique, used in logs, health and metrics labels
    std::string domain = "meet.jitsi";     ///< XMPP domain of the deployment (guest domain for calls)
    std::string host = "127.0.0.1";
    std::uint16_t port = 5222;
    xmpp_tls tls = xmpp_tls::starttls;
    /// XMPP over WebSocket (RFC 7395) instead of host:port, e.g. "wss://{domain}/xmpp-websocket"
    /// ({domain} is replaced by the domain); for deployments reached only through their web front end.
    std::string websocket;
    /// Extra trust anchors (PEM) for the server's certificate, e.g. a deployment's own CA or
    /// self-signed certificate; the system store is always used too.
    std::string ca_file;
    std::string muc_domain;                ///< default: "muc." + domain
    std::string focus_jid;                 ///< default: "focus." + domain
    xmpp_call_login_config call_login;
    xmpp_control_config control;
    friend bool operator==(const xmpp_server_config&, const xmpp_server_config&) = default;
};

/// Legacy XEP-0114 component mode (jitsi-protocol.md §1.4), set by the Jigasi flags too.
struct xmpp_component_config {
    bool enabled = false;
    std::string host = "127.0.0.1";
    std::uint16_t port = 5347;
    std::string domain;                    ///< --domain
    std::string subdomain = "callcontrol"; ///< --subdomain
    std::string secret;                    ///< --secret, required when enabled
    friend bool operator==(const xmpp_component_config&, const xmpp_component_config&) = default;
};

struct xmpp_config {
    std::vector<xmpp_server_config> servers;   ///< default: one entry, id "default"
    xmpp_component_config component;
    unsigned reconnect_min_s = 1;              ///< backoff start
    unsigned reconnect_max_s = 60;             ///< backoff cap; retries never stop
    unsigned connect_timeout_s = 10;
    friend bool operator==(const xmpp_config&, const xmpp_config&) = default;
};

enum class sip_transport : std::uint8_t { udp, tcp, tls };

struct sip_listen_config {
    sip_transport transport = sip_transport::udp;
    std::string address = "0.0.0.0";
    std::uint16_t port = 5060;
    std::string certificate;               ///< PEM file, required for tls
    std::string private_key;               ///< PEM file, required for tls
    friend bool operator==(const sip_listen_config&, const sip_listen_config&) = default;
};

/// An upstream registration (SIP provider, PBX, trunk).
struct sip_account_config {
    std::string id;                        ///< unique
    std::string user;                      ///< required
    std::string domain;                    ///< required
    std::string auth_user;                 ///< default: user
    std::string password;                  ///< required
    std::string registrar;                 ///< SIP URI; default: "sip:" + domain
    std::string outbound_proxy;
    sip_transport transport = sip_transport::udp;
    unsigned expires_s = 600;
    std::string display_name;
    bool enabled = true;                   ///< false: kept in the file, not registered
    unsigned keepalive_s = 30;             ///< OPTIONS to the registrar while registered; 0 = off
    bool srtp = false;                     ///< offer RTP/SAVP with SDES (a=crypto) on calls through it
    friend bool operator==(const sip_account_config&, const sip_account_config&) = default;
};

/// A user of the built-in registrar (phones, gateways). One of password / ha1_md5 / ha1_sha256.
struct sip_user_config {
    std::string user;                      ///< required, unique
    std::string password;                  ///< plain; prefer an HA1 so the file holds no password
    std::string ha1_md5;                   ///< hex MD5(user ":" realm ":" password), RFC 2617 3.2.2.2
    std::string ha1_sha256;                ///< hex SHA-256 of the same, RFC 7616 3.4.2
    unsigned max_bindings = 5;             ///< contacts one user may register at once
    friend bool operator==(const sip_user_config&, const sip_user_config&) = default;
};

struct sip_registrar_config {
    bool enabled = true;
    std::string realm = "jigasi-ng";       ///< digest realm; HA1 values are bound to it
    unsigned min_expires_s = 60;           ///< shorter asks get 423 Interval Too Brief (RFC 3261 10.3)
    unsigned max_expires_s = 3600;         ///< longer asks are cut down to this
    unsigned default_expires_s = 600;      ///< when the REGISTER names none
    /// Also challenge with SHA-256 (RFC 8760). Off by default: libre-based phones (baresip 1.0)
    /// give up on a 401 that carries any algorithm they do not know, even beside MD5.
    bool sha256 = false;
    std::vector<sip_user_config> users;
    friend bool operator==(const sip_registrar_config&, const sip_registrar_config&) = default;
};

/// Who may call in without digest auth.
enum class sip_inbound_policy : std::uint8_t {
    anyone,         ///< like Jigasi: any INVITE is taken (a PBX in front does the policing)
    authenticated,  ///< registrar users (digest) and trusted sources only
};

/// What a request that fails the inbound policy gets.
enum class sip_unknown_policy : std::uint8_t {
    challenge,  ///< 401/407 digest challenge
    reject,     ///< 403
    silent,     ///< no answer at all: scanners learn nothing
};

/// Request headers that route a call (jitsi-protocol.md 5.2); names are configurable.
struct sip_headers_config {
    std::vector<std::string> room = {"Jitsi-Conference-Room", "X-Room-Name"};
    std::string room_password = "Jitsi-Conference-Room-Pass";
    std::string domain_base = "Jitsi-Conference-Domain-Base";
    friend bool operator==(const sip_headers_config&, const sip_headers_config&) = default;
};

struct sip_config {
    std::vector<sip_listen_config> listen; ///< default: UDP and TCP on 0.0.0.0:5060
    std::string public_address;            ///< 1:1 NAT address for Contact and SDP; empty = local
    std::vector<sip_account_config> accounts;
    sip_registrar_config registrar;
    sip_inbound_policy inbound = sip_inbound_policy::anyone;
    std::vector<std::string> trusted;      ///< addresses or CIDR prefixes exempt from auth
    sip_unknown_policy unknown = sip_unknown_policy::challenge;
    std::string echo_extension = "echo";   ///< user part answered by the echo test; empty = off
    std::vector<std::string> codecs = {"opus", "g722", "pcmu", "pcma"};  ///< preference order
    unsigned ptime_ms = 20;
    sip_headers_config headers;
    std::string user_agent = "jigasi-ng";  ///< User-Agent / Server header; version appended
    unsigned bad_input_log_interval_s = 60; ///< malformed input is logged once per source and interval
    friend bool operator==(const sip_config&, const sip_config&) = default;
};

struct media_config {
    std::uint16_t min_port = 10000;        ///< --min-port
    std::uint16_t max_port = 20000;        ///< --max-port
    /// Addresses offered as ICE host candidates and SDP c= (IP literals); empty: every address of
    /// every interface that is up, loopback ranked last.
    std::vector<std::string> addresses;
    unsigned max_speakers = 3;             ///< web speakers decoded and mixed for a phone (loudest K)
    unsigned timeout_s = 30;               ///< no media received for this long ends a call
    friend bool operator==(const media_config&, const media_config&) = default;
};

/// How a web participant's key reaches the phone (jitsi-protocol.md §5.4).
enum class dtmf_method : std::uint8_t {
    automatic,  ///< RFC 4733 when the phone negotiated telephone-event, else SIP INFO
    rfc4733,    ///< RFC 4733 only (keys are dropped for a phone without telephone-event)
    info,       ///< SIP INFO application/dtmf-relay only
};

/// A dialled number that leads straight to one room (a number per standing meeting, as Jigate's
/// number-to-room table). Numbers compare by their digits: "+1 555-0199" is "15550199".
struct number_room {
    std::string number;
    std::string room;  ///< room name or room@muc
    std::string language;  ///< the prompts its callers hear (keypad, lobby, waiting); empty: ivr.language
    friend bool operator==(const number_room&, const number_room&) = default;
};

/// The digits of a phone number as dialled ("+1 (555) 010-0" gives "15550100"); empty when it is
/// not one (a room name, an extension with letters). A leading 00 (the international call prefix
/// of most countries) reads as +, so "0049 30 1234" and "+49 30 1234" are the same number. With a
/// country code (calls.country_code, "49"), a number in national form, starting with its national
/// prefix ("0"), is that country's: "030 1234" reads as "+49 30 1234".
std::string number_digits(std::string_view user, std::string_view country_code = {},
                          std::string_view national_prefix = {});

/// Conference calls (issue 7): routing of dial-in, how the caller is shown, limits, records.
/// Read at each new call, so every key is live.
struct calls_config {
    /// Dial-in routing, tried in this order: "header" (sip.headers.room), "number" (the dialled
    /// number, request-URI user else To user, in `numbers`), "uri" (the request-URI user,
    /// sip:<room>@host or sip:<room>.<domain>@host), "default" (default_room).
    std::vector<std::string> routing = {"header", "number", "uri", "default"};
    std::vector<number_room> numbers;
    /// The trunk's country, its E.164 calling code ("49"; empty: none), and the prefix its numbers
    /// take in national form ("0"): "030 1234" is then "+49 30 1234" wherever numbers compare.
    std::string country_code;
    std::string national_prefix = "0";
    std::string default_room;              ///< room name or room@muc; empty: no default
    /// The caller's name in the conference: {name} (From display name), {number} (From user),
    /// {caller} ({name}, else {number}).
    std::string display_name = "{caller}";
    bool mask_numbers = false;             ///< hide a number's digits but the last visible_digits
    unsigned visible_digits = 4;
    unsigned max_wait_s = 60;              ///< a caller waits at most this long for the 200 (then 480)
    unsigned ring_timeout_s = 60;          ///< an outgoing call rings at most this long
    dtmf_method dtmf = dtmf_method::automatic;
    /// Once answered, a call left without anyone else in its room (the focus aside): "stay" (as
    /// Jigasi does by default) or "hang_up" after alone_grace_s (someone may come back).
    /// Keypad controls (issue 8): these codes toggle the phone's mute and raised hand; other keys
    /// reach the conference as telephone-events. Empty: off.
    std::string keypad_mute = "*6";
    std::string keypad_hand = "*9";
    /// Jigasi's SIP INFO JSON toward the phone side (jitsi-protocol.md §5.7), for deployments
    /// with an external IVR: muteRequest when the conference mutes the caller, the numbered
    /// AV-moderation notifications, and a heartbeat every info_heartbeat_s (0: none; two
    /// unanswered end the call).
    bool info_json = false;
    unsigned info_heartbeat_s = 0;
    std::string when_alone = "stay";
    unsigned alone_grace_s = 30;
    std::string records_file;              ///< one JSON line per finished call; empty: none
    unsigned records_kept = 200;           ///< finished calls GET /api/v1/calls still shows
    friend bool operator==(const calls_config&, const calls_config&) = default;
};

/// A number shown in Jitsi Meet's dial-in panel (dialInNumbersUrl, jitsi-protocol.md §6.3).
struct dialin_number {
    std::string country_code;   ///< ISO 3166 alpha-2, e.g. "US"
    std::string number;         ///< as shown: "+1 555-123-4567"
    bool toll_free = false;
    bool is_default = false;    ///< "default" in the JSON: the one the invite text shows
    std::string language;       ///< the IVR's language for calls to this number; empty: ivr.language
    friend bool operator==(const dialin_number&, const dialin_number&) = default;
};

/// Jitsi Meet's dial-in plumbing, built in: the conference mapper (dialInConfCodeUrl) and the
/// numbers list (dialInNumbersUrl) served at /conferenceMapper and /phoneNumberList.
struct dialin_config {
    bool enabled = true;
    std::string ids_file;       ///< conference <-> ID mappings, kept across restarts; empty: memory only
    unsigned id_digits = 10;    ///< length of a meeting ID (6..16), the PIN a caller types
    std::vector<dialin_number> numbers;
    /// An external conference mapper in jitsi-meet's format (GET <url>?id=<digits>), asked by the
    /// IVR for the IDs the built-in mapper does not know; http:// or https://. Empty: built-in only.
    std::string mapper_url;
    friend bool operator==(const dialin_config&, const dialin_config&) = default;
};

/// The built-in IVR (issue 8): callers type a meeting ID (the conference mapper's) and, for a
/// locked room, its PIN, guided by spoken prompts.
struct ivr_config {
    bool enabled = true;
    std::string extension = "1000";    ///< sip:1000@host reaches the IVR (as Jigate)
    bool unrouted = true;              ///< INVITEs no calls.routing step places go to the IVR (else 404)
    unsigned min_digits = 4, max_digits = 16;
    unsigned tries = 3;                ///< wrong IDs or PINs before the IVR gives up
    unsigned digit_timeout_s = 10;     ///< silence on the keypad that ends an entry
    unsigned lobby_wait_s = 900;       ///< a caller waits this long in a Jitsi lobby to be admitted (10..86400)
    unsigned start_wait_s = 600;       ///< a caller alone in a room waits this long for the conference to start (10..86400)
    unsigned wait_prompt_s = 30;       ///< the waiting prompt again this often, alone or in the lobby; 0 = once
    std::string language = "en";
    /// A caller's Accept-Language header (RFC 3261 §20.3) picks the prompts' language when it
    /// names a loaded one, ahead of the dialled number's language and ivr.language.
    bool accept_language = true;
    std::string prompts_folder;        ///< <folder>/<language>/<prompt>.wav replaces a built-in prompt
    friend bool operator==(const ivr_config&, const ivr_config&) = default;
};

struct config {
    server_config server;
    log_config log;
    http_config http;
    xmpp_config xmpp;
    sip_config sip;
    media_config media;
    calls_config calls;
    dialin_config dialin;
    ivr_config ivr;

    friend bool operator==(const config&, const config&) = default;
};

/// The languages the IVR speaks: ivr.language first, then those dial-in numbers ask for.
std::vector<std::string> prompt_languages(const config& cfg);

}  // namespace jigasi::config
