"""Planner accounts, sign-in, throttling, OIDC mapping (``geo.figures.auth``)."""

from __future__ import annotations

import io
import os
import stat
import statistics
import time
import tomllib

import pytest
from argon2 import PasswordHasher

from geo.cli.commands import main
from geo.errors import AccessDeniedError
from geo.figures.auth import (
    BAD_CREDENTIALS,
    SYSTEM,
    THROTTLED,
    AccountError,
    Accounts,
    Authenticator,
    MemoryFailureLog,
    Planner,
    SignInError,
    Throttle,
    accounts_path,
    add_user,
    oidc_configured,
    planner_from_oidc,
    require_planner,
    shell_operator,
)
from geo.i18n import t

#: Cheap parameters: these tests are about behaviour, not about Argon2's cost.
FAST = PasswordHasher(time_cost=1, memory_cost=256, parallelism=1)
PASSWORD = "đúng-mật-khẩu-2024"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def accounts_file(tmp_path):
    path = tmp_path / "accounts.toml"
    add_user("lan", PASSWORD, path=path, hasher=FAST)
    add_user("tuan", "mật khẩu khác 123", path=path, email="Tuan@Example.gov.vn", hasher=FAST)
    return path


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def auth(accounts_file, clock):
    return Authenticator(Accounts.load(accounts_file), hasher=FAST, throttle=Throttle(clock=clock))


# --- accounts file -------------------------------------------------------------------------------


def test_accounts_file_holds_salted_argon2id_hashes_readable_by_owner_only(accounts_file):
    data = tomllib.loads(accounts_file.read_text(encoding="utf-8"))
    lan = data["users"]["lan"]["password_hash"]
    assert lan.startswith("$argon2id$") and PASSWORD not in accounts_file.read_text()
    add_user("lan2", PASSWORD, path=accounts_file, hasher=FAST)
    again = tomllib.loads(accounts_file.read_text())["users"]["lan2"]["password_hash"]
    assert again != lan  # salted: same password, another hash
    assert stat.S_IMODE(os.stat(accounts_file).st_mode) == 0o600
    accounts = Accounts.load(accounts_file)
    assert sorted(accounts.users) == ["lan", "lan2", "tuan"]
    assert accounts.planner_emails == frozenset({"tuan@example.gov.vn"})


def test_add_user_keeps_comments_refuses_duplicates_and_replaces_on_request(tmp_path):
    path = tmp_path / "accounts.toml"
    path.write_text('# do not commit\n[oidc]\nplanner_emails = ["a@b.vn"]\n', encoding="utf-8")
    add_user("lan", PASSWORD, path=path, hasher=FAST)
    old = Accounts.load(path).users["lan"].password_hash
    with pytest.raises(ValueError, match="exists"):
        add_user("lan", PASSWORD, path=path, hasher=FAST)
    add_user("mai", PASSWORD, path=path, hasher=FAST)
    add_user("lan", "mật khẩu mới 456", path=path, replace=True, hasher=FAST)
    text = path.read_text()
    assert text.startswith("# do not commit\n")
    accounts = Accounts.load(path)
    assert sorted(accounts.users) == ["lan", "mai"]
    assert accounts.users["lan"].password_hash != old
    assert "a@b.vn" in accounts.planner_emails
    checker = Authenticator(accounts, hasher=FAST)
    assert checker.sign_in("lan", "mật khẩu mới 456") == Planner("lan", "password")


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("Lan Nguyễn", PASSWORD, "user name"),
        ('x"]\n[users.evil', PASSWORD, "user name"),
        ("lan", "short", "at least"),
    ],
)
def test_add_user_checks_name_and_password(tmp_path, name, password, message):
    with pytest.raises(ValueError, match=message):
        add_user(name, password, path=tmp_path / "a.toml", hasher=FAST)


def test_missing_file_means_no_accounts_and_a_broken_one_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_ACCOUNTS", str(tmp_path / "none.toml"))
    assert accounts_path() == tmp_path / "none.toml"
    assert Accounts.load().users == {}
    broken = tmp_path / "broken.toml"
    broken.write_text("[users.lan\n", encoding="utf-8")
    with pytest.raises(AccessDeniedError, match="not valid TOML"):
        Accounts.load(broken)


def test_example_accounts_file_parses():
    example = accounts_path().parent / "accounts.example.toml"
    accounts = Accounts.load(example)
    assert accounts.planner_emails  # documents the OIDC list
    assert all(a.password_hash is None or a.password_hash.startswith("$argon2id$") for a in
               accounts.users.values())  # fmt: skip


# --- sign-in -------------------------------------------------------------------------------------


def test_sign_in_gives_a_planner(auth):
    assert auth.sign_in("lan", PASSWORD) == Planner("lan", "password")
    assert auth.sign_in("  LAN ", PASSWORD).name == "lan"  # names are case-insensitive


@pytest.mark.parametrize(("name", "password"), [("lan", "sai"), ("nobody", PASSWORD), ("", "")])
def test_wrong_name_or_password_get_the_same_answer(auth, name, password):
    with pytest.raises(SignInError) as error:
        auth.sign_in(name, password)
    assert error.value.reason == BAD_CREDENTIALS
    assert error.value.message == "wrong user name or password"
    assert isinstance(error.value, PermissionError)
    assert t("auth.bad_credentials", "vi") == "Tên đăng nhập hoặc mật khẩu không đúng."


class CountingHasher(PasswordHasher):
    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=256, parallelism=1)
        self.verified: list[str] = []

    def verify(self, hash, password):
        self.verified.append(hash)
        return super().verify(hash, password)


def test_unknown_names_are_checked_against_a_dummy_hash(accounts_file):
    hasher = CountingHasher()
    checker = Authenticator(Accounts.load(accounts_file), hasher=hasher)
    for name in ("nobody", "lan"):
        with pytest.raises(SignInError):
            checker.sign_in(name, "wrong password")
    # One Argon2 verification each: an unknown name costs what a wrong password costs.
    assert len(hasher.verified) == 2
    assert hasher.verified[0].startswith("$argon2id$")
    assert hasher.verified[0] != hasher.verified[1]


def test_unknown_and_known_names_take_about_the_same_time(accounts_file):
    """With the real Argon2 parameters, timing does not tell whether a name exists."""
    hasher = PasswordHasher()
    accounts = Accounts.load(accounts_file)
    lan = accounts.users["lan"]
    real = Accounts(
        users={"lan": type(lan)("lan", hasher.hash(PASSWORD))},
        planner_emails=accounts.planner_emails,
    )
    checker = Authenticator(real, hasher=hasher, throttle=Throttle(free_attempts=10**6))

    def timed(name: str) -> float:
        start = time.perf_counter()
        with pytest.raises(SignInError):
            checker.sign_in(name, "wrong password")
        return time.perf_counter() - start

    known = statistics.median(timed("lan") for _ in range(3))
    unknown = statistics.median(timed("nobody") for _ in range(3))
    assert 0.5 < unknown / known < 2.0, (known, unknown)


def test_repeated_failures_are_slowed_down_per_name(auth, clock):
    for _ in range(3):  # free attempts
        with pytest.raises(SignInError, match="wrong"):
            auth.sign_in("lan", "sai")
    with pytest.raises(SignInError, match="wrong"):
        auth.sign_in("lan", "sai")  # the 4th failure: 1 s lock from now on
    with pytest.raises(SignInError) as locked:
        auth.sign_in("lan", PASSWORD)  # even the right password waits
    assert locked.value.reason == THROTTLED and locked.value.retry_after == pytest.approx(1.0)
    assert auth.sign_in("tuan", "mật khẩu khác 123").name == "tuan"  # other names are free
    clock.now += 1.0
    with pytest.raises(SignInError, match="wrong"):
        auth.sign_in("lan", "sai")  # 5th failure: 2 s
    assert auth.throttle.retry_after("lan") == pytest.approx(2.0)
    clock.now += 2.0
    assert auth.sign_in("lan", PASSWORD).name == "lan"  # success resets
    assert auth.throttle.retry_after("lan") == 0.0


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def failure_log(request, tmp_path):
    """Where the throttle keeps failures: this process, or the store's database."""
    from store_fixtures import postgres_schema

    from geo.figures.store import Store

    if request.param == "memory":
        yield MemoryFailureLog()
    elif request.param == "sqlite":
        yield Store(f"sqlite:///{tmp_path / 'atlas.sqlite'}").failure_log()
    else:
        with postgres_schema(request.getfixturevalue("postgres_url")) as url:
            store = Store(url)
            yield store.failure_log()
            store.dispose()


def test_the_delay_doubles_up_to_a_cap_and_is_forgotten(failure_log):
    clock = Clock()
    throttle = Throttle(
        log=failure_log, clock=clock, free_attempts=2, base_delay=1, max_delay=30, forget_after=600
    )
    delays = []
    for _ in range(10):
        throttle.failure("x")
        delays.append(throttle.retry_after("x"))
    assert delays == [0, 0, 1, 2, 4, 8, 16, 30, 30, 30]
    clock.now += 601
    throttle.failure("x")
    assert throttle.retry_after("x") == 0.0  # counted from 1 again


def test_many_failures_across_names_lock_every_sign_in(accounts_file, clock):
    throttle = Throttle(clock=clock, global_limit=5, global_window=60)
    checker = Authenticator(Accounts.load(accounts_file), hasher=FAST, throttle=throttle)
    for index in range(5):
        with pytest.raises(SignInError, match="wrong"):
            checker.sign_in(f"guess{index}", "x")
    with pytest.raises(SignInError) as locked:
        checker.sign_in("lan", PASSWORD)
    assert locked.value.reason == THROTTLED and locked.value.retry_after == pytest.approx(60)
    clock.now += 60
    assert checker.sign_in("lan", PASSWORD).name == "lan"


def test_throttle_memory_is_bounded():
    throttle = Throttle(clock=Clock(), max_names=10)
    for index in range(100):
        throttle.failure(f"name{index}")
    assert len(throttle.log) == 10


# --- who -----------------------------------------------------------------------------------------


def test_require_planner():
    assert require_planner(SYSTEM, action="x") is SYSTEM
    for viewer in (None, "lan", object()):
        with pytest.raises(AccessDeniedError, match="planner"):
            require_planner(viewer, action="import")


def test_shell_operator_is_the_os_login():
    operator = shell_operator()
    assert operator.method == "shell" and operator.name.startswith("os:")


def test_oidc_planners_are_the_listed_emails(accounts_file):
    accounts = Accounts.load(accounts_file)
    user = {"is_logged_in": True, "email": "TUAN@example.gov.vn", "name": "Tuấn"}
    assert planner_from_oidc(user, accounts) == Planner("tuan@example.gov.vn", "oidc")
    assert planner_from_oidc({**user, "email_verified": False}, accounts) is None
    assert planner_from_oidc({**user, "email": "other@example.gov.vn"}, accounts) is None
    assert planner_from_oidc({"is_logged_in": False}, accounts) is None
    assert oidc_configured({"auth": {"redirect_uri": "x"}})
    assert not oidc_configured({})


# --- command line --------------------------------------------------------------------------------


def test_cli_user_add_prompts_twice(tmp_path, monkeypatch, capsys):
    path = tmp_path / "accounts.toml"
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["user", "add", "lan", "--accounts", str(path)]) == 0
    assert "lan" in Accounts.load(path).users
    answers = iter([PASSWORD, "something else"])
    assert main(["user", "add", "mai", "--accounts", str(path)]) == 1
    assert "differ" in capsys.readouterr().err
    assert "mai" not in Accounts.load(path).users


def test_cli_user_add_password_stdin(tmp_path, monkeypatch, capsys):
    path = tmp_path / "accounts.toml"
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "lan", "--password-stdin", "--accounts", str(path)]) == 0
    assert Authenticator(Accounts.load(path)).sign_in("lan", PASSWORD).name == "lan"
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "mai", "--password-stdin", "--accounts", str(path)]) == 1
    assert "at least" in capsys.readouterr().err


# --- the accounts file is written as data, never as text ----------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        'hoa"@x.vn',
        'hoa@x.vn"\n[users."root"]\npassword_hash = "x',
        "hoa@x.vn\n[oidc]",
        "hoa @x.vn",
        "hoa@x",
        "hoà@x.vn",
        "<hoa@x.vn>",
        "a" * 250 + "@x.vn",
    ],
)
def test_add_user_refuses_hostile_emails_and_leaves_the_file_alone(tmp_path, email):
    path = tmp_path / "accounts.toml"
    add_user("lan", PASSWORD, path=path, hasher=FAST)
    before = path.read_text(encoding="utf-8")
    with pytest.raises(AccountError, match=r"không hợp lệ.* / e-mail .* is not valid"):
        add_user("hoa", PASSWORD, path=path, email=email, hasher=FAST)
    assert path.read_text(encoding="utf-8") == before


@pytest.mark.parametrize(
    "name", ['root"]', "x]\n[users.root", "lan nguyen", "lan\u0000", "-lan", "a" * 65, "lân"]
)
def test_add_user_refuses_hostile_names_in_both_languages(tmp_path, name):
    with pytest.raises(AccountError) as refused:
        add_user(name, PASSWORD, path=tmp_path / "a.toml", hasher=FAST)
    assert "Tên người dùng" in str(refused.value) and "user name" in str(refused.value)
    assert refused.value.key == "account.bad_name" and not (tmp_path / "a.toml").exists()


def test_accounts_file_stays_valid_toml_with_one_account_per_name(tmp_path):
    path = tmp_path / "accounts.toml"
    add_user("hoa", PASSWORD, path=path, email="Hoa.Nguyen+atlas@So-NN.HoaBinh.gov.vn", hasher=FAST)
    add_user("lan.nguyen", PASSWORD, path=path, hasher=FAST)
    add_user("hoa", "mật khẩu mới 456", path=path, replace=True, hasher=FAST)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert sorted(data["users"]) == ["hoa", "lan.nguyen"]  # no "root", no duplicate table
    # A new password keeps the e-mail given before.
    assert data["users"]["hoa"]["email"] == "hoa.nguyen+atlas@so-nn.hoabinh.gov.vn"
    accounts = Accounts.load(path)
    assert Authenticator(accounts, hasher=FAST).sign_in("hoa", "mật khẩu mới 456").name == "hoa"


def test_add_user_leaves_a_broken_accounts_file_as_it_is(tmp_path):
    path = tmp_path / "accounts.toml"
    path.write_text('[users."lan"\n', encoding="utf-8")
    with pytest.raises(AccessDeniedError, match="not valid TOML"):
        add_user("hoa", PASSWORD, path=path, hasher=FAST)
    assert path.read_text(encoding="utf-8") == '[users."lan"\n'


def test_cli_user_add_refuses_a_quote_in_the_email(tmp_path, monkeypatch, capsys):
    path = tmp_path / "accounts.toml"
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code = main(
        ["user", "add", "hoa", "--password-stdin", "--email", 'hoa"@x.vn', "--accounts", str(path)]
    )
    assert code == 1 and not path.exists()
    assert "E-mail 'hoa\"@x.vn' không hợp lệ" in capsys.readouterr().err


# --- the throttle in the store's database, shared by every server process -----------------------


def test_throttle_in_the_database_is_shared_by_two_processes(db_url, accounts_file, clock):
    from geo.figures.store import Store

    def process() -> Authenticator:
        """What one app process holds: its own store (connection pool) and throttle."""
        throttle = Throttle(log=Store(db_url).failure_log(), clock=clock)
        return Authenticator(Accounts.load(accounts_file), hasher=FAST, throttle=throttle)

    first, second = process(), process()
    for checker in (first, second, first, second):  # the 4th failure, on either process: 1 s
        with pytest.raises(SignInError, match="wrong"):
            checker.sign_in("Lan", "sai")
    with pytest.raises(SignInError) as locked:
        first.sign_in("lan", PASSWORD)
    assert locked.value.reason == THROTTLED and locked.value.retry_after == pytest.approx(1.0)
    assert second.throttle.retry_after("lan") == pytest.approx(1.0)
    assert second.sign_in("tuan", "mật khẩu khác 123").name == "tuan"  # other names are free
    clock.now += 1.0
    assert second.sign_in("lan", PASSWORD).name == "lan"  # success resets, for both
    assert first.throttle.retry_after("lan") == 0.0


def test_throttle_in_the_database_keeps_the_global_brake_and_bounded_names(db_url, clock):
    from geo.figures.store import Store

    log = Store(db_url).failure_log()
    brake = Throttle(log=log, clock=clock, global_limit=5, global_window=60, max_names=3)
    brake.failure("x")
    for index in range(4):
        brake.failure(f"guess{index}")
    assert brake.retry_after("anyone") == pytest.approx(60)  # 1 + 4 failures in the window
    assert log.names() == 3  # the quietest names are forgotten: bounded whatever is tried
    clock.now += 60.5
    assert brake.retry_after("anyone") == 0.0
