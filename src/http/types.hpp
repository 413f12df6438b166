#pragma once
// HTTP message types shared by the server, the router and the endpoints.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace jigasi::http {

namespace bhttp = boost::beast::http;
using request = bhttp::request<bhttp::string_body>;
using response = bhttp::response<bhttp::string_body>;
using status = bhttp::status;
using verb = bhttp::verb;

/// An endpoint: may suspend (later REST calls wait for SIP outcomes), must not throw for bad input.
using handler = std::function<boost::asio::awaitable<response>(const request&)>;

response make_response(status s, std::string_view content_type, std::string body);
response make_json(status s, std::string body);
/// {"error": message} with the status; the body says what was wrong with the request.
response make_error(status s, std::string_view message);

/// Path without the query string ("/about/health?x=1" -> "/about/health").
std::string_view path_of(std::string_view target);

/// The first `name=value` of the target's query string, percent-decoded ('+' is a space);
/// nullopt when absent or badly encoded.
std::optional<std::string> query_param(std::string_view target, std::string_view name);

}  // namespace jigasi::http
