"""Who may change the figures: planner accounts, sign-in, throttling.

Viewers see the maps without signing in. Importing, rolling back and deleting batches need a
:class:`Planner`, which only this module hands out:

* **Password** — :meth:`Authenticator.sign_in` checks a name and password against the accounts
  file (salted Argon2id hashes from ``argon2-cffi``). A wrong name and a wrong password get the
  same answer ("Tên đăng nhập hoặc mật khẩu không đúng") and take the same time: an unknown name
  is checked against a dummy hash. Repeated failures are throttled per name and globally
  (:class:`Throttle`).
* **OIDC** — when Streamlit's ``[auth]`` section is configured in ``secrets.toml``, the page offers
  ``st.login()``; :func:`planner_from_oidc` accepts the signed-in user when their e-mail is listed
  in the accounts file (``[oidc] planner_emails`` or a user's ``email``).
* **Shell** — :func:`shell_operator`: whoever runs ``python -m geo`` on the server can already
  read and write the database file, so the command line trusts them and records their OS login
  (``--user NAME`` asks for that planner's password instead).

The accounts file is ``config/accounts.toml`` (``ATLAS_ACCOUNTS`` overrides); it is not committed.
Format (see ``config/accounts.example.toml``)::

    [users."lan"]
    password_hash = "$argon2id$v=19$m=65536,t=3,p=4$…"
    email = "lan@example.gov.vn"      # optional: lets this person sign in through OIDC

    [oidc]
    planner_emails = ["tuan@example.gov.vn"]

Add a user with ``python -m geo user add NAME`` (prompts twice) or ``--password-stdin``.
"""

from __future__ import annotations

import getpass
import os
import re
import threading
import time
import tomllib
import unicodedata
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import tomli_w
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from geo.errors import AccessDeniedError
from geo.files import write_atomically
from geo.i18n import t

__all__ = [
    "ACCOUNTS_ENV",
    "DEFAULT_ACCOUNTS_PATH",
    "SYSTEM",
    "Account",
    "AccountError",
    "Accounts",
    "Authenticator",
    "FailureLog",
    "MemoryFailureLog",
    "Planner",
    "SignInError",
    "Throttle",
    "accounts_path",
    "add_user",
    "check_email",
    "check_user_name",
    "hash_password",
    "oidc_configured",
    "planner_from_oidc",
    "require_planner",
    "shell_operator",
]

ACCOUNTS_ENV = "ATLAS_ACCOUNTS"
DEFAULT_ACCOUNTS_PATH = Path(__file__).resolve().parents[2] / "config" / "accounts.toml"
#: Names are ASCII so they survive every terminal, log and TOML key.
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
#: A plain ASCII address: local part, ``@``, a domain of dot-separated labels with a letter TLD.
#: Stricter than RFC 5322 on purpose: no quotes, spaces, brackets or control characters.
_EMAIL_RE = re.compile(
    r"^[a-z0-9](?:[a-z0-9._%+-]{0,62}[a-z0-9_%+-])?"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
)
MAX_EMAIL_LENGTH = 254
MIN_PASSWORD_LENGTH = 10

#: Reason codes of :class:`SignInError` (the UI translates them).
BAD_CREDENTIALS = "bad_credentials"
THROTTLED = "throttled"


# --- who ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planner:
    """A person (or the system) allowed to change figures.

    Parameters
    ----------
    name : str
        Recorded on every batch they make: the account name, the OIDC e-mail or the OS login.
    method : str
        How they were identified: ``"password"``, ``"oidc"``, ``"shell"`` or ``"system"``.
    """

    name: str
    method: str


#: The author of the demo batches the store seeds itself with.
SYSTEM = Planner("system", "system")


def require_planner(user: object, *, action: str) -> Planner:
    """Return ``user`` if it is a :class:`Planner`, else raise :class:`AccessDeniedError`.

    Parameters
    ----------
    user : object
        Whatever the caller holds: a :class:`Planner`, or ``None`` / a name for a viewer.
    action : str
        What was attempted (for the message), e.g. ``"import"``.
    """
    if isinstance(user, Planner):
        return user
    raise AccessDeniedError("access", f"{action} needs a signed-in planner")


def shell_operator() -> Planner:
    """The person running the command line, trusted as a planner (see the module docstring)."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        login = f"uid{os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return Planner(f"os:{login}", "shell")


# --- accounts file -----------------------------------------------------------------------------


def accounts_path() -> Path:
    """The accounts file: ``$ATLAS_ACCOUNTS`` or ``config/accounts.toml``."""
    return Path(os.environ.get(ACCOUNTS_ENV) or DEFAULT_ACCOUNTS_PATH)


def _normalise_name(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip().casefold()


@dataclass(frozen=True)
class Account:
    """One planner account of the accounts file."""

    name: str
    password_hash: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Accounts:
    """The planner accounts (an empty set when the file does not exist).

    Parameters
    ----------
    users : mapping of str to Account
        By normalised name.
    planner_emails : frozenset of str
        Lower-case e-mails accepted as planners after an OIDC sign-in.
    path : Path or None
        Where they were read from.
    """

    users: Mapping[str, Account] = field(default_factory=dict)
    planner_emails: frozenset[str] = frozenset()
    path: Path | None = None

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> Accounts:
        """Read the accounts file (``None``: :func:`accounts_path`); missing file → no accounts.

        Raises
        ------
        AccessDeniedError
            When the file exists but is not valid TOML or has a malformed entry (the app must not
            silently run without its planners).
        """
        file = Path(path) if path is not None else accounts_path()
        if not file.exists():
            return cls(path=file)
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise AccessDeniedError(
                file.name, f"the accounts file is not valid TOML: {exc}"
            ) from None
        users: dict[str, Account] = {}
        for name, entry in (data.get("users") or {}).items():
            if not isinstance(entry, dict):
                raise AccessDeniedError(file.name, f"users.{name} must be a table", where=name)
            key = _normalise_name(name)
            email = entry.get("email")
            users[key] = Account(
                key,
                entry.get("password_hash") or None,
                email.strip().lower() if isinstance(email, str) and email.strip() else None,
            )
        emails = {e.strip().lower() for e in (data.get("oidc") or {}).get("planner_emails", [])}
        emails |= {account.email for account in users.values() if account.email}
        return cls(users=users, planner_emails=frozenset(emails), path=file)


def hash_password(password: str, *, hasher: PasswordHasher | None = None) -> str:
    """Salted Argon2id hash of ``password`` (argon2-cffi's recommended parameters)."""
    return (hasher or PasswordHasher()).hash(password)


class AccountError(ValueError):
    """A user name, e-mail or password the accounts file cannot take.

    The message is Vietnamese, then English (``python -m geo user add`` has no language
    option); ``key`` and ``params`` name the catalogue text for callers that translate.
    """

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(f"{t(key, 'vi', **params)} / {t(key, 'en', **params)}")


def check_user_name(name: str) -> str:
    """The normalised account name, or :class:`AccountError` saying which characters are allowed.

    Examples
    --------
    >>> check_user_name(" Lan.Nguyen ")
    'lan.nguyen'
    >>> check_user_name('x"]')
    Traceback (most recent call last):
    ...
    geo.figures.auth.AccountError: Tên người dùng 'x"]' không hợp lệ: ...
    """
    key = _normalise_name(name)
    if not _NAME_RE.fullmatch(key):
        raise AccountError("account.bad_name", name=repr(name)[:80])
    return key


def check_email(email: str) -> str:
    """The lower-case e-mail, or :class:`AccountError` when it is not a plain address.

    Examples
    --------
    >>> check_email(" Lan@Example.gov.VN ")
    'lan@example.gov.vn'
    >>> check_email('hoa"@x.vn')
    Traceback (most recent call last):
    ...
    geo.figures.auth.AccountError: E-mail 'hoa"@x.vn' không hợp lệ: ...
    """
    address = email.strip().lower()
    if len(address) > MAX_EMAIL_LENGTH or not _EMAIL_RE.fullmatch(address):
        raise AccountError("account.bad_email", email=repr(email)[:80])
    return address


def add_user(
    name: str,
    password: str,
    *,
    path: str | os.PathLike[str] | None = None,
    email: str | None = None,
    replace: bool = False,
    hasher: PasswordHasher | None = None,
) -> Path:
    """Add a planner (or, with ``replace``, set a new password) in the accounts file.

    The file is parsed, changed as data and written back with a TOML writer (``tomli-w``), so
    no name, e-mail or hash can change its structure; the comment lines at its top are kept. It
    is written atomically and readable by its owner only.

    Parameters
    ----------
    name : str
        Lower-case ASCII: letters, digits, ``_ . -`` (at most 64 characters).
    password : str
        At least :data:`MIN_PASSWORD_LENGTH` characters.
    path : str or path, optional
        Accounts file; defaults to :func:`accounts_path`.
    email : str, optional
        E-mail for OIDC sign-in: a plain ASCII address (:func:`check_email`); when replacing,
        the account's e-mail is kept unless another one is given.
    replace : bool
        Allow replacing an existing user's password hash (and e-mail).
    hasher : argon2.PasswordHasher, optional
        For tests (cheap parameters).

    Returns
    -------
    Path
        The accounts file.

    Raises
    ------
    AccountError
        Bad name or e-mail, short password, or an existing user without ``replace`` (a
        :class:`ValueError`).
    AccessDeniedError
        The existing file is not valid TOML (it is left as it is).
    """
    key = check_user_name(name)
    address = check_email(email) if email else None
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("account.short_password", n=MIN_PASSWORD_LENGTH)
    file = Path(path) if path is not None else accounts_path()
    text = file.read_text(encoding="utf-8") if file.exists() else ""
    existing = Accounts.load(file)
    if key in existing.users and not replace:
        raise AccountError("account.exists", name=key)
    data = tomllib.loads(text)
    users = data.setdefault("users", {})
    # Drop every spelling of the name ("Lan", "lan") so one table per account remains.
    for spelling in [n for n in users if _normalise_name(n) == key]:
        del users[spelling]
    previous = existing.users.get(key)
    users[key] = {"password_hash": hash_password(password, hasher=hasher)}
    # A new password keeps the account's e-mail unless another one is given.
    if address or (previous is not None and previous.email):
        users[key]["email"] = address or previous.email
    _write_private(file, _leading_comments(text) + tomli_w.dumps(data))
    return file


_ACCOUNTS_HEADER = (
    "# Planner accounts of the Commune Atlas (python -m geo user add NAME).\n"
    "# Holds password hashes: keep it out of version control, readable by the app only.\n"
)


def _leading_comments(text: str) -> str:
    """The comment block at the top of an accounts file (the default header for a new file)."""
    if not text.strip():
        return _ACCOUNTS_HEADER + "\n"
    lines = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            break
        lines.append(line)
    return "\n".join(lines).rstrip("\n") + "\n\n" if any(lines) else ""


def _write_private(file: Path, text: str) -> None:
    # Parse what is about to be written: a writer bug must never lock every planner out.
    tomllib.loads(text)
    write_atomically(file, lambda p: p.write_text(text, encoding="utf-8"), mode=0o600)


# --- throttling --------------------------------------------------------------------------------


class FailureLog(Protocol):
    """Where :class:`Throttle` keeps failed sign-ins: this process, or the store's database.

    Times are seconds from the throttle's clock; names are already normalised. Every server
    process behind a load balancer must see the same failures, so the app uses the store's log
    (:meth:`geo.figures.store.Store.failure_log`); :class:`MemoryFailureLog` serves one process.
    """

    def record(self, name: str, now: float, *, forget_after: float, max_names: int) -> None:
        """Count one failure of ``name`` at ``now`` (from 1 again after ``forget_after`` s)."""

    def failures(self, name: str) -> tuple[int, float] | None:
        """Failures of ``name`` and the time of the last one (``None``: no failure)."""

    def recent(self, since: float) -> tuple[int, float]:
        """Failures of any name after ``since``, and the time of the oldest of them."""

    def forget(self, name: str) -> None:
        """Forget the failures of ``name`` (a successful sign-in)."""


class MemoryFailureLog:
    """A :class:`FailureLog` in this process's memory (thread-safe, at most ``max_names``)."""

    def __init__(self) -> None:
        self._names: dict[str, tuple[int, float]] = {}
        self._recent: deque[float] = deque()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._names)

    def record(self, name: str, now: float, *, forget_after: float, max_names: int) -> None:
        """Count one failure of ``name`` at ``now`` (see :class:`FailureLog`)."""
        with self._lock:
            self._recent.append(now)
            count, last = self._names.get(name, (0, now))
            self._names[name] = (1 if now - last > forget_after else count + 1, now)
            if len(self._names) > max_names:
                # Forget the quietest names first: memory stays bounded whatever names are tried.
                quietest = sorted(self._names, key=lambda key: self._names[key][1])
                for old in quietest[: len(self._names) - max_names]:
                    del self._names[old]

    def failures(self, name: str) -> tuple[int, float] | None:
        """Failures of ``name`` and the time of the last one (see :class:`FailureLog`)."""
        with self._lock:
            return self._names.get(name)

    def recent(self, since: float) -> tuple[int, float]:
        """Failures after ``since`` and the oldest time (older ones are dropped)."""
        with self._lock:
            while self._recent and self._recent[0] <= since:
                self._recent.popleft()
            return len(self._recent), (self._recent[0] if self._recent else since)

    def forget(self, name: str) -> None:
        """Forget the failures of ``name``."""
        with self._lock:
            self._names.pop(name, None)


class Throttle:
    """Slow down repeated failed sign-ins, per name and for the whole service.

    Per name: the first ``free_attempts`` failures cost nothing; after that the name is locked for
    ``base_delay × 2^(failures − free_attempts − 1)`` seconds (capped at ``max_delay``) after each
    failure. A success, or ``forget_after`` seconds without failures, resets the count.
    Globally: more than ``global_limit`` failures (any names) within ``global_window`` seconds lock
    every sign-in until the window has moved on — a brake on guessing across many names. A locked
    attempt is refused before the password is checked and does not count as a failure.

    The failures live in ``log``: this process's memory by default, the store's database in the
    app (so every server process behind the load balancer counts the same failures). ``clock``
    is injectable so tests need not sleep; with a shared log it must be the wall clock.

    Examples
    --------
    >>> now = [0.0]
    >>> throttle = Throttle(clock=lambda: now[0], free_attempts=1, base_delay=2)
    >>> throttle.failure("lan"); throttle.retry_after("lan")
    0.0
    >>> throttle.failure("lan"); throttle.retry_after("lan")
    2.0
    >>> now[0] = 2.0; throttle.retry_after("lan")
    0.0
    """

    def __init__(
        self,
        *,
        log: FailureLog | None = None,
        clock: Callable[[], float] = time.time,
        free_attempts: int = 3,
        base_delay: float = 1.0,
        max_delay: float = 900.0,
        forget_after: float = 3600.0,
        global_limit: int = 100,
        global_window: float = 300.0,
        max_names: int = 10_000,
    ) -> None:
        self.log: FailureLog = log if log is not None else MemoryFailureLog()
        self._clock = clock
        self.free_attempts = free_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.forget_after = forget_after
        self.global_limit = global_limit
        self.global_window = global_window
        self.max_names = max_names

    def _delay(self, failures: int) -> float:
        over = failures - self.free_attempts
        return 0.0 if over <= 0 else min(self.max_delay, self.base_delay * 2.0 ** (over - 1))

    def retry_after(self, name: str) -> float:
        """Seconds until ``name`` may try again (0 when it may try now)."""
        now = self._clock()
        wait = 0.0
        count, oldest = self.log.recent(now - self.global_window)
        if count >= self.global_limit:
            wait = oldest + self.global_window - now
        state = self.log.failures(_normalise_name(name))
        if state is not None:
            failures, last = state
            wait = max(wait, last + self._delay(failures) - now)
        return max(0.0, wait)

    def failure(self, name: str) -> None:
        """Record a failed attempt for ``name``."""
        self.log.record(
            _normalise_name(name),
            self._clock(),
            forget_after=self.forget_after,
            max_names=self.max_names,
        )

    def success(self, name: str) -> None:
        """Forget the failures of ``name``."""
        self.log.forget(_normalise_name(name))


# --- sign-in -----------------------------------------------------------------------------------


@dataclass
class SignInError(AccessDeniedError):
    """A sign-in was refused.

    ``reason`` is :data:`BAD_CREDENTIALS` (never says whether the name or the password was wrong)
    or :data:`THROTTLED` (``retry_after`` seconds to wait).
    """

    reason: str = BAD_CREDENTIALS
    retry_after: float = 0.0


class Authenticator:
    """Check planner passwords against :class:`Accounts`, with a :class:`Throttle`.

    Parameters
    ----------
    accounts : Accounts
        The planner accounts.
    hasher : argon2.PasswordHasher, optional
        Defaults to argon2-cffi's recommended parameters.
    throttle : Throttle, optional
        Defaults to a fresh :class:`Throttle`.
    """

    def __init__(
        self,
        accounts: Accounts,
        *,
        hasher: PasswordHasher | None = None,
        throttle: Throttle | None = None,
    ) -> None:
        self.accounts = accounts
        self.hasher = hasher or PasswordHasher()
        self.throttle = throttle or Throttle()
        # Unknown names are checked against this, so they cost what a wrong password costs.
        self._dummy_hash = self.hasher.hash(os.urandom(16).hex())

    def sign_in(self, name: str, password: str) -> Planner:
        """Return the :class:`Planner` called ``name`` if ``password`` is theirs.

        Raises
        ------
        SignInError
            Wrong name or password (one message for both), or too many recent failures.
        """
        key = _normalise_name(name)
        wait = self.throttle.retry_after(key)
        if wait > 0:
            raise SignInError(
                "sign-in",
                f"too many failed sign-ins; try again in {wait:.0f} s",
                reason=THROTTLED,
                retry_after=wait,
            )
        account = self.accounts.users.get(key)
        stored = account.password_hash if account is not None else None
        ok = self._verify(stored or self._dummy_hash, password) and stored is not None
        if not ok:
            self.throttle.failure(key)
            raise SignInError("sign-in", "wrong user name or password", reason=BAD_CREDENTIALS)
        self.throttle.success(key)
        return Planner(key, "password")

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return bool(self.hasher.verify(stored, password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


# --- OIDC (Streamlit st.login) -----------------------------------------------------------------


def oidc_configured(secrets: Mapping[str, Any]) -> bool:
    """Tell whether Streamlit's ``[auth]`` section is configured (so ``st.login`` works)."""
    try:
        return "auth" in secrets
    except Exception:  # st.secrets raises when there is no secrets file at all
        return False


def planner_from_oidc(user_info: Mapping[str, Any], accounts: Accounts) -> Planner | None:
    """The planner behind a Streamlit OIDC sign-in (``st.user.to_dict()``), or ``None``.

    Accepted when the user is logged in, their e-mail is listed in ``accounts`` and the identity
    provider did not say the e-mail is unverified.
    """
    if not user_info.get("is_logged_in"):
        return None
    email = user_info.get("email")
    if not isinstance(email, str) or user_info.get("email_verified") is False:
        return None
    email = email.strip().lower()
    return Planner(email, "oidc") if email in accounts.planner_emails else None
