"""Validation of ``remote_help.user_groups``: every mistake is one located line."""

from __future__ import annotations

import pytest

from rhmodel.core.document import parse_yaml
from rhmodel.edges.paramfile import parse_parameters
from rhmodel.errors import InputError

HEAD = "remote_help:\n  user_groups:\n    - {name: Office, users: 900, licence: included}\n"


def _load(entry: str):
    return parse_parameters(parse_yaml(HEAD + f"    - {{{entry}}}\n", "p.yaml"))


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "name: F3, users: 5, licnce: frontline",
            r"p\.yaml:4: remote_help\.user_groups\[1\]\.licnce: unknown key \(did you mean "
            r"'licence'\?\) — accepted: name, licence, users, helpers, sharers, "
            r"price_per_user_month, android_dedicated",
        ),
        (
            "name: F3, users: 5, licence: fronline",
            r"p\.yaml:4: remote_help\.user_groups\[1\]\.licence: unknown licence \('fronline'\) "
            r"\(did you mean 'frontline'\?\) — accepted: included, addon, frontline, suite, plan2",
        ),
        ("name: F3, users: 5", r"user_groups\[1\]\.licence: is missing"),
        (
            "name: F3, users: 5, licence: frontline",
            r"user_groups\[1\]\.price_per_user_month: missing for a frontline group — the Remote "
            r"Help Frontline Worker licence has no public price",
        ),
        ("name: F3, users: -1, licence: addon", r"user_groups\[1\]\.users: value is below 0"),
        ("name: F3, users: 2.5, licence: addon", r"user_groups\[1\]\.users: is not valid"),
        (
            "name: F3, users: 10000001, licence: addon",
            r"user_groups\[1\]\.users: value is too large",
        ),
        (
            "name: F3, users: 5, licence: addon, price_per_user_month: 10001",
            r"user_groups\[1\]\.price_per_user_month: value is too large",
        ),
        (
            "name: F3, users: 5, licence: included, price_per_user_month: 2",
            r"user_groups\[1\]\.price_per_user_month: given for an included group",
        ),
        ("name: F3, licence: addon", r"user_groups\[1\]\.users: missing — give users"),
        ("name: F3, users: 5, helpers: 2, licence: addon", r"user_groups\[1\]\.users: given with"),
        (
            "name: Scanners, users: 5, licence: addon, android_dedicated: true",
            r"user_groups\[1\]\.users: is ambiguous for an Android dedicated group",
        ),
        (
            "name: F3, users: 5, licence: addon, android_dedicated: yes please",
            r"user_groups\[1\]\.android_dedicated: is not valid",
        ),
        ("name: Office, users: 5, licence: addon", r"user_groups\[1\]\.name: repeats"),
        ("users: 5, licence: addon", r"user_groups\[1\]\.name: is missing or not text"),
    ],
)
def test_a_bad_group_is_one_located_error(entry, message):
    with pytest.raises(InputError, match=message) as err:
        _load(entry)
    assert "\n" not in str(err.value)


def test_not_a_list_and_too_many():
    with pytest.raises(InputError, match=r"remote_help\.user_groups: is not a list of groups"):
        parse_parameters(parse_yaml("remote_help: {user_groups: 3}\n", "p.yaml"))
    many = "".join(f"    - {{name: g{i}, users: 1, licence: addon}}\n" for i in range(1001))
    with pytest.raises(InputError, match=r"has too many entries \(1,001\) — accepted: up to 1,000"):
        parse_parameters(parse_yaml("remote_help:\n  user_groups:\n" + many, "p.yaml"))


def test_currency_without_a_rate_names_the_group_price():
    text = "currency: EUR\n" + HEAD + "    - {name: C, users: 5, licence: suite}\n"
    with pytest.raises(
        InputError,
        match=r"usd_rate: missing while currency is EUR and "
        r"remote_help\.user_groups\[1\]\.price_per_user_month comes from the price book",
    ):
        parse_parameters(parse_yaml(text, "p.yaml"))


def test_a_range_and_the_file_wide_illustrative_flag():
    p = _load(
        "name: F3, users: {low: 3000, high: 3800}, licence: frontline, price_per_user_month: 2"
    )
    v = p.value("remote_help.user_groups[1].users")
    assert (v.value, v.uncertain.low, v.uncertain.high) == (3400, 3000.0, 3800.0)
    assert p.illustrative_inputs() == []
    flagged = parse_parameters(
        parse_yaml(
            "illustrative: true\n" + HEAD + "    - {name: F3, users: 5, licence: frontline, "
            "price_per_user_month: 2}\n",
            "p.yaml",
        )
    )
    assert set(flagged.illustrative_inputs()) >= {
        "remote_help.user_groups[1].users",
        "remote_help.user_groups[1].price_per_user_month",
    }
    # an included group's figures are not read: not listed as illustrative
    assert "remote_help.user_groups[0].users" not in flagged.illustrative_inputs()


def test_cli_says_it_in_one_line_and_exits_2(cli, write_params):
    path = write_params(HEAD + "    - {name: F3, users: 5, licence: frontline}\n")
    r = cli("scenarios", path)
    assert r.returncode == 2
    assert r.stderr.startswith("error: ") and r.stderr.count("\n") == 1
    assert "remote_help.user_groups[1].price_per_user_month" in r.stderr
