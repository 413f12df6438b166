#pragma once
// Private to src/config: one description of every section's keys, in file order, shared by the
// reader, the writer and diff so that the three cannot disagree on a name or forget a key.

#include "config/config.hpp"
#include "config/load.hpp"

#include <array>
#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace jigasi::config::detail {

/// A key of a section; `secret` values are redacted by to_json(cfg, true).
struct field {
    std::string_view name;
    bool secret = false;
};

template <class T, class... S>
concept all_are = (std::same_as<std::remove_const_t<S>, T> && ...);

// Each fields() calls `v(field, member...)` for every key, once per key, with the members of one
// or more objects of the same type side by side (one for read/write, two for diff).

template <class V, class... S> requires all_are<log_config, S...>
void fields(V&& v, S&... s) {
    v(field{"level"}, s.level...);
    v(field{"subsystems"}, s.subsystems...);
    v(field{"timestamps"}, s.timestamps...);
}

template <class V, class... S> requires all_are<server_config, S...>
void fields(V&& v, S&... s) {
    v(field{"threads"}, s.threads...);
    v(field{"drain_timeout_s"}, s.drain_timeout_s...);
    v(field{"region"}, s.region...);
    v(field{"conferences_threshold"}, s.conferences_threshold...);
}

template <class V, class... S> requires all_are<http_config, S...>
void fields(V&& v, S&... s) {
    v(field{"address"}, s.address...);
    v(field{"port"}, s.port...);
    v(field{"max_header_bytes"}, s.max_header_bytes...);
    v(field{"max_body_bytes"}, s.max_body_bytes...);
    v(field{"read_timeout_s"}, s.read_timeout_s...);
    v(field{"idle_timeout_s"}, s.idle_timeout_s...);
    v(field{"max_connections"}, s.max_connections...);
    v(field{"shutdown_enabled"}, s.shutdown_enabled...);
    v(field{"api_token"}, s.api_token...);
}

template <class V, class... S> requires all_are<xmpp_control_config, S...>
void fields(V&& v, S&... s) {
    v(field{"enabled"}, s.enabled...);
    v(field{"username"}, s.username...);
    v(field{"auth_domain"}, s.auth_domain...);
    v(field{"password", true}, s.password...);
    v(field{"brewery"}, s.brewery...);
    v(field{"allowed_jid"}, s.allowed_jid...);
}

template <class V, class... S> requires all_are<xmpp_call_login_config, S...>
void fields(V&& v, S&... s) {
    v(field{"username"}, s.username...);
    v(field{"auth_domain"}, s.auth_domain...);
    v(field{"password", true}, s.password...);
}

template <class V, class... S> requires all_are<xmpp_server_config, S...>
void fields(V&& v, S&... s) {
    v(field{"id"}, s.id...);
    v(field{"domain"}, s.domain...);
    v(field{"host"}, s.host...);
    v(field{"port"}, s.port...);
    v(field{"tls"}, s.tls...);
    v(field{"websocket"}, s.websocket...);
    v(field{"ca_file"}, s.ca_file...);
    v(field{"muc_domain"}, s.muc_domain...);
    v(field{"focus_jid"}, s.focus_jid...);
    v(field{"call_login"}, s.call_login...);
    v(field{"control"}, s.control...);
}

template <class V, class... S> requires all_are<xmpp_component_config, S...>
void fields(V&& v, S&... s) {
    v(field{"enabled"}, s.enabled...);
    v(field{"host"}, s.host...);
    v(field{"port"}, s.port...);
    v(field{"domain"}, s.domain...);
    v(field{"subdomain"}, s.subdomain...);
    v(field{"secret", true}, s.secret...);
}

template <class V, class... S> requires all_are<xmpp_config, S...>
void fields(V&& v, S&... s) {
    v(field{"servers"}, s.servers...);
    v(field{"component"}, s.component...);
    v(field{"reconnect_min_s"}, s.reconnect_min_s...);
    v(field{"reconnect_max_s"}, s.reconnect_max_s...);
    v(field{"connect_timeout_s"}, s.connect_timeout_s...);
}

template <class V, class... S> requires all_are<sip_listen_config, S...>
void fields(V&& v, S&... s) {
    v(field{"transport"}, s.transport...);
    v(field{"address"}, s.address...);
    v(field{"port"}, s.port...);
    v(field{"certificate"}, s.certificate...);
    v(field{"private_key"}, s.private_key...);
}

template <class V, class... S> requires all_are<sip_account_config, S...>
void fields(V&& v, S&... s) {
    v(field{"id"}, s.id...);
    v(field{"user"}, s.user...);
    v(field{"domain"}, s.domain...);
    v(field{"auth_user"}, s.auth_user...);
    v(field{"password", true}, s.password...);
    v(field{"registrar"}, s.registrar...);
    v(field{"outbound_proxy"}, s.outbound_proxy...);
    v(field{"transport"}, s.transport...);
    v(field{"expires_s"}, s.expires_s...);
    v(field{"display_name"}, s.display_name...);
    v(field{"enabled"}, s.enabled...);
    v(field{"keepalive_s"}, s.keepalive_s...);
    v(field{"srtp"}, s.srtp...);
}

template <class V, class... S> requires all_are<sip_user_config, S...>
void fields(V&& v, S&... s) {
    v(field{"user"}, s.user...);
    v(field{"password", true}, s.password...);
    v(field{"ha1_md5", true}, s.ha1_md5...);
    v(field{"ha1_sha256", true}, s.ha1_sha256...);
    v(field{"max_bindings"}, s.max_bindings...);
}

template <class V, class... S> requires all_are<sip_registrar_config, S...>
void fields(V&& v, S&... s) {
    v(field{"enabled"}, s.enabled...);
    v(field{"realm"}, s.realm...);
    v(field{"min_expires_s"}, s.min_expires_s...);
    v(field{"max_expires_s"}, s.max_expires_s...);
    v(field{"default_expires_s"}, s.default_expires_s...);
    v(field{"sha256"}, s.sha256...);
    v(field{"users"}, s.users...);
}

template <class V, class... S> requires all_are<sip_headers_config, S...>
void fields(V&& v, S&... s) {
    v(field{"room"}, s.room...);
    v(field{"room_password"}, s.room_password...);
    v(field{"domain_base"}, s.domain_base...);
}

template <class V, class... S> requires all_are<sip_config, S...>
void fields(V&& v, S&... s) {
    v(field{"listen"}, s.listen...);
    v(field{"public_address"}, s.public_address...);
    v(field{"accounts"}, s.accounts...);
    v(field{"registrar"}, s.registrar...);
    v(field{"inbound"}, s.inbound...);
    v(field{"trusted"}, s.trusted...);
    v(field{"unknown"}, s.unknown...);
    v(field{"echo_extension"}, s.echo_extension...);
    v(field{"codecs"}, s.codecs...);
    v(field{"ptime_ms"}, s.ptime_ms...);
    v(field{"headers"}, s.headers...);
    v(field{"user_agent"}, s.user_agent...);
    v(field{"bad_input_log_interval_s"}, s.bad_input_log_interval_s...);
}

template <class V, class... S> requires all_are<media_config, S...>
void fields(V&& v, S&... s) {
    v(field{"min_port"}, s.min_port...);
    v(field{"max_port"}, s.max_port...);
    v(field{"addresses"}, s.addresses...);
    v(field{"max_speakers"}, s.max_speakers...);
    v(field{"timeout_s"}, s.timeout_s...);
}

template <class V, class... S> requires all_are<number_room, S...>
void fields(V&& v, S&... s) {
    v(field{"number"}, s.number...);
    v(field{"room"}, s.room...);
    v(field{"language"}, s.language...);
}

template <class V, class... S> requires all_are<calls_config, S...>
void fields(V&& v, S&... s) {
    v(field{"routing"}, s.routing...);
    v(field{"numbers"}, s.numbers...);
    v(field{"country_code"}, s.country_code...);
    v(field{"national_prefix"}, s.national_prefix...);
    v(field{"default_room"}, s.default_room...);
    v(field{"display_name"}, s.display_name...);
    v(field{"mask_numbers"}, s.mask_numbers...);
    v(field{"visible_digits"}, s.visible_digits...);
    v(field{"max_wait_s"}, s.max_wait_s...);
    v(field{"ring_timeout_s"}, s.ring_timeout_s...);
    v(field{"dtmf"}, s.dtmf...);
    v(field{"keypad_mute"}, s.keypad_mute...);
    v(field{"keypad_hand"}, s.keypad_hand...);
    v(field{"info_json"}, s.info_json...);
    v(field{"info_heartbeat_s"}, s.info_heartbeat_s...);
    v(field{"when_alone"}, s.when_alone...);
    v(field{"alone_grace_s"}, s.alone_grace_s...);
    v(field{"records_file"}, s.records_file...);
    v(field{"records_kept"}, s.records_kept...);
}

template <class V, class... S> requires all_are<dialin_number, S...>
void fields(V&& v, S&... s) {
    v(field{"country_code"}, s.country_code...);
    v(field{"number"}, s.number...);
    v(field{"toll_free"}, s.toll_free...);
    v(field{"default"}, s.is_default...);
    v(field{"language"}, s.language...);
}

template <class V, class... S> requires all_are<dialin_config, S...>
void fields(V&& v, S&... s) {
    v(field{"enabled"}, s.enabled...);
    v(field{"ids_file"}, s.ids_file...);
    v(field{"id_digits"}, s.id_digits...);
    v(field{"numbers"}, s.numbers...);
    v(field{"mapper_url"}, s.mapper_url...);
}

template <class V, class... S> requires all_are<ivr_config, S...>
void fields(V&& v, S&... s) {
    v(field{"enabled"}, s.enabled...);
    v(field{"extension"}, s.extension...);
    v(field{"unrouted"}, s.unrouted...);
    v(field{"min_digits"}, s.min_digits...);
    v(field{"max_digits"}, s.max_digits...);
    v(field{"tries"}, s.tries...);
    v(field{"digit_timeout_s"}, s.digit_timeout_s...);
    v(field{"lobby_wait_s"}, s.lobby_wait_s...);
    v(field{"start_wait_s"}, s.start_wait_s...);
    v(field{"wait_prompt_s"}, s.wait_prompt_s...);
    v(field{"language"}, s.language...);
    v(field{"accept_language"}, s.accept_language...);
    v(field{"prompts_folder"}, s.prompts_folder...);
}

template <class V, class... S> requires all_are<config, S...>
void fields(V&& v, S&... s) {
    v(field{"server"}, s.server...);
    v(field{"log"}, s.log...);
    v(field{"http"}, s.http...);
    v(field{"xmpp"}, s.xmpp...);
    v(field{"sip"}, s.sip...);
    v(field{"media"}, s.media...);
    v(field{"calls"}, s.calls...);
    v(field{"dialin"}, s.dialin...);
    v(field{"ivr"}, s.ivr...);
}

struct ignore_fields {
    template <class... M>
    void operator()(field, M&...) const {}
};

/// A struct that fields() describes (as opposed to a leaf value).
template <class T>
concept section = requires(T& t) { fields(ignore_fields{}, t); };

/// The file spelling of enum values, indexed by the enumerator's value.
template <class E> struct enum_names;
template <> struct enum_names<log_level> {
    static constexpr std::array<std::string_view, 8> names = {
        "emerg", "alert", "crit", "error", "warning", "notice", "info", "debug"};
};
template <> struct enum_names<xmpp_tls> {
    static constexpr std::array<std::string_view, 4> names = {"starttls", "required", "direct", "none"};
};
template <> struct enum_names<sip_transport> {
    static constexpr std::array<std::string_view, 3> names = {"udp", "tcp", "tls"};
};
template <> struct enum_names<sip_inbound_policy> {
    static constexpr std::array<std::string_view, 2> names = {"anyone", "authenticated"};
};
template <> struct enum_names<sip_unknown_policy> {
    static constexpr std::array<std::string_view, 3> names = {"challenge", "reject", "silent"};
};

template <> struct enum_names<dtmf_method> {
    static constexpr std::array<std::string_view, 3> names = {"auto", "rfc4733", "info"};
};

template <class E>
concept named_enum = std::is_enum_v<E> && requires { enum_names<E>::names; };

/// "a.b" + "c" -> "a.b.c"; keys that are not plain identifiers are quoted so a path stays readable
/// (and a hostile key cannot smuggle a newline into a log line).
std::string join(const std::string& path, std::string_view key);
std::string index(const std::string& path, std::size_t i);

/// JSON text -> model, starting from `cfg` (which holds the defaults). Syntax errors stop the read;
/// type errors and unknown keys are all collected. Returns false if the text was not a JSON object.
bool read_json(std::string_view text, std::string_view origin, config& cfg, std::vector<problem>& errors);

/// calls.numbers: numbers that are numbers, each once, none also a dial-in number (those go to
/// the IVR), rooms that can be room names, and a "number" step in calls.routing to use them.
std::vector<problem> check_numbers(const config& cfg);
/// A prompts language names a folder (prompt_set::load): 1 to 32 of A-Z a-z 0-9 _ -.
bool language_ok(std::string_view language);
inline constexpr const char* language_problem = "expected a prompts language such as \"de\" (1 to 32 of A-Z a-z 0-9 _ -)";

/// Accepted but suspicious settings (validate() returns only errors).
std::vector<problem> warnings(const config& cfg);

/// The list defaults (one XMPP deployment "default", SIP on UDP and TCP 5060), before fill_derived.
config base_model();

/// Change a deployment's domain; derived keys that still hold the old domain's default follow it.
void set_domain(xmpp_server_config& server, std::string domain);

}  // namespace jigasi::config::detail
