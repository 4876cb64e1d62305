from bot.storage.models import Staff
from handlers.org import can_view, find_staff, manager_chain


def _people(session):
    session.add_all(
        [
            Staff(staff_id="hos", name="Head", role="head_of_service"),
            Staff(staff_id="sm", name="Service", role="service_manager", manager_id="hos"),
            Staff(staff_id="tm", name="Team", role="team_manager", manager_id="sm", slack_user_id="U1", email="TM@x.gov.uk"),
            Staff(staff_id="sw", name="Worker", role="social_worker", manager_id="tm", teams_user_id="aad-1"),
            Staff(staff_id="other", name="Other", role="team_manager", manager_id="sm"),
        ]
    )
    session.flush()


def test_manager_chain_runs_nearest_first(db):
    with db.unit() as s:
        _people(s)
        assert manager_chain(s, "sw") == ["tm", "sm", "hos"]
        assert manager_chain(s, "hos") == []


def test_only_owner_managers_and_admins_can_view(db):
    with db.unit() as s:
        _people(s)
        assert can_view(s, "sw", "sw")
        assert can_view(s, "hos", "sw")
        assert not can_view(s, "other", "sw")
        assert can_view(s, "other", "sw", admin_ids={"other"})
        assert not can_view(s, None, "sw")


def test_find_staff_by_platform_ids_and_email(db):
    with db.unit() as s:
        _people(s)
        assert find_staff(s, slack_user_id="U1").staff_id == "tm"
        assert find_staff(s, teams_user_id="aad-1").staff_id == "sw"
        assert find_staff(s, email="tm@X.gov.uk").staff_id == "tm"
        assert find_staff(s, slack_user_id="U404") is None


def test_erasure_pseudonymises_but_keeps_the_record(cli, db):
    with db.unit() as s:
        _people(s)
    result = cli("admin", "erase", "tm", "--yes")
    assert result.exit_code == 0, result.stderr
    with db.unit() as s:
        tm = s.get(Staff, "tm")
        assert tm.pseudonymised and tm.email is None and tm.slack_user_id is None
        assert tm.name.startswith("Former staff member") and tm.left_on is not None
        assert manager_chain(s, "sw") == ["tm", "sm", "hos"]


def test_erasing_an_unknown_person_exits_2(cli):
    result = cli("admin", "erase", "ghost", "--yes")
    assert result.exit_code == 2
    assert "ghost" in result.stderr
