"""A bounded fuzz run over the HTTP endpoints: correctly signed junk, malformed activities. Never a 5xx."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.security.fakes import MANAGER_SLACK, settle, sign, teams_message

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-10**12, max_value=10**12) | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)
slack_types = st.sampled_from(["event_callback", "block_actions", "view_submission", "view_closed", "shortcut",
                               "message_action", "block_suggestion", "url_verification", "app_rate_limited", "", None])
slack_like = st.fixed_dictionaries(
    {"type": slack_types},
    optional={
        "event": st.one_of(json_values, st.fixed_dictionaries({"type": st.sampled_from(["app_mention", "message", "app_home_opened", "x"])},
                                                              optional={"text": st.text(max_size=60), "user": st.sampled_from([MANAGER_SLACK, "", "U0NOPE"]),
                                                                        "channel": st.text(max_size=12), "ts": st.text(max_size=20)})),
        "event_id": json_values, "team_id": json_values, "user": json_values, "actions": json_values, "view": json_values,
        "challenge": json_values, "trigger_id": json_values, "callback_id": json_values, "message": json_values,
    },
)
form_fields = st.dictionaries(
    st.sampled_from(["command", "text", "user_id", "channel_id", "team_id", "response_url", "trigger_id", "payload", "ssl_check", "x"]),
    st.one_of(st.text(max_size=60), st.sampled_from(["/standard", "/oversight", "/supervision", "/absence", "/awaiting-reply", "/nope"]),
              json_values.map(json.dumps), slack_like.map(json.dumps)),
    max_size=7,
)
COMMAND = {"team_id": "T0", "channel_id": "C0NORTH", "user_id": MANAGER_SLACK, "user_name": "someone", "command": "/standard",
           "text": "supervision", "api_app_id": "A0", "response_url": "http://127.0.0.1:9/respond", "trigger_id": "1.2.3"}
near_valid_commands = st.fixed_dictionaries({
    "command": st.sampled_from(["/standard", "/oversight", "/supervision", "/absence", "/awaiting-reply", "/standards-bot", "/x"]),
    "text": st.one_of(st.text(max_size=120), st.sampled_from(["wrk 2026-11-20", "wrk", "<@U0WRK> 2026-02-30", "help", "settings time 25:99",
                                                              "LCS204815: stop because", "sth --returned 2026-11-01"])),
    "user_id": st.sampled_from([MANAGER_SLACK, "U0NOPE", ""]),
}).map(lambda fields: (urlencode({**COMMAND, **fields}).encode(), "application/x-www-form-urlencoded"))
EVENT = {"type": "event_callback", "team_id": "T0", "api_app_id": "A0", "event_id": "Ev0", "event_time": 1}
near_valid_events = st.tuples(st.integers(min_value=0, max_value=10**9), st.fixed_dictionaries(
    {"type": st.sampled_from(["app_mention", "message", "app_home_opened", "member_joined_channel"])},
    optional={"text": st.text(max_size=80), "user": st.sampled_from([MANAGER_SLACK, "U0NOPE"]), "channel": st.sampled_from(["C0", "D0", ""]),
              "ts": st.sampled_from(["1700000000.000100", "", "x"]), "thread_ts": st.text(max_size=10), "subtype": st.text(max_size=10),
              "tab": st.sampled_from(["home", "messages"]), "bot_id": st.text(max_size=5)},
)).map(lambda pair: (json.dumps({**EVENT, "event_id": f"Ev{pair[0]}", "event": pair[1]}).encode(), "application/json"))
INTERACTIVE = {"user": {"id": MANAGER_SLACK}, "team": {"id": "T0"}, "api_app_id": "A0", "trigger_id": "1.2.3"}
near_valid_interactions = st.fixed_dictionaries({
    "type": st.sampled_from(["block_actions", "view_submission", "message_action", "shortcut", "view_closed"]),
    "actions": st.lists(st.fixed_dictionaries({"action_id": st.sampled_from(["answer.helpful", "answer.not_helpful", "nudge.done",
                                                                              "nudge.snooze_week", "decision.mark_recorded", "x.y"]),
                                               "value": st.text(max_size=30), "block_id": st.text(max_size=5)}), max_size=2),
    "view": st.fixed_dictionaries({"callback_id": st.sampled_from(["decision.form", "supervision.form", "x"]),
                                   "private_metadata": st.text(max_size=30),
                                   "state": st.fixed_dictionaries({"values": st.dictionaries(st.text(max_size=8), st.dictionaries(
                                       st.text(max_size=5), st.fixed_dictionaries({"type": st.just("plain_text_input"),
                                                                                   "value": st.text(max_size=30)}), max_size=2), max_size=3)})}),
    "callback_id": st.text(max_size=20),
    "message": st.fixed_dictionaries({"text": st.text(max_size=60), "ts": st.just("1700000000.000100"), "user": st.just("U0WRK")}),
}).map(lambda payload: (urlencode({"payload": json.dumps({**INTERACTIVE, **payload})}).encode(), "application/x-www-form-urlencoded"))

slack_bodies = st.one_of(
    near_valid_commands,
    near_valid_events,
    near_valid_interactions,
    st.binary(max_size=200).map(lambda b: (b, "application/json")),
    st.binary(max_size=200).map(lambda b: (b, "application/x-www-form-urlencoded")),
    json_values.map(lambda v: (json.dumps(v).encode(), "application/json")),
    slack_like.map(lambda v: (json.dumps(v).encode(), "application/json")),
    form_fields.map(lambda f: (urlencode(f).encode(), "application/x-www-form-urlencoded")),
    st.text(max_size=100).map(lambda t: (t.encode("utf-8", "surrogatepass"), "text/plain")),
)
activity_types = st.sampled_from(["message", "invoke", "conversationUpdate", "installationUpdate", "typing", "event",
                                  "messageReaction", "endOfConversation", "", None])


def activity_mutations(service_url: str):
    base = teams_message(service_url, "hello")
    return st.one_of(
        json_values,
        st.dictionaries(st.sampled_from(list(base)), json_values, max_size=6).map(lambda d: {**base, **d}),
        st.fixed_dictionaries({"type": activity_types, "name": st.one_of(st.none(), st.text(max_size=20)),
                               "text": st.one_of(st.none(), st.text(max_size=80)), "value": json_values}).map(lambda d: {**base, **d}),
        st.sampled_from(list(base)).map(lambda key: {k: v for k, v in base.items() if k != key}),
    )


def draw(strategy, count: int) -> list:
    """`count` examples of a strategy, deterministic from run to run (hypothesis as a generator)."""
    found: list = []

    @settings(max_examples=count, database=None, derandomize=True, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), deadline=None)
    @given(strategy)
    def collect(example) -> None:
        found.append(example)

    collect()
    return found


async def test_signed_junk_to_slack_events_is_never_a_5xx(server, platforms):
    statuses = []
    for body, content_type in draw(slack_bodies, 200):
        response = await server.post("/slack/events", data=body, headers={"Content-Type": content_type, **sign(body)})
        statuses.append(response.status)
        assert response.status < 500, (response.status, body[:300], content_type)
    await settle(server.server.app)
    assert (await server.get("/healthz")).status == 200
    assert any(status == 400 for status in statuses) and sum(status == 200 for status in statuses) >= 40


async def test_malformed_activities_to_api_messages_are_never_a_5xx(server, platforms):
    statuses = []
    for activity in draw(activity_mutations(platforms.base), 150):
        response = await server.post("/api/messages", data=json.dumps(activity), headers={"Content-Type": "application/json"})
        statuses.append(response.status)
        assert response.status < 500, (response.status, json.dumps(activity))
    for raw in (b"", b"{", b"[]", b"null", b"\xff\xfe", b"{}" * 10):
        assert (await server.post("/api/messages", data=raw, headers={"Content-Type": "application/json"})).status < 500
    assert (await server.get("/healthz")).status == 200
    assert any(status == 400 for status in statuses)


async def test_healthz_and_unknown_routes_and_methods_are_never_a_5xx(server):
    for method, path in (("GET", "/healthz"), ("POST", "/healthz"), ("GET", "/slack/events"), ("PUT", "/api/messages"),
                         ("GET", "/../../etc/passwd"), ("GET", "/%00"), ("DELETE", "/healthz")):
        response = await server.request(method, path)
        assert response.status < 500, (method, path, response.status)


async def test_bodies_over_the_size_limit_are_refused_with_413(server):
    big = b"x" * (1024 * 1024 + 1)
    for path in ("/slack/events", "/api/messages"):
        response = await server.post(path, data=big, headers={"Content-Type": "application/json", **sign(big)})
        assert response.status == 413, path
